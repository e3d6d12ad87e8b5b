"""Organisations: look-up by code or name, creation with jurisdiction areas, figures."""

import re
import unicodedata

from sqlalchemy import func
from sqlmodel import Session, select

from register import audit
from register.accounts.actor import Actor
from register.accounts.authz import require
from register.audit.service import SITE_CHAIN
from register.errors import Invalid, NotFound
from register.geo.models import Area
from register.organisations.models import Organisation, OrganisationArea
from register.vocab import codes


def name_key(name: str) -> str:
    """A spelling-insensitive key: 'Noardeast-Fryslân' and 'Noardeast Fryslân' give the same one."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return "".join(ch for ch in text if ch.isalnum())


def get_by_code(*, session: Session, code: str) -> Organisation:
    """The organisation with this code, or NotFound."""
    found = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if found is None:
        raise NotFound(f"no organisation with code {code!r}")
    return found


def areas_of(*, session: Session, organisation_id: int) -> list[Area]:
    """The jurisdiction areas of an organisation."""
    return list(
        session.exec(
            select(Area).join(OrganisationArea, OrganisationArea.area_id == Area.id)
            .where(OrganisationArea.organisation_id == organisation_id).order_by(Area.code)
        )
    )


def list_all(*, session: Session, type: str | None = None, q: str | None = None, page: int = 1,
             page_size: int = 100) -> tuple[list[Organisation], int]:
    """Organisations by name, optionally of one type or matching a name fragment; and the total."""
    query = select(Organisation)
    if type:
        query = query.where(Organisation.type == type)
    if q:
        query = query.where(func.lower(Organisation.name).contains(q.lower(), autoescape=True))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Organisation.name, Organisation.id).offset((page - 1) * page_size).limit(page_size))
    return list(rows), total


def create(*, session: Session, actor: Actor, data: dict) -> Organisation:
    """Create an organisation with its areas (site admins only); audited in the site chain."""
    require(actor, "manage_organisations")
    errors: dict[str, list[str]] = {}
    code = (data.get("code") or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9]{3,40}", code) or code == SITE_CHAIN:
        # "site" names the register's own audit chain, so no organisation may take it.
        errors["code"] = ["Use 3 to 40 lower-case letters a-z and digits, e.g. gm0363 (not 'site')."]
    elif session.exec(select(Organisation.id).where(Organisation.code == code)).first():
        errors["code"] = [f"An organisation with code {code!r} exists already."]
    if not (data.get("name") or "").strip():
        errors["name"] = ["Give the organisation's name."]
    if data.get("type") not in codes("org_type"):
        errors["type"] = [f"Use one of: {', '.join(sorted(codes('org_type')))}."]
    area_codes = list(data.get("areas") or [])
    areas = list(session.exec(select(Area).where(Area.code.in_(area_codes)))) if area_codes else []
    missing = sorted(set(area_codes) - {a.code for a in areas})
    if missing:
        errors["areas"] = [f"Unknown area code(s): {', '.join(missing)}."]
    parent = None
    if data.get("parent"):
        parent = session.exec(select(Organisation).where(Organisation.code == data["parent"])).first()
        if parent is None:
            errors["parent"] = [f"No organisation with code {data['parent']!r}."]
    if errors:
        raise Invalid(errors)
    org = Organisation(
        code=code, name=data["name"].strip(), type=data["type"], website=data.get("website") or None,
        contact=data.get("contact") or None, dpo_contact=data.get("dpo_contact") or None,
        parent_id=parent.id if parent else None, aliases=list(data.get("aliases") or []),
        four_eyes=data.get("four_eyes", True),
    )
    session.add(org)
    session.flush()
    for area in areas:
        session.add(OrganisationArea(organisation_id=org.id, area_id=area.id))
    audit.ensure_chain(session=session, chain=org.code)
    audit.record(
        session=session, actor=actor, action="organisation.create", entity_type="organisation",
        entity_id=org.code, changes={"name": org.name, "type": org.type, "areas": [a.code for a in areas]},
    )
    session.flush()
    return org
