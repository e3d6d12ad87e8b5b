"""Error pages for the HTML faces, in the visitor's language (the API answers problem+json instead)."""

from flask import Flask, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Something in the request is not right"),
              _("The page could not handle what was sent. If you were filling in a form, go back, reload the page and try again.")),
        403: (_("You may not see this page"), _("This page is only for people of the organisation it belongs to.")),
        404: (_("Page not found"), _("This page does not exist (any more). Search the register or start on the home page.")),
        405: (_("This is not possible here"), _("This address does not accept this kind of request.")),
        413: (_("The file is too large"), _("Send a file of at most 10 MB.")),
        429: (_("Too many attempts"), _("Wait a moment and try again.")),
        500: (_("Something went wrong on our side"), _("The error has been logged. Please try again later.")),
        503: (_("The register is briefly unavailable"),
              _("Please try again in a few seconds. A change that was not confirmed has not been stored.")),
    }


def render_error(exc: HTTPException):
    """An HTML page for an HTTP error, keeping its status code and headers (e.g. Retry-After)."""
    code = exc.code or 500
    title, text = _messages().get(code, (exc.name, exc.description or ""))
    response = exc.get_response()
    body = render_template("error.html", code=code, title=title, text=text)
    response.set_data(body)
    response.mimetype = "text/html"
    return response


def init_app(app: Flask) -> None:
    """Register the renderer the app's HTTP error handler uses for every non-API path."""
    app.extensions["zichtbaar.html_error"] = render_error
