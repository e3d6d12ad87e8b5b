"""The internal audit log: append-only entries per organisation, chained by hash."""

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    chain: str = Field(max_length=40)  # the organisation's code, or "site" for site-wide events
    seq: int
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="account.id")
    actor_label: str = Field(max_length=254)
    action: str = Field(max_length=60, index=True)
    entity_type: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=60, index=True)
    changes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    request_id: str | None = Field(default=None, max_length=64)
    created_at: datetime
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditChainHead(SQLModel, table=True):
    """The newest entry of each chain; updating it first serialises concurrent writers to one chain."""

    __tablename__ = "audit_chain_head"

    chain: str = Field(primary_key=True, max_length=40)
    seq: int = 0
    hash: str = Field(max_length=64)
