"""The browser tests' database: a writable copy of the seeded one, plus test accounts and an XSS sensor."""

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from register.accounts import service as accounts
from register.accounts.actor import system_actor
from register.db import Database, normalise_url
from register.organisations import service as organisations
from register.registrations import service as registrations
from tests.factories import payload

SYSTEM = system_actor("e2e")
ORGANISATION = "gm0772"  # Eindhoven, where Stratumseind is
PASSWORD = "e2e correct horse battery staple"
ACCOUNTS = {  # key -> (e-mail, role in gm0772)
    "editor": ("e2e-editor@test.invalid", "editor"),
    "approver": ("e2e-approver@test.invalid", "approver"),
}
# Each payload sets window.__xss when it runs; the tests assert it never does and that the text shows literally.
XSS_TITLE = 'XSS <img src=x onerror=window.__xss=1><script>window.__xss=1</script>'
XSS_SUMMARY = 'Samenvatting "><svg onload=window.__xss=1> en <b onmouseover=window.__xss=1>vet</b> einde.'
XSS_PURPOSE = "Doel </textarea><script>window.__xss=1</script><iframe src=javascript:window.__xss=1></iframe>"
XSS_MEASURES = "Meet <img src=x onerror=window.__xss=1> decibel"
XSS_LOCATION = [5.4823, 51.4388]  # lon, lat: on Stratumseind, inside the place page's 500 m circle


def sqlite_file(url: str) -> Path:
    """The file of a sqlite:/// URL."""
    return Path(make_url(normalise_url(url)).database)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a live SQLite database with the backup API (consistent even while it is in WAL mode)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def add_accounts(database: Database) -> dict[str, dict[str, str]]:
    """An editor and an approver of Eindhoven with a known password; returns key -> {email, password}."""
    with database.unit_of_work() as session:
        organisation = organisations.get_by_code(session=session, code=ORGANISATION)
        for key, (email, role) in ACCOUNTS.items():
            user = accounts.create_user(session=session, actor=SYSTEM, email=email,
                                        display_name=f"E2E {key}", password=PASSWORD)
            accounts.grant(session=session, actor=SYSTEM, user=user, organisation=organisation, role=role)
    return {key: {"email": email, "password": PASSWORD, "organisation": ORGANISATION, "role": role}
            for key, (email, role) in ACCOUNTS.items()}


def _actor(session, email: str):
    return accounts.actor_for(session=session, user=accounts.get_by_email(session=session, email=email))


def add_xss_sensor(database: Database) -> str:
    """Create, submit and publish (four eyes) a sensor whose texts hold script payloads; returns its public id."""
    data = payload("sensor", title=XSS_TITLE, summary=XSS_SUMMARY, purpose=XSS_PURPOSE)
    data["sensor"] = {**data["sensor"], "measures": XSS_MEASURES,
                      "location": {"type": "Point", "coordinates": XSS_LOCATION}}
    with database.unit_of_work() as session:
        public_id = registrations.create(session=session, actor=_actor(session, ACCOUNTS["editor"][0]),
                                         data=data).registration.public_id
    with database.unit_of_work() as session:
        registrations.submit(session=session, actor=_actor(session, ACCOUNTS["editor"][0]), public_id=public_id)
    with database.unit_of_work() as session:
        registrations.publish(session=session, actor=_actor(session, ACCOUNTS["approver"][0]),
                              public_id=public_id, change_note="XSS <script>window.__xss=1</script> test")
    return public_id
