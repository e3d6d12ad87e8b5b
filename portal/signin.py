"""flask-login wiring: who is signed in, as a light object that turns into the register's Actor."""

from dataclasses import dataclass

from flask import Flask, g
from flask_login import LoginManager, UserMixin, current_user

from register.accounts import service as accounts
from register.accounts.actor import Actor
from register.accounts.models import User
from zichtbaar.web import read_session


@dataclass
class SignedInUser(UserMixin):
    """The account behind the session; the session stores its id and a stamp of its password hash."""

    id: int
    email: str
    display_name: str
    is_site_admin: bool

    def get_id(self) -> str:
        return str(self.id)


def current_actor() -> Actor:
    """The signed-in user as the register's Actor (roles read fresh for every request)."""
    if "actor" not in g:
        session = read_session()
        user = session.get(User, current_user.id)
        g.actor = accounts.actor_for(session=session, user=user, request_id=g.get("request_id"))
    return g.actor


def init_app(app: Flask) -> LoginManager:
    """Attach the login manager; the sign-in page itself belongs to the back office."""
    manager = LoginManager(app)
    manager.login_view = "office.sign_in"
    manager.session_protection = "strong"
    manager.login_message = None  # the sign-in page says why on its own, in the visitor's language

    @manager.user_loader
    def _load(user_id: str):
        if not user_id.isdigit():
            return None
        user = read_session().get(User, int(user_id))
        if user is None or not user.active:
            return None
        return SignedInUser(id=user.id, email=user.email, display_name=user.display_name,
                            is_site_admin=user.is_site_admin)

    return manager
