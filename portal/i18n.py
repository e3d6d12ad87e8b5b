"""NL/EN with Flask-Babel: Dutch unless the visitor chose English; catalogues compiled on start."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request
from flask_babel import Babel

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_COOKIE = "taal"  # a functional preference, not tracking: it holds "nl" or "en" and nothing else
PORTAL = Path(__file__).resolve().parent
# One catalogue per face, so the public portal and the back office can be translated independently.
TRANSLATION_DIRS = [PORTAL / "translations", PORTAL / "public" / "translations",
                    PORTAL / "office" / "translations" / "access", PORTAL / "office" / "translations" / "work"]


def select_language() -> str:
    """?lang= (shareable), then the visitor's stored choice, then Dutch."""
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def compile_catalogues(directories=TRANSLATION_DIRS) -> None:
    """Write each messages.mo from its messages.po when missing or older (no build step needed)."""
    for directory in directories:
        for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with open(po_path, "rb") as source:
                catalogue = read_po(source)
            tmp = mo_path.with_suffix(".mo.tmp")
            with open(tmp, "wb") as out:
                write_mo(out, catalogue)
            tmp.replace(mo_path)  # atomic, so two starting workers never read half a file


def init_app(app: Flask) -> None:
    """Attach Flask-Babel with the language selector and all catalogue directories."""
    compile_catalogues()
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT_LANGUAGE
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d) for d in TRANSLATION_DIRS)
    Babel(app, locale_selector=select_language)

    @app.before_request
    def _language():
        g.language = select_language()
