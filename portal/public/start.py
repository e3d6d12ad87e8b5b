"""The start page, the place search behind its search box, and the page about the register."""

import time

from flask import current_app, redirect, render_template, request, send_from_directory, url_for

from portal.public import blueprint
from portal.public.maps import build_map
from register import stats
from register.geocoding import service as geocoding
from zichtbaar.web import read_session


def _config():
    return current_app.config["ZICHTBAAR"]


_counts_cache: dict = {}


def _public_counts() -> dict[str, int]:
    # Counting a national register on every visit of the start page is wasteful; a minute's delay is fine.
    cached = _counts_cache.get(current_app.name + str(id(current_app)))
    if cached and cached[0] > time.monotonic():
        return cached[1]
    counts = stats.public_counts(session=read_session())
    _counts_cache[current_app.name + str(id(current_app))] = (time.monotonic() + 60, counts)
    return counts


@blueprint.get("/")
def start():
    """One search box, use my location, a map of the Netherlands and what this is, in plain words."""
    config = _config()
    parts = build_map(tiles_url=config.map_tiles_url, attribution=config.map_tiles_attribution)
    counts = _public_counts()
    return render_template("public/start.html", map=parts, counts=counts)


@blueprint.get("/zoeken-plek")
def find_place():
    """Turn a postcode, place or address into a place page; several matches give a choice."""
    query = (request.args.get("q") or "").strip()[:200]
    point = geocoding.parse_point(query)
    if point:
        return redirect(url_for("public.place", lat=point[0], lon=point[1]))
    config = _config()
    places = geocoding.geocode(query, seed_dir=config.seed_data_dir, backend=config.geocoder,
                               pdok_url=config.pdok_locatieserver_url) if query else []
    exact = [p for p in places if _is_exact(p, query)]
    if len(places) == 1 or len(exact) == 1:
        chosen = exact[0] if len(exact) == 1 else places[0]
        return redirect(url_for("public.place", lat=round(chosen.lat, 6), lon=round(chosen.lon, 6), label=chosen.label))
    status = 200 if places or not query else 404
    return render_template("public/find_place.html", query=query, places=places), status


def _is_exact(place, query: str) -> bool:
    compact = query.replace(" ", "").lower()
    return place.label.lower() == query.lower() or (place.kind == "postcode" and place.label.lower().startswith(compact[:4])
                                                     and compact[:4].isdigit())


@blueprint.get("/over")
def about():
    """What the register is, where the data comes from, and what the site does not do (track you)."""
    return render_template("public/about.html")


@blueprint.get("/pictogrammen/<name>.svg")
def icon(name: str):
    """A DTPR pictogram from the seed data (CC BY 4.0, see seed_data/ATTRIBUTION.md)."""
    return send_from_directory(_config().seed_data_dir / "dtpr" / "icons", f"{name}.svg", max_age=86400)
