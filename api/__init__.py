"""The JSON API (/api/v1): a thin face over the register's services, following the Dutch API Design Rules."""

import importlib
import re

from flask import Flask, request
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

from api.conventions import API_VERSION, problem
from register.errors import Conflict, Invalid, NotAuthorised, NotFound

# Route modules register themselves on the blueprint when imported; a module that is not there yet
# (a later issue) is simply skipped.
ROUTE_MODULES = ("api.registrations", "api.reference", "api.openapi", "api.downloads", "api.feeds", "api.catalogue",
                 "api.organisation_api", "api.standard")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _is_api() -> bool:
    return request.path == "/api/v1" or request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    """Mount the API: routes, CORS *, rate limits, API-Version and problem+json for every error."""
    from api.blueprint import bp

    for name in ROUTE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    config = app.config["ZICHTBAAR"]
    limiter = Limiter(get_remote_address, app=app, storage_uri=config.redis_url or "memory://",
                      default_limits=[], headers_enabled=True, key_prefix="zichtbaar")
    limiter.limit(config.api_rate_limit)(bp)
    app.extensions["zichtbaar.limiter"] = limiter
    app.register_blueprint(bp)
    from api.docs_page import blueprint as docs_blueprint

    app.register_blueprint(docs_blueprint)
    CORS(app, resources={r"/api/*": {"origins": "*", "send_wildcard": True, "expose_headers": [
        "API-Version", "Link", "ETag", "Last-Modified", "X-Total-Count", "X-Pagination-Page", "X-Pagination-Limit",
        "Retry-After", "Content-Disposition"]}})

    @app.before_request
    def _refuse_control_characters():
        # PostgreSQL refuses NUL in text; refuse it (and other control characters) before any query runs.
        if _is_api() and any(_CONTROL.search(text) for text in (request.path, *request.args.keys(),
                                                                   *request.args.values())):
            return problem(400, "Invalid input", "The path or a parameter contains control characters.")
        return None

    from zichtbaar import outage

    outage.init_app(app)  # the 503 mapping itself is used by _unexpected below, for both faces

    @app.errorhandler(RecursionError)
    def _too_deep(exc):
        if not _is_api():
            raise exc
        return problem(400, "Invalid input", "The request body is nested too deeply.")

    @app.after_request
    def _api_headers(response):
        if _is_api():
            response.headers["API-Version"] = API_VERSION
            if response.mimetype in ("application/json", "application/problem+json", "application/geo+json"):
                response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
        return response

    @app.errorhandler(Invalid)
    def _invalid(exc: Invalid):
        if not _is_api():
            raise exc
        return problem(400, "Invalid input", "One or more parameters or fields are invalid.", exc.errors)

    for error, status, title in ((NotFound, 404, "Not found"), (NotAuthorised, 403, "Forbidden"),
                                 (Conflict, 409, "Conflict")):
        app.register_error_handler(error, _domain_handler(status, title))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if not _is_api():  # the HTML faces render their own error pages when they registered a renderer
            return app.extensions.get("zichtbaar.html_error", lambda e: e)(exc)
        headers = {}
        if exc.code == 429:
            retry = getattr(exc, "retry_after", None) or _retry_after(exc)
            headers["Retry-After"] = str(retry)
        if exc.code == 405 and exc.valid_methods:
            headers["Allow"] = ", ".join(exc.valid_methods)
        detail = "Too many requests; slow down." if exc.code == 429 else exc.description
        return problem(exc.code or 500, exc.name, detail, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http(exc)
        unavailable = outage.answer(exc)  # a database outage or storage fault: 503 on both faces
        if unavailable is not None:
            return unavailable
        app.logger.exception("unhandled error on %s", request.path)
        if not _is_api():
            from werkzeug.exceptions import InternalServerError

            return app.extensions.get("zichtbaar.html_error", lambda e: e)(InternalServerError())
        return problem(500, "Internal server error", "Something went wrong on our side; it has been logged.")


def _retry_after(exc) -> int:
    limit = getattr(exc, "limit", None)
    try:
        return max(1, int(limit.limit.get_expiry())) if limit else 60
    except (AttributeError, TypeError, ValueError):
        return 60


def _domain_handler(status: int, title: str):
    def handle(exc):
        if not _is_api():
            raise exc
        return problem(status, title, str(exc))

    return handle
