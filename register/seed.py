"""Seeding: vocabularies, areas, organisations, real registrations, the illustrative set, demo accounts.

Every step goes through the register's services (so seeded items have versions and audit entries)
and skips what is there already, so seeding twice changes nothing.
"""

import csv
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry import mapping as geojson_of
from shapely.geometry import shape
from shapely.ops import unary_union
from sqlmodel import Session, select

from register.accounts import service as accounts
from register.accounts.actor import system_actor
from register.db import Database
from register.errors import RegisterError
from register.geo.models import Area
from register.organisations import service as organisations
from register.organisations.models import Organisation
from register.registrations import service as registrations
from register.registrations.mapping import stored_ref
from register.registrations.models import Registration
from register.sources import algoritmeregister, publicatiestandaard, stations
from register.vocab import vocabularies
from register.vocab.models import VocabularyTerm

SEED = system_actor("seed")
AREA_FILES = ("provinces", "municipalities", "safety_regions", "environmental_services")
BATCH = 250
DEMO_DOMAIN = "demo.zichtbaar.invalid"  # RFC 2606: can never be a real person's address
VENDOR_TEMPLATES = {  # publicatiestandaard templates by suppliers, kept as drafts of the supplier
    "Brickyard.json": ("oobrickyard", "Brickyard B.V."),
    "Oribi.json": ("oooribi", "Oribi"),
    "Tygron.json": ("ootygron", "Tygron"),
}
ORGANISATION_TEMPLATES = {"Gemeente Amsterdam.json": "gm0363", "Gemeente Tilburg.json": "gm0855"}


@dataclass
class SeedReport:
    """What a seed run did, for the command to print."""

    added: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    passwords: list[tuple[str, str, str]] = field(default_factory=list)  # email, roles, password

    def count(self, what: str, added: bool) -> None:
        """Count one item as added or as already there."""
        bucket = self.added if added else self.skipped
        bucket[what] = bucket.get(what, 0) + 1


def is_empty(database: Database) -> bool:
    """True when the register holds no organisations yet."""
    with database.unit_of_work(write=False) as session:
        return session.exec(select(Organisation.id)).first() is None


def seed(database: Database, data_dir: Path, *, demo_accounts: bool = True,
         progress: Callable[[str], None] = lambda _: None) -> SeedReport:
    """Run every seed step in order; each step commits in batches and skips what exists."""
    report = SeedReport()
    steps = [
        ("vocabularies", lambda s: load_vocabularies(s, report)),
        ("areas", lambda s: _areas(s, data_dir, report)),
        ("organisations", lambda s: _organisations(s, data_dir, report)),
    ]
    for name, step in steps:
        progress(name)
        with database.unit_of_work() as session:
            step(session)
    # The illustrative set carries its own public ids; it goes first so the counters skip past them.
    progress("illustrative")
    _in_batches(database, _illustrative_items(data_dir), report)
    progress("algoritmeregister")
    _in_batches(database, _algoritmeregister_items(database, data_dir, report), report)
    progress("publicatiestandaard")
    _in_batches(database, _standard_items(database, data_dir, report), report)
    progress("stations")
    _in_batches(database, _station_items(data_dir, report), report)
    if demo_accounts:
        progress("accounts")
        with database.unit_of_work() as session:
            _demo_accounts(session, report)
    return report


def load_vocabularies(session: Session, report: SeedReport) -> None:
    existing = {(t.vocabulary, t.code): t for t in session.exec(select(VocabularyTerm))}
    for name, vocabulary in vocabularies().items():
        for position, term in enumerate(vocabulary["terms"]):
            extra = {k: v for k, v in term.items() if k not in ("code", "nl", "en")}
            row = existing.get((name, term["code"]))
            values = {"label_nl": term["nl"], "label_en": term["en"], "position": position, "extra": extra}
            if row is None:
                session.add(VocabularyTerm(vocabulary=name, code=term["code"], **values))
                report.count("vocabulary terms", True)
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                report.count("vocabulary terms (labels updated)", True)


def add_area(session: Session, code: str, kind: str, name: str, geom) -> None:
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    session.add(Area(code=code, kind=kind, name=name, geometry=json.dumps(geojson_of(geom), separators=(",", ":")),
                     min_lon=min_lon, min_lat=min_lat, max_lon=max_lon, max_lat=max_lat))


def _areas(session: Session, data_dir: Path, report: SeedReport) -> None:
    existing = set(session.exec(select(Area.code)))
    provinces = []
    for file in AREA_FILES:
        for feature in json.loads((data_dir / "areas" / f"{file}.geojson").read_text(encoding="utf-8"))["features"]:
            props, geom = feature["properties"], shape(feature["geometry"])
            if file == "provinces":
                provinces.append(geom)
            if props["code"] in existing:
                report.count("areas", False)
                continue
            add_area(session, props["code"], props["kind"], props["name"], geom)
            report.count("areas", True)
    if "NL" not in existing:
        # The country is the union of the provinces, simplified: national bodies apply everywhere in it.
        country = unary_union(provinces).buffer(0.002).simplify(0.002)
        add_area(session, "NL", "country", "Nederland", country)
        report.count("areas", True)
    session.flush()


def _organisations(session: Session, data_dir: Path, report: SeedReport) -> None:
    existing = set(session.exec(select(Organisation.code)))
    with (data_dir / "organisations.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows.sort(key=lambda r: bool(r["parent"]))  # parents (ministries) first
    rows += [{"code": code, "name": name, "type": "private_operator", "parent": "", "areas": "", "website": "",
              "aliases": ""} for code, name in VENDOR_TEMPLATES.values()]
    for row in rows:
        if row["code"] in existing:
            report.count("organisations", False)
            continue
        organisations.create(session=session, actor=SEED, data={
            "code": row["code"], "name": row["name"], "type": row["type"], "parent": row["parent"] or None,
            "areas": [a for a in row["areas"].split("|") if a], "website": row["website"] or None,
            "aliases": [a for a in row["aliases"].split("|") if a],
        })
        existing.add(row["code"])
        report.count("organisations", True)


def organisation_index(session: Session) -> dict[str, str]:
    """Spelling-insensitive name (and alias) -> organisation code."""
    index = {}
    for org in session.exec(select(Organisation)):
        for name in [org.name, *org.aliases]:
            index[organisations.name_key(name)] = org.code
    return index


def _algoritmeregister_items(database: Database, data_dir: Path, report: SeedReport):
    snapshot = json.loads((data_dir / "algoritmeregister" / "algoritmes.json").read_text(encoding="utf-8"))
    with database.unit_of_work(write=False) as session:
        index = organisation_index(session)
    entries = sorted(snapshot["algoritmes"], key=lambda e: (e["organisatie"], int(e["id"])))
    for entry in entries:
        code = index.get(organisations.name_key(entry["organisatie"]))
        if code is None:
            report.problems.append(f"Algoritmeregister {entry['id']}: no organisation named {entry['organisatie']!r}")
            continue
        note = f"Overgenomen uit het Algoritmeregister (daar geregistreerd op {entry.get('geregistreerd') or 'onbekend'})."
        yield "algorithms (Algoritmeregister)", algoritmeregister.from_snapshot(entry, organisation=code), "published", note


def _standard_items(database: Database, data_dir: Path, report: SeedReport):
    folder = data_dir / "algoritmeregister" / "publicatiestandaard"
    source = "Algoritmeregister publicatiestandaard 1.0 (voorbeeld uit de code van het register)"
    for path in sorted(folder.glob("*.json")):
        if path.name in ORGANISATION_TEMPLATES:
            code, state = ORGANISATION_TEMPLATES[path.name], "published"
        elif path.name in VENDOR_TEMPLATES:
            code, state = VENDOR_TEMPLATES[path.name][0], "draft"
        else:
            report.problems.append(f"publicatiestandaard: no organisation for {path.name}")
            continue
        for entry in json.loads(path.read_text(encoding="utf-8")):
            data = publicatiestandaard.from_standard(entry, organisation=code, source=source)
            yield "algorithms (publicatiestandaard 1.0)", data, state, "Overgenomen uit de publicatiestandaard."


def _station_items(data_dir: Path, report: SeedReport):
    with (data_dir / "stations" / "nl_sensor_locations_combined.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            data = stations.from_row(row)
            if data is None:
                report.count("stations no longer active (left out)", False)
                continue
            yield "sensors (RIVM and KNMI stations)", data, "published", "Overgenomen uit de stationslijst."


def _illustrative_items(data_dir: Path):
    path = data_dir / "illustrative" / "registrations.jsonl"
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            state = data.pop("state", "published")
            reason = data.pop("withdrawal_reason", None)
            data["provenance"] = {**data.get("provenance", {}), "ref": f"illustrative:{data['public_id']}"}
            yield f"{data['kind']}s (illustrative)", data, state, reason


def _exists(session: Session, data: dict) -> bool:
    # Every seeded item has an external ref; a clash of public ids with another item is an error, not a match.
    ref = stored_ref(data["organisation"], data["provenance"]["ref"])
    return session.exec(select(Registration.id).where(Registration.source_ref == ref)).first() is not None


def bring_to_state(session: Session, data: dict, state: str, note: str | None) -> Registration:
    """Create a registration and walk it through the workflow to the wanted state."""
    saved = registrations.create(session=session, actor=SEED, data=data)
    pid = saved.registration.public_id
    if state in ("in_review", "published", "withdrawn", "archived"):
        registrations.submit(session=session, actor=SEED, public_id=pid)
    if state in ("published", "withdrawn"):
        registrations.publish(session=session, actor=SEED, public_id=pid,
                              change_note="Eerste publicatie." if state == "withdrawn" or not note else note)
    if state == "withdrawn":
        registrations.withdraw(session=session, actor=SEED, public_id=pid, reason=note or "Ingetrokken.")
    if state == "archived":
        registrations.archive(session=session, actor=SEED, public_id=pid, reason=note or "")
    return saved.registration


def _in_batches(database: Database, items, report: SeedReport) -> None:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            _write_batch(database, batch, report)
            batch = []
    if batch:
        _write_batch(database, batch, report)


def _write_batch(database: Database, batch, report: SeedReport) -> None:
    with database.unit_of_work() as session:
        for what, data, state, note in batch:
            if _exists(session, data):
                report.count(what, False)
                continue
            try:
                with session.begin_nested():  # one bad item is reported, the rest of the batch still lands
                    bring_to_state(session, data, state, note)
                report.count(what, True)
            except RegisterError as exc:
                ref = (data.get("provenance") or {}).get("ref") or data.get("public_id") or data.get("title")
                report.problems.append(f"{what} {ref}: {exc}")


DEMO_ACCOUNTS = [  # (local part, display name, [(organisation, role)], site admin)
    ("beheer", "Sitebeheer (demo)", [], True),
    ("redacteur.eindhoven", "Redacteur Eindhoven (demo)", [("gm0772", "editor")], False),
    ("privacy.eindhoven", "Privacy officer Eindhoven (demo)", [("gm0772", "approver")], False),
    ("beheer.eindhoven", "Beheerder Eindhoven (demo)", [("gm0772", "org_admin")], False),
    ("redacteur.amsterdam", "Redacteur Amsterdam (demo)", [("gm0363", "editor")], False),
    ("privacy.amsterdam", "Privacy officer Amsterdam (demo)", [("gm0363", "approver"), ("gm0363", "org_admin")], False),
    ("privacy.gooi", "Privacy officer Laren en Blaricum (demo)",
     [("gm0417", "approver"), ("gm0376", "approver"), ("gm0417", "editor"), ("gm0376", "editor")], False),
]


def _demo_accounts(session: Session, report: SeedReport) -> None:
    for local, display_name, roles, site_admin in DEMO_ACCOUNTS:
        email = f"{local}@{DEMO_DOMAIN}"
        if accounts.get_by_email(session=session, email=email):
            report.count("demo accounts", False)
            continue
        password = secrets.token_urlsafe(12)
        user = accounts.create_user(session=session, actor=SEED, email=email, display_name=display_name,
                                    password=password, site_admin=site_admin)
        for code, role in roles:
            org = organisations.get_by_code(session=session, code=code)
            accounts.grant(session=session, actor=SEED, user=user, organisation=org, role=role)
        report.passwords.append((email, ", ".join(f"{r} {c}" for c, r in roles) or "site admin", password))
        report.count("demo accounts", True)
