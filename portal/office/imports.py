"""Bulk import (CSV, Excel, Algoritmeregister JSON) with a dry run, the templates, and the export."""

import base64
import binascii
import csv
import io
import json
import zipfile

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from portal.office import blueprint
from portal.office.audit_log import csv_safe
from portal.office.context import require_organisation
from portal.signin import current_actor
from register import bulk_import, transfer, vocab
from register.accounts.authz import can
from register.registrations.fields import KINDS, fields_for, walk
from zichtbaar.web import database

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class Unreadable(Exception):
    """The uploaded file cannot be read as CSV, Excel or JSON."""


def _require_editor():
    organisation = require_organisation()
    if not can(current_actor(), "edit", organisation.id):
        abort(403)
    return organisation


def _code_columns(kind: str) -> list[tuple[str, str]]:
    """(column, allowed codes) for every column that takes codes, for the page and the template."""
    found = []
    for spec in walk(fields_for(kind)):
        if spec.vocabulary:
            name = spec.path.removeprefix(f"{kind}.").replace(".", "_")
            if spec.path.count(".") and spec.path.split(".")[-2] in bulk_import.TEMPLATE_REPEATS:
                name = name.replace(f"{spec.path.split('.')[-2]}_", f"{spec.path.split('.')[-2]}_N_", 1)
            found.append((name, ", ".join(sorted(vocab.codes(spec.vocabulary)))))
    return found


@blueprint.get("/import")
@login_required
def import_start():
    """The upload form, the templates and how the columns work."""
    organisation = _require_editor()
    return render_template("office/import_start.html", organisation=organisation, kinds=KINDS,
                           code_columns={kind: _code_columns(kind) for kind in KINDS})


@blueprint.get("/import/sjabloon/<kind>.<fmt>")
@login_required
def import_template(kind: str, fmt: str):
    """The template for one kind, generated from the same column list the importer reads."""
    _require_editor()
    if kind not in KINDS or fmt not in FORMATS:
        abort(404)
    columns = bulk_import.template_columns(kind)
    example = bulk_import.example_row(kind)
    rows = [columns, [example.get(c, "") for c in columns]]
    filename = f"zichtbaar-{kind}-sjabloon.{fmt}"
    body = _csv_bytes(rows) if fmt == "csv" else _xlsx_bytes(rows, _code_columns(kind))
    return Response(body, mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _csv_bytes(rows) -> bytes:
    out = io.StringIO()
    # Any editor (or an imported register entry) can write "=HYPERLINK(...)": defuse formulas for spreadsheets.
    csv.writer(out).writerows([csv_safe(cell) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def _xlsx_bytes(rows, codes) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "registraties"
    for row in rows:
        sheet.append(row)
    if codes:
        help_sheet = workbook.create_sheet("codes")
        help_sheet.append([_("Column"), _("Allowed codes")])
        for row in codes:
            help_sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Limits that keep one upload from tying up a worker: the dry run sends the file back base64-encoded
# (a third larger) within MAX_CONTENT_LENGTH (10 MB), and an .xlsx is a zip that may unpack to far more.
MAX_UPLOAD_BYTES = 7 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 20_000


def _capped(rows):
    """The rows, refusing files with more than MAX_ROWS (checked while reading, not after)."""
    result = []
    for row in rows:
        result.append(row)
        if len(result) > MAX_ROWS + 1:  # + the header
            raise Unreadable(_("The file has more than %(rows)s rows; split it, or use the command line.",
                               rows=MAX_ROWS))
    return result


def _unpacked_size(content: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sum(info.file_size for info in archive.infolist())


def _items(content: bytes, filename: str, organisation: str):
    """The file's rows as import items, by its name's extension."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise Unreadable(_("The file is larger than 7 MB; split it, or use the command line."))
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        try:
            if _unpacked_size(content) > MAX_XLSX_UNPACKED_BYTES:
                raise Unreadable(_("This workbook unpacks to more than 60 MB; split it."))
            rows = _capped(bulk_import.read_xlsx(content))
        except Unreadable:
            raise
        except Exception as exc:  # openpyxl raises many kinds of errors for a broken workbook
            raise Unreadable(_("This is not an Excel workbook (.xlsx) that can be read.")) from exc
        return bulk_import.items_from_rows(rows, organisation=organisation)
    if lowered.endswith(".json"):
        try:
            entries = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise Unreadable(_("This is not a JSON file that can be read.")) from exc
        return bulk_import.items_from_algoritmeregister(entries, organisation=organisation)
    if lowered.endswith(".csv") or lowered.endswith(".txt"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")  # older Excel saves CSV in Windows-1252
        try:
            rows = _capped(bulk_import.read_csv(text))
        except csv.Error as exc:
            raise Unreadable(_("This CSV file cannot be read: %(problem)s", problem=str(exc))) from exc
        return bulk_import.items_from_rows(rows, organisation=organisation)
    raise Unreadable(_("Upload a .csv, .xlsx or .json file."))


def _run(content: bytes, filename: str, organisation, commit: bool) -> bulk_import.Outcome:
    """Import in one transaction: committed only when asked and every row is fine, else rolled back."""
    items = _items(content, filename, organisation.code)
    session = database().session(write=True)
    try:
        outcome = bulk_import.run(session=session, actor=current_actor(), items=items)
        if commit and outcome.ok:
            session.commit()
        else:
            session.rollback()
        return outcome
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@blueprint.post("/import")
@login_required
def import_file():
    """Check a file (dry run) or import it (all or nothing)."""
    organisation = _require_editor()
    commit = request.form.get("action") == "commit"
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        content, filename = upload.read(), upload.filename
    else:
        # The commit after a dry run sends the checked file back, so no upload is kept on the server.
        try:
            content = base64.b64decode(request.form.get("content", ""), validate=True)
        except (binascii.Error, ValueError):
            content = b""
        filename = request.form.get("filename", "")
    if not content:
        return render_template("office/import_start.html", organisation=organisation, kinds=KINDS,
                               code_columns={k: _code_columns(k) for k in KINDS},
                               error=_("Choose a file to upload.")), 400
    try:
        outcome = _run(content, filename, organisation, commit)
    except Unreadable as exc:
        return render_template("office/import_start.html", organisation=organisation, kinds=KINDS,
                               code_columns={k: _code_columns(k) for k in KINDS}, error=str(exc)), 400
    return render_template(
        "office/import_result.html", organisation=organisation, outcome=outcome, committed=commit and outcome.ok,
        filename=filename, content=base64.b64encode(content).decode("ascii") if not commit and outcome.ok else "",
    ), (200 if outcome.ok else 400)


@blueprint.get("/export")
@login_required
def export():
    """The organisation's own registrations (every state) as CSV in the import's columns, or as JSON Lines."""
    organisation = require_organisation()
    actor = current_actor()
    if not can(actor, "read_internal", organisation.id):
        abort(403)
    fmt = request.args.get("formaat")
    if fmt not in ("csv", "jsonl"):
        return render_template("office/import_export.html", organisation=organisation)
    # Built whole, not streamed: one organisation's items fit in memory, and a stream left unread would
    # keep a read transaction open (blocking schema changes on PostgreSQL).
    with database().unit_of_work() as session:
        lines = transfer.export_organisation(session=session, actor=actor, organisation=organisation, fmt=fmt)
    filename = f"zichtbaar-{organisation.code}"
    if fmt == "jsonl":
        body = "".join(line + "\n" for line in lines)
        return Response(body, mimetype="application/x-ndjson",
                        headers={"Content-Disposition": f'attachment; filename="{filename}.jsonl"'})
    table = bulk_import.export_table(json.loads(line) for line in lines)
    return Response(_csv_bytes(table), mimetype=FORMATS["csv"],
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})
