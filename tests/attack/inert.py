"""The stored-XSS corpus and the checks that a page, feed or file shows it as inert text."""

import json

import lxml.etree
import lxml.html

# A dozen classic payloads, each carrying its own marker (kept short: a title holds 100 characters, and
# without ";" so a CSV list cell stays one entry).
PAYLOADS = {
    "zbx01": "<script>alert('zbx01')</script>",
    "zbx02": "<img src=x onerror=alert('zbx02')>",
    "zbx03": "<svg/onload=alert('zbx03')>",
    "zbx04": "<a href=\"javascript:alert('zbx04')\">zbx04</a>",
    "zbx05": "\"><script>alert('zbx05')</script>",
    "zbx06": "'><img src=x id=zbx06 onerror=alert(1)>",
    "zbx07": "</textarea><script>alert('zbx07')</script>",
    "zbx08": "zbx08{{7*7}}{{config.SECRET_KEY}}{% print 6*7 %}",
    "zbx09": "=HYPERLINK(\"http://evil.example/zbx09\",\"klik\")",
    "zbx10": "\u202e<scr\u200bipt>zbx10\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "zbx11": "<iframe src=\"javascript:alert('zbx11')\"></iframe>",
    "zbx12": "</script><script>alert('zbx12')</script>",
    "zbx13": "javascript:alert('zbx13')",
    "zbx14": "<math><mtext><table><mglyph><style><img src=x title=zbx14 onerror=alert(1)>",
    "zbx15": "&ltb&gt zbx15 &#60i class=zbx15&#62 <!-- zbx15 --> ]]>",
}
MARKERS = tuple(PAYLOADS)
# Signs that a template engine evaluated a payload instead of showing it.
EVALUATED = ("zbx0849", "<Config")

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc", "background"}
# Attributes in which showing a payload is plain text to the browser.
TEXT_ATTRIBUTES = {"value", "title", "aria-label", "alt", "content", "placeholder", "aria-description"}
SCRIPT_DATA = {"application/json", "application/ld+json"}
ACTIVE_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


def _markers_in(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


def _active(url: str) -> bool:
    cleaned = "".join(ch for ch in url if ch > " " and ch not in "\u200b\u202e").lower()
    return cleaned.startswith(ACTIVE_SCHEMES)


def assert_inert_html(html: str, where: str, *, shows: bool = True) -> str:
    """Parse a page; fail when any element or attribute came from a payload. Returns the page's text."""
    document = lxml.html.document_fromstring(html)
    for element in document.iter():
        if not isinstance(element.tag, str):  # comments and processing instructions
            assert not _markers_in(element.text or ""), f"{where}: a payload became a comment: {element.text!r}"
            continue
        tag = element.tag.lower()
        assert not _markers_in(tag), f"{where}: a payload named an element <{tag}>"
        for name, value in element.attrib.items():
            lowered = name.lower()
            assert not lowered.startswith("on"), f"{where}: event handler {name}={value!r} on <{tag}>"
            assert not _markers_in(lowered), f"{where}: a payload named an attribute {name!r} on <{tag}>"
            if lowered in URL_ATTRIBUTES:
                assert not _active(value), f"{where}: active URL {name}={value!r} on <{tag}>"
            found = _markers_in(value)
            if found:
                plain = lowered in TEXT_ATTRIBUTES or lowered.startswith("data-") or (
                    lowered in {"href", "src"} and value.startswith(("http://", "https://", "/")))
                assert plain and tag not in {"script", "iframe", "img", "svg", "object", "embed", "style", "base"}, \
                    f"{where}: payload {found} became attribute {name}={value!r} of <{tag}>"
        if tag in ("script", "style"):
            text = element.text or ""
            found = _markers_in(text)
            if found:  # only data blocks may hold registration text, and then as one valid JSON value
                assert tag == "script" and (element.get("type") or "").lower() in SCRIPT_DATA, \
                    f"{where}: payload {found} inside <{tag}>"
                json.loads(text)
        elif tag in ("iframe", "object", "embed", "frame", "svg", "math", "base", "mglyph"):
            assert not _markers_in(lxml.html.tostring(element, encoding="unicode")), \
                f"{where}: payload markup became a <{tag}> element"
    text = document.text_content()
    for sign in EVALUATED:
        assert sign not in text, f"{where}: a template expression was evaluated ({sign!r})"
    if shows:
        assert _markers_in(text), f"{where}: no payload is shown at all (the check would prove nothing)"
    return text


def assert_inert_feed(xml: bytes, where: str) -> None:
    """An Atom feed: well-formed, no element from a payload, and HTML content inert when a reader renders it."""
    root = lxml.etree.fromstring(xml)
    shown = False
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = lxml.etree.QName(element).localname
        assert not _markers_in(local), f"{where}: a payload named an element {local!r}"
        for name, value in element.attrib.items():
            assert not _markers_in(name), f"{where}: a payload named an attribute {name!r}"
            if name == "href":
                assert not _active(value), f"{where}: active link {value!r}"
        text = element.text or ""
        if _markers_in(text):
            shown = True
            if element.get("type") in ("html", "xhtml"):  # a feed reader renders this as HTML
                assert_inert_html(f"<div>{text}</div>", f"{where} <{local} type=html>")
    assert shown, f"{where}: no payload is shown at all"
