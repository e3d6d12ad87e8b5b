"""Citizens' reports in the back office: listed per organisation, answered or closed."""

from register.reports import service as reports
from tests.portal.conftest import csrf_token


def report(db, organisation="gm0772", message="De camera op de Markt staat er niet meer."):
    with db.unit_of_work() as s:
        return reports.submit(session=s, data={"kind": "error", "message": message,
                                               "organisation": organisation}).id


def state_of(db, report_id):
    with db.unit_of_work(write=False) as s:
        from register.reports.models import Report

        found = s.get(Report, report_id)
        return found.state, found.answer


def test_inbox_lists_open_reports_of_the_active_organisation(signed_in, db):
    ours = report(db)
    report(db, organisation="gm0363", message="Een melding voor Amsterdam over iets.")
    page = signed_in("editor_a").get("/beheer/meldingen").get_data(as_text=True)
    assert "De camera op de Markt" in page and "voor Amsterdam" not in page
    assert f"/beheer/meldingen/{ours}" in page


def test_answer_and_close(signed_in, db):
    first, second = report(db), report(db, message="Er hangt een nieuwe sensor bij het station.")
    client = signed_in("editor_a")
    token = csrf_token(client, f"/beheer/meldingen/{first}")
    response = client.post(f"/beheer/meldingen/{first}", data={"csrf_token": token, "state": "answered", "answer": ""})
    assert response.status_code == 400 and 'id="report-answer-error"' in response.get_data(as_text=True)
    client.post(f"/beheer/meldingen/{first}", data={"csrf_token": token, "state": "answered",
                                                   "answer": "Klopt, we passen het aan."})
    assert state_of(db, first) == ("answered", "Klopt, we passen het aan.")
    client.post(f"/beheer/meldingen/{second}", data={"csrf_token": token, "state": "closed"})
    assert state_of(db, second)[0] == "closed"
    assert "De camera op de Markt" in client.get("/beheer/meldingen?status=answered").get_data(as_text=True)
    assert "nieuwe sensor" not in client.get("/beheer/meldingen").get_data(as_text=True)  # open only


def test_other_organisations_cannot_read_or_answer(signed_in, db):
    ours = report(db)
    outsider = signed_in("editor_b")
    assert outsider.get(f"/beheer/meldingen/{ours}").status_code == 403
    token = csrf_token(outsider, "/beheer/meldingen")
    assert outsider.post(f"/beheer/meldingen/{ours}", data={"csrf_token": token, "state": "closed"}).status_code == 403
    assert state_of(db, ours)[0] == "open"
    assert signed_in("editor_a").get("/beheer/meldingen/999999").status_code == 404
