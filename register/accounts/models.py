"""Accounts (internal): users, their memberships with a role per organisation, and API tokens."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from register.clock import now


class User(SQLModel, table=True):
    __tablename__ = "account"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # stored lower-case
    display_name: str = Field(max_length=120)
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = True
    is_site_admin: bool = False
    last_sign_in_at: datetime | None = None
    # Sessions signed in before this moment are no longer accepted (set at sign-out).
    sessions_valid_after: datetime | None = None
    created_at: datetime = Field(default_factory=now)


class Membership(SQLModel, table=True):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="account.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    role: str = Field(max_length=20)  # vocabulary role: editor, approver, org_admin


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    role: str = Field(max_length=20)
    name: str = Field(max_length=120)
    prefix: str = Field(max_length=16)  # shown in lists so a token can be recognised
    token_hash: str = Field(max_length=64, unique=True)  # sha256 of the secret; the secret is shown once
    created_by_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=now)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins counted per account and per address, so guessing slows down and then stops."""

    __tablename__ = "sign_in_throttle"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)  # "account:<id>" or "address:<ip>"
    failures: int = 0
    window_started_at: datetime = Field(default_factory=now)
    locked_until: datetime | None = None
