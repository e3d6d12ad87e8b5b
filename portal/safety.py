"""Small guards the HTML faces share: only local redirects."""

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target on this site only: a path, never another host, scheme or protocol-relative URL."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
