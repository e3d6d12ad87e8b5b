"""A report from the public portal, kept for the organisation's back office (internal, never listed publicly)."""

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from register.clock import now

REPORT_KINDS = ("error", "missing_sensor", "other")
REPORT_STATES = ("open", "answered", "closed")


class Report(SQLModel, table=True):
    __tablename__ = "report"
    __table_args__ = (Index("ix_report_org_state", "organisation_id", "state", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    registration_id: int | None = Field(default=None, foreign_key="registration.id", index=True)
    kind: str = Field(max_length=20)
    message: str = Field(sa_column=Column(Text, nullable=False))
    lat: float | None = None  # where a missing sensor stands, when the reporter says
    lon: float | None = None
    contact: str | None = Field(default=None, max_length=254)  # optional: only if the reporter wants an answer
    state: str = Field(default="open", max_length=20)
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    handled_by_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)
