"""axe-core (pinned in tests/e2e/package.json) run inside a page: serious and critical WCAG 2.1 A/AA violations."""

from functools import cache
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SEVERE = {"serious", "critical"}

_RUN = """async (tags) => {
    const result = await window.axe.run(document, {runOnly: {type: "tag", values: tags},
                                                   resultTypes: ["violations"]});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                                  summary: n.failureSummary}))}));
}"""


@cache
def source() -> str:
    """axe.min.js; `npm ci --prefix tests/e2e` (run by `make test`) puts it there."""
    return AXE.read_text(encoding="utf-8")


def inject(page) -> None:
    """Load axe into the page. Evaluated through the DevTools protocol, so the page's CSP does not block it."""
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `npm ci --prefix tests/e2e` (make test does)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source() + "\n;void 0")
    assert page.evaluate("() => typeof window.axe"), "axe-core did not load into the page"


def severe_violations(page) -> list[dict]:
    """The serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    inject(page)
    return [v for v in page.evaluate(_RUN, TAGS) if v["impact"] in SEVERE]


def describe(violations: list[dict]) -> str:
    """A readable list for an assertion message: rule, impact, help and each offending node's selector."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:10]:
            lines.append(f"    {node['target']}: {node['html']}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)
