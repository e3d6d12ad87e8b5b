"""The app factory: one Flask app, the register's database, the faces and the commands."""

from flask import Flask

from register.db import Database
from zichtbaar.config import Config


def create_app(config: Config | None = None) -> Flask:
    """Build the application from a Config (read from the environment when none is given)."""
    config = config or Config.from_env()
    app = Flask(__name__, instance_relative_config=False)
    # Bodies are registrations or import files; 10 MB is generous for both and refuses abuse with 413.
    app.config.update(SECRET_KEY=config.secret_key, TESTING=config.testing, JSON_SORT_KEYS=False,
                      MAX_CONTENT_LENGTH=10 * 1024 * 1024)
    app.config["ZICHTBAAR"] = config
    if config.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxies, x_proto=config.proxies)
    database = Database(config.database_url)
    app.extensions["zichtbaar.db"] = database

    import api
    import portal
    from portal.status import blueprint as status_blueprint
    from zichtbaar import web
    from zichtbaar.cli import register_commands

    web.init_app(app)
    api.init_app(app)
    csrf = portal.init_app(app)
    from api.blueprint import bp as api_blueprint

    csrf.exempt(api_blueprint)  # the API takes no cookies: bearer tokens, so there is nothing to forge
    app.register_blueprint(status_blueprint)
    register_commands(app)
    return app
