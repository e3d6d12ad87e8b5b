"""Public pages (being built)."""

from flask import render_template

from portal.public import blueprint


@blueprint.get("/")
def start():
    """The start page: one search box, use my location, a map of the Netherlands."""
    return render_template("public/start.html")


@blueprint.get("/zoeken")
def browse():
    """Browse and search the register."""
    return render_template("public/start.html")


@blueprint.get("/organisaties")
def organisations():
    """All organisations with their public accountability figures."""
    return render_template("public/start.html")


@blueprint.get("/over")
def about():
    """What this is, where the data comes from."""
    return render_template("public/start.html")
