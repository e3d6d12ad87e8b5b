"""The public citizen portal: near me, place pages, registrations, organisations, search, reports."""

from flask import Blueprint

blueprint = Blueprint("public", __name__, template_folder="templates")

# Routes attach themselves to the blueprint when their module is imported.
from portal.public import browse, organisations, place, registration, report, start  # noqa: E402,F401


@blueprint.app_context_processor
def _helpers():
    from flask import current_app, url_for

    from portal.public import present
    from portal.public.fields import field_label, vocabulary_of

    icons = current_app.config["ZICHTBAAR"].seed_data_dir / "dtpr" / "icons"
    return {"vlabel": present.vlabel, "localised": present.localised, "is_untranslated": present.is_untranslated,
            "duration": present.duration, "sensor_icon": lambda code: present.icon_name(code, icons), "field_label": field_label,
            "vocabulary_of": vocabulary_of, "map_labels": lambda: present.map_labels(
                lambda name: url_for("public.icon", name=name) if (icons / f"{name}.svg").exists() else None)}
