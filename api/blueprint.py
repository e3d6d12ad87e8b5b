"""The API's blueprint and the helpers every route module uses: documentation, parameters, sessions."""

from collections.abc import Callable

from flask import Blueprint, request
from marshmallow import Schema, ValidationError

from register.errors import Invalid, flatten_errors

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def documented(*, summary: str, tags: list[str], query: type[Schema] | None = None, response: type[Schema] | None = None,
               body: type[Schema] | None = None, media: dict[str, str] | None = None, auth: bool = False,
               statuses: tuple[int, ...] = (), description: str | None = None, success: int | None = None) -> Callable:
    """Attach what the OpenAPI document says about a route (api/openapi.py reads it)."""

    def mark(view):
        view.openapi = {"summary": summary, "tags": tags, "query": query, "response": response, "body": body,
                        "media": media or {}, "auth": auth, "statuses": statuses, "description": description,
                        "success": success}
        return view

    return mark


def parse_query(schema: type[Schema]) -> dict:
    """Validate the query string with a schema; every bad parameter is reported at once."""
    args = {}
    errors: dict[str, list[str]] = {}
    for key in request.args:
        values = request.args.getlist(key)
        if len(values) > 1:
            errors[key] = ["Give this parameter once."]
        args[key] = values[0]
    try:
        parsed = schema().load(args)
    except ValidationError as exc:
        errors.update(flatten_errors(exc.messages))
        parsed = None
    if errors:
        raise Invalid(errors)
    return parsed
