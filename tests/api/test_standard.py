"""The publicatiestandaard 1.0: export of published algorithms, validation, all-or-nothing import."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from register.accounts import tokens
from register.audit.models import AuditEntry
from register.organisations.service import get_by_code
from register.registrations import service
from register.registrations.models import Registration
from register.sources import publicatiestandaard as standard
from register.sources.text import html_to_text, trim
from tests.factories import payload

SEED = Path(__file__).resolve().parents[2] / "seed_data" / "algoritmeregister" / "publicatiestandaard"
SOURCE = "Algoritmeregister publicatiestandaard 1.0 (test)"
A, B = "gm0772", "gm0363"

# Fields the register keeps, compared as plain text with spaces folded (HTML is not kept).
TEXT_FIELDS = ("name", "description_short", "goal", "proportionality", "human_intervention", "risks", "provider",
               "methods_and_models", "source_data", "status", "publication_category", "begin_date", "end_date",
               "url", "publiccode", "process_index_url", "lars")
# Not kept, and why (see register/sources/publicatiestandaard.py):
LOSSY = {
    "tags": "the register has no keywords field",
    "impacttoetsen": "the register keeps no free explanation of impact tests (only DPIA and assessments)",
    "website": "kept only as the contact when contact_email is missing",
    "organization": "always the organisation's name on export (the seed entries leave it empty)",
    "contact_email": "filled on export from the register's contact (website or a default when missing)",
    "lang": "always 'nld'", "standard_version": "always '1.0'", "source_id": "the register's public id",
    "publication_dt": "the register's publication date",
}


def _seed_entries() -> list[dict]:
    return [e for path in sorted(SEED.glob("*.json")) for e in json.loads(path.read_text(encoding="utf-8"))]


def _text(value) -> str | None:
    return " ".join(html_to_text(value).split()) or None if isinstance(value, str) else value


def _legal_grouping(entry) -> list:
    pairs = []
    for g in entry.get("lawful_basis_grouping") or []:
        title, link = (g.get("title") or "").strip(), (g.get("link") or "").strip()
        if title.startswith("http") and not link.startswith("http"):
            title, link = link, title  # given the wrong way round in the source: put right on import
        pairs.append((trim(title, 100), link))
    return sorted(pairs)


def _secret(db, actors, org: str, role: str, name: str = "Koppeling") -> str:
    # Editor tokens are made by A's admin and approver tokens by the site admin: two persons for four-eyes.
    maker = actors["admin_a"] if role == "editor" and org == "gm0772" else actors["site_admin"]
    with db.unit_of_work() as s:
        return tokens.create_token(session=s, actor=maker, organisation=get_by_code(session=s, code=org),
                                   role=role, name=name)[1]


def _auth(secret):
    return {"Authorization": f"Bearer {secret}"}


def _counts(db):
    with db.unit_of_work(write=False) as s:
        return tuple(s.exec(select(func.count()).select_from(m)).one() for m in (Registration, AuditEntry))


@pytest.fixture
def seeded_b(db, actors):
    """The 8 full-field seed entries published for Amsterdam through the services."""
    with db.unit_of_work() as s:
        for entry in _seed_entries():
            data = standard.from_standard(entry, organisation=B, source=SOURCE)
            pid = service.create(session=s, actor=actors["editor_b"], data=data).registration.public_id
            service.submit(session=s, actor=actors["editor_b"], public_id=pid)
            service.publish(session=s, actor=actors["approver_b"], public_id=pid, change_note="Overgenomen.")
    return _seed_entries()


def test_export_of_the_seed_entries_gives_their_fields_back(client, seeded_b):
    response = client.get(f"/api/v1/organisations/{B}/publicatiestandaard")
    assert response.status_code == 200 and response.mimetype == "application/json"
    exported = {e["name"]: e for e in response.json}
    assert len(seeded_b) == 8 and len(exported) == 8
    properties = list(standard.standard_properties())
    assert len(properties) == 31
    for original in seeded_b:
        entry = exported[_text(original["name"])]
        assert list(entry) == properties  # exactly the standard's properties, in its order
        for field in TEXT_FIELDS:
            assert _text(entry[field]) == _text(original.get(field)), (original["id"], field)
        assert set(entry["category"]) == set(original["category"])
        assert _legal_grouping(entry) == _legal_grouping(original), original["id"]
        assert _text(entry["lawful_basis"]) in (trim(html_to_text(original.get("lawful_basis")), 300) or None,
                                                *(t for t, _ in _legal_grouping(original)))
        grouping = [(g["title"], g["link"]) for g in original.get("source_data_grouping") or []]
        assert [(g["title"], g["link"]) for g in entry["source_data_grouping"] or []] == grouping
        if original.get("contact_email"):
            assert entry["contact_email"] == original["contact_email"]
        assert entry["organization"] == "Gemeente Amsterdam" and entry["lang"] == "nld"
        assert entry["source_id"].startswith("ALG-GM0363-") and entry["publication_dt"]
        assert set(LOSSY) | set(TEXT_FIELDS) | {"category", "lawful_basis", "lawful_basis_grouping",
                                                "source_data_grouping", "impacttoetsen_grouping"} == set(properties)
        assert standard.validate_standard(entry) == {}  # what we export, the standard accepts


def test_importing_the_export_again_changes_nothing(client, db, actors, seeded_b):
    exported = client.get(f"/api/v1/organisations/{B}/publicatiestandaard").json
    headers = _auth(_secret(db, actors, B, "editor"))
    before = _counts(db)
    response = client.post(f"/api/v1/organisations/{B}/publicatiestandaard", json=exported, headers=headers)
    assert response.status_code == 200, response.json
    assert (response.json["created"], response.json["updated"], response.json["unchanged"]) == (0, 0, 8)
    assert [i["publicId"] for i in response.json["items"]] == [e["source_id"] for e in exported]
    assert _counts(db) == before


def test_a_changed_entry_becomes_a_revision_and_keeps_what_the_standard_cannot_say(client, db, actors, publish):
    pid = publish("algorithm", lifecycle="pilot", start_date="2024-03-15")
    exported = client.get(f"/api/v1/organisations/{A}/publicatiestandaard").json
    assert [e["source_id"] for e in exported] == [pid]
    entry = exported[0]
    assert entry["status"] == "In gebruik" and entry["begin_date"] == "2024-03"
    entry["goal"] = "Een nieuw doel, in gewone taal."
    entry["risks"] = "Verkeerde voorspellingen bij evenementen."
    response = client.post(f"/api/v1/organisations/{A}/publicatiestandaard", json=[entry],
                           headers=_auth(_secret(db, actors, A, "editor")))
    assert response.status_code == 200 and response.json["updated"] == 1, response.json
    with db.unit_of_work(write=False) as s:
        registration = service.get_for_update(session=s, public_id=pid)
        pending = service.pending_data(session=s, registration=registration)
    assert registration.state == "published" and registration.revision_state == "draft"
    assert pending["purpose"] == "Een nieuw doel, in gewone taal."
    assert pending["algorithm"]["risks"] == "Verkeerde voorspellingen bij evenementen."
    original = payload("algorithm")
    for kept in ("gdpr_ground", "personal_data", "dpia", "themes", "legal_basis", "review_date", "summary", "title"):
        assert pending[kept] == original[kept], kept
    assert pending["lifecycle"] == "pilot" and pending["start_date"] == "2024-03-15"
    # The public still sees the published text until the revision is published.
    assert client.get(f"/api/v1/registrations/{pid}").json["purpose"] == original["purpose"]


NEW = {
    "name": "Parkeerscan", "description_short": "Een scanauto leest kentekens om parkeerrechten te controleren.",
    "organization": "Gemeente Eindhoven", "status": "In gebruik", "contact_email": "parkeren@eindhoven.invalid",
    "publication_category": "Impactvolle algoritmes", "lang": "nld", "category": ["Verkeer"],
    "goal": "<p>Controleren of er voor geparkeerde auto's is betaald.</p>", "begin_date": "2023-01",
    "lawful_basis_grouping": [{"title": "Gemeentewet", "link": "https://wetten.overheid.nl/BWBR0005416"}],
    "impacttoetsen_grouping": [{"title": "DPIA", "link": "https://eindhoven.invalid/dpia.pdf"}],
    "lars": "1234567",
}


def test_new_entries_become_drafts_and_a_second_import_matches_them(client, db, actors):
    headers = _auth(_secret(db, actors, A, "editor"))
    first = client.post(f"/api/v1/organisations/{A}/publicatiestandaard", json=[NEW], headers=headers)
    assert first.status_code == 200 and first.json["created"] == 1, first.json
    pid = first.json["items"][0]["publicId"]
    with db.unit_of_work(write=False) as s:
        registration = service.get_for_update(session=s, public_id=pid)
        data = service.current_data(session=s, registration=registration)
        actions = [e.action for e in s.exec(select(AuditEntry).where(AuditEntry.entity_id == pid))]
    assert registration.state == "draft" and actions == ["registration.create"]
    assert data["start_date"] == "2023-01-01" and data["themes"] == ["mobility"]
    assert data["dpia"] == {"status": "completed", "url": "https://eindhoven.invalid/dpia.pdf"}
    assert data["algorithm"]["lars"] == "1234567" and data["provenance"]["ref"] == "standard:gm0772:lars:1234567"
    again = client.post(f"/api/v1/organisations/{A}/publicatiestandaard", json=[NEW], headers=headers)
    assert again.json["unchanged"] == 1 and again.json["items"][0]["publicId"] == pid
    renamed = client.post(f"/api/v1/organisations/{A}/publicatiestandaard", json=[{**NEW, "name": "Scanauto"}],
                          headers=headers)
    assert renamed.json["updated"] == 1 and renamed.json["items"][0]["publicId"] == pid  # matched by lars
    assert client.get(f"/api/v1/organisations/{A}/publicatiestandaard").json == []  # drafts are not exported


def test_missing_required_fields_and_unknown_values_are_400_naming_each_entry_and_field(client, db, actors):
    bad = {**NEW, "status": "Actief", "publication_category": "Belangrijk", "category": ["Verkeer", "Sport"],
           "begin_date": "januari 2023", "colour": "blauw", "lawful_basis_grouping": [{"link": "https://x.invalid"}]}
    del bad["name"], bad["contact_email"]
    headers = _auth(_secret(db, actors, A, "editor"))
    before = _counts(db)
    response = client.post(f"/api/v1/organisations/{A}/publicatiestandaard", json=[NEW, bad, "nonsense"],
                           headers=headers)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    names = [p["name"] for p in response.json["invalidParams"]]
    assert names == ["1.begin_date", "1.category.1", "1.colour", "1.contact_email", "1.lawful_basis_grouping.0.title",
                     "1.name", "1.publication_category", "1.status", "2._entry"]
    reasons = {p["name"]: p["reason"] for p in response.json["invalidParams"]}
    assert "In gebruik" in reasons["1.status"] and "Required" in reasons["1.name"]
    assert _counts(db) == before  # entry 0 was valid, but nothing is imported


def test_an_entry_the_register_refuses_after_mapping_rolls_back_the_whole_import(client, db, actors):
    too_long = {**NEW, "name": "Tweede", "lars": "7654321", "contact_email": "https://x.invalid/" + "a" * 400}
    headers = _auth(_secret(db, actors, A, "editor"))
    before = _counts(db)
    response = client.post(f"/api/v1/organisations/{A}/publicatiestandaard", json=[NEW, too_long], headers=headers)
    assert response.status_code == 400
    assert [p["name"] for p in response.json["invalidParams"]] == ["1.contact_email"]
    assert _counts(db) == before


def test_a_body_that_is_not_a_list_is_400(client, db, actors):
    response = client.post(f"/api/v1/organisations/{A}/publicatiestandaard", json=NEW,
                           headers=_auth(_secret(db, actors, A, "editor")))
    assert response.status_code == 400 and response.json["invalidParams"][0]["name"] == "body"


def test_tokens_import_only_for_their_own_organisation_and_export_is_public(client, db, actors):
    headers = _auth(_secret(db, actors, B, "approver"))
    before = _counts(db)
    other = client.post(f"/api/v1/organisations/{A}/publicatiestandaard", json=[NEW], headers=headers)
    assert other.status_code == 403 and other.mimetype == "application/problem+json"
    anonymous = client.post(f"/api/v1/organisations/{A}/publicatiestandaard", json=[NEW])
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert _counts(db) == before
    assert client.get(f"/api/v1/organisations/{A}/publicatiestandaard").status_code == 200
    assert client.get("/api/v1/organisations/gm9999/publicatiestandaard").status_code == 404


def test_the_seed_files_themselves_are_not_valid_1_0_entries_and_say_why():
    problems = standard.validate_standard(_seed_entries()[0])
    # Keys the Algoritmeregister's own export adds, and two required fields the seed leaves empty.
    assert {"id", "type", "iama_description", "uuid", "source_data_link"} <= set(problems)
    assert {"organization", "contact_email"} <= set(problems)
    assert "lang" not in problems  # "NLD": enumerations are compared without regard to case
    assert standard.validate_standard([]) == {"_entry": ["Give each entry as a JSON object."]}


def test_the_openapi_document_describes_the_standard_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]["/organisations/{code}/publicatiestandaard"]
    assert "security" not in paths["get"] and paths["post"]["security"] == [{"bearer": []}]
    assert paths["post"]["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
