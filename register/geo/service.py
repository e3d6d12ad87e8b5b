"""Which areas, and so which organisations, hold a point."""

from sqlmodel import Session, select

from register.geo.geometry import area_contains
from register.geo.models import Area
from register.organisations.models import OrganisationArea


def areas_containing(*, session: Session, lat: float, lon: float) -> list[Area]:
    """Every area whose polygon holds the point (the box filter runs in SQL, the polygon test here)."""
    candidates = session.exec(
        select(Area).where(Area.min_lat <= lat, Area.max_lat >= lat, Area.min_lon <= lon, Area.max_lon >= lon)
    )
    return [a for a in candidates if area_contains((a.id, a.code), a.geometry, lat, lon)]


def organisation_covers(*, session: Session, organisation_id: int, lat: float, lon: float) -> bool:
    """True when the point lies in one of the organisation's areas (or it has no areas at all)."""
    areas = list(session.exec(
        select(Area).join(OrganisationArea, OrganisationArea.area_id == Area.id)
        .where(OrganisationArea.organisation_id == organisation_id)
    ))
    return not areas or any(area_contains((a.id, a.code), a.geometry, lat, lon) for a in areas)
