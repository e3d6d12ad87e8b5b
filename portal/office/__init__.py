"""The back office for privacy officers: sign-in, dashboards, forms, workflow, import, audit log, admin.

Two groups of modules share this blueprint: access (auth, admin, audit_log) and work (dashboard,
registrations, workflow, reports, imports). Each group keeps its own translation catalogue under
translations/<group>/ so both can be translated independently.
"""

from flask import Blueprint

blueprint = Blueprint("office", __name__, url_prefix="/beheer", template_folder="templates")

# Routes attach themselves to the blueprint when their module is imported.
from portal.office import admin, audit_log, auth, dashboard, imports, registrations, reports  # noqa: E402,F401
