"""Workflow in the back office: submit, publish with a change note (four-eyes), return, withdraw, archive."""

from register.registrations import service
from tests.factories import payload
from tests.portal.conftest import csrf_token
from tests.portal.test_registration_forms import form_fields


def draft(db, actors, editor="editor_a", **overrides):
    with db.unit_of_work() as s:
        return service.create(session=s, actor=actors[editor], data=payload("sensor", **overrides)).registration.public_id


def state_of(db, pid):
    with db.unit_of_work(write=False) as s:
        reg = service.get_for_update(session=s, public_id=pid)
        return reg.state, reg.revision_state, reg.withdrawal_reason


def step(client, pid, action, **fields):
    token = csrf_token(client, f"/beheer/registraties/{pid}")
    return client.post(f"/beheer/registraties/{pid}/{action}", data={"csrf_token": token, **fields})


def test_submit_then_publish_with_a_change_note_by_another_person(signed_in, db, actors):
    pid = draft(db, actors)
    editor, approver = signed_in("editor_a"), signed_in("approver_a")
    page = editor.get(f"/beheer/registraties/{pid}").get_data(as_text=True)
    assert "indienen" in page and "publiceren" not in page  # an editor cannot publish
    assert step(editor, pid, "indienen").status_code == 302
    assert state_of(db, pid)[0] == "in_review"
    response = step(approver, pid, "publiceren", change_note="")
    assert response.status_code == 400
    assert 'id="publish-change_note-error"' in response.get_data(as_text=True)
    assert step(approver, pid, "publiceren", change_note="Eerste publicatie").status_code == 302
    assert state_of(db, pid)[0] == "published"


def test_four_eyes_refuses_publishing_your_own_change(signed_in, db, actors):
    pid = draft(db, actors, editor="approver_a")
    approver = signed_in("approver_a")
    step(approver, pid, "indienen")
    response = step(approver, pid, "publiceren", change_note="Zelf goedgekeurd")
    assert response.status_code == 302
    assert state_of(db, pid)[0] == "in_review"
    page = approver.get(response.headers["Location"]).get_data(as_text=True)
    assert "vier-ogen" in page.lower() or "four-eyes" in page.lower()


def test_return_to_draft_needs_a_reason(signed_in, db, actors):
    pid = draft(db, actors)
    step(signed_in("editor_a"), pid, "indienen")
    approver = signed_in("approver_a")
    assert step(approver, pid, "terugsturen", reason=" ").status_code == 400
    assert step(approver, pid, "terugsturen", reason="Doel is te vaag").status_code == 302
    assert state_of(db, pid)[0] == "draft"


def test_withdraw_with_a_public_reason_and_archive(signed_in, db, publish):
    pid = publish("sensor")
    approver = signed_in("approver_a")
    assert step(approver, pid, "intrekken", reason="").status_code == 400
    assert step(approver, pid, "intrekken", reason="De meter is weggehaald.").status_code == 302
    assert state_of(db, pid) == ("withdrawn", None, "De meter is weggehaald.")
    assert "De meter is weggehaald." in approver.get(f"/beheer/registraties/{pid}").get_data(as_text=True)
    assert step(approver, pid, "archiveren", reason="").status_code == 400
    assert step(approver, pid, "archiveren", reason="Niet meer in gebruik.").status_code == 302
    assert state_of(db, pid)[0] == "archived"


def test_editing_a_published_item_keeps_the_public_version_until_published(signed_in, db, publish):
    pid = publish("sensor")
    editor = signed_in("editor_a")
    token = csrf_token(editor, f"/beheer/registraties/{pid}/bewerken")
    fields = dict(form_fields("sensor", payload("sensor", title="Nieuwe titel")))
    themes = fields.pop("themes")
    response = editor.post(f"/beheer/registraties/{pid}/bewerken",
                           data={"csrf_token": token, "save": "1", "themes": themes, **fields})
    assert response.status_code == 302
    assert state_of(db, pid)[:2] == ("published", "draft")
    preview = editor.get(f"/beheer/registraties/{pid}/voorbeeld").get_data(as_text=True)
    assert "Nieuwe titel" in preview


def test_preview_shows_the_pending_data_with_labels(signed_in, db, actors):
    pid = draft(db, actors)
    page = signed_in("editor_a").get(f"/beheer/registraties/{pid}/voorbeeld").get_data(as_text=True)
    assert "Geluidsmeter Stratumseind" in page and "Gemeentewet" in page
    assert "51.438500" in page  # the point, as the public page will show it


def test_workflow_steps_are_refused_to_outsiders(signed_in, db, actors):
    pid = draft(db, actors)
    outsider = signed_in("approver_b")
    assert outsider.get(f"/beheer/registraties/{pid}").status_code == 403
    token = csrf_token(outsider, "/beheer/registraties/nieuw/sensor")
    response = outsider.post(f"/beheer/registraties/{pid}/indienen", data={"csrf_token": token})
    assert response.status_code == 403
    assert state_of(db, pid)[0] == "draft"


def test_a_post_without_csrf_token_is_refused(signed_in, db, actors):
    pid = draft(db, actors)
    assert signed_in("editor_a").post(f"/beheer/registraties/{pid}/indienen").status_code == 400
    assert state_of(db, pid)[0] == "draft"
