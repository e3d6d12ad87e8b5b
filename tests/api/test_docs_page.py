"""The API documentation page for people: examples, changelog, and only local assets."""

import re


def test_docs_page_has_examples_changelog_and_only_local_assets(client):
    page = client.get("/api-docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "curl " in html and "import requests" in html and "Changelog" in html
    sources = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert sources and all(src.startswith("/") for src in sources), sources
    for src in sources:
        assert client.get(src).status_code == 200, src
    assert "SwaggerUIBundle" in client.get("/api-docs/assets/swagger-ui-bundle.js").get_data(as_text=True)
    assert client.get("/api-docs/assets/../../secrets").status_code == 404
