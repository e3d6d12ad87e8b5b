"""The organisation API: bearer tokens, the same services as the portal, one unit of work per request."""

import pytest
from sqlalchemy import func
from sqlmodel import select

from api.conventions import camelize
from register.accounts import tokens
from register.accounts.models import ApiToken
from register.audit.models import AuditEntry
from register.organisations.service import get_by_code
from register.registrations import service
from register.registrations.models import Registration, RegistrationVersion
from tests.factories import payload

A, B = "gm0772", "gm0363"


def _token(db, actors, org, role, name, revoked=False, made_by="site_admin") -> str:
    # A token answers for the person who made it (four-eyes), so the fixture says who did.
    with db.unit_of_work() as s:
        token, secret = tokens.create_token(session=s, actor=actors[made_by],
                                            organisation=get_by_code(session=s, code=org), role=role, name=name)
        if revoked:
            tokens.revoke_token(session=s, actor=actors["site_admin"], token_id=token.id)
    return secret


@pytest.fixture
def secrets(db, actors):
    """Token secrets by name; "none" sends no header, "bad" an unknown token."""
    return {
        "none": None,
        "bad": "zb_" + "x" * 43,
        "revoked": _token(db, actors, A, "approver", "Ingetrokken", revoked=True),
        "editor_a": _token(db, actors, A, "editor", "Zaaksysteem", made_by="admin_a"),
        "approver_a": _token(db, actors, A, "approver", "Privacysysteem"),
        "approver2_a": _token(db, actors, A, "approver", "Tweede beoordelaar", made_by="admin_a"),
        "editor_b": _token(db, actors, B, "editor", "Amsterdam"),
    }


def _auth(secret):
    return {"Authorization": f"Bearer {secret}"} if secret else {}


def _body(kind="algorithm", **overrides) -> dict:
    data = payload(kind, **overrides)
    data.pop("organisation")
    return camelize(data)


def _state(db, actors, state: str) -> str:
    """An item of Eindhoven brought to a state by its people (not by a token)."""
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload("algorithm")).registration.public_id
        if state != "draft":
            service.submit(session=s, actor=actors["editor_a"], public_id=pid)
        if state == "published":
            service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Nieuw.")
    return pid


def _counts(db) -> tuple:
    with db.unit_of_work(write=False) as s:
        return tuple(s.exec(select(func.count()).select_from(model)).one()
                     for model in (Registration, RegistrationVersion, AuditEntry))


def _last_used(db) -> list:
    with db.unit_of_work(write=False) as s:
        return [t.last_used_at for t in s.exec(select(ApiToken).order_by(ApiToken.id))]


STANDARD_ENTRY = {
    "name": "Parkeerscan", "description_short": "Een scanauto leest kentekens om parkeerrechten te controleren.",
    "organization": "Gemeente Eindhoven", "status": "In gebruik", "contact_email": "parkeren@eindhoven.invalid",
    "publication_category": "Impactvolle algoritmes", "lang": "nld", "category": ["Verkeer"],
}

# route: (method, path whose {state} fields _state fills in, body)
ROUTES = {
    "create": ("POST", f"/api/v1/organisations/{A}/registrations", None, _body()),
    "list": ("GET", f"/api/v1/organisations/{A}/registrations", None, None),
    "update": ("PUT", "/api/v1/registrations/{pid}", "draft", _body(title="Nieuwe titel")),
    "submit": ("POST", "/api/v1/registrations/{pid}/submit", "draft", None),
    "publish": ("POST", "/api/v1/registrations/{pid}/publish", "in_review", {"changeNote": "Eerste publicatie."}),
    "withdraw": ("POST", "/api/v1/registrations/{pid}/withdraw", "published", {"reason": "Niet meer in gebruik."}),
    "archive": ("POST", "/api/v1/registrations/{pid}/archive", "published", {"reason": "Opgeruimd."}),
    "standard": ("POST", f"/api/v1/organisations/{A}/publicatiestandaard", None, [STANDARD_ENTRY]),
}
WHO = ("none", "bad", "revoked", "editor_a", "approver_a", "editor_b")
EXPECTED = {  # route: statuses for WHO, in order
    "create": (401, 401, 401, 201, 201, 403),
    "list": (401, 401, 401, 200, 200, 403),
    "update": (401, 401, 401, 200, 200, 403),
    "submit": (401, 401, 401, 200, 200, 403),
    "publish": (401, 401, 401, 403, 201, 403),
    "withdraw": (401, 401, 401, 403, 201, 403),
    "archive": (401, 401, 401, 403, 200, 403),
    "standard": (401, 401, 401, 200, 200, 403),
}
MATRIX = [(route, who, status) for route, statuses in EXPECTED.items() for who, status in zip(WHO, statuses, strict=True)]


@pytest.mark.parametrize("route, who, status", MATRIX, ids=[f"{r}-{w}" for r, w, _ in MATRIX])
def test_authorisation_matrix(client, db, actors, secrets, route, who, status):
    method, path, state, body = ROUTES[route]
    if state:
        path = path.format(pid=_state(db, actors, state))
    before = _counts(db)
    response = client.open(path, method=method, json=body, headers=_auth(secrets[who]))
    assert response.status_code == status, response.get_data(as_text=True)
    if status >= 400:
        assert response.mimetype == "application/problem+json" and response.json["status"] == status
        assert _counts(db) == before  # a refused request writes nothing
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_token_must_be_sent_as_a_bearer_token(client, secrets):
    for header in (f"Basic {secrets['editor_a']}", secrets["editor_a"], "Bearer", "Bearer  "):
        response = client.get(f"/api/v1/organisations/{A}/registrations", headers={"Authorization": header})
        assert response.status_code == 401


def test_unknown_organisations_and_registrations_are_404(client, secrets):
    headers = _auth(secrets["editor_a"])
    assert client.post("/api/v1/organisations/gm9999/registrations", json=_body(), headers=headers).status_code == 404
    assert client.put("/api/v1/registrations/ALG-GM0772-9999", json=_body(), headers=headers).status_code == 404
    assert client.post("/api/v1/registrations/ALG-GM0772-9999/submit", headers=headers).status_code == 404


def test_full_flow_through_tokens_with_audit_entries_labelled_by_token(client, db, secrets):
    editor, approver = _auth(secrets["editor_a"]), _auth(secrets["approver_a"])
    created = client.post(f"/api/v1/organisations/{A}/registrations", json=_body(),
                          headers={**editor, "X-Request-ID": "flow-create-0001"})
    assert created.status_code == 201, created.json
    pid = created.json["publicId"]
    assert created.headers["Location"].endswith(f"/api/v1/registrations/{pid}")
    assert created.json["state"] == "draft" and created.json["organisation"] == A
    assert created.json["algorithm"]["publicationCategory"] == "impactful"
    assert client.get(f"/api/v1/registrations/{pid}").status_code == 404  # drafts are not public

    own = client.get(f"/api/v1/organisations/{A}/registrations", headers=editor)
    assert own.status_code == 200 and [i["publicId"] for i in own.json["items"]] == [pid]
    assert own.json["items"][0]["state"] == "draft" and own.headers["Cache-Control"] == "private, no-store"

    changed = client.put(f"/api/v1/registrations/{pid}", json=_body(title="Drukte voorspellen"), headers=editor)
    assert changed.status_code == 200 and changed.json["title"] == "Drukte voorspellen"
    assert client.post(f"/api/v1/registrations/{pid}/submit", headers=editor).json["state"] == "in_review"
    published = client.post(f"/api/v1/registrations/{pid}/publish", json={"changeNote": "Eerste publicatie."},
                            headers=approver)
    assert published.status_code == 201, published.json
    assert published.json == {**published.json, "publicId": pid, "state": "published", "version": 1}
    assert published.headers["Location"].endswith(f"/api/v1/registrations/{pid}/versions/1")
    assert client.get(f"/api/v1/registrations/{pid}").json["title"] == "Drukte voorspellen"

    withdrawn = client.post(f"/api/v1/registrations/{pid}/withdraw", json={"reason": "Proef gestopt."},
                            headers=approver)
    assert withdrawn.status_code == 201 and withdrawn.json["state"] == "withdrawn" and withdrawn.json["version"] == 2
    public = client.get(f"/api/v1/registrations/{pid}").json
    assert public["state"] == "withdrawn" and public["withdrawalReason"] == "Proef gestopt."

    with db.unit_of_work(write=False) as s:
        prefixes = {t.name: t.prefix for t in s.exec(select(ApiToken))}
        entries = list(s.exec(select(AuditEntry).where(AuditEntry.entity_id == pid).order_by(AuditEntry.seq)))
    editor_label, approver_label = f"token:{prefixes['Zaaksysteem']}", f"token:{prefixes['Privacysysteem']}"
    assert [(e.action, e.actor_label) for e in entries] == [
        ("registration.create", editor_label), ("registration.update", editor_label),
        ("registration.submit", editor_label), ("registration.publish", approver_label),
        ("registration.withdraw", approver_label)]
    assert all(e.chain == A and e.actor_id is None for e in entries)
    assert entries[0].request_id == "flow-create-0001"
    assert entries[3].changes["change_note"] == "Eerste publicatie."


def test_a_revision_of_a_public_item_waits_until_it_is_published(client, db, actors, secrets):
    pid = _state(db, actors, "published")
    editor = _auth(secrets["editor_a"])
    changed = client.put(f"/api/v1/registrations/{pid}", json=_body(title="Herziene titel"), headers=editor)
    assert changed.status_code == 200
    assert changed.json["state"] == "published" and changed.json["revisionState"] == "draft"
    assert changed.json["title"] == "Herziene titel"
    assert client.get(f"/api/v1/registrations/{pid}").json["title"] == payload("algorithm")["title"]
    listed = client.get(f"/api/v1/organisations/{A}/registrations?state=published", headers=editor).json
    assert listed["items"][0]["title"] == "Herziene titel" and listed["items"][0]["revisionState"] == "draft"


def test_four_eyes_a_token_cannot_publish_its_own_edit(client, db, secrets):
    approver, other = _auth(secrets["approver_a"]), _auth(secrets["approver2_a"])
    pid = client.post(f"/api/v1/organisations/{A}/registrations", json=_body(), headers=approver).json["publicId"]
    assert client.post(f"/api/v1/registrations/{pid}/submit", headers=approver).status_code == 200
    before, used = _counts(db), _last_used(db)
    refused = client.post(f"/api/v1/registrations/{pid}/publish", json={"changeNote": "Zelf."}, headers=approver)
    assert refused.status_code == 409 and "four-eyes" in refused.json["detail"]
    assert _counts(db) == before and _last_used(db) == used
    assert client.post(f"/api/v1/registrations/{pid}/publish", json={"changeNote": "Ander."},
                       headers=other).status_code == 201


def test_two_tokens_made_by_one_person_cannot_approve_each_others_edits(client, db, secrets):
    editor, approver = _auth(secrets["editor_a"]), _auth(secrets["approver2_a"])  # both made by admin_a
    pid = client.post(f"/api/v1/organisations/{A}/registrations", json=_body(), headers=editor).json["publicId"]
    assert client.post(f"/api/v1/registrations/{pid}/submit", headers=editor).status_code == 200
    refused = client.post(f"/api/v1/registrations/{pid}/publish", json={"changeNote": "Ook ik."}, headers=approver)
    assert refused.status_code == 409 and "four-eyes" in refused.json["detail"]


def test_an_invalid_body_is_400_listing_every_field_in_camel_case(client, db, secrets):
    body = _body(themes=["nonsense"], contact="")
    del body["title"]
    body["algorithm"]["publicationCategory"] = "very_important"
    body["legalBasis"] = [{"url": "not a url"}]
    body["fooBar"] = 1
    before = _counts(db)
    response = client.post(f"/api/v1/organisations/{A}/registrations", json=body, headers=_auth(secrets["editor_a"]))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    names = {p["name"] for p in response.json["invalidParams"]}
    assert names == {"title", "themes.0", "contact", "algorithm.publicationCategory", "legalBasis.0.title",
                     "legalBasis.0.url", "fooBar"}
    assert _counts(db) == before


@pytest.mark.parametrize("extra, field", [({"organisation": B}, "organisation"),
                                          ({"publicId": "ALG-GM0772-0042"}, "publicId")])
def test_the_path_names_the_organisation_and_the_register_the_id(client, secrets, extra, field):
    response = client.post(f"/api/v1/organisations/{A}/registrations", json={**_body(), **extra},
                           headers=_auth(secrets["editor_a"]))
    assert response.status_code == 400 and [p["name"] for p in response.json["invalidParams"]] == [field]


@pytest.mark.parametrize("path, body, names", [
    ("publish", {}, ["changeNote"]), ("publish", {"changeNote": "", "extra": 1}, ["changeNote", "extra"]),
    ("withdraw", {"reason": "   "}, ["reason"]), ("publish", "not an object", ["body"]),
])
def test_invalid_transition_bodies_are_400_and_write_nothing(client, db, actors, secrets, path, body, names):
    pid = _state(db, actors, "in_review" if path == "publish" else "published")
    before, used = _counts(db), _last_used(db)
    response = client.post(f"/api/v1/registrations/{pid}/{path}", json=body, headers=_auth(secrets["approver_a"]))
    assert response.status_code == 400
    assert sorted(p["name"] for p in response.json["invalidParams"]) == names
    assert _counts(db) == before and _last_used(db) == used


def test_workflow_order_is_409(client, db, actors, secrets):
    pid = _state(db, actors, "draft")
    approver = _auth(secrets["approver_a"])
    assert client.post(f"/api/v1/registrations/{pid}/publish", json={"changeNote": "x"}, headers=approver).status_code == 409
    assert client.post(f"/api/v1/registrations/{pid}/withdraw", json={"reason": "x"}, headers=approver).status_code == 409
    assert client.post(f"/api/v1/registrations/{pid}/archive", headers=approver).status_code == 200
    assert client.post(f"/api/v1/registrations/{pid}/archive", headers=approver).status_code == 409
    assert client.put(f"/api/v1/registrations/{pid}", json=_body(), headers=approver).status_code == 409


def test_the_own_list_pages_and_filters_and_shows_every_state(client, db, actors, secrets):
    for state in ("draft", "in_review", "published"):
        _state(db, actors, state)
    editor = _auth(secrets["editor_a"])
    everything = client.get(f"/api/v1/organisations/{A}/registrations", headers=editor).json
    assert everything["total"] == 3 and {i["state"] for i in everything["items"]} == {"draft", "in_review", "published"}
    page = client.get(f"/api/v1/organisations/{A}/registrations?pageSize=2&page=2", headers=editor).json
    assert page["total"] == 3 and len(page["items"]) == 1 and page["pageSize"] == 2
    drafts = client.get(f"/api/v1/organisations/{A}/registrations?state=draft", headers=editor).json
    assert drafts["total"] == 1
    bad = client.get(f"/api/v1/organisations/{A}/registrations?state=nonsense&foo=1", headers=editor)
    assert bad.status_code == 400 and {p["name"] for p in bad.json["invalidParams"]} == {"state", "foo"}
    assert client.get(f"/api/v1/organisations/{B}/registrations", headers=_auth(secrets["editor_b"])).json["total"] == 0


def test_a_request_notes_when_its_token_was_last_used(client, db, secrets):
    def used():
        with db.unit_of_work(write=False) as s:
            return {t.name: t.last_used_at for t in s.exec(select(ApiToken))}

    assert set(used().values()) == {None}
    assert client.get(f"/api/v1/organisations/{A}/registrations", headers=_auth(secrets["editor_a"])).status_code == 200
    after = used()
    assert after["Zaaksysteem"] is not None and after["Privacysysteem"] is None


def test_the_openapi_document_describes_the_token_routes(client):
    document = client.get("/api/v1/openapi.json").json
    create = document["paths"]["/organisations/{code}/registrations"]["post"]
    assert create["security"] == [{"bearer": []}] and "requestBody" in create
    assert {"401", "403", "409"} <= set(create["responses"])
    for path in ("submit", "publish", "withdraw", "archive"):
        assert document["paths"]["/registrations/{publicId}/" + path]["post"]["security"] == [{"bearer": []}]
    assert "put" in document["paths"]["/registrations/{publicId}"] and "get" in document["paths"]["/registrations/{publicId}"]
