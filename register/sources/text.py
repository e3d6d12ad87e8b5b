"""Small text helpers for imported sources: HTML to plain text, trimming to a limit."""

import html
import re
from html.parser import HTMLParser


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "ul", "ol"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(value: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, blocks on their own lines, spaces folded."""
    if not value:
        return ""
    parser = _Text()
    parser.feed(html.unescape(value) if "<" not in value else value)
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def trim(text: str, limit: int) -> str:
    """The text cut at a word boundary to fit the limit, with an ellipsis when cut."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
