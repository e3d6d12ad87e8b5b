"""Registration pages of the back office: new and edit forms per kind, the overview with the workflow, a preview."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from portal.office import blueprint, forms
from portal.office.context import require_organisation
from portal.signin import current_actor
from register import vocab
from register.accounts.authz import can
from register.errors import Conflict, Invalid, NotAuthorised, NotFound
from register.organisations.models import Organisation
from register.organisations.service import areas_of
from register.registrations import completeness
from register.registrations import service as registrations
from register.registrations.fields import KINDS, fields_for
from register.registrations.models import PUBLIC_STATES, Registration
from register.registrations.validation import validate_registration
from zichtbaar.web import database, read_session

KIND_TITLES = {"algorithm": _l("algorithm"), "sensor": _l("sensor"), "agreement": _l("data-sharing agreement")}
STATE_LABELS = {"draft": _l("Draft"), "in_review": _l("Waiting for review"), "published": _l("Published"),
                "withdrawn": _l("Withdrawn"), "archived": _l("Archived")}
# The register's workflow refusals, in the visitor's language.
CONFLICTS = {
    "four-eyes": _l("Someone else must approve this: you made the last change yourself (four-eyes rule)."),
    "only a draft can be submitted": _l("Only a draft can be sent for review."),
    "is not in review": _l("This registration is not waiting for review."),
    "only an item in review can be published": _l("Only a registration that waits for review can be published."),
    "only a published item can be withdrawn": _l("Only a published registration can be withdrawn."),
    "is archived already": _l("This registration is archived already."),
    "an archived registration cannot be changed": _l("An archived registration cannot be changed."),
}
WORKFLOW_MESSAGES = {
    "Say publicly what is new or what changed.": _l("Say publicly what is new or what changed."),
    "Give the public reason for withdrawing.": _l("Give the public reason for withdrawing."),
    "Say what needs to change.": _l("Say what needs to change."),
    "Give the public reason for archiving a public item.": _l("Give the public reason for archiving a public item."),
}


def conflict_message(exc: Conflict) -> str:
    """A workflow refusal in the visitor's language."""
    text = str(exc)
    return next((str(msg) for key, msg in CONFLICTS.items() if key in text), text)


@blueprint.context_processor
def _form_helpers():
    return {"field_label": forms.label, "vocab_options": forms.options, "hints": forms.HINTS,
            "section_titles": forms.SECTIONS,
            "state_label": lambda state: str(STATE_LABELS.get(state, state)),
            "kind_title": lambda kind: str(KIND_TITLES.get(kind, kind))}


def _load(public_id: str) -> tuple[Registration, Organisation]:
    """A registration someone of its organisation may see (404 when unknown, 403 for outsiders)."""
    session = read_session()
    try:
        registration = registrations.get_for_update(session=session, public_id=public_id)
    except NotFound:
        abort(404)
    if not can(current_actor(), "read_internal", registration.organisation_id):
        abort(403)
    return registration, session.get(Organisation, registration.organisation_id)


def _render_form(state: forms.FormState, *, organisation, registration=None, errors=None, status=200):
    view = forms.place_errors(state, errors or {})
    return render_template("office/registration_form.html", form=state, errors=view, organisation=organisation,
                           registration=registration, map_bounds=_bounds(organisation)), status


def _bounds(organisation: Organisation) -> str:
    """south,west,north,east of the organisation's areas, so the location map opens on its own ground."""
    areas = areas_of(session=read_session(), organisation_id=organisation.id)
    if not areas:
        return ""
    return ",".join(f"{v:.5f}" for v in (min(a.min_lat for a in areas), min(a.min_lon for a in areas),
                                          max(a.max_lat for a in areas), max(a.max_lon for a in areas)))


def _save(state: forms.FormState, organisation: Organisation, public_id: str | None):
    """Validate and save the form; returns (public id, warnings) or raises Invalid with every error."""
    data, problems = forms.to_data(state, organisation.code)
    if problems:
        # The location could not even be read; collect the schema's errors too, so all show at once.
        try:
            validate_registration(data)
            errors = {}
        except Invalid as exc:
            errors = exc.errors
        for path, messages in problems.items():
            errors.setdefault(path, [])[:0] = messages
        raise Invalid(errors)
    with database().unit_of_work() as session:
        if public_id is None:
            saved = registrations.create(session=session, actor=current_actor(), data=data)
        else:
            saved = registrations.update(session=session, actor=current_actor(), public_id=public_id, data=data)
        return saved.registration.public_id, saved.warnings


def _form_post(state: forms.FormState, organisation: Organisation, registration: Registration | None):
    if request.form.get("add") or request.form.get("remove"):
        return _render_form(state, organisation=organisation, registration=registration)
    try:
        public_id, warnings = _save(state, organisation, registration.public_id if registration else None)
    except Invalid as exc:
        return _render_form(state, organisation=organisation, registration=registration, errors=exc.errors,
                            status=400)
    except NotAuthorised:
        abort(403)
    except Conflict as exc:
        flash(conflict_message(exc), "error")
        return _render_form(state, organisation=organisation, registration=registration, status=409)
    flash(_("Saved as a draft."), "success")
    for warning in warnings:
        flash(_("Note: the location lies outside your organisation's area.") if "outside the area" in warning
              else warning, "warning")
    return redirect(url_for("office.registration", public_id=public_id))


@blueprint.route("/registraties/nieuw/<kind>", methods=["GET", "POST"])
@login_required
def registration_new(kind: str):
    """A new registration of one kind for the active organisation."""
    if kind not in KINDS:
        abort(404)
    organisation = require_organisation()
    if not can(current_actor(), "edit", organisation.id):
        abort(403)
    if request.method == "GET":
        return _render_form(forms.FormState(kind), organisation=organisation)
    return _form_post(forms.from_request(kind, request.form), organisation, None)


@blueprint.route("/registraties/<public_id>/bewerken", methods=["GET", "POST"])
@login_required
def registration_edit(public_id: str):
    """Change a registration; a published one keeps its public version until the change is published."""
    registration, organisation = _load(public_id)
    if not can(current_actor(), "edit", organisation.id):
        abort(403)
    if registration.state == "archived":
        flash(str(CONFLICTS["an archived registration cannot be changed"]), "error")
        return redirect(url_for("office.registration", public_id=public_id))
    if request.method == "GET":
        data = registrations.pending_data(session=read_session(), registration=registration)
        return _render_form(forms.from_data(registration.kind, data), organisation=organisation,
                            registration=registration)
    return _form_post(forms.from_request(registration.kind, request.form), organisation, registration)


def _actions(registration: Registration, organisation: Organisation) -> dict[str, bool]:
    """Which workflow steps the signed-in person may take now."""
    actor, org_id = current_actor(), organisation.id
    draft = registration.state == "draft" or registration.revision_state == "draft"
    in_review = registration.state == "in_review" or registration.revision_state == "in_review"
    return {
        "edit": can(actor, "edit", org_id) and registration.state != "archived",
        "submit": can(actor, "submit", org_id) and draft,
        "publish": can(actor, "publish", org_id) and in_review,
        "withdraw": can(actor, "withdraw", org_id) and registration.state == "published",
        "archive": can(actor, "archive", org_id) and registration.state != "archived"
        and (registration.state not in PUBLIC_STATES or can(actor, "withdraw", org_id)),
    }


def _overview(registration, organisation, errors=None, failed=None, status=200):
    data = registrations.pending_data(session=read_session(), registration=registration)
    missing = completeness.missing(data)
    return render_template(
        "office/registration_overview.html", registration=registration, organisation=organisation, data=data,
        missing=[(path, forms.label(path)) for path in missing], actions=_actions(registration, organisation),
        errors=errors or {}, failed=failed, public_url=_public_url(registration),
    ), status


def _public_url(registration: Registration) -> str | None:
    if registration.state not in PUBLIC_STATES:
        return None
    try:
        return url_for("public.registration", public_id=registration.public_id)
    except Exception:  # the public registration page is built separately; fall back to its agreed path
        return f"/registraties/{registration.public_id}"


@blueprint.get("/registraties/<public_id>")
@login_required
def registration(public_id: str):
    """One registration: its state, what is missing, and the workflow steps."""
    registration, organisation = _load(public_id)
    return _overview(registration, organisation)


@blueprint.get("/registraties/<public_id>/voorbeeld")
@login_required
def registration_preview(public_id: str):
    """What the public page will show once the pending version is published."""
    registration, organisation = _load(public_id)
    data = registrations.pending_data(session=read_session(), registration=registration)
    return render_template("office/registration_preview.html", registration=registration, organisation=organisation,
                           rows=preview_rows(registration.kind, data), data=data)


def preview_rows(kind: str, data: dict) -> list[tuple[str, str, list]]:
    """(label, text, nested rows) for every filled-in field, codes as labels in the visitor's language."""
    return _rows(fields_for(kind), data, data.get("en") or {})


def _display(spec, value) -> str:
    lang = g.get("language", "nl")
    if spec.type == "code":
        return vocab.label(spec.vocabulary, value, lang)
    if spec.type == "codes":
        return ", ".join(vocab.label(spec.vocabulary, v, lang) for v in value)
    if spec.type == "texts":
        return ", ".join(str(v) for v in value)
    if spec.type == "bool":
        return _("Yes") if value else _("No")
    if spec.type == "location":
        if value.get("type") == "Point":
            lon, lat = value["coordinates"]
            return _("Point at %(lat)s, %(lon)s", lat=f"{lat:.6f}", lon=f"{lon:.6f}")
        return _("Area or route (%(type)s)", type=value.get("type", "?"))
    return str(value)


def _rows(specs, data: dict, english: dict) -> list:
    rows = []
    for spec in specs:
        value = data.get(spec.name)
        if value in (None, "", [], {}):
            continue
        if spec.type == "object":
            rows.append((forms.label(spec.path), "", _rows(spec.children, value, {})))
        elif spec.type == "list":
            for i, item in enumerate(value, start=1):
                rows.append((f"{forms.label(spec.path)} {i}", "", _rows(spec.children, item, {})))
        else:
            rows.append((forms.label(spec.path), _display(spec, value), []))
            if spec.has_english and english.get(spec.name):
                rows.append((_("In English: %(label)s", label=forms.label(spec.path)), english[spec.name], []))
    return rows


def _step(public_id: str, run, form: str):
    """Run one workflow step in its own unit of work; errors go back to the overview, beside the field."""
    registration, organisation = _load(public_id)
    try:
        with database().unit_of_work() as session:
            run(session, current_actor())
    except NotAuthorised:
        abort(403)
    except Invalid as exc:
        errors = {key: [str(WORKFLOW_MESSAGES.get(m, m)) for m in messages] for key, messages in exc.errors.items()}
        return _overview(registration, organisation, errors=errors, failed=form, status=400)
    except Conflict as exc:
        flash(conflict_message(exc), "error")
        return redirect(url_for("office.registration", public_id=public_id))
    return None


# The workflow steps, one POST route each: (endpoint, path, service, form field passed on, success message).
# Every step is the same: run the service in one unit of work, show errors beside the step's form, or flash.
WORKFLOW_STEPS = (
    ("registration_submit", "indienen", "submit", None, "submit",
     _l("Sent for review. An approver of your organisation can now publish it.")),
    ("registration_publish", "publiceren", "publish", "change_note", "publish",
     _l("Published. The registration is now on the public site.")),
    ("registration_return", "terugsturen", "return_to_draft", "reason", "return",
     _l("Sent back to the editors as a draft.")),
    ("registration_withdraw", "intrekken", "withdraw", "reason", "withdraw",
     _l("Withdrawn. The public page shows the reason.")),
    ("registration_archive", "archiveren", "archive", "reason", "archive", _l("Archived.")),
)


def _workflow_view(service_name: str, field: str | None, form: str, done):
    @login_required
    def view(public_id: str):
        extra = {field: request.form.get(field, "")} if field else {}
        step = getattr(registrations, service_name)
        failed = _step(public_id, lambda s, a: step(session=s, actor=a, public_id=public_id, **extra), form)
        if failed:
            return failed
        flash(str(done), "success")
        return redirect(url_for("office.registration", public_id=public_id))

    view.__doc__ = f"Workflow step: {service_name.replace('_', ' ')}."
    return view


for _endpoint, _path, _service, _field, _form, _done in WORKFLOW_STEPS:
    blueprint.add_url_rule(f"/registraties/<public_id>/{_path}", endpoint=_endpoint, methods=["POST"],
                           view_func=_workflow_view(_service, _field, _form, _done))
