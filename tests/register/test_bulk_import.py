"""Bulk import from CSV/Excel rows and Algoritmeregister JSON: every problem by row and field, all or nothing."""

import csv
import io

from sqlmodel import func, select

from register import bulk_import
from register.audit.models import AuditEntry
from register.registrations import service
from register.registrations.models import Registration
from tests.factories import payload


def csv_text(rows: list[dict], kind="sensor") -> str:
    columns = bulk_import.template_columns(kind)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def good_row(n: int, **overrides) -> dict:
    row = bulk_import.example_row("sensor")
    row.update(title=f"Meter {n}", lat=f"{51.43 + n / 1000:.5f}", lon="5.48")
    row.update(overrides)
    return row


def run(db, actor, text, commit=True):
    items = bulk_import.items_from_rows(bulk_import.read_csv(text), organisation="gm0772")
    session = db.session(write=True)
    try:
        outcome = bulk_import.run(session=session, actor=actor, items=items)
        if commit and outcome.ok:
            session.commit()
        else:
            session.rollback()
        return outcome
    finally:
        session.close()


def counts(db):
    with db.unit_of_work(write=False) as s:
        registrations = s.exec(select(func.count()).select_from(Registration)).one()
        created = s.exec(select(func.count()).select_from(AuditEntry)
                         .where(AuditEntry.action == "registration.create")).one()
        return registrations, created


def test_errors_in_several_rows_are_all_reported_and_nothing_is_written(db, actors):
    rows = [good_row(1), good_row(2, title="", sensor_type="toaster"), good_row(3),
            good_row(4, lat="noord", legal_basis_2_url="geen-link", review_date="2027-02-30")]
    outcome = run(db, actors["editor_a"], csv_text(rows))
    found = {(p.row, p.field) for p in outcome.problems}
    assert {(3, "title"), (3, "sensor_type"), (5, "lat/lon"), (5, "legal_basis_2_url"), (5, "review_date"),
            (5, "legal_basis_2_title")} <= found
    assert not any(row in (2, 4) for row, _ in found)
    assert counts(db) == (0, 0)


def test_a_clean_file_writes_everything_with_audit_entries(db, actors):
    outcome = run(db, actors["editor_a"], csv_text([good_row(n) for n in range(1, 6)]))
    assert outcome.ok and outcome.created == 5
    assert counts(db) == (5, 5)
    with db.unit_of_work(write=False) as s:
        data = service.pending_data(session=s, registration=service.get_for_update(
            session=s, public_id=outcome.public_ids[0]))
    assert data["themes"] == ["safety", "public_space"]
    assert data["legal_basis"] == [{"title": "Gemeentewet", "citation": "art. 172"}]
    assert data["sensor"]["location"] == {"type": "Point", "coordinates": [5.48, 51.431]}


def test_a_dry_run_writes_nothing(db, actors):
    outcome = run(db, actors["editor_a"], csv_text([good_row(1), good_row(2)]), commit=False)
    assert outcome.ok and outcome.created == 2
    assert counts(db) == (0, 0)


def test_unknown_columns_and_a_missing_kind_column_are_reported_on_the_header_row(db, actors):
    outcome = run(db, actors["editor_a"], "title,colour\nMeter,rood\n")
    assert {(p.row, p.field) for p in outcome.problems} == {(1, "colour"), (1, "kind")}


def test_an_exported_row_imports_back_unchanged(db, actors):
    data = payload("sensor", data_categories=["geluid", "tijd"], assessments=[
        {"type": "deda", "status": "completed"}], en={"title": "Sound meter"})
    data["sensor"].update(operator={"name": "Sorama"}, influences_behaviour=False)
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=data).registration.public_id
        exported = service.pending_data(session=s, registration=service.get_for_update(session=s, public_id=pid))
    table = bulk_import.export_table([exported])
    out = io.StringIO()
    csv.writer(out).writerows(table)
    outcome = run(db, actors["editor_a"], out.getvalue())
    assert outcome.ok and outcome.unchanged == 1 and outcome.created == 0


def test_rows_update_by_public_id(db, actors):
    first = run(db, actors["editor_a"], csv_text([good_row(1)]))
    outcome = run(db, actors["editor_a"], csv_text([good_row(1, public_id=first.public_ids[0], title="Nieuw")]))
    assert outcome.updated == 1
    assert counts(db)[0] == 1


def test_rows_for_another_organisation_are_refused(db, actors):
    text = "organisation," + csv_text([good_row(1)]).replace("\r\n", "\r\ngm0363,", 1)
    outcome = run(db, actors["editor_a"], text)
    assert any(p.field == "organisation" for p in outcome.problems)
    assert counts(db) == (0, 0)


def test_excel_rows_are_read_like_csv(db, actors):
    from datetime import datetime

    from openpyxl import Workbook

    columns = bulk_import.template_columns("sensor")
    row = good_row(1)
    workbook = Workbook()
    workbook.active.append(columns)
    values = [row.get(c, "") or None for c in columns]
    values[columns.index("review_date")] = datetime(2027, 5, 1)
    values[columns.index("device_count")] = 3.0
    workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = list(bulk_import.read_xlsx(buffer.getvalue()))
    assert rows[1][columns.index("review_date")] == "2027-05-01" and rows[1][columns.index("device_count")] == "3"


def test_algoritmeregister_entries_become_algorithm_drafts(db, actors):
    entries = [{"id": 123, "title": "Parkeervergunning toekennen", "doel": "Sneller beslissen over vergunningen.",
                "status": "In gebruik", "url": "https://algoritmes.overheid.nl/nl/algoritme/123"},
               {"title": "zonder id"}]
    session = db.session(write=True)
    try:
        outcome = bulk_import.run(session=session, actor=actors["editor_a"],
                                  items=bulk_import.items_from_algoritmeregister(entries, organisation="gm0772"))
    finally:
        session.rollback()
        session.close()
    assert outcome.created == 1 and [(p.row, p.field) for p in outcome.problems] == [(2, "id")]


def test_template_columns_are_unique_and_cover_every_field():
    for kind in bulk_import.KINDS:
        columns = bulk_import.template_columns(kind)
        assert len(columns) == len(set(columns))
    sensor = bulk_import.template_columns("sensor")
    assert {"sensor_type", "lat", "lon", "location_geojson", "opt_out_possible", "en_title",
            "legal_basis_1_citation", "dpia_status"} <= set(sensor)
