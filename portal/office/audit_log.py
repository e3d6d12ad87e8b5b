"""The organisation's audit log: read with filters, export as CSV, verify its hash chain.

Only the organisation's approvers and admins and site admins may read it; site admins can also read
the site's own chain (sign-ins, organisations). Never linked from the public pages.
"""

import csv
import io
import json
from datetime import date

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from portal.office import blueprint, context
from portal.signin import current_actor
from register.audit import service as audit
from register.audit.service import SITE_CHAIN, AuditFilter
from register.errors import NotAuthorised
from zichtbaar.web import read_session

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = ["seq", "created_at", "actor", "action", "entity_type", "entity_id", "changes", "request_id", "hash"]


def csv_safe(value) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or tab/CR) gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _day(name: str, errors: dict) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = [_("Give a date as YYYY-MM-DD.")]
        return None


def _query() -> tuple[AuditFilter, dict, dict[str, list[str]]]:
    """The filters from the query string, what to put back in the form, and any errors."""
    errors: dict[str, list[str]] = {}
    form = {k: (request.args.get(k) or "").strip()[:200] for k in ("action", "actor", "entity", "since", "until")}
    filters = AuditFilter(action=form["action"] or None, actor=form["actor"] or None, entity=form["entity"] or None,
                          since=_day("since", errors), until=_day("until", errors))
    return filters, form, errors


def _chain():
    """The organisation and chain to read; 403 unless the signed-in person may read it."""
    wanted = request.values.get("chain")
    actor = current_actor()
    if wanted == SITE_CHAIN or (actor.is_site_admin and context.active_organisation() is None):
        org = None  # a site admin who acts for no organisation reads the site's own chain
    else:
        org = context.require_organisation()
    try:
        chain = audit.chain_for(actor=actor, organisation_id=org.id if org else None,
                                code=SITE_CHAIN if org is None else org.code)
    except NotAuthorised:
        abort(403)
    return org, chain


@blueprint.get("/audit")
@login_required
def audit_log():
    """The chain's entries, newest first, filtered and paged."""
    org, chain = _chain()
    filters, form, errors = _query()
    try:
        page = max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        page = 1
    rows, total = audit.search(session=read_session(), actor=current_actor(), organisation_id=org.id if org else None,
                               chain=chain, filters=filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    actions = audit.actions(session=read_session(), actor=current_actor(), organisation_id=org.id if org else None,
                            chain=chain)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    args = {k: v for k, v in form.items() if v}
    if chain == SITE_CHAIN:
        args["chain"] = SITE_CHAIN
    return render_template("office/audit_log.html", organisation=org, chain=chain, entries=rows, total=total,
                           page=page, pages=pages, form=form, errors=errors, actions=actions, args=args,
                           csv_url=url_for("office.audit_csv", **args), dumps=_changes_text), (400 if errors else 200)


def _changes_text(changes) -> str:
    return json.dumps(changes or {}, ensure_ascii=False, sort_keys=True)


@blueprint.get("/audit.csv")
@login_required
def audit_csv():
    """The filtered entries as CSV (safe to open in a spreadsheet)."""
    org, chain = _chain()
    filters, _form, errors = _query()
    if errors:
        abort(400)
    rows, _total = audit.search(session=read_session(), actor=current_actor(),
                                organisation_id=org.id if org else None, chain=chain, filters=filters,
                                limit=EXPORT_LIMIT)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in rows:
        writer.writerow([csv_safe(v) for v in (
            e.seq, e.created_at.isoformat(), e.actor_label, e.action, e.entity_type, e.entity_id,
            _changes_text(e.changes), e.request_id, e.hash)])
    filename = f"audit-{chain}-{date.today().isoformat()}.csv"
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@blueprint.post("/audit/verify")
@login_required
def audit_verify():
    """Recompute the chain and show that it is intact, or the first entry that is not."""
    org, chain = _chain()
    problems = audit.verify_chain(session=read_session(), actor=current_actor(),
                                  organisation_id=org.id if org else None, chain=chain)
    first = min(problems, key=lambda p: (p.seq is None, p.seq or 0)) if problems else None
    return render_template("office/audit_verify.html", organisation=org, chain=chain, problems=problems,
                           first=first)
