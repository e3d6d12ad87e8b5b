"""Organisation pages: everything an organisation registered, with its public accountability figures."""

import math

from flask import abort, render_template, request, url_for

from portal.public import blueprint
from register import vocab
from register.errors import NotFound
from register.organisations import figures
from register.organisations import service as organisations
from register.registrations import queries
from zichtbaar.web import read_session

PAGE_SIZE = 50


def _page() -> int:
    try:
        return max(1, min(int(request.args.get("pagina", 1)), 10_000))
    except ValueError:
        return 1


@blueprint.get("/organisaties", endpoint="organisations")
def organisations_list():
    """All organisations (filter by type or name) with how many items, missing DPIAs and overdue reviews."""
    org_type = request.args.get("soort") if request.args.get("soort") in vocab.codes("org_type") else None
    q = (request.args.get("q") or "").strip()[:100] or None
    page = _page()
    session = read_session()
    orgs, total = organisations.list_all(session=session, type=org_type, q=q, page=page, page_size=PAGE_SIZE)
    counts = figures.figures(session=session, organisation_ids=[o.id for o in orgs])
    rows = [(o, counts.get(o.id, figures.EMPTY)) for o in orgs]
    def page_url(number: int) -> str:
        return url_for("public.organisations", q=q, soort=org_type, pagina=number)

    return render_template("public/organisations.html", rows=rows, total=total, page=page, page_url=page_url,
                           org_types=sorted(vocab.codes("org_type")),
                           pages=max(1, math.ceil(total / PAGE_SIZE)), org_type=org_type, q=q or "")


@blueprint.get("/organisaties/<code>")
def organisation(code: str):
    """One organisation: its figures, its contacts and its public registrations (paged, per kind)."""
    session = read_session()
    try:
        org = organisations.get_by_code(session=session, code=code[:40])
    except NotFound:
        abort(404)
    numbers = figures.figures(session=session, organisation_ids=[org.id]).get(org.id, figures.EMPTY)
    kind = request.args.get("soort") if request.args.get("soort") in vocab.codes("kind") else None
    page = _page()
    found = queries.list_public(session=session, filters=queries.Filters(organisation=[org.code], kind=kind,
                                                                         sort="title"),
                                page=page, page_size=PAGE_SIZE)
    def page_url(number: int) -> str:
        return url_for("public.organisation", code=org.code, soort=kind, pagina=number)

    return render_template("public/organisation.html", org=org, numbers=numbers, found=found, kind=kind,
                           page_url=page_url,
                           page=page, pages=max(1, math.ceil(found.total / PAGE_SIZE)))
