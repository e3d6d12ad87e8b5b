"""Sign-in and sign-out (being built)."""

from flask import render_template

from portal.office import blueprint


@blueprint.route("/inloggen", methods=["GET", "POST"])
def sign_in():
    """Sign in with e-mail address and password."""
    return render_template("office/base.html")
