"""Bulk import pages: template download, dry run with every problem by row and field, commit, export."""

import csv
import io
import json
import re

from openpyxl import load_workbook
from sqlmodel import func, select

from register import bulk_import
from register.audit.models import AuditEntry
from register.registrations.models import Registration
from tests.portal.conftest import csrf_token
from tests.register.test_bulk_import import csv_text, good_row


def upload(client, text: str, action="check", filename="sensoren.csv"):
    token = csrf_token(client, "/beheer/import")
    return client.post("/beheer/import", data={"csrf_token": token, "action": action,
                                              "file": (io.BytesIO(text.encode("utf-8")), filename)},
                       content_type="multipart/form-data")


def registrations(db) -> int:
    with db.unit_of_work(write=False) as s:
        return s.exec(select(func.count()).select_from(Registration)).one()


def test_templates_come_from_the_importers_column_list(signed_in):
    client = signed_in("editor_a")
    response = client.get("/beheer/import/sjabloon/sensor.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    header, example = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert header == bulk_import.template_columns("sensor") and example[0] == "sensor"
    workbook = load_workbook(io.BytesIO(client.get("/beheer/import/sjabloon/agreement.xlsx").data))
    first = [cell.value for cell in next(workbook.worksheets[0].iter_rows())]
    assert first == bulk_import.template_columns("agreement")
    assert client.get("/beheer/import/sjabloon/spaceship.csv").status_code == 404


def test_the_downloaded_template_imports_cleanly(signed_in, db):
    client = signed_in("editor_a")
    text = client.get("/beheer/import/sjabloon/sensor.csv").get_data(as_text=True)
    response = upload(client, text)
    assert response.status_code == 200 and 'id="import-checked"' in response.get_data(as_text=True)


def test_dry_run_lists_every_problem_by_row_and_column_and_writes_nothing(signed_in, db):
    text = csv_text([good_row(1, title=""), good_row(2), good_row(3, sensor_type="toaster", lat="")])
    response = upload(signed_in("editor_a"), text, action="commit")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    table = page.split('id="import-problems"')[1]
    cells = re.findall(r"<tr><td>(\d+)</td><td><code>([^<]+)</code>", table)
    assert ("2", "title") in cells and ("4", "sensor_type") in cells and ("4", "lat/lon") in cells
    assert registrations(db) == 0


def test_check_then_import_writes_everything_with_audit_entries(signed_in, db):
    client = signed_in("editor_a")
    page = upload(client, csv_text([good_row(n) for n in range(1, 4)])).get_data(as_text=True)
    assert registrations(db) == 0
    content = re.search(r'name="content" value="([^"]+)"', page).group(1)
    token = csrf_token(client, "/beheer/import")
    response = client.post("/beheer/import", data={"csrf_token": token, "action": "commit", "content": content,
                                                   "filename": "sensoren.csv"})
    assert response.status_code == 200 and 'id="import-done"' in response.get_data(as_text=True)
    assert registrations(db) == 3
    with db.unit_of_work(write=False) as s:
        assert s.exec(select(func.count()).select_from(AuditEntry)
                      .where(AuditEntry.action == "registration.create")).one() == 3


def test_unreadable_files_are_refused_with_a_message(signed_in):
    response = upload(signed_in("editor_a"), "hallo", filename="notities.docx")
    assert response.status_code == 400 and 'id="error-summary"' in response.get_data(as_text=True)
    response = upload(signed_in("editor_a"), "{kapot", filename="algoritmes.json")
    assert response.status_code == 400


def test_algoritmeregister_json_upload(signed_in, db):
    entries = [{"id": 77, "title": "Bijstand aanvragen", "doel": "Sneller beslissen.", "status": "In gebruik"}]
    response = upload(signed_in("editor_a"), json.dumps(entries), action="commit", filename="algoritmes.json")
    assert response.status_code == 200 and registrations(db) == 1


def test_export_of_own_registrations_is_audited(signed_in, db, publish, actors):
    publish("sensor")
    publish("sensor", editor="editor_b", approver="approver_b", organisation="gm0363",
            sensor={**good_sensor()})
    client = signed_in("approver_a")
    lines = client.get("/beheer/export?formaat=jsonl").get_data(as_text=True).splitlines()
    assert [json.loads(line)["organisation"] for line in lines] == ["gm0772"]
    rows = list(csv.reader(io.StringIO(client.get("/beheer/export?formaat=csv").get_data(as_text=True)
                                       .lstrip("\ufeff"))))
    assert len(rows) == 2 and rows[1][0] == "sensor"
    with db.unit_of_work(write=False) as s:
        assert s.exec(select(func.count()).select_from(AuditEntry)
                      .where(AuditEntry.action == "registration.export")).one() == 2


def good_sensor():
    return {"sensor_type": "camera", "measures": "Beeld", "identifiability": "identifiable",
            "location": {"type": "Point", "coordinates": [4.9, 52.37]}}


def test_import_needs_an_editor(client, signed_in):
    assert client.get("/beheer/import").status_code == 302
    assert signed_in("admin_a").get("/beheer/import").status_code == 403
    admin = signed_in("admin_a")
    token = csrf_token(admin, "/beheer/")  # the sign-out form carries the session's token
    assert admin.post("/beheer/import", data={"csrf_token": token}).status_code == 403
