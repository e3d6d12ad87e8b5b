"""Accounts: create users, grant and revoke roles, check a password. Every change is audited."""

import hashlib

from sqlmodel import Session, func, select

from register import audit
from register.accounts.actor import Actor
from register.accounts.authz import require
from register.accounts.models import Membership, User
from register.accounts.passwords import hash_password, password_problems
from register.clock import now
from register.errors import Conflict, Invalid, NotFound
from register.organisations.models import Organisation
from register.vocab import codes

LAST_ADMIN = "An organisation keeps at least one administrator: give someone else that role first."


def normalise_email(email: str) -> str:
    """E-mail addresses are compared and stored lower-case and trimmed."""
    return (email or "").strip().lower()


def get_by_email(*, session: Session, email: str) -> User | None:
    """The user with this e-mail address, if any."""
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def actor_for(*, session: Session, user: User, request_id: str | None = None) -> Actor:
    """The Actor a signed-in user acts as, with their roles per organisation."""
    roles: dict[int, set[str]] = {}
    for m in session.exec(select(Membership).where(Membership.user_id == user.id)):
        roles.setdefault(m.organisation_id, set()).add(m.role)
    return Actor(label=user.email, user_id=user.id, roles={k: frozenset(v) for k, v in roles.items()},
                 is_site_admin=user.is_site_admin, request_id=request_id)


def access_fingerprint(*, session: Session, user: User) -> str:
    """A short hash of what the account may do (its roles per organisation, site admin or not).

    A set-password link carries it, so any grant or revoke after the link was made voids the link:
    otherwise whoever holds the link would take over the access that others give the account later.
    """
    rows = sorted(session.exec(select(Membership.organisation_id, Membership.role)
                               .where(Membership.user_id == user.id)).all())
    text = repr((user.id, bool(user.is_site_admin), [tuple(r) for r in rows]))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def create_user(
    *, session: Session, actor: Actor, email: str, display_name: str, password: str | None,
    site_admin: bool = False,
) -> User:
    """Create an account (site admins only); the password is checked and hashed, never stored."""
    require(actor, "manage_organisations")
    email = normalise_email(email)
    errors: dict[str, list[str]] = {}
    if "@" not in email or email.startswith("@") or email.endswith("@") or len(email) > 254:
        errors["email"] = ["Give a valid e-mail address."]
    elif get_by_email(session=session, email=email):
        errors["email"] = ["An account with this e-mail address exists already."]
    if not (display_name or "").strip():
        errors["display_name"] = ["Give a display name (a role or team name is fine)."]
    if password is not None and password_problems(password):
        errors["password"] = password_problems(password)
    if errors:
        raise Invalid(errors)
    user = User(email=email, display_name=display_name.strip(), is_site_admin=site_admin,
                password_hash=hash_password(password) if password else None)
    session.add(user)
    session.flush()
    audit.record(session=session, actor=actor, action="user.create", entity_type="user", entity_id=str(user.id),
                 changes={"site_admin": site_admin})
    return user


def set_password(*, session: Session, actor: Actor, user: User, password: str) -> None:
    """Set a new password (the user themself or a site admin)."""
    if actor.user_id != user.id:
        require(actor, "manage_organisations")
    problems = password_problems(password)
    if problems:
        raise Invalid({"password": problems})
    user.password_hash = hash_password(password)
    session.add(user)
    audit.record(session=session, actor=actor, action="user.password", entity_type="user", entity_id=str(user.id))
    session.flush()


def grant(*, session: Session, actor: Actor, user: User, organisation: Organisation, role: str) -> Membership:
    """Give a user a role in an organisation (that organisation's admins, or site admins)."""
    require(actor, "manage_members", organisation.id)
    if role not in codes("role"):
        raise Invalid({"role": [f"Use one of: {', '.join(sorted(codes('role')))}."]})
    existing = session.exec(select(Membership).where(
        Membership.user_id == user.id, Membership.organisation_id == organisation.id, Membership.role == role)).first()
    if existing:
        raise Conflict(f"{user.email} is {role} of {organisation.code} already")
    membership = Membership(user_id=user.id, organisation_id=organisation.id, role=role)
    session.add(membership)
    session.flush()
    audit.record(session=session, actor=actor, action="membership.grant", entity_type="user", entity_id=str(user.id),
                 organisation_id=organisation.id, chain=organisation.code, changes={"role": role})
    return membership


def revoke(*, session: Session, actor: Actor, user: User, organisation: Organisation, role: str) -> None:
    """Take a role away again."""
    require(actor, "manage_members", organisation.id)
    membership = session.exec(select(Membership).where(
        Membership.user_id == user.id, Membership.organisation_id == organisation.id, Membership.role == role)).first()
    if membership is None:
        raise NotFound(f"{user.email} is not {role} of {organisation.code}")
    if role == "org_admin" and not actor.is_site_admin and _admins(session, organisation) <= 1:
        # Site admins need no role to manage an organisation and can add an admin again; an org
        # admin must not lock their organisation out of its own administration.
        raise Conflict(LAST_ADMIN)
    session.delete(membership)
    audit.record(session=session, actor=actor, action="membership.revoke", entity_type="user", entity_id=str(user.id),
                 organisation_id=organisation.id, chain=organisation.code, changes={"role": role})
    session.flush()


def _admins(session: Session, organisation: Organisation) -> int:
    return session.exec(select(func.count()).select_from(Membership).where(
        Membership.organisation_id == organisation.id, Membership.role == "org_admin")).one()


def members(*, session: Session, actor: Actor, organisation: Organisation) -> list[tuple[User, list[str]]]:
    """The accounts with a role in an organisation and their roles there (its admins or site admins)."""
    require(actor, "manage_members", organisation.id)
    rows = session.exec(select(User, Membership.role).join(Membership, Membership.user_id == User.id)
                        .where(Membership.organisation_id == organisation.id).order_by(User.email, Membership.role))
    found: dict[int, tuple[User, list[str]]] = {}
    for user, role in rows:
        found.setdefault(user.id, (user, []))[1].append(role)
    return list(found.values())


def member(*, session: Session, actor: Actor, organisation: Organisation, user_id: int) -> User:
    """One account with a role in the organisation; NotFound for anyone else, so ids elsewhere stay hidden."""
    require(actor, "manage_members", organisation.id)
    user = session.exec(select(User).join(Membership, Membership.user_id == User.id).where(
        User.id == user_id, Membership.organisation_id == organisation.id)).first()
    if user is None:
        raise NotFound(f"no member {user_id} in {organisation.code}")
    return user


def add_member(
    *, session: Session, actor: Actor, organisation: Organisation, email: str, display_name: str, role: str,
) -> tuple[User, bool]:
    """Give a person a role in the organisation, creating their account (without a password) when new.

    Org admins may create accounts, but only this way: for their own organisation, never a site admin.
    The new account signs in after setting a password through a link; returns (user, created).
    """
    require(actor, "manage_members", organisation.id)
    if role not in codes("role"):
        raise Invalid({"role": [f"Use one of: {', '.join(sorted(codes('role')))}."]})
    user = get_by_email(session=session, email=email)
    created = user is None
    if created:
        email = normalise_email(email)
        errors: dict[str, list[str]] = {}
        if "@" not in email or email.startswith("@") or email.endswith("@") or len(email) > 254:
            errors["email"] = ["Give a valid e-mail address."]
        if not (display_name or "").strip() or len(display_name.strip()) > 120:
            errors["display_name"] = ["Give a display name (a role or team name is fine)."]
        if errors:
            raise Invalid(errors)
        user = User(email=email, display_name=display_name.strip(), password_hash=None)
        session.add(user)
        session.flush()
        audit.record(session=session, actor=actor, action="user.create", entity_type="user",
                     entity_id=str(user.id), organisation_id=organisation.id, chain=organisation.code,
                     changes={"site_admin": False})
    grant(session=session, actor=actor, user=user, organisation=organisation, role=role)
    return user, created


def remove_member(*, session: Session, actor: Actor, organisation: Organisation, user_id: int) -> User:
    """Take every role in the organisation away from an account (the account itself stays)."""
    user = member(session=session, actor=actor, organisation=organisation, user_id=user_id)
    roles = session.exec(select(Membership.role).where(
        Membership.user_id == user.id, Membership.organisation_id == organisation.id)).all()
    for role in roles:
        revoke(session=session, actor=actor, user=user, organisation=organisation, role=role)
    return user


def reset_password(*, session: Session, user: User, password: str, request_id: str | None = None) -> None:
    """Set the password of an account through a set-password link (the link's holder acts as the user)."""
    set_password(session=session, actor=actor_for(session=session, user=user, request_id=request_id),
                 user=user, password=password)


def end_sessions(*, session: Session, actor: Actor, user: User) -> None:
    """End every session of the account made until now (on sign-out; the user themself or a site admin)."""
    if actor.user_id != user.id:
        require(actor, "manage_organisations")
    user.sessions_valid_after = now()
    session.add(user)
    audit.record(session=session, actor=actor, action="account.sign_out", entity_type="user",
                 entity_id=str(user.id))
    session.flush()
