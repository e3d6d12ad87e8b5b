"""Leaflet and its marker-cluster plugin, served by the app itself from the xstatic packages."""

import xstatic.pkg.leaflet as leaflet
import xstatic.pkg.leaflet_markercluster as markercluster
from flask import Blueprint, abort, send_from_directory

VENDOR = {"leaflet": leaflet.BASE_DIR, "markercluster": markercluster.BASE_DIR}
blueprint = Blueprint("vendor", __name__)


@blueprint.get("/static/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    """A file of a vendored front-end package (cached for a day; versions change with the package)."""
    if package not in VENDOR:
        abort(404)
    return send_from_directory(VENDOR[package], filename, max_age=86400)
