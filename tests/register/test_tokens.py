"""API tokens: made by organisation admins, stored only as a hash, audited, revocable, authenticating."""

import hashlib
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from register.accounts import tokens
from register.accounts.models import ApiToken
from register.audit.models import AuditEntry
from register.clock import now
from register.errors import Conflict, Invalid, NotAuthorised, NotFound
from register.organisations.service import get_by_code


def _make(db, actors, who="admin_a", org="gm0772", role="editor", name="Zaaksysteem"):
    with db.unit_of_work() as s:
        token, secret = tokens.create_token(session=s, actor=actors[who], organisation=get_by_code(session=s, code=org),
                                            role=role, name=name)
        return token.id, secret


def test_a_token_is_stored_only_as_its_hash_and_its_creation_is_audited_without_the_secret(db, actors):
    token_id, secret = _make(db, actors)
    assert secret.startswith("zb_") and len(secret) > 40
    with db.unit_of_work(write=False) as s:
        token = s.get(ApiToken, token_id)
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert token.prefix == secret[3:11] and token.role == "editor" and token.name == "Zaaksysteem"
        assert token.created_by_id == actors["admin_a"].user_id
        assert secret not in json.dumps(token.model_dump(mode="json"))
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "token.create")).one()
        assert entry.chain == "gm0772" and entry.entity_id == str(token_id)
        assert entry.changes == {"name": "Zaaksysteem", "role": "editor", "prefix": token.prefix}
        for row in s.exec(select(AuditEntry)):
            assert secret not in json.dumps(row.changes) and token.token_hash not in json.dumps(row.changes)


def test_two_tokens_never_share_a_secret(db, actors):
    assert _make(db, actors)[1] != _make(db, actors, name="Tweede")[1]


@pytest.mark.parametrize("who, org, allowed", [
    ("admin_a", "gm0772", True), ("site_admin", "gm0363", True), ("editor_a", "gm0772", False),
    ("approver_a", "gm0772", False), ("admin_a", "gm0363", False), ("editor_b", "gm0363", False),
])
def test_only_the_organisations_admins_and_site_admins_make_tokens(db, actors, who, org, allowed):
    if allowed:
        _make(db, actors, who=who, org=org)
    else:
        with pytest.raises(NotAuthorised):
            _make(db, actors, who=who, org=org)


def test_a_token_has_the_role_editor_or_approver_and_a_name(db, actors):
    with pytest.raises(Invalid) as caught:
        _make(db, actors, role="org_admin", name="  ")
    assert set(caught.value.errors) == {"role", "name"}
    _make(db, actors, role="approver")


def test_authenticate_gives_an_actor_with_the_tokens_one_role_in_its_one_organisation(db, actors):
    token_id, secret = _make(db, actors, role="approver")
    with db.unit_of_work() as s:
        actor = tokens.authenticate(session=s, secret=secret, request_id="req-12345678")
        org = get_by_code(session=s, code="gm0772")
        prefix = s.get(ApiToken, token_id).prefix
    assert actor.label == f"token:{prefix}" and actor.user_id is None and not actor.is_site_admin
    assert actor.roles == {org.id: frozenset({"approver"})} and actor.request_id == "req-12345678"


@pytest.mark.parametrize("secret", [None, "", "zb_", "zb_wrong", "Bearer zb_x", "x" * 50, "zb_" + "a" * 500])
def test_unknown_secrets_do_not_authenticate(db, actors, secret):
    _make(db, actors)
    with db.unit_of_work() as s:
        assert tokens.authenticate(session=s, secret=secret) is None


def test_a_revoked_token_no_longer_authenticates_and_the_revocation_is_audited(db, actors):
    token_id, secret = _make(db, actors)
    with db.unit_of_work() as s:
        info = tokens.revoke_token(session=s, actor=actors["admin_a"], token_id=token_id)
    assert info.revoked_at is not None and not info.active
    with db.unit_of_work() as s:
        assert tokens.authenticate(session=s, secret=secret) is None
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "token.revoke")).one()
        assert entry.chain == "gm0772" and entry.entity_id == str(token_id)
    with db.unit_of_work() as s, pytest.raises(Conflict):
        tokens.revoke_token(session=s, actor=actors["admin_a"], token_id=token_id)


def test_only_the_organisations_admins_revoke_its_tokens(db, actors):
    token_id, _ = _make(db, actors)
    for who in ("editor_a", "approver_a", "editor_b"):
        with db.unit_of_work() as s, pytest.raises(NotAuthorised):
            tokens.revoke_token(session=s, actor=actors[who], token_id=token_id)
    with db.unit_of_work() as s, pytest.raises(NotFound):  # asked through another organisation
        tokens.revoke_token(session=s, actor=actors["site_admin"], token_id=token_id,
                            organisation=get_by_code(session=s, code="gm0363"))
    with db.unit_of_work() as s, pytest.raises(NotFound):
        tokens.revoke_token(session=s, actor=actors["admin_a"], token_id=999_999)


def test_last_used_is_written_at_most_once_a_minute(db, actors):
    token_id, secret = _make(db, actors)
    with db.unit_of_work() as s:
        assert s.get(ApiToken, token_id).last_used_at is None
        tokens.authenticate(session=s, secret=secret)
    with db.unit_of_work() as s:
        first = s.get(ApiToken, token_id).last_used_at
        assert first is not None
        tokens.authenticate(session=s, secret=secret)
    with db.unit_of_work() as s:
        token = s.get(ApiToken, token_id)
        assert token.last_used_at == first
        token.last_used_at = now() - timedelta(minutes=2)
        s.add(token)
    with db.unit_of_work() as s:
        tokens.authenticate(session=s, secret=secret)
    with db.unit_of_work(write=False) as s:
        assert s.get(ApiToken, token_id).last_used_at > now() - timedelta(seconds=30)


def test_the_list_shows_an_organisations_tokens_to_its_admins_without_hashes_or_secrets(db, actors):
    first, _ = _make(db, actors, name="Eerste")
    second, _ = _make(db, actors, role="approver", name="Tweede")
    _make(db, actors, who="site_admin", org="gm0363", name="Van Amsterdam")
    with db.unit_of_work() as s:
        tokens.revoke_token(session=s, actor=actors["admin_a"], token_id=first)
    with db.unit_of_work(write=False) as s:
        org = get_by_code(session=s, code="gm0772")
        listed = tokens.list_tokens(session=s, actor=actors["admin_a"], organisation=org)
        assert [(t.id, t.name, t.role, t.active) for t in listed] == [
            (second, "Tweede", "approver", True), (first, "Eerste", "editor", False)]
        for info in listed:
            assert not hasattr(info, "token_hash") and not hasattr(info, "secret")
        for who in ("editor_a", "approver_a", "editor_b"):
            with pytest.raises(NotAuthorised):
                tokens.list_tokens(session=s, actor=actors[who], organisation=org)
