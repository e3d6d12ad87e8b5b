"""Signing in with e-mail and password, throttled per account and per address, every attempt audited.

A refusal looks the same whether the account exists or not: one message, the same password check
(against a dummy hash for unknown accounts) and the same throttling. The per-account counter is keyed
by a hash of the normalised e-mail address rather than the account id, so unknown addresses lock up
exactly like real ones and the lock itself gives nothing away.

A lock is audited once, when it starts (`account.sign_in_throttled`, after the failure that caused it);
attempts while a key is locked are refused without writing anything, so a flood of them neither fills
the audit log nor queues for the write lock.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from register import audit
from register.accounts.actor import Actor
from register.accounts.models import SignInThrottle, User
from register.accounts.passwords import verify_password
from register.accounts.service import actor_for, get_by_email, normalise_email
from register.clock import now
from register.db import Database
from register.errors import NotAuthorised

REFUSED = "The e-mail address or password is not correct."
THROTTLED = "Too many failed attempts. Wait a while before you try again."


@dataclass(frozen=True)
class Limits:
    """How many failures are allowed within a window before a key is locked, and for how long."""

    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)


DEFAULT_LIMITS = Limits()


class SignInRefused(NotAuthorised):
    """Sign-in refused: wrong e-mail or password, or (throttled) too many failures; one message each."""

    def __init__(self, *, throttled: bool = False, retry_after_s: int = 0):
        self.throttled = throttled
        self.retry_after_s = retry_after_s
        super().__init__(THROTTLED if throttled else REFUSED)


def account_key(email: str) -> str:
    """The throttle key of an e-mail address (hashed: the table never holds guessed addresses)."""
    return "account:" + hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


def address_key(address: str) -> str:
    """The throttle key of a client address."""
    return "address:" + address[:100]


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands datetimes back without a zone; they were stored as UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _row(session: Session, key: str) -> SignInThrottle | None:
    return session.exec(select(SignInThrottle).where(SignInThrottle.key == key)).first()


def _locked_for(row: SignInThrottle | None, moment: datetime) -> int:
    """Seconds the key stays locked (0 when it is not locked)."""
    until = _aware(row.locked_until) if row is not None else None
    if until is None or until <= moment:
        return 0
    return max(1, int((until - moment).total_seconds() + 0.999))


def _count_failure(session: Session, key: str, limit: int, limits: Limits, moment: datetime) -> bool:
    """Add one failure to a key; True when this failure locks it."""
    if _row(session, key) is None:
        try:  # two first failures at once (PostgreSQL): one insert wins, the other counts on its row
            with session.begin_nested():
                session.add(SignInThrottle(key=key, failures=0, window_started_at=moment))
        except IntegrityError:
            pass
    # The row lock (PostgreSQL; SQLite writers are serialised anyway) keeps concurrent failures from
    # overwriting each other's count.
    row = session.exec(select(SignInThrottle).where(SignInThrottle.key == key).with_for_update()).one()
    if _aware(row.window_started_at) + limits.window <= moment:
        row.failures, row.window_started_at = 0, moment
    row.failures += 1
    locked = row.failures >= limit
    if locked:
        # A fresh window starts with the lock, so the next guesses after it are counted from zero.
        row.locked_until, row.failures, row.window_started_at = moment + limits.lock, 0, moment
    session.add(row)
    session.flush()
    return locked


def _keys(email: str, address: str | None, limits: Limits) -> list[tuple[str, int]]:
    keys = [(account_key(email), limits.per_account)]
    if address:
        keys.append((address_key(address), limits.per_address))
    return keys


def _wait(session: Session, keys: list[tuple[str, int]], moment: datetime) -> int:
    """Seconds until none of the keys is locked any more (0: none is locked now)."""
    return max(_locked_for(_row(session, key), moment) for key, _ in keys)


def _anonymous(address: str | None, request_id: str | None) -> Actor:
    return Actor(label=f"sign-in:{address or 'unknown'}"[:254], request_id=request_id)


def authenticate(
    *, session: Session, email: str, password: str, address: str | None, request_id: str | None = None,
    clock: Callable[[], datetime] = now, limits: Limits = DEFAULT_LIMITS,
) -> User:
    """The active account with this e-mail and password, or SignInRefused (counted and audited).

    The caller must commit the session also when SignInRefused is raised, so that the failure's
    counter and audit entry are kept: `sign_in` below does exactly that.
    """
    moment = clock()
    email = normalise_email(email if isinstance(email, str) else "")
    password = password if isinstance(password, str) else ""
    keys = _keys(email, address, limits)
    anonymous = _anonymous(address, request_id)
    wait = _wait(session, keys, moment)
    if wait:
        # No password check while locked: guessing gets no answer at all until the lock ends. Nothing
        # is written either: the lock was audited when it started.
        raise SignInRefused(throttled=True, retry_after_s=wait)
    user = get_by_email(session=session, email=email) if email else None
    matches = verify_password(user.password_hash if user else None, password)
    if user is None or not matches or not user.active:
        locked = [key.split(":", 1)[0] for key, limit in keys if _count_failure(session, key, limit, limits, moment)]
        entity_id = str(user.id) if user else None
        audit.record(session=session, actor=anonymous, action="account.sign_in_failed", entity_type="user",
                     entity_id=entity_id, changes={"address": address, "locked": locked})
        if locked:  # once per lock period and key: only the failure that starts a lock gets here
            audit.record(session=session, actor=anonymous, action="account.sign_in_throttled", entity_type="user",
                         entity_id=entity_id, changes={"address": address, "locked": locked,
                                                       "retry_after_s": int(limits.lock.total_seconds())})
        raise SignInRefused()
    row = _row(session, account_key(email))
    if row is not None:
        # Success clears the account's count; the address keeps its own, or one good account would
        # let an attacker reset the counter for guesses at every other one.
        session.delete(row)
    user.last_sign_in_at = moment
    session.add(user)
    session.flush()
    audit.record(session=session, actor=actor_for(session=session, user=user, request_id=request_id),
                 action="account.sign_in", entity_type="user", entity_id=str(user.id), changes={"address": address})
    return user


def sign_in(
    *, database: Database, email: str, password: str, address: str | None, request_id: str | None = None,
    clock: Callable[[], datetime] = now, limits: Limits = DEFAULT_LIMITS,
) -> User:
    """`authenticate` in its own write unit of work; a refusal commits its counter and audit entry too."""
    # A locked key is refused from a read session: attempts during a lock never queue for the write lock.
    with database.unit_of_work(write=False) as session:
        keys = _keys(normalise_email(email if isinstance(email, str) else ""), address, limits)
        wait = _wait(session, keys, clock())
    if wait:
        raise SignInRefused(throttled=True, retry_after_s=wait)
    refused: SignInRefused | None = None
    with database.unit_of_work() as session:
        try:
            user = authenticate(session=session, email=email, password=password, address=address,
                                request_id=request_id, clock=clock, limits=limits)
        except SignInRefused as exc:
            refused = exc  # leave the block normally, so the unit of work commits
    if refused is not None:
        raise refused
    return user
