"""Dutch API Design Rules conventions shared by every API route: problems, versions, paging, caching."""

import re
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import urlencode

from flask import Response, current_app, json, request

API_VERSION = "1.0.0"
PROBLEM = "application/problem+json"
_CAMEL = re.compile(r"_([a-z0-9])")
_SNAKE = re.compile(r"(?<=[a-z0-9])([A-Z])")


@lru_cache(maxsize=4096)  # the same few hundred member names, millions of times in a full download
def camel(name: str) -> str:
    """snake_case → camelCase (a dotted path is converted part by part)."""
    return ".".join(_CAMEL.sub(lambda m: m.group(1).upper(), part) for part in name.split("."))


def snake(name: str) -> str:
    """camelCase → snake_case."""
    return _SNAKE.sub(lambda m: "_" + m.group(1).lower(), name)


def camelize(value):
    """Every dict key in a structure converted to camelCase (values untouched)."""
    if isinstance(value, Mapping):
        if "coordinates" in value and "type" in value:  # a GeoJSON geometry: nothing to rename inside
            return value
        return {camel(k) if isinstance(k, str) else k: camelize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camelize(v) for v in value]
    return value


def decamelize(value):
    """Every dict key in a structure converted to snake_case (for request bodies)."""
    if isinstance(value, Mapping):
        return {snake(k) if isinstance(k, str) else k: decamelize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decamelize(v) for v in value]
    return value


def json_response(payload, status: int = 200, content_type: str = "application/json") -> Response:
    """A JSON response with the API's headers (UTF-8, no ASCII escaping)."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=False)
    return Response(body, status=status, content_type=content_type)


def problem(status: int, title: str, detail: str | None = None, invalid_params: dict | None = None,
            headers: dict | None = None) -> Response:
    """An RFC 9457 problem document; invalid parameters listed one by one (ADR's invalidParams)."""
    doc = {"type": f"https://zichtbaar.nl/problems/{status}", "title": title, "status": status}
    if detail:
        doc["detail"] = detail
    doc["instance"] = request.path
    if invalid_params:
        doc["invalidParams"] = [
            {"name": camel(name), "code": "invalid", "reason": " ".join(reasons)}
            for name, reasons in sorted(invalid_params.items())
        ]
    response = json_response(doc, status=status, content_type=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def page_links(page: int, page_size: int, total: int) -> dict[str, str]:
    """RFC 8288 links for a paged list: self, first, prev, next, last."""
    last = max(1, -(-total // page_size))
    args = {k: v for k, v in request.args.items(multi=True) if k not in ("page", "pageSize")}

    def url(n: int) -> str:
        return request.base_url + "?" + urlencode([*args.items(), ("page", n), ("pageSize", page_size)])

    links = {"self": url(page), "first": url(1), "last": url(last)}
    if page > 1:
        links["prev"] = url(min(page - 1, last))
    if page < last:
        links["next"] = url(page + 1)
    return links


def link_header(links: dict[str, str]) -> str:
    """The Link header value for a set of relations."""
    return ", ".join(f'<{href}>; rel="{rel}"' for rel, href in links.items())


def paged(items: list, total: int, page: int, page_size: int) -> Response:
    """A page of a list: the JSON envelope plus Link, X-Total-Count and X-Pagination-* headers."""
    response = json_response({"items": items, "total": total, "page": page, "pageSize": page_size})
    add_paging_headers(response, total, page, page_size)
    return response


def add_paging_headers(response: Response, total: int, page: int, page_size: int) -> None:
    """The paging headers of the pagination module, for any representation of a page."""
    response.headers["Link"] = link_header(page_links(page, page_size, total))
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Pagination-Page"] = str(page)
    response.headers["X-Pagination-Limit"] = str(page_size)


def conditional(response: Response, last_modified=None) -> Response:
    """Add ETag (and Last-Modified) and answer 304 when the client's copy is current."""
    if last_modified is not None:
        response.last_modified = last_modified
    response.add_etag()
    return response.make_conditional(request)


def wants(*types: str) -> str:
    """The best of the offered media types for this request's Accept header (the first by default)."""
    best = request.accept_mimetypes.best_match(types, default=types[0])
    return best or types[0]


def not_acceptable(offered: tuple[str, ...]) -> Response | None:
    """A 406 problem when the client accepts none of the offered types, else None."""
    accept = request.accept_mimetypes
    if not accept or accept.best_match(offered) is not None:
        return None
    return problem(406, "Not acceptable", f"Offered: {', '.join(offered)}.")


def api_base() -> str:
    """The absolute base URL of the API (for links in documents)."""
    return request.host_url.rstrip("/") + current_app.config.get("API_PREFIX", "/api/v1")
