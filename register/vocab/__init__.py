"""Controlled vocabularies: stable codes with Dutch and English labels, kept as data."""

import json
from functools import cache
from pathlib import Path

_FILE = Path(__file__).with_name("vocabularies.json")


@cache
def vocabularies() -> dict:
    """Every vocabulary: {name: {"label": {nl, en}, "terms": [{code, nl, en, ...}]}}."""
    return json.loads(_FILE.read_text(encoding="utf-8"))


@cache
def codes(name: str) -> frozenset[str]:
    """The valid codes of one vocabulary."""
    return frozenset(t["code"] for t in vocabularies()[name]["terms"])


def term(name: str, code: str) -> dict | None:
    """One term of a vocabulary, or None when the code is unknown."""
    return next((t for t in vocabularies()[name]["terms"] if t["code"] == code), None)


def label(name: str, code: str | None, lang: str = "nl") -> str:
    """The label of a code in a language; the code itself when unknown."""
    found = term(name, code) if code else None
    return found.get(lang, found["nl"]) if found else (code or "")
