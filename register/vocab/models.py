"""The vocabularies as a table, so SQL and the API can resolve codes; filled from vocabularies.json."""

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class VocabularyTerm(SQLModel, table=True):
    __tablename__ = "vocabulary_term"
    __table_args__ = (UniqueConstraint("vocabulary", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    vocabulary: str = Field(max_length=40, index=True)
    code: str = Field(max_length=60)
    label_nl: str = Field(max_length=200)
    label_en: str = Field(max_length=200)
    position: int = 0
    extra: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
