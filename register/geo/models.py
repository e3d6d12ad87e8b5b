"""Areas: municipality, province and other boundaries that give organisations their jurisdiction."""

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel


class Area(SQLModel, table=True):
    __tablename__ = "area"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)  # GM0363, PV27, VR01, OD22, NL
    kind: str = Field(max_length=30, index=True)
    name: str = Field(max_length=200)
    geometry: str = Field(sa_column=Column(Text, nullable=False))  # GeoJSON geometry, WGS84
    # Bounding box, so a point lookup only tests the few polygons whose box holds the point.
    min_lon: float = Field(index=True)
    min_lat: float = Field(index=True)
    max_lon: float
    max_lat: float
