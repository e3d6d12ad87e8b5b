"""Organisations: the accountable bodies that register, with their jurisdiction areas."""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from register.clock import now


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)  # TOOI/CBS style: gm0363, pv27, ws0155
    name: str = Field(max_length=200, index=True)
    type: str = Field(max_length=40, index=True)  # vocabulary org_type
    website: str | None = Field(default=None, max_length=300)
    contact: str | None = Field(default=None, max_length=300)  # a role mailbox, URL or phone
    dpo_contact: str | None = Field(default=None, max_length=300)  # the FG's role mailbox
    parent_id: int | None = Field(default=None, foreign_key="organisation.id")
    four_eyes: bool = True  # approver must differ from the last editor
    aliases: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=now)


class OrganisationArea(SQLModel, table=True):
    __tablename__ = "organisation_area"

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    area_id: int = Field(foreign_key="area.id", primary_key=True, index=True)
