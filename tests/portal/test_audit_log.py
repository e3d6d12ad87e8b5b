"""The organisation's audit log page: filters, paging, CSV export (formula-safe) and chain verification."""

import csv
import io
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import select

from portal.office.audit_log import PAGE_SIZE, csv_safe
from register import audit
from register.audit.models import AuditEntry
from register.clock import today
from register.organisations.service import get_by_code
from tests.portal.conftest import csrf_token


def add_entries(db, actors, n=3, changes=None, actor="admin_a", code="gm0772", action="test.note"):
    with db.unit_of_work() as s:
        org = get_by_code(session=s, code=code)
        for i in range(n):
            audit.record(session=s, actor=actors[actor], action=action, entity_type="note", entity_id=f"n{i}",
                         organisation_id=org.id, chain=org.code, changes=changes or {"i": i})


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_approver_reads_the_own_chain_only(signed_in, db, actors):
    add_entries(db, actors, 2)
    add_entries(db, actors, 1, code="gm0363", actor="approver_b", action="test.other_org")
    page = signed_in("approver_a").get("/beheer/audit").get_data(as_text=True)
    assert "test.note" in page and "membership.grant" in page and "test.other_org" not in page


def test_filters_by_action_actor_entity_and_dates(signed_in, db, actors):
    add_entries(db, actors, 3)
    client = signed_in("approver_a")
    page = client.get("/beheer/audit?action=test.note&entity=note:n1").get_data(as_text=True)
    assert "n1" in page and "n0" not in page and "n2" not in page
    assert "1 regel" in page
    by_actor = client.get("/beheer/audit?actor=ADMIN_A&action=test.note").get_data(as_text=True)
    assert "3 regels" in by_actor
    nobody = client.get("/beheer/audit?actor=editor_b").get_data(as_text=True)
    assert "Er zijn geen regels die passen." in nobody
    day = today()
    assert "3 regels" in client.get(f"/beheer/audit?action=test.note&since={day}&until={day}").get_data(as_text=True)
    later = day + timedelta(days=1)
    assert "0 regels" in client.get(f"/beheer/audit?action=test.note&since={later}").get_data(as_text=True)
    bad = client.get("/beheer/audit?since=yesterday")
    assert bad.status_code == 400 and "JJJJ-MM-DD" in bad.get_data(as_text=True)


def test_pages_newest_first(signed_in, db, actors):
    add_entries(db, actors, PAGE_SIZE + 2)
    client = signed_in("approver_a")
    first = client.get("/beheer/audit?action=test.note").get_data(as_text=True)
    second = client.get("/beheer/audit?action=test.note&page=2").get_data(as_text=True)
    newest = f"note n{PAGE_SIZE + 1}<"
    assert newest in first and "note n0<" not in first and "note n1<" not in first
    assert "note n0<" in second and "note n1<" in second and newest not in second
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_csv_export_uses_the_filters_and_defuses_formulas(signed_in, db, actors):
    add_entries(db, actors, 1, changes={"note": "=HYPERLINK(\"http://evil\")"})
    with db.unit_of_work() as s:
        org = get_by_code(session=s, code="gm0772")
        audit.record(session=s, actor=actors["admin_a"], action="test.note", entity_type="note",
                     entity_id="@SUM(A1)", organisation_id=org.id, chain=org.code)
    response = signed_in("approver_a").get("/beheer/audit.csv?action=test.note")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert {r["action"] for r in rows} == {"test.note"} and len(rows) == 2
    assert rows[0]["entity_id"] == "'@SUM(A1)"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@"))


def test_csv_safe_prefixes_every_formula_start():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_safe(start + "1") == "'" + start + "1"
    assert csv_safe("gewoon") == "gewoon" and csv_safe(None) == "" and csv_safe(5) == "5"


def verify(client):
    return client.post("/beheer/audit/verify", data={"csrf_token": csrf_token(client, "/beheer/audit")})


def test_verify_says_ok_for_an_intact_chain(signed_in, db, actors):
    add_entries(db, actors, 3)
    response = verify(signed_in("admin_a"))
    assert response.status_code == 200 and "In orde:" in response.get_data(as_text=True)


def test_verify_finds_a_tampered_entry(signed_in, db, actors):
    add_entries(db, actors, 3)
    with db.unit_of_work(write=False) as s:
        target = s.exec(select(AuditEntry).where(AuditEntry.chain == "gm0772", AuditEntry.entity_id == "n1")).one()
    with db.write_engine.begin() as conn:  # someone edits the table behind the register's back
        conn.execute(text("UPDATE audit_entry SET actor_label = 'someone@else' WHERE id = :id"), {"id": target.id})
    page = verify(signed_in("approver_a")).get_data(as_text=True)
    assert "Het logboek is veranderd" in page
    assert f"Eerste kapotte regel: nummer {target.seq}" in page and "de inhoud is later veranderd" in page


def test_site_admin_reads_and_verifies_the_site_chain(signed_in, db, actors, client):
    client.post("/beheer/inloggen", data={"csrf_token": csrf_token(client, "/beheer/inloggen"),
                                          "email": "nobody@test.invalid", "password": "guess guess 1"})
    admin = signed_in("site_admin")
    page = admin.get("/beheer/audit?chain=site").get_data(as_text=True)
    assert "account.sign_in_failed" in page
    response = admin.post("/beheer/audit/verify", data={"csrf_token": csrf_token(admin, "/beheer/audit?chain=site"),
                                                        "chain": "site"})
    assert "In orde:" in response.get_data(as_text=True)
    assert signed_in("approver_a").get("/beheer/audit?chain=site").status_code == 403
    assert signed_in("admin_a").get("/beheer/audit.csv?chain=site").status_code == 403


def test_editors_cannot_read_the_audit_log(signed_in):
    client = signed_in("editor_a")
    assert client.get("/beheer/audit").status_code == 403
    assert client.get("/beheer/audit.csv").status_code == 403
