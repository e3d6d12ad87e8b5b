"""The WSGI entry point for gunicorn: `gunicorn zichtbaar.wsgi:app`."""

from zichtbaar.app import create_app

app = create_app()
