"""Administration: an organisation's members, roles and API tokens; organisations for site admins.

Every page works on the organisation the person acts for now (portal/office/context.py); the
register's services decide who may do what, so a page only maps their errors to 403/404 and messages.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import login_required
from sqlmodel import select

from portal.office import blueprint, context
from portal.office.auth import set_password_link
from portal.signin import current_actor
from register.accounts import service as accounts
from register.accounts import tokens
from register.accounts.authz import can
from register.accounts.models import User
from register.errors import Conflict, Invalid, NotAuthorised, NotFound
from register.organisations import service as org_service
from register.vocab import codes
from zichtbaar.web import database, read_session

ROLE_LABELS = {"editor": lazy_gettext("Editor"), "approver": lazy_gettext("Approver (privacy officer)"),
               "org_admin": lazy_gettext("Administrator")}
FIELD_MESSAGES = {
    "Give a valid e-mail address.": lazy_gettext("Give a valid e-mail address."),
    "Give a display name (a role or team name is fine).": lazy_gettext(
        "Give a display name (a role or team name is fine)."),
    "Give a name of 1 to 120 characters (what system uses the token).": lazy_gettext(
        "Give a name of 1 to 120 characters (what system uses the token)."),
    "Use 3 to 40 lower-case letters and digits, e.g. gm0363.": lazy_gettext(
        "Use 3 to 40 lower-case letters and digits, e.g. gm0363."),
    "Give the organisation's name.": lazy_gettext("Give the organisation's name."),
}


def _messages(exc: Invalid) -> dict[str, list[str]]:
    """The register's field messages in the visitor's language (known ones; others as they are)."""
    translated: dict[str, list[str]] = {}
    for key, values in exc.errors.items():
        translated[key] = [str(FIELD_MESSAGES[v]) if v in FIELD_MESSAGES else
                           (_("Choose one of the options.") if v.startswith("Use one of:") else v) for v in values]
    return translated


def _organisation_for(action: str):
    """The active organisation, when the signed-in person may do `action` for it (else 403)."""
    org = context.require_organisation()
    if not can(current_actor(), action, org.id):
        abort(403)
    return org


def _no_store(response_tuple):
    response = current_app.make_response(response_tuple)
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- members ----


def _members_page(org, errors=None, form=None, status=200):
    members = accounts.members(session=read_session(), actor=current_actor(), organisation=org)
    return render_template("office/admin_members.html", organisation=org, members=members,
                           roles=sorted(codes("role")), role_labels=ROLE_LABELS, errors=errors or {},
                           form=form or {}), status


@blueprint.get("/leden")
@login_required
def members():
    """The accounts with a role in the organisation, and a form to add one."""
    return _members_page(_organisation_for("manage_members"))


@blueprint.post("/leden")
@login_required
def add_member():
    """Give a person (new or existing account) a role; a new account gets a set-password link, shown once."""
    org = _organisation_for("manage_members")
    form = {k: (request.form.get(k) or "").strip() for k in ("email", "display_name", "role")}
    try:
        with database().unit_of_work() as s:
            user, created = accounts.add_member(session=s, actor=current_actor(), organisation=s.merge(org),
                                                email=form["email"], display_name=form["display_name"],
                                                role=form["role"])
            link = set_password_link(user, s) if created else None
    except Invalid as exc:
        return _members_page(org, _messages(exc), form, 400)
    except Conflict:
        return _members_page(org, {"role": [_("This person has this role already.")]}, form, 409)
    if created:
        return _no_store((render_template("office/admin_member_created.html", organisation=org, user=user,
                                          link=link, role_label=ROLE_LABELS.get(form["role"], form["role"])), 201))
    flash(_("%(email)s is now %(role)s.", email=user.email, role=ROLE_LABELS.get(form["role"], form["role"])), "info")
    return redirect(url_for("office.members"))


@blueprint.post("/leden/<int:user_id>/rollen")
@login_required
def grant_role(user_id: int):
    """Give a member another role."""
    org = _organisation_for("manage_members")
    role = request.form.get("role") or ""
    try:
        with database().unit_of_work() as s:
            user = accounts.member(session=s, actor=current_actor(), organisation=org, user_id=user_id)
            accounts.grant(session=s, actor=current_actor(), user=user, organisation=s.merge(org), role=role)
    except NotFound:
        abort(404)
    except (Invalid, Conflict):
        flash(_("That role could not be given."), "error")
        return redirect(url_for("office.members"))
    flash(_("%(email)s is now %(role)s.", email=user.email, role=ROLE_LABELS.get(role, role)), "info")
    return redirect(url_for("office.members"))


def _last_admin(org):
    """The members page again (409), saying why the organisation's last administrator stays."""
    flash(_("This is the last administrator of %(name)s. Give someone else that role first.", name=org.name),
          "error")
    return _members_page(org, status=409)


@blueprint.post("/leden/<int:user_id>/rollen/<role>/intrekken")
@login_required
def revoke_role(user_id: int, role: str):
    """Take one role away from a member."""
    org = _organisation_for("manage_members")
    try:
        with database().unit_of_work() as s:
            user = accounts.member(session=s, actor=current_actor(), organisation=org, user_id=user_id)
            accounts.revoke(session=s, actor=current_actor(), user=user, organisation=s.merge(org), role=role)
    except NotFound:
        abort(404)
    except Conflict:
        return _last_admin(org)
    flash(_("%(email)s is no longer %(role)s.", email=user.email, role=ROLE_LABELS.get(role, role)), "info")
    return redirect(url_for("office.members"))


@blueprint.post("/leden/<int:user_id>/deactiveren")
@login_required
def remove_member(user_id: int):
    """Take every role in this organisation away from a member (the account itself stays)."""
    org = _organisation_for("manage_members")
    try:
        with database().unit_of_work() as s:
            user = accounts.remove_member(session=s, actor=current_actor(), organisation=s.merge(org), user_id=user_id)
    except NotFound:
        abort(404)
    except Conflict:
        return _last_admin(org)
    flash(_("%(email)s no longer has a role in %(name)s.", email=user.email, name=org.name), "info")
    return redirect(url_for("office.members"))


# ---- API tokens ----


def _tokens_page(org, errors=None, form=None, status=200):
    rows = tokens.list_tokens(session=read_session(), actor=current_actor(), organisation=org)
    maker_ids = {t.created_by_id for t in rows if t.created_by_id} or {-1}
    makers = {u.id: u.email for u in read_session().exec(select(User).where(User.id.in_(maker_ids)))}
    return render_template("office/admin_tokens.html", organisation=org, tokens=rows, makers=makers,
                           token_roles=tokens.TOKEN_ROLES, role_labels=ROLE_LABELS, errors=errors or {},
                           form=form or {}), status


@blueprint.get("/tokens")
@login_required
def api_tokens():
    """The organisation's API tokens (never their secrets), and a form to make one."""
    return _tokens_page(_organisation_for("manage_tokens"))


@blueprint.post("/tokens")
@login_required
def create_api_token():
    """Make a token; its secret is on this one response only (not cached, never shown again)."""
    org = _organisation_for("manage_tokens")
    form = {k: (request.form.get(k) or "").strip() for k in ("name", "role")}
    try:
        with database().unit_of_work() as s:
            token, secret = tokens.create_token(session=s, actor=current_actor(), organisation=s.merge(org),
                                                role=form["role"], name=form["name"])
    except Invalid as exc:
        return _tokens_page(org, _messages(exc), form, 400)
    return _no_store((render_template("office/admin_token_created.html", organisation=org, token=token,
                                      secret=secret, role_label=ROLE_LABELS.get(token.role, token.role)), 201))


@blueprint.post("/tokens/<int:token_id>/intrekken")
@login_required
def revoke_api_token(token_id: int):
    """Revoke a token of this organisation for good."""
    org = _organisation_for("manage_tokens")
    try:
        with database().unit_of_work() as s:
            info = tokens.revoke_token(session=s, actor=current_actor(), token_id=token_id, organisation=s.merge(org))
    except NotFound:
        abort(404)
    except Conflict:
        flash(_("This token was revoked already."), "info")
        return redirect(url_for("office.api_tokens"))
    flash(_("Token %(name)s is revoked.", name=info.name), "info")
    return redirect(url_for("office.api_tokens"))


# ---- organisations (site admins) ----


def _organisations_page(errors=None, form=None, status=200):
    if not current_actor().is_site_admin:
        abort(403)
    q = (request.args.get("q") or "").strip()[:100]
    rows, total = org_service.list_all(session=read_session(), q=q or None, page_size=500)
    return render_template("office/admin_organisations.html", organisations=rows, total=total, q=q,
                           org_types=sorted(codes("org_type")), errors=errors or {}, form=form or {}), status


@blueprint.get("/organisaties")
@login_required
def organisations():
    """Site admins: every organisation, to act for one or to add one (context sends them here first)."""
    return _organisations_page()


@blueprint.post("/organisaties")
@login_required
def create_organisation():
    """Site admins: add an organisation (its areas can be given as codes)."""
    if not current_actor().is_site_admin:
        abort(403)
    form = {k: (request.form.get(k) or "").strip() for k in ("code", "name", "type", "areas", "website")}
    data = {"code": form["code"], "name": form["name"], "type": form["type"], "website": form["website"] or None,
            "areas": [a for a in form["areas"].replace(",", " ").split() if a]}
    try:
        with database().unit_of_work() as s:
            org = org_service.create(session=s, actor=current_actor(), data=data)
    except Invalid as exc:
        return _organisations_page(_messages(exc), form, 400)
    except NotAuthorised:
        abort(403)
    flash(_("%(name)s is added.", name=org.name), "info")
    return redirect(url_for("office.organisations"))
