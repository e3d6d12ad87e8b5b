"""Registrations: the common core, the three kinds' specifics, links, versions and public-id counters."""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from register.clock import now

# Published items are listed; withdrawn ones stay public, marked so. Everything else is internal.
PUBLIC_STATES = ("published", "withdrawn")


def _json(default=list):
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


def _text():
    return Field(default=None, sa_column=Column(Text, nullable=True))


class Registration(SQLModel, table=True):
    """The working copy of one registration; what the public sees is its latest published version."""

    __tablename__ = "registration"
    __table_args__ = (
        Index("ix_registration_public_listing", "state", "kind", "last_published_at"),
        # What applies in a jurisdiction: an organisation's algorithms and agreements (without its many
        # sensors), and its few restricted sensors.
        Index("ix_registration_org_kind_state_openness", "organisation_id", "kind", "state", "openness"),
        # National lists page in their sort order by walking these, instead of sorting a million rows.
        Index("ix_registration_last_published", "last_published_at", "id"),
        Index("ix_registration_title", "title", "id"),
        Index("ix_registration_kind_last_published", "kind", "last_published_at", "id"),
        Index("ix_registration_kind_title", "kind", "title", "id"),
        # Covers the registration facets' grouped count (queries.facets) without reading the table.
        Index("ix_registration_facets", "state", "kind", "personal_data", "dpia_status", "lifecycle"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=40, unique=True)
    kind: str = Field(max_length=20)
    organisation_id: int = Field(foreign_key="organisation.id")
    state: str = Field(default="draft", max_length=20)

    title: str = Field(max_length=100)
    summary: str = Field(max_length=350)
    description: str | None = _text()
    purpose: str = Field(sa_column=Column(Text, nullable=False))
    themes: list = _json()
    legal_basis: list = _json()
    gdpr_ground: str = Field(max_length=40)
    art9_exception: str | None = Field(default=None, max_length=40)
    personal_data: str = Field(max_length=40, index=True)
    data_categories: list = _json()
    data_subjects: list = _json()
    retention_period: str | None = Field(default=None, max_length=40)
    retention_note: str | None = _text()
    dpia: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    dpia_status: str | None = Field(default=None, max_length=40, index=True)  # copied from dpia for filters
    assessments: list = _json()
    lifecycle: str = Field(max_length=40)
    start_date: date | None = None
    end_date: date | None = None
    review_date: date | None = Field(default=None, index=True)
    contact: str = Field(max_length=300)
    objection: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    openness: str = Field(default="public", max_length=20)
    restriction_reason: str | None = _text()
    oversight_body: str | None = Field(default=None, max_length=200)
    en: dict = _json(dict)  # English versions of text fields
    provenance: dict = _json(dict)
    source_ref: str | None = Field(default=None, max_length=120, unique=True)  # provenance.ref, for idempotent imports

    withdrawal_reason: str | None = _text()
    # Edits to an item that is already public wait here until they are published, so the public
    # keeps seeing the published text meanwhile.
    revision: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    revision_state: str | None = Field(default=None, max_length=20)  # draft or in_review

    last_editor_id: int | None = Field(default=None, foreign_key="account.id")
    last_editor_label: str | None = Field(default=None, max_length=254)  # for four-eyes across users and tokens
    version_count: int = 0
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now, index=True)
    first_published_at: datetime | None = None
    last_published_at: datetime | None = None


class AlgorithmDetails(SQLModel, table=True):
    __tablename__ = "algorithm"

    registration_id: int = Field(foreign_key="registration.id", primary_key=True, ondelete="CASCADE")
    algorithm_type: str | None = Field(default=None, max_length=40, index=True)
    self_learning: bool | None = None
    publication_category: str | None = Field(default=None, max_length=40, index=True)
    ai_act_class: str | None = Field(default=None, max_length=40)
    eu_database_ref: str | None = Field(default=None, max_length=100)
    decision_role: str | None = Field(default=None, max_length=40)
    automated_decision: bool | None = None
    human_intervention: str | None = _text()
    inputs: list = _json()
    affected_groups: list = _json()
    impact: str | None = _text()
    proportionality: str | None = _text()
    alternatives: str | None = _text()
    risks: str | None = _text()
    mitigations: str | None = _text()
    rights_test: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    error_rates: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    monitoring: str | None = _text()
    supplier: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    hosting: str | None = Field(default=None, max_length=20)
    source_code_url: str | None = Field(default=None, max_length=500)
    processing_register_url: str | None = Field(default=None, max_length=500)
    lars: str | None = Field(default=None, max_length=40, index=True)


class SensorDetails(SQLModel, table=True):
    __tablename__ = "sensor"
    # Near-me reads a handful of grid cells and filters by box inside each (see register/geo/grid.py).
    __table_args__ = (
        # Covers near-me's point query entirely: which cells, where exactly, on the map, a point at all.
        Index("ix_sensor_near", "cell", "lat", "lon", "public", "shape"),
        # Covers the box test of mobile sensors' areas and routes without reading the table.
        Index("ix_sensor_shape_box_public", "shape", "min_lat", "max_lat", "min_lon", "max_lon", "public"),
        # Covers the sensor facets' grouped count (queries.facets) without reading the wide sensor rows.
        Index("ix_sensor_facets", "registration_id", "sensor_type", "identifiability"),
    )

    registration_id: int = Field(foreign_key="registration.id", primary_key=True, ondelete="CASCADE")
    sensor_type: str = Field(max_length=40, index=True)
    measures: str = Field(sa_column=Column(Text, nullable=False))
    location: dict = _json(dict)  # GeoJSON geometry, WGS84
    location_description: str | None = _text()
    device_count: int = 1
    operator: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    identifiability: str = Field(max_length=20, index=True)
    processing: list = _json()
    access: list = _json()
    storage_location: str | None = Field(default=None, max_length=300)
    influences_behaviour: bool | None = None
    opt_out: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    active_from: date | None = None
    active_until: date | None = None
    privacy_statement_url: str | None = Field(default=None, max_length=500)
    # On the public map: the registration is published and public. Kept here by the workflow service so
    # near-me reads only this table and its index (a join lets a planner without statistics go astray).
    public: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Derived from `location`: its shape, a representative point, the bounding box, the grid cell.
    shape: str = Field(default="point", max_length=10)  # point, area or route
    lat: float
    lon: float
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float
    cell: int = Field(sa_column=Column(BigInteger, nullable=False))


class AgreementDetails(SQLModel, table=True):
    __tablename__ = "agreement"

    registration_id: int = Field(foreign_key="registration.id", primary_key=True, ondelete="CASCADE")
    parties: list = _json()
    direction: str | None = Field(default=None, max_length=20)
    legal_power: str = Field(sa_column=Column(Text, nullable=False))
    agreement_type: str = Field(max_length=40, index=True)
    document_url: str | None = Field(default=None, max_length=500)
    sharing_method: str | None = Field(default=None, max_length=40)
    frequency: str | None = Field(default=None, max_length=40)
    security_measures: str | None = _text()
    further_use: str | None = _text()
    areas: list = _json()


class RegistrationLink(SQLModel, table=True):
    __tablename__ = "registration_link"
    __table_args__ = (UniqueConstraint("source_id", "target_public_id", "relation"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="registration.id", index=True, ondelete="CASCADE")
    target_public_id: str = Field(max_length=40, index=True)
    relation: str = Field(max_length=40)


class RegistrationVersion(SQLModel, table=True):
    """An immutable public snapshot, made by publishing, withdrawing or archiving."""

    __tablename__ = "registration_version"
    __table_args__ = (UniqueConstraint("registration_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    registration_id: int = Field(foreign_key="registration.id", index=True)
    number: int
    state: str = Field(max_length=20)
    snapshot: dict = _json(dict)
    change_note: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=now)
    created_by_id: int | None = Field(default=None, foreign_key="account.id")  # internal only


class PublicIdCounter(SQLModel, table=True):
    """The last number handed out per prefix (e.g. SEN-GM0772), so a public id is never reused."""

    __tablename__ = "public_id_counter"

    prefix: str = Field(primary_key=True, max_length=40)
    last: int = 0
