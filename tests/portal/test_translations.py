"""Every visible English msgid has a Dutch translation, placeholders survive translation, and pages
render in Dutch by default and in English on request."""

import re
from functools import cache
from pathlib import PurePosixPath

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from portal.i18n import PORTAL, TRANSLATION_DIRS
from tests.factories import STRATUMSEIND

ROOT = PORTAL.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
ACCESS_MODULES = {"auth.py", "admin.py", "audit_log.py", "context.py"}
ACCESS_TEMPLATE_PREFIXES = ("auth_", "admin_", "audit_")
AREAS = ("base", "public", "office access", "office work")
PLACEHOLDER = re.compile(r"%\((\w+)\)")


def area_of(path: str) -> str | None:
    """Which catalogue's source area a file (relative to portal/) belongs to."""
    parts = PurePosixPath(path).parts
    if parts[0] == "public":
        return "public"
    if parts[0] == "office":
        name = parts[-1]
        if len(parts) == 2:
            return "office access" if name in ACCESS_MODULES else "office work"
        if parts[1] == "templates":
            access = name.startswith(ACCESS_TEMPLATE_PREFIXES) or name == "base.html"
            return "office access" if access else "office work"
        return None
    if len(parts) == 1 or parts[0] == "templates":
        return "base"
    return None


@cache
def extracted() -> dict[str, dict[str, tuple[str, int]]]:
    """Area -> {msgid: (file, line)} for everything the portal wraps for translation (as babel.cfg says)."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, dict[str, tuple[str, int]]] = {area: {} for area in AREAS}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(PORTAL), method_map, options_map, keywords=KEYWORDS):
        area = area_of(filename)
        msgid = message if isinstance(message, str) else message[0]
        if area and msgid:
            found[area].setdefault(msgid, (filename, lineno))
    return found


@cache
def catalogues() -> dict[str, object]:
    """Path (relative to the project) -> the Dutch catalogue read from it."""
    loaded = {}
    for directory in TRANSLATION_DIRS:
        path = directory / "nl" / "LC_MESSAGES" / "messages.po"
        with open(path, "rb") as source:
            loaded[str(path.relative_to(ROOT))] = read_po(source, locale="nl")
    return loaded


def translated(message) -> bool:
    """A message counts only when it is not fuzzy and every form has a Dutch text."""
    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    return not message.fuzzy and bool(strings) and all(s and s.strip() for s in strings)


def test_the_four_catalogues_are_dutch_with_two_plural_forms():
    assert len(catalogues()) == len(TRANSLATION_DIRS) == 4
    for path, catalogue in catalogues().items():
        assert (str(catalogue.locale), catalogue.num_plurals) == ("nl", 2), path


def test_every_area_has_strings_to_translate():
    # Guards the extraction itself: a wrong method map would find nothing and pass everything below.
    for area in AREAS:
        assert extracted()[area], f"no msgids found for {area}"
    assert "Skip to content" in extracted()["base"]
    assert "Search the register" in extracted()["public"]
    assert "Can it identify people?" in extracted()["public"]  # lazy_gettext in fields.py


@pytest.mark.parametrize("area", AREAS)
def test_every_msgid_has_a_dutch_translation(area):
    missing = []
    for msgid, (filename, lineno) in sorted(extracted()[area].items(), key=lambda kv: kv[1]):
        found = [c.get(msgid) for c in catalogues().values()]
        if not any(m is not None and translated(m) for m in found):
            missing.append(f"{filename}:{lineno}: {msgid!r}")
    assert not missing, f"{len(missing)} msgid(s) of {area} without Dutch translation:\n" + "\n".join(missing)


def test_placeholders_are_kept_in_translations():
    wrong = []
    for path, catalogue in catalogues().items():
        for message in catalogue:
            if not message.id:
                continue
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else list(message.string)
            wanted = [set(PLACEHOLDER.findall(msgid)) for msgid in ids]
            for text in filter(None, strings):
                if set(PLACEHOLDER.findall(text)) not in wanted:
                    wrong.append(f"{path}: {message.id!r} -> {text!r}")
                elif wanted[0]:
                    try:  # the text must also format (a lone % would break it when the page renders)
                        text % {name: 1 for name in wanted[0] | wanted[-1]}
                    except (ValueError, TypeError, KeyError) as error:
                        wrong.append(f"{path}: {text!r} does not format: {error}")
    assert not wrong, "\n".join(wrong)


START_NL = ['<html lang="nl">', "Wat wordt er bij jou in de buurt verzameld?", "Zoeken in het register",
            "In mijn buurt", "Kaart van Nederland", "Postcode, adres of plaats", "Inloggen voor organisaties"]
START_EN = ['<html lang="en">', "What is collected near you?", "Search the register", "Near me",
            "Map of the Netherlands", "Postcode, address or place", "Sign in for organisations"]


def assert_language(page: str, present: list[str], absent: list[str]) -> None:
    """All phrases of one language are on the page and none of the other's."""
    assert [p for p in present if p not in page] == []
    assert [p for p in absent if p in page] == []


def test_start_page_is_dutch_by_default_and_english_on_request(client):
    assert_language(client.get("/").get_data(as_text=True), START_NL, START_EN)
    assert_language(client.get("/?lang=en").get_data(as_text=True), START_EN, START_NL)
    # ?lang= is for one page only; it is not remembered.
    assert_language(client.get("/").get_data(as_text=True), START_NL, START_EN)


def test_language_choice_is_remembered_in_a_cookie(client):
    chosen = client.get("/taal/en?next=/", follow_redirects=True)
    assert chosen.request.path == "/"
    assert_language(chosen.get_data(as_text=True), START_EN, START_NL)
    assert_language(client.get("/").get_data(as_text=True), START_EN, START_NL)
    back = client.get("/taal/nl?next=/", follow_redirects=True)
    assert_language(back.get_data(as_text=True), START_NL, START_EN)


def test_place_page_in_both_languages(client, publish):
    publish("sensor")
    url = "/plek?lat={}&lon={}&r=500".format(*STRATUMSEIND)
    dutch = client.get(url)
    assert dutch.status_code == 200
    assert_language(dutch.get_data(as_text=True), [
        '<html lang="nl">', "Sensoren binnen 500 meter", "Hier is 1 sensor geregistreerd.",
        "Algoritmes en afspraken over het delen van gegevens die hier gelden", "Wat kun je doen?",
        "Geen gegevens over personen",  # the register's own label for identifiability "none"
    ], ["Sensors within 500 metres", "1 sensor is registered here.", "What can you do?"])
    english = client.get(url + "&lang=en")
    assert english.status_code == 200
    assert_language(english.get_data(as_text=True), [
        '<html lang="en">', "Sensors within 500 metres", "1 sensor is registered here.",
        "Algorithms and data-sharing agreements that apply here", "What can you do?", "Not about people",
    ], ["Sensoren binnen 500 meter", "Hier is 1 sensor geregistreerd.", "Wat kun je doen?"])
