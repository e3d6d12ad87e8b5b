"""The API documentation page for people: Swagger UI over the OpenAPI document, served locally."""

from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, render_template, send_from_directory

from api.conventions import API_VERSION

blueprint = Blueprint("api_docs", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/api-docs/static")
SWAGGER = Path(swagger_ui_bundle.swagger_ui_path)
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js"}


@blueprint.get("/api-docs")
def docs():
    """The documentation page: how to start, examples, changelog, and the interactive reference."""
    return render_template("api_docs.html", version=API_VERSION)


@blueprint.get("/api-docs/assets/<name>")
def swagger_asset(name: str):
    """Swagger UI's own files, from the installed package (no third-party requests)."""
    if name not in ASSETS:
        return "Not found", 404
    return send_from_directory(SWAGGER, name, max_age=86400)
