"""API tokens: an organisation's machine access with one role. The secret is shown once, stored hashed.

A token acts as an Actor labelled "token:<prefix>" with its one role in its one organisation, so the
register's services authorise, audit and apply four-eyes to it exactly as to a person.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from register import audit
from register.accounts.actor import Actor
from register.accounts.authz import require
from register.accounts.models import ApiToken
from register.clock import now
from register.errors import Conflict, Invalid, NotFound
from register.organisations.models import Organisation

SECRET_PREFIX = "zb_"
TOKEN_ROLES = ("editor", "approver")  # never org_admin: tokens do not manage people or tokens
TOUCH_INTERVAL = timedelta(minutes=1)  # last_used_at is written at most this often
MAX_SECRET_LENGTH = 200


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token: never its secret or hash."""

    id: int
    organisation_id: int
    name: str
    role: str
    prefix: str
    created_by_id: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest under which a secret is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _info(token: ApiToken) -> TokenInfo:
    return TokenInfo(id=token.id, organisation_id=token.organisation_id, name=token.name, role=token.role,
                     prefix=token.prefix, created_by_id=token.created_by_id, created_at=token.created_at,
                     last_used_at=token.last_used_at, revoked_at=token.revoked_at)


def create_token(*, session: Session, actor: Actor, organisation: Organisation, role: str,
                 name: str) -> tuple[ApiToken, str]:
    """Make a token for an organisation (its admins or site admins); returns it and its secret, once."""
    require(actor, "manage_tokens", organisation.id)
    errors: dict[str, list[str]] = {}
    if role not in TOKEN_ROLES:
        errors["role"] = [f"Use one of: {', '.join(TOKEN_ROLES)}."]
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name or len(name) > 120:
        errors["name"] = ["Give a name of 1 to 120 characters (what system uses the token)."]
    if errors:
        raise Invalid(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(organisation_id=organisation.id, role=role, name=name,
                     prefix=secret[len(SECRET_PREFIX):len(SECRET_PREFIX) + 8],
                     token_hash=hash_secret(secret), created_by_id=actor.user_id, created_at=now())
    session.add(token)
    session.flush()
    audit.record(session=session, actor=actor, action="token.create", entity_type="api_token",
                 entity_id=str(token.id), organisation_id=organisation.id, chain=organisation.code,
                 changes={"name": name, "role": role, "prefix": token.prefix})
    return token, secret


def revoke_token(*, session: Session, actor: Actor, token_id: int,
                 organisation: Organisation | None = None) -> TokenInfo:
    """Revoke a token for good (its organisation's admins or site admins); audited."""
    token = session.get(ApiToken, token_id)
    if token is None or (organisation is not None and token.organisation_id != organisation.id):
        raise NotFound(f"no token {token_id}")
    require(actor, "manage_tokens", token.organisation_id)
    if token.revoked_at is not None:
        raise Conflict(f"token {token.prefix} is revoked already")
    org = organisation or session.get(Organisation, token.organisation_id)
    token.revoked_at = now()
    session.add(token)
    session.flush()
    audit.record(session=session, actor=actor, action="token.revoke", entity_type="api_token",
                 entity_id=str(token.id), organisation_id=org.id, chain=org.code,
                 changes={"name": token.name, "role": token.role, "prefix": token.prefix})
    return _info(token)


def list_tokens(*, session: Session, actor: Actor, organisation: Organisation) -> list[TokenInfo]:
    """An organisation's tokens, newest first, revoked ones included (its admins or site admins)."""
    require(actor, "manage_tokens", organisation.id)
    rows = session.exec(select(ApiToken).where(ApiToken.organisation_id == organisation.id)
                        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return [_info(t) for t in rows]


def authenticate(*, session: Session, secret: str | None, request_id: str | None = None) -> Actor | None:
    """The Actor of a valid, unrevoked token secret, or None. Notes its use at most once a minute.

    The lookup is by the secret's SHA-256, so timing reveals nothing about stored secrets; the found
    hash is compared again in constant time. last_used_at is written in the caller's transaction.
    """
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    digest = hash_secret(secret)
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if token is None or not hmac.compare_digest(token.token_hash, digest) or token.revoked_at is not None:
        return None
    stamp = now()
    last = token.last_used_at
    if last is None or stamp - last >= TOUCH_INTERVAL:
        token.last_used_at = stamp
        session.add(token)
        session.flush()
    return Actor(label=f"token:{token.prefix}", user_id=None, person_id=token.created_by_id,
                 roles={token.organisation_id: frozenset({token.role})}, request_id=request_id)
