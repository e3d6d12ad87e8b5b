"""Sign-in, sign-out, password change and the choice of organisation; the session's lifetime checks."""

import hashlib
import time
from datetime import UTC

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer

from portal.office import blueprint, context
from portal.safety import safe_next
from portal.signin import SignedInUser, current_actor
from register.accounts import service as accounts
from register.accounts.authz import can
from register.accounts.models import User
from register.accounts.passwords import MIN_LENGTH, password_problems, verify_password
from register.accounts.signin import SignInRefused
from register.accounts.signin import sign_in as check_sign_in
from register.errors import Invalid
from zichtbaar.web import database, read_session

LINK_HOURS = 72  # a set-password link works this long
ABSOLUTE_HOURS = 12  # a session ends this long after sign-in, however active it is
SIGNED_IN_AT, SEEN_AT, STAMP = "office_signed_in_at", "office_seen_at", "office_stamp"
# Pages a signed-in person may reach without the session checks (they sign in or out themselves).
OPEN_ENDPOINTS = {"office.sign_in", "office.sign_out", "office.set_password"}

PASSWORD_MESSAGES = {
    f"Use at least {MIN_LENGTH} characters.": lazy_gettext("Use at least %(n)s characters.", n=MIN_LENGTH),
    "Use a less predictable password.": lazy_gettext("Use a less predictable password."),
}


def password_messages(problems: list[str]) -> list[str]:
    """The register's password problems in the visitor's language."""
    return [str(PASSWORD_MESSAGES.get(p, p)) for p in problems]


def password_stamp(user: User) -> str:
    """A short fingerprint of the password hash: a password change ends every other session."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _end_session(message: str):
    logout_user()
    session.clear()
    flash(message, "error")
    return redirect(url_for("office.sign_in", next=request.full_path.rstrip("?") if request.method == "GET" else None))


def _signed_out_since(user: User, signed_in_at: float | None) -> bool:
    """True when the account signed out (anywhere) after this session signed in."""
    valid_after = user.sessions_valid_after
    if valid_after is None:
        return False
    if valid_after.tzinfo is None:  # SQLite may hand it back without a zone; it was stored as UTC
        valid_after = valid_after.replace(tzinfo=UTC)
    return signed_in_at is None or signed_in_at <= valid_after.timestamp()


@blueprint.before_request
def _check_session():
    """End a session that was idle too long, is older than the absolute limit, or outlived its password."""
    if not current_user.is_authenticated or request.endpoint in OPEN_ENDPOINTS:
        return None
    config = current_app.config["ZICHTBAAR"]
    clock = time.time()
    user = read_session().get(User, current_user.id)
    # A session without a sign-in stamp is refused once the account has signed out, or a stamp-less
    # cookie would outlive the sign-out below.
    if user is None or _signed_out_since(user, session.get(SIGNED_IN_AT)):
        return _end_session(_("Your session has ended. Sign in again."))
    # Sessions made before these stamps existed (or by the test fixture) start counting now.
    signed_in_at = session.setdefault(SIGNED_IN_AT, clock)
    seen_at = session.get(SEEN_AT, clock)
    if clock - signed_in_at > ABSOLUTE_HOURS * 3600 or clock - seen_at > config.session_minutes * 60:
        return _end_session(_("Your session has ended. Sign in again."))
    stamp = password_stamp(user)
    if session.setdefault(STAMP, stamp) != stamp:
        return _end_session(_("Your password was changed. Sign in again."))
    session[SEEN_AT] = clock
    session.permanent = True
    return None


@blueprint.context_processor
def _office_context():
    """What every back-office page needs: the organisation acted for, the choices, a permission test."""

    def office_can(action: str) -> bool:
        if not current_user.is_authenticated:
            return False
        org = context.active_organisation()
        return can(current_actor(), action, org.id if org else None)

    return {"active_organisation": context.active_organisation, "my_organisations": context.my_organisations,
            "office_can": office_can}


@blueprint.route("/inloggen", methods=["GET", "POST"])
def sign_in():
    """Sign in with e-mail address and password."""
    target = safe_next(request.values.get("next"), url_for("office.dashboard"))
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(target)
    error, status, email = None, 200, ""
    if request.method == "POST":
        email = (request.form.get("email") or "").strip()[:254]
        try:
            user = check_sign_in(database=database(), email=email, password=request.form.get("password") or "",
                                 address=request.remote_addr, request_id=g.get("request_id"))
        except SignInRefused as refused:
            if refused.throttled:
                minutes = max(1, (refused.retry_after_s + 59) // 60)
                response = current_app.make_response((render_template(
                    "office/auth_throttled.html", minutes=minutes), 429))
                response.headers["Retry-After"] = str(refused.retry_after_s)
                return response
            error = _("The e-mail address or password is not correct.")
        else:
            # A fresh session at sign-in: nothing from before (CSRF token, choices) carries over.
            session.clear()
            login_user(SignedInUser(id=user.id, email=user.email, display_name=user.display_name,
                                    is_site_admin=user.is_site_admin))
            session.permanent = True
            session[SIGNED_IN_AT] = session[SEEN_AT] = time.time()
            session[STAMP] = password_stamp(user)
            return redirect(target)
    next_value = safe_next(request.values.get("next"), "")  # carried on only when it is safe
    return render_template("office/auth_sign_in.html", error=error, email=email, next=next_value), status


@blueprint.post("/uitloggen")
def sign_out():
    """Sign out: this session and every other session of the account end (the cookie alone is not enough).

    Flask's sessions live in the cookie, so clearing it here would not stop a copy of it; marking the
    account instead ends all of its sessions, in other browsers too, which is the safe side to err on.
    """
    if current_user.is_authenticated:
        with database().unit_of_work() as s:
            user = s.get(User, current_user.id)
            if user is not None:
                accounts.end_sessions(session=s, actor=current_actor(), user=user)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("office.sign_in"))


@blueprint.route("/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password():
    """Change your own password: the current one, then the new one twice."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        current = request.form.get("current") or ""
        new = request.form.get("new") or ""
        repeat = request.form.get("repeat") or ""
        user = read_session().get(User, current_user.id)
        if not verify_password(user.password_hash, current):
            errors["current"] = [_("This is not your current password.")]
        problems = password_problems(new)
        if problems:
            errors["new"] = password_messages(problems)
        elif new == current:
            errors["new"] = [_("Choose a password that differs from the current one.")]
        if new != repeat:
            errors["repeat"] = [_("The two new passwords differ.")]
        if not errors:
            with database().unit_of_work() as s:
                user = s.get(User, current_user.id)
                accounts.set_password(session=s, actor=current_actor(), user=user, password=new)
                stamp = password_stamp(user)
            session[STAMP] = stamp
            flash(_("Your password is changed. Other sessions are signed out."), "info")
            return redirect(url_for("office.dashboard"))
    return render_template("office/auth_password.html", errors=errors), (400 if errors else 200)


@blueprint.post("/organisatie")
@login_required
def choose_organisation():
    """Act for another of your organisations (site admins: for any organisation)."""
    org = context.set_active_organisation(request.form.get("organisation") or "")
    if org is None:
        return render_template("office/auth_forbidden.html"), 403
    flash(_("You now act for %(name)s.", name=org.name), "info")
    return redirect(safe_next(request.form.get("next"), url_for("office.dashboard")))


def _link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="office-set-password")


def set_password_link(user: User, db_session=None) -> str:
    """A link to choose a password, valid for LINK_HOURS, until a password is set or the account's roles change.

    Pass the write session when the roles were just changed in it, so the link sees them.
    """
    access = accounts.access_fingerprint(session=db_session or read_session(), user=user)
    token = _link_serializer().dumps({"u": user.id, "s": password_stamp(user), "a": access})
    return url_for("office.set_password", token=token, _external=True)


def _link_user(token: str, db_session=None) -> User | None:
    try:
        data = _link_serializer().loads(token, max_age=LINK_HOURS * 3600)
    except BadData:
        return None
    db_session = db_session or read_session()
    user = db_session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    # The stamp changes once a password is set, so a used link stops working; the access fingerprint
    # changes with any later grant or revoke, so the link's maker cannot take over access others give.
    if user is None or not user.active or data.get("s") != password_stamp(user):
        return None
    if data.get("a") != accounts.access_fingerprint(session=db_session, user=user):
        return None
    return user


@blueprint.route("/wachtwoord-instellen/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Choose a password through the link an organisation's admin passed on (new accounts)."""
    user = _link_user(token)
    if user is None:
        return render_template("office/auth_link_invalid.html"), 404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        new = request.form.get("new") or ""
        if new != (request.form.get("repeat") or ""):
            errors["repeat"] = [_("The two new passwords differ.")]
        if not errors:
            try:
                with database().unit_of_work() as s:
                    # Checked again in the write transaction: a grant since the check above voids the link.
                    fresh = _link_user(token, s)
                    if fresh is None:
                        return render_template("office/auth_link_invalid.html"), 404
                    accounts.reset_password(session=s, user=fresh, password=new, request_id=g.get("request_id"))
            except Invalid as exc:
                errors = {"new": password_messages(exc.errors.get("password", []))}
            else:
                logout_user()
                session.clear()
                flash(_("Your password is set. Sign in with it."), "info")
                return redirect(url_for("office.sign_in"))
    response = current_app.make_response((render_template(
        "office/auth_set_password.html", user=user, token=token, errors=errors), 400 if errors else 200))
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is a secret; keep it out of Referer headers
    response.headers["Cache-Control"] = "no-store"
    return response
