"""The HTML faces: the public citizen portal and the signed-in back office, over the register's services."""

from datetime import timedelta

from flask import Flask, redirect, request, send_from_directory
from flask_wtf.csrf import CSRFProtect

from portal import assets, errors, i18n, safety, signin
from portal.safety import safe_next


def init_app(app: Flask) -> CSRFProtect:
    """Cookies, languages, CSRF, sign-in and the blueprints of both faces."""
    config = app.config["ZICHTBAAR"]
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=config.secure_cookies,
        SESSION_COOKIE_NAME="zichtbaar_sessie",
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=config.session_minutes),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which itself expires
    )
    i18n.init_app(app)
    errors.init_app(app)
    csrf = CSRFProtect(app)
    signin.init_app(app)
    app.register_blueprint(assets.blueprint)
    from portal.office import blueprint as office_blueprint
    from portal.public import blueprint as public_blueprint

    app.register_blueprint(public_blueprint)
    app.register_blueprint(office_blueprint)
    _limit_forms(app)
    app.before_request(safety.refuse_control_characters)  # the API refuses them with a problem of its own
    app.add_url_rule("/static/portal/<path:filename>", endpoint="static_portal",
                     view_func=lambda filename: send_from_directory(i18n.PORTAL / "static", filename, max_age=3600))

    @app.get("/taal/<language>")
    def choose_language(language: str):
        """Remember the visitor's language and go back to the page they came from."""
        response = redirect(safe_next(request.args.get("next")))
        if language in i18n.LANGUAGES:
            response.set_cookie(i18n.LANGUAGE_COOKIE, language, max_age=365 * 86400, httponly=True,
                                samesite="Lax", secure=config.secure_cookies)
        return response

    @app.context_processor
    def _layout():
        from flask import g

        from zichtbaar.web import csp_nonce

        return {"language": g.get("language", i18n.DEFAULT_LANGUAGE), "csp_nonce": csp_nonce,
                "tiles_url": config.map_tiles_url, "tiles_attribution": config.map_tiles_attribution}

    return csrf


# Per address, on top of the per-account sign-in throttle: anonymous forms must not flood the
# organisations' inboxes or the audit log. Shared through Redis when REDIS_URL is set (the API's limiter).
FORM_LIMITS = {"public.report": "10 per minute;100 per day", "office.sign_in": "60 per minute"}


def _limit_forms(app: Flask) -> None:
    limiter = app.extensions.get("zichtbaar.limiter")
    if limiter is None:
        return
    for endpoint, limit in FORM_LIMITS.items():
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(limit, methods=["POST"])(view)
