"""The public citizen portal: near me, place pages, registrations, organisations, search."""

from flask import Blueprint

blueprint = Blueprint("public", __name__, template_folder="templates")

from portal.public import pages  # noqa: E402,F401  (routes attach themselves to the blueprint)
