"""The organisation a signed-in person acts for now, shared by every back-office page.

A person with roles in several organisations picks one (POST /beheer/organisatie stores its code in
the session); without a choice the first organisation they have a role in is used. Site admins may act
for any organisation, but only once they have picked one.
"""

from flask import abort, g, redirect, session, url_for
from flask_login import current_user
from sqlmodel import select

from portal.signin import current_actor
from register.organisations.models import Organisation
from zichtbaar.web import read_session

SESSION_KEY = "office_org"


def my_organisations() -> list[Organisation]:
    """The organisations the signed-in person has a role in, by name (for site admins: all of them)."""
    if not current_user.is_authenticated:
        return []
    if "office_my_orgs" not in g:
        actor = current_actor()
        query = select(Organisation).order_by(Organisation.name, Organisation.id)
        if not actor.is_site_admin:
            ids = [org_id for org_id, roles in actor.roles.items() if roles]
            query = query.where(Organisation.id.in_(ids or [-1]))
        g.office_my_orgs = list(read_session().exec(query))
    return g.office_my_orgs


def may_act_for(organisation: Organisation) -> bool:
    """True when the signed-in person may act for this organisation (a role in it, or site admin)."""
    if not current_user.is_authenticated:
        return False
    actor = current_actor()
    return actor.is_site_admin or bool(actor.roles_in(organisation.id))


def _by_code(code: str) -> Organisation | None:
    return read_session().exec(select(Organisation).where(Organisation.code == code)).first()


def active_organisation() -> Organisation | None:
    """The organisation the signed-in person acts for now, or None (anonymous, no role, site admin unpicked)."""
    if not current_user.is_authenticated:
        return None
    if "office_active_org" in g:
        return g.office_active_org
    chosen = None
    code = session.get(SESSION_KEY)
    if isinstance(code, str) and code:
        org = _by_code(code)
        # Roles can be revoked after the choice was stored, so the choice is checked on every request.
        if org is not None and may_act_for(org):
            chosen = org
    if chosen is None and not current_actor().is_site_admin:
        mine = my_organisations()
        chosen = mine[0] if mine else None
    g.office_active_org = chosen
    return chosen


def set_active_organisation(code: str) -> Organisation | None:
    """Store the choice of organisation in the session when allowed; returns it, or None when refused."""
    org = _by_code(code) if isinstance(code, str) and code else None
    if org is None or not may_act_for(org):
        return None
    session[SESSION_KEY] = org.code
    g.pop("office_active_org", None)
    return org


def require_organisation() -> Organisation:
    """The active organisation; aborts (403 for a person without any role, a redirect for a site admin)."""
    org = active_organisation()
    if org is not None:
        return org
    if current_user.is_authenticated and current_actor().is_site_admin:
        # A site admin first picks the organisation to act for.
        abort(redirect(url_for("office.organisations")))
    abort(403)
