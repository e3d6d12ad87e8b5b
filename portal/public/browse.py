"""Browse and search the register: filters with counts, where every filter state is a URL."""

import math

from flask import render_template, request, url_for

from portal.public import blueprint
from register import vocab
from register.registrations import queries
from zichtbaar.web import read_session

PAGE_SIZE = 25
# URL parameter -> (Filters attribute, vocabulary): Dutch parameter names, like the rest of the portal's URLs.
FILTERS = {
    "soort": ("kind", "kind"), "thema": ("theme", "theme"), "persoonsgegevens": ("personal_data", "personal_data"),
    "dpia": ("dpia_status", "dpia_status"), "fase": ("lifecycle", "lifecycle"),
    "sensortype": ("sensor_type", "sensor_type"), "herleidbaarheid": ("identifiability", "identifiability"),
    "status": ("state", "state"),
}
FACET_OF = {"kind": "kind", "theme": "theme", "personal_data": "personal_data", "dpia_status": "dpia_status",
            "lifecycle": "lifecycle", "sensor_type": "sensor_type", "identifiability": "identifiability",
            "state": "state"}


def _chosen() -> dict[str, str]:
    chosen = {}
    for param, (_attr, vocabulary) in FILTERS.items():
        value = request.args.get(param)
        if value and value in vocab.codes(vocabulary):
            chosen[param] = value
    return chosen


@blueprint.get("/zoeken")
def browse():
    """Registrations matching a text and filters, with counts per filter value."""
    q = (request.args.get("q") or "").strip()[:200]
    chosen = _chosen()
    overdue = request.args.get("achterstallig") == "ja"
    filters = queries.Filters(q=q or None, overdue=True if overdue else None, sort="title" if q else "-lastPublished",
                              **{FILTERS[p][0]: v for p, v in chosen.items()})
    try:
        page = max(1, min(int(request.args.get("pagina", 1)), 10_000))
    except ValueError:
        page = 1
    session = read_session()
    found = queries.list_public(session=session, filters=filters, page=page, page_size=PAGE_SIZE)
    counts = queries.facets(session=session, filters=filters)
    state = {"q": q, **chosen, **({"achterstallig": "ja"} if overdue else {})}

    def url_with(**changes):
        """This search's URL with some parameters changed (None removes one); back to page 1."""
        params = {k: v for k, v in {**state, "pagina": None, **changes}.items() if v}
        return url_for("public.browse", **params)

    facets = []
    for param, (attr, vocabulary) in FILTERS.items():
        values = counts.get(FACET_OF[attr], {})
        if values or param in chosen:
            facets.append({"param": param, "vocabulary": vocabulary, "values": values, "chosen": chosen.get(param)})
    return render_template("public/browse.html", q=q, found=found, facets=facets, chosen=chosen, overdue=overdue,
                           url_with=url_with, page_url=lambda n: url_with(pagina=n), page=page, pages=max(1, math.ceil(found.total / PAGE_SIZE)))
