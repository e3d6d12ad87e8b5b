"""The dashboard per organisation (being built)."""

from flask import render_template
from flask_login import login_required

from portal.office import blueprint


@blueprint.get("/")
@login_required
def dashboard():
    """Drafts, waiting for review, published, overdue reviews, missing DPIAs, completeness."""
    return render_template("office/base.html")
