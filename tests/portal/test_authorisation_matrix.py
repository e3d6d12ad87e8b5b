"""The authorisation matrix: every back-office route and every organisation-API route x every kind of actor.

HOW TO ADD A ROW
  `test_every_route_is_in_the_matrix` fails when a route of the `office` blueprint, or an API route that
  takes bearer tokens (documented with auth=True), has no row here. Add one row per route and method:

    Row("office.my_endpoint", "POST", "/beheer/iets/{draft_a}", form={"field": "value"},
        expect=roles(editor_a=302, approver_a=302, site_admin=302)),

  * url is a sample URL; {placeholders} (in the url and in form values) are filled from OBJECTS below,
    made for each cell anew and only when used: add a maker there for a new kind of object. The cells of
    a row share one database, so an object a cell may change must be fresh per cell ({n} is unique).
  * form (back office) is posted with a valid CSRF token; json (API) is sent as the JSON body.
  * expect maps every actor to a status code or LOGIN (a redirect to the sign-in page). Helpers:
      roles(ok=..., **overrides) -> office actors: anonymous LOGIN, everyone else 403, overrides win;
      tokens(**overrides)        -> API actors: anonymous 401, revoked_a 401, everyone else 403.
    A 302 may also be given as "302:/path" to check where it goes.
  * Several rows per route are fine (e.g. the same route on another organisation's object).

ACTORS
  Back office: anonymous, editor_a, approver_a, admin_a (organisation A = gm0772), editor_b (B = gm0363)
  and site_admin, who acts for A (its session has chosen gm0772).
  Organisation API: tokens made through register/accounts/tokens.py: editor_a, approver_a (A), editor_b (B),
  revoked_a (a revoked approver token of A) and anonymous (no token).

Every refused cell (LOGIN/401/403/404) also checks that nothing changed: no audit entry, no registration.
"""

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func
from sqlmodel import select

from api.conventions import camelize
from register.accounts import service as accounts
from register.accounts import tokens as token_service
from register.accounts.models import User
from register.audit.models import AuditEntry
from register.organisations.service import get_by_code
from register.registrations import service
from register.registrations.models import Registration
from tests.factories import payload
from tests.portal.conftest import csrf_token

LOGIN = "login"
OFFICE_ACTORS = ("anonymous", "editor_a", "approver_a", "admin_a", "editor_b", "site_admin")
API_ACTORS = ("anonymous", "editor_a", "approver_a", "editor_b", "revoked_a")
REFUSED = {LOGIN, 401, 403, 404}


def roles(ok: int | str | None = None, **overrides) -> dict:
    """Office expectations: anonymous must sign in, others are refused (403) unless named."""
    expect = {"anonymous": LOGIN, **{a: 403 for a in OFFICE_ACTORS[1:]}}
    if ok is not None:
        expect.update({a: ok for a in OFFICE_ACTORS[1:]})
    expect.update(overrides)
    return expect


def tokens(**overrides) -> dict:
    """API expectations: no token or a revoked one is 401, other tokens are refused (403) unless named."""
    return {"anonymous": 401, "revoked_a": 401, **{a: 403 for a in ("editor_a", "approver_a", "editor_b")},
            **overrides}


def api_body(kind="sensor") -> dict:
    data = payload(kind)
    data.pop("organisation")
    return camelize(data)


@dataclass
class Row:
    endpoint: str
    method: str
    url: str
    expect: dict
    form: dict | None = None
    json: object = None
    api: bool = field(default=False)

    def __post_init__(self):
        self.api = self.endpoint.startswith("api.")
        actors = API_ACTORS if self.api else OFFICE_ACTORS
        assert set(self.expect) == set(actors), f"{self.endpoint}: give every actor of {actors}"

    @property
    def id(self) -> str:
        return f"{self.method} {self.url}"


ADMIN = {"admin_a": 200, "site_admin": 200}
AUDIT = {"approver_a": 200, "admin_a": 200, "site_admin": 200}

MATRIX: list[Row] = [
    # ---- sign-in, sign-out, password, choice of organisation (portal/office/auth.py) ----
    Row("office.sign_in", "GET", "/beheer/inloggen", roles(ok=302, anonymous=200)),
    Row("office.sign_in", "POST", "/beheer/inloggen", roles(ok=200, anonymous=200),
        form={"email": "nobody{n}@test.invalid", "password": "wrong wrong wrong"}),
    Row("office.sign_out", "POST", "/beheer/uitloggen", roles(ok=302, anonymous=302)),
    Row("office.change_password", "GET", "/beheer/wachtwoord", roles(ok=200)),
    Row("office.change_password", "POST", "/beheer/wachtwoord", roles(ok=400), form={"current": "x"}),
    Row("office.choose_organisation", "POST", "/beheer/organisatie", roles(ok=302, editor_b=403),
        form={"organisation": "gm0772"}),
    Row("office.choose_organisation", "POST", "/beheer/organisatie",
        roles(ok=403, editor_b=302, site_admin=302), form={"organisation": "gm0363"}),
    Row("office.set_password", "GET", "/beheer/wachtwoord-instellen/{link_a}",
        roles(ok=200, anonymous=200)),
    Row("office.set_password", "GET", "/beheer/wachtwoord-instellen/forged", roles(ok=404, anonymous=404)),
    Row("office.set_password", "POST", "/beheer/wachtwoord-instellen/forged", roles(ok=404, anonymous=404),
        form={"new": "a long enough password 1", "repeat": "a long enough password 1"}),
    # ---- members, tokens, organisations (portal/office/admin.py) ----
    Row("office.members", "GET", "/beheer/leden", roles(**ADMIN)),
    Row("office.add_member", "POST", "/beheer/leden", roles(admin_a=201, site_admin=201),
        form={"email": "new.person{n}@test.invalid", "display_name": "Nieuw", "role": "editor"}),
    Row("office.grant_role", "POST", "/beheer/leden/{user_a}/rollen", roles(admin_a=302, site_admin=302),
        form={"role": "approver"}),
    Row("office.grant_role", "POST", "/beheer/leden/{user_b}/rollen", roles(admin_a=404, site_admin=404),
        form={"role": "approver"}),
    Row("office.revoke_role", "POST", "/beheer/leden/{user_a}/rollen/editor/intrekken",
        roles(admin_a=302, site_admin=302)),
    Row("office.revoke_role", "POST", "/beheer/leden/{user_b}/rollen/editor/intrekken",
        roles(admin_a=404, site_admin=404)),
    Row("office.remove_member", "POST", "/beheer/leden/{user_a}/deactiveren", roles(admin_a=302, site_admin=302)),
    Row("office.remove_member", "POST", "/beheer/leden/{user_b}/deactiveren", roles(admin_a=404, site_admin=404)),
    Row("office.api_tokens", "GET", "/beheer/tokens", roles(**ADMIN)),
    Row("office.create_api_token", "POST", "/beheer/tokens", roles(admin_a=201, site_admin=201),
        form={"name": "Zaaksysteem", "role": "editor"}),
    Row("office.revoke_api_token", "POST", "/beheer/tokens/{token_a}/intrekken", roles(admin_a=302, site_admin=302)),
    Row("office.revoke_api_token", "POST", "/beheer/tokens/{token_b}/intrekken", roles(admin_a=404, site_admin=404)),
    Row("office.organisations", "GET", "/beheer/organisaties", roles(site_admin=200)),
    Row("office.create_organisation", "POST", "/beheer/organisaties", roles(site_admin=302),
        form={"code": "zz0001", "name": "Gemeente Proef", "type": "municipality"}),
    # ---- audit log (portal/office/audit_log.py) ----
    Row("office.audit_log", "GET", "/beheer/audit", roles(**AUDIT)),
    Row("office.audit_log", "GET", "/beheer/audit?chain=site", roles(site_admin=200)),
    Row("office.audit_csv", "GET", "/beheer/audit.csv", roles(**AUDIT)),
    Row("office.audit_verify", "POST", "/beheer/audit/verify", roles(**AUDIT)),
    Row("office.audit_verify", "POST", "/beheer/audit/verify", roles(site_admin=200), form={"chain": "site"}),
    # ---- organisation API (api/organisation_api.py, api/standard.py): tokens ----
    Row("api.create_registration", "POST", "/api/v1/organisations/gm0772/registrations",
        tokens(editor_a=201, approver_a=201), json=api_body()),
    Row("api.create_registration", "POST", "/api/v1/organisations/gm0363/registrations",
        tokens(editor_b=201), json=api_body()),
    Row("api.list_own_registrations", "GET", "/api/v1/organisations/gm0772/registrations",
        tokens(editor_a=200, approver_a=200)),
    Row("api.list_own_registrations", "GET", "/api/v1/organisations/nosuchorg/registrations",
        tokens(editor_a=404, approver_a=404, editor_b=404)),
    Row("api.update_registration", "PUT", "/api/v1/registrations/{draft_a}",
        tokens(editor_a=200, approver_a=200), json=api_body()),
    Row("api.submit_registration", "POST", "/api/v1/registrations/{draft_a}/submit",
        tokens(editor_a=200, approver_a=200)),
    Row("api.publish_registration", "POST", "/api/v1/registrations/{review_a}/publish",
        tokens(approver_a=201), json={"changeNote": "Eerste versie."}),
    Row("api.withdraw_registration", "POST", "/api/v1/registrations/{published_a}/withdraw",
        tokens(approver_a=201), json={"reason": "Niet meer in gebruik."}),
    Row("api.archive_registration", "POST", "/api/v1/registrations/{draft_a}/archive", tokens(approver_a=200)),
    Row("api.import_standard", "POST", "/api/v1/organisations/gm0772/publicatiestandaard",
        tokens(editor_a=200, approver_a=200), json=[]),
    # ---- dashboard, registration forms and workflow, reports, import/export (work part) ----
    Row("office.dashboard", "GET", "/beheer/", roles(ok=200)),
    Row("office.registration_new", "GET", "/beheer/registraties/nieuw/sensor", roles(ok=200, admin_a=403)),
    Row("office.registration_new", "POST", "/beheer/registraties/nieuw/sensor", roles(ok=400, admin_a=403),
        form={"title": "Onvolledig", "save": "1"}),
    Row("office.registration", "GET", "/beheer/registraties/{draft_a}", roles(ok=200, editor_b=403)),
    Row("office.registration_edit", "GET", "/beheer/registraties/{draft_a}/bewerken",
        roles(editor_a=200, approver_a=200, site_admin=200)),
    Row("office.registration_edit", "POST", "/beheer/registraties/{draft_a}/bewerken",
        roles(editor_a=400, approver_a=400, site_admin=400), form={"title": "Onvolledig", "save": "1"}),
    Row("office.registration_preview", "GET", "/beheer/registraties/{draft_a}/voorbeeld",
        roles(ok=200, editor_b=403)),
    Row("office.registration_submit", "POST", "/beheer/registraties/{draft_a}/indienen",
        roles(editor_a=302, approver_a=302, site_admin=302)),
    Row("office.registration_publish", "POST", "/beheer/registraties/{review_a}/publiceren",
        roles(approver_a=302, site_admin=302), form={"change_note": "Eerste versie."}),
    Row("office.registration_return", "POST", "/beheer/registraties/{review_a}/terugsturen",
        roles(approver_a=302, site_admin=302), form={"reason": "Doel is te vaag."}),
    Row("office.registration_withdraw", "POST", "/beheer/registraties/{published_a}/intrekken",
        roles(approver_a=302, site_admin=302), form={"reason": "Niet meer in gebruik."}),
    Row("office.registration_archive", "POST", "/beheer/registraties/{draft_a}/archiveren",
        roles(approver_a=302, admin_a=302, site_admin=302)),
    Row("office.reports_inbox", "GET", "/beheer/meldingen", roles(ok=200)),
    Row("office.report", "GET", "/beheer/meldingen/{report_a}", roles(ok=200, editor_b=403)),
    Row("office.report_handle", "POST", "/beheer/meldingen/{report_a}",
        roles(editor_a=302, approver_a=302, site_admin=302), form={"state": "closed"}),
    Row("office.import_start", "GET", "/beheer/import", roles(ok=200, admin_a=403)),
    Row("office.import_template", "GET", "/beheer/import/sjabloon/sensor.csv", roles(ok=200, admin_a=403)),
    Row("office.import_file", "POST", "/beheer/import", roles(ok=400, admin_a=403), form={"action": "check"}),
    Row("office.export", "GET", "/beheer/export", roles(ok=200)),
    Row("office.export", "GET", "/beheer/export?formaat=jsonl", roles(ok=200)),
]


# ---- objects the sample URLs name; made per cell, only when a row's URL uses them ----


def _user(db, key) -> int:
    with db.unit_of_work(write=False) as s:
        return s.exec(select(User.id).where(User.email == f"{key}@test.invalid")).one()


def _member(db, actors, n) -> int:
    """A fresh editor of A, so a cell that changes its roles leaves the next cell a member to work on."""
    with db.unit_of_work() as s:
        user, _ = accounts.add_member(session=s, actor=actors["site_admin"],
                                      organisation=get_by_code(session=s, code="gm0772"),
                                      email=f"member{n}@test.invalid", display_name=f"member {n}", role="editor")
    return user.id


def _token(db, actors, code) -> int:
    with db.unit_of_work() as s:
        token, _ = token_service.create_token(session=s, actor=actors["site_admin"],
                                              organisation=get_by_code(session=s, code=code), role="editor",
                                              name=f"sample {code}")
    return token.id


def _registration(db, actors, state: str) -> str:
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload("sensor")).registration.public_id
        if state != "draft":
            service.submit(session=s, actor=actors["editor_a"], public_id=pid)
        if state == "published":
            service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Nieuw.")
    return pid


def _link(app, db, key) -> str:
    from portal.office.auth import set_password_link

    with db.unit_of_work(write=False) as s:
        user = s.exec(select(User).where(User.email == f"{key}@test.invalid")).one()
    with app.test_request_context():
        return set_password_link(user).rsplit("/", 1)[1]


# Each maker gets (app, db, actors, n) with n unique per cell; objects a cell may change are made fresh.
OBJECTS: dict[str, Callable] = {
    "n": lambda app, db, actors, n: n,
    "user_a": lambda app, db, actors, n: _member(db, actors, n),
    "user_b": lambda app, db, actors, n: _user(db, "editor_b"),
    "token_a": lambda app, db, actors, n: _token(db, actors, "gm0772"),
    "token_b": lambda app, db, actors, n: _token(db, actors, "gm0363"),
    "draft_a": lambda app, db, actors, n: _registration(db, actors, "draft"),
    "review_a": lambda app, db, actors, n: _registration(db, actors, "in_review"),
    "published_a": lambda app, db, actors, n: _registration(db, actors, "published"),
    "link_a": lambda app, db, actors, n: _link(app, db, "approver_a"),
}


def _report(db, code="gm0772") -> int:
    """A fresh citizen's report for an organisation (work part)."""
    from register.reports import service as reports

    with db.unit_of_work() as s:
        return reports.submit(session=s, data={"kind": "error", "message": "Deze sensor hangt er niet meer.",
                                               "organisation": code}).id


OBJECTS["report_a"] = lambda app, db, actors, n: _report(db)


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _fill(row: "Row", app, db, actors, n: int) -> tuple[str, dict | None]:
    """The row's URL and form with their placeholders filled for one cell."""
    texts = [row.url] + [v for v in (row.form or {}).values() if isinstance(v, str)]
    names = set().union(*(_names(t) for t in texts))
    values = {name: OBJECTS[name](app, db, actors, n) for name in names}
    form = {k: v.format(**values) if isinstance(v, str) else v for k, v in (row.form or {}).items()}
    return row.url.format(**values), (form if row.form is not None else None)


def _counts(db) -> tuple[int, int]:
    with db.unit_of_work(write=False) as s:
        return (s.exec(select(func.count()).select_from(AuditEntry)).one(),
                s.exec(select(func.count()).select_from(Registration)).one())


# ---- the checks ----


def _office_client(app, signed_in, actor):
    if actor == "anonymous":
        client = app.test_client()
        client.environ_base.update(HTTP_USER_AGENT="pytest-portal", REMOTE_ADDR="127.0.0.1")
        return client, "/beheer/inloggen"
    client = signed_in(actor)
    if actor == "site_admin":
        with client.session_transaction() as sess:
            sess["office_org"] = "gm0772"  # the site admin acts for A
    return client, "/beheer/wachtwoord"


def _api_headers(db, actors, actor) -> dict:
    if actor == "anonymous":
        return {}
    code = "gm0363" if actor.endswith("_b") else "gm0772"
    role = "approver" if actor.startswith(("approver", "revoked")) else "editor"
    with db.unit_of_work() as s:
        # Made by admin_a, so an approver token is not the editor_a who made the sample items (four-eyes).
        maker = "admin_a" if code == "gm0772" else "site_admin"
        token, secret = token_service.create_token(session=s, actor=actors[maker],
                                                   organisation=get_by_code(session=s, code=code), role=role,
                                                   name=actor)
        if actor == "revoked_a":
            token_service.revoke_token(session=s, actor=actors["site_admin"], token_id=token.id)
    return {"Authorization": f"Bearer {secret}"}


def _cell(row: Row, actor: str, n: int, app, db, actors, signed_in) -> str | None:
    """Run one cell; None when it went as expected, else what happened."""
    expected = row.expect[actor]
    url, form = _fill(row, app, db, actors, n)
    if row.api:
        headers = _api_headers(db, actors, actor)
        before = _counts(db)
        kwargs = {"json": row.json} if row.json is not None else {}
        response = app.test_client().open(url, method=row.method, headers=headers, **kwargs)
    else:
        client, form_page = _office_client(app, signed_in, actor)
        data = {"csrf_token": csrf_token(client, form_page), **(form or {})} if row.method != "GET" else None
        before = _counts(db)
        response = client.open(url, method=row.method, data=data)
    status, where = response.status_code, response.headers.get("Location", "")
    if expected == LOGIN:
        ok = status == 302 and where.startswith("/beheer/inloggen")
    elif isinstance(expected, str):
        code, _, target = expected.partition(":")
        ok = (status, where) == (int(code), target)
    else:
        ok = status == expected
    if not ok:
        return f"{actor}: expected {expected}, got {status} {where} {response.get_data(as_text=True)[:200]!r}"
    if expected in REFUSED and _counts(db) != before:
        return f"{actor}: refused ({status}) but something changed"
    return None


# One test per row; its cells share the row's database (refused cells change nothing, and objects a
# cell may change are made fresh for it), which keeps the matrix fast.
@pytest.mark.parametrize("row", [pytest.param(row, id=f"{row.endpoint} {row.id}") for row in MATRIX])
def test_matrix_row(row: Row, app, db, actors, signed_in):
    actor_set = API_ACTORS if row.api else OFFICE_ACTORS
    problems = [p for n, actor in enumerate(actor_set) if (p := _cell(row, actor, n, app, db, actors, signed_in))]
    assert not problems, f"{row.id}:\n" + "\n".join(problems)


def _routes(app) -> set[tuple[str, str]]:
    """Every (endpoint, method) the matrix must cover: the back office and the token-taking API."""
    found = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        takes_tokens = rule.endpoint.startswith("api.") and (
            getattr(view, "openapi", {}).get("auth") or view.__module__ == "api.organisation_api")
        if rule.endpoint.startswith("office.") or takes_tokens:
            found |= {(rule.endpoint, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_every_route_is_in_the_matrix(app):
    listed = {(row.endpoint, row.method) for row in MATRIX}
    missing = sorted(_routes(app) - listed)
    assert not missing, f"add rows to MATRIX for: {missing}"
    stale = sorted(listed - _routes(app))
    assert not stale, f"rows for routes that do not exist: {stale}"


def test_matrix_rows_name_a_real_route(app):
    adapter = app.url_map.bind("localhost")
    for row in MATRIX:
        path = re.sub(r"\{\w+\}", "1", row.url.split("?")[0])  # "1" fits both int and string converters
        endpoint, _ = adapter.match(path, method=row.method)
        assert endpoint == row.endpoint, row.id
