"""Small guards the HTML faces share: only local redirects, no control characters in parameters."""

import re
from urllib.parse import urlsplit

from flask import abort, request


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target on this site only: a path, never another host, scheme or protocol-relative URL."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


# NUL and other control characters (tab and line breaks are fine): SQLite cuts a search at a NUL, so
# "\x00" matched every row, and PostgreSQL refuses NUL in text outright. The API refuses them the same way.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters() -> None:
    """Before each portal request: a 400 page when a query parameter holds control characters."""
    if any(CONTROL.search(text) for text in (*request.args.keys(), *request.args.values())):
        abort(400)
