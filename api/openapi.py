"""The OpenAPI 3 document, generated from the marshmallow schemas each route declares (api/blueprint.py)."""

import re
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app

from api import schemas
from api.blueprint import bp, documented
from api.conventions import API_VERSION, PROBLEM, camel, conditional, json_response

PREFIX = "/api/v1"
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
ERRORS = {400: "Invalid parameters or fields (every one is listed in invalidParams)", 404: "Not found",
          429: "Too many requests (see Retry-After)", 500: "Internal error (no details are exposed)"}
AUTH_ERRORS = {401: "No valid bearer token", 403: "The token may not do this for that organisation",
               409: "Conflicts with the current state (workflow order, four-eyes)"}


def _resolver(schema):
    cls = schema if isinstance(schema, type) else schema.__class__
    return cls.__name__


def build(app: Flask) -> dict:
    """The whole document for the app's API routes; a route without documentation is an error."""
    spec = APISpec(
        title="Zichtbaar API", version=API_VERSION, openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=_resolver)],
        info={
            "description": (
                "The public register of algorithms, sensors and data-sharing agreements of Dutch government, "
                "and the organisation API to keep it current. Follows the Dutch API Design Rules 2.x; names "
                "are English (a documented deviation from the rule to use Dutch), members camelCase."),
            "contact": {"name": "Zichtbaar", "url": "https://github.com/zichtbaar/zichtbaar",
                        "email": "api@zichtbaar.invalid"},
            "license": {"name": "EUPL-1.2", "url": "https://eupl.eu/1.2/nl/"},
        },
        servers=[{"url": PREFIX}],
    )
    spec.components.schema("Problem", schema=schemas.Problem)
    spec.components.header("API-Version", {"description": "The version of the API that answered",
                                           "schema": {"type": "string", "example": API_VERSION}})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "An organisation's API token (shown once when made)"})
    api_version = {"API-Version": {"$ref": "#/components/headers/API-Version"}}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api.") or not rule.rule.startswith(PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, "openapi", None)
        if meta is None:
            raise LookupError(f"route {rule.rule} has no OpenAPI description (use @documented)")
        path = _PARAM.sub(lambda m: "{" + camel(m.group(2)) + "}", rule.rule[len(PREFIX):]) or "/"
        parameters = [{"in": "path", "name": camel(name), "required": True,
                       "schema": {"type": "integer" if conv == "int" else "string"}}
                      for conv, name in _PARAM.findall(rule.rule)]
        if meta["query"] is not None:
            parameters.append({"in": "query", "schema": meta["query"]})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = {"operationId": rule.endpoint.split(".", 1)[1] + ("" if method == "GET" else "_" + method.lower()),
                         "summary": meta["summary"], "tags": meta["tags"], "parameters": parameters,
                         "responses": _responses(meta, api_version, method)}
            if meta["description"]:
                operation["description"] = meta["description"]
            if meta["body"] is not None:
                operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": meta["body"]}}}
            if meta["auth"]:
                operation["security"] = [{"bearer": []}]
            spec.path(path=path, operations={method.lower(): operation})
    return spec.to_dict()


def _responses(meta: dict, headers: dict, method: str) -> dict:
    content = {}
    for media, text in (meta["media"] or {"application/json": None}).items():
        if media == "application/json" and meta["response"] is not None:
            content[media] = {"schema": meta["response"]}
        elif media in ("application/json", "application/geo+json", "application/ld+json"):
            content[media] = {"schema": {"type": "object", "description": text or ""}}
        else:
            content[media] = {"schema": {"type": "string", "description": text or ""}}
    success = meta.get("success") or (201 if method == "POST" and meta["auth"] else 200)
    responses = {str(success): {"description": meta["summary"], "headers": headers, "content": content}}
    if method == "GET":
        responses["304"] = {"description": "Not modified (ETag / Last-Modified)", "headers": headers}
    for status in (*meta["statuses"], *ERRORS, *(AUTH_ERRORS if meta["auth"] else {})):
        description = {**ERRORS, **AUTH_ERRORS}.get(status, "Error")
        responses[str(status)] = {"description": description, "headers": headers,
                                  "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return responses


@cache
def _cached(app_id: int) -> dict:
    return build(current_app)


@bp.get("/openapi.json")
@documented(summary="This OpenAPI document", tags=["About"], query=schemas.NoQuery,
            media={"application/json": "OpenAPI 3.0 document"})
def openapi_document():
    return conditional(json_response(_cached(id(current_app._get_current_object()))))
