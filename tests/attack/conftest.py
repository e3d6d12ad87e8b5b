"""Attack-suite fixtures: the portal's app, clients and helpers (CSRF on, as in production), plus corpora."""

from tests.portal.conftest import app, client, csrf_token, publish, signed_in  # noqa: F401
