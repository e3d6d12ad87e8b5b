"""Path traversal on every route that serves files: encoded and double-encoded ../, absolute paths,
backslashes and NUL get 404 or 400, never the contents of a file outside the served folder."""

import pytest

from zichtbaar.config import PROJECT_ROOT

# Prefixes of every file-serving route, each with a file that is really there (so the route is proven live).
ROUTES = {
    "/static/portal/": "css/site.css",
    "/static/vendor/leaflet/": "leaflet.js",
    "/static/vendor/markercluster/": None,
    "/api-docs/assets/": "swagger-ui.css",
    "/api-docs/static/": "swagger-init.js",
    "/static/": None,
    "/pictogrammen/": "accessibility.svg",
}
TARGETS = ["etc/passwd", "zichtbaar/config.py", "instance/secret_key", "pyproject.toml"]
SECRET_FILE = PROJECT_ROOT / "instance" / "secret_key"
LEAKS = ("root:x:", "SECRET_KEY", "import ", "def ", "[project]",
         *([SECRET_FILE.read_text().strip()] if SECRET_FILE.exists() else []))


def _attacks(target: str) -> list[str]:
    up = "../" * 12
    return [
        up + target, "..%2f" * 12 + target, "%2e%2e/" * 12 + target, "%252e%252e%252f" * 12 + target,
        "..%252f" * 12 + target, "/" + target, "//" + target, "%2f" + target, "..\\" * 12 + target.replace("/", "\\"),
        "..%5c" * 12 + target, "%c0%ae%c0%ae/" * 12 + target, up + target + "%00.css", up + target + "\x00.svg",
        "....//" * 12 + target, str(PROJECT_ROOT / target), "file:///" + target,
    ]


def test_the_routes_serve_their_own_files(client):
    for prefix, name in ROUTES.items():
        if name:
            assert client.get(prefix + name).status_code == 200, prefix


@pytest.mark.parametrize("prefix", list(ROUTES))
def test_traversal_is_refused(client, prefix):
    tried = 0
    for target in TARGETS:
        for attack in _attacks(target):
            path = prefix + attack + (".svg" if prefix == "/pictogrammen/" else "")
            response = client.get(path)
            tried += 1
            assert response.status_code in (400, 404, 405, 308) or (
                response.status_code in (301, 302) and response.headers["Location"].startswith("/")), (path, response.status_code)
            body = response.get_data(as_text=True)
            leaked = [sign for sign in LEAKS if sign in body]
            assert not leaked, f"{path}: {leaked}"
    assert tried == len(TARGETS) * len(_attacks("x"))
