"""Throttled sign-in in the domain: one refusal for every reason, counters per account and address, audit."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from register.accounts.models import SignInThrottle, User
from register.accounts.signin import REFUSED, Limits, SignInRefused, account_key, sign_in
from register.audit.models import AuditEntry
from register.audit.service import verify
from tests.factories import PASSWORD

EMAIL = "editor_a@test.invalid"
LIMITS = Limits(per_account=3, per_address=5, window=timedelta(minutes=15), lock=timedelta(minutes=15))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.moment = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self):
        return self.moment

    def advance(self, **kwargs):
        self.moment += timedelta(**kwargs)


@pytest.fixture
def clock():
    return Clock()


def attempt(db, clock, email=EMAIL, password=PASSWORD, address="192.0.2.1"):
    return sign_in(database=db, email=email, password=password, address=address, request_id="req-1",
                   clock=clock, limits=LIMITS)


def refusal(db, clock, **kwargs) -> SignInRefused:
    with pytest.raises(SignInRefused) as caught:
        attempt(db, clock, **kwargs)
    return caught.value


def audit_actions(db) -> list[tuple[str, str | None, dict]]:
    with db.unit_of_work(write=False) as s:
        rows = s.exec(select(AuditEntry).where(AuditEntry.action.startswith("account.")).order_by(AuditEntry.id))
        return [(e.action, e.entity_id, e.changes) for e in rows]


def user_id(db, email=EMAIL) -> int:
    with db.unit_of_work(write=False) as s:
        return s.exec(select(User.id).where(User.email == email)).one()


def test_success_returns_the_user_records_the_time_and_audits(db, clock):
    user = attempt(db, clock, email="  Editor_A@Test.Invalid ")
    assert user.email == EMAIL
    with db.unit_of_work(write=False) as s:
        stored = s.get(User, user.id)
        assert stored.last_sign_in_at.replace(tzinfo=UTC) == clock.moment
    assert audit_actions(db) == [("account.sign_in", str(user.id), {"address": "192.0.2.1"})]


def test_unknown_account_and_wrong_password_are_refused_alike(db, clock):
    wrong = refusal(db, clock, password="not the password at all")
    unknown = refusal(db, clock, email="nobody@test.invalid")
    no_password = refusal(db, clock, email="approver_a@test.invalid", password="")  # an account without one
    for exc in (wrong, unknown, no_password):
        assert not exc.throttled and str(exc) == REFUSED
    entries = audit_actions(db)
    assert [a for a, _, _ in entries] == ["account.sign_in_failed"] * 3
    # The existing account is named by id; an unknown address is not; the password never appears.
    assert entries[0][1] == str(user_id(db)) and entries[1][1] is None
    assert "not the password" not in repr(entries)


def test_inactive_account_is_refused_even_with_the_right_password(db, clock):
    with db.unit_of_work() as s:
        user = s.exec(select(User).where(User.email == EMAIL)).one()
        user.active = False
        s.add(user)
    assert refusal(db, clock).throttled is False


def test_account_is_locked_after_n_failures_and_the_right_password_waits_too(db, clock):
    for _ in range(LIMITS.per_account):
        assert refusal(db, clock, password="wrong password 1").throttled is False
    locked = refusal(db, clock)  # the right password, but locked
    assert locked.throttled and locked.retry_after_s == 15 * 60
    actions = [a for a, _, _ in audit_actions(db)]
    assert actions == ["account.sign_in_failed"] * 3 + ["account.sign_in_throttled"]
    assert audit_actions(db)[2][2]["locked"] == ["account"]
    clock.advance(minutes=10)
    assert refusal(db, clock).retry_after_s == 5 * 60
    clock.advance(minutes=5)
    assert attempt(db, clock).email == EMAIL
    with db.unit_of_work(write=False) as s:  # success clears the account's counter
        assert s.exec(select(SignInThrottle).where(SignInThrottle.key == account_key(EMAIL))).first() is None


def test_unknown_accounts_lock_the_same_way(db, clock):
    for _ in range(LIMITS.per_account):
        refusal(db, clock, email="nobody@test.invalid", password="guess number 1")
    assert refusal(db, clock, email="nobody@test.invalid").throttled


def test_failures_outside_the_window_start_a_new_count(db, clock):
    for _ in range(LIMITS.per_account - 1):
        refusal(db, clock, password="wrong password 1")
    clock.advance(minutes=16)
    refusal(db, clock, password="wrong password 1")
    assert attempt(db, clock).email == EMAIL  # 1 failure in the new window: not locked


def test_address_is_locked_after_failures_on_many_accounts(db, clock):
    for i in range(LIMITS.per_address):
        refusal(db, clock, email=f"guess{i}@test.invalid", password="guess number 1")
    blocked = refusal(db, clock)  # a real account with its right password, from the same address
    assert blocked.throttled
    assert attempt(db, clock, address="198.51.100.7").email == EMAIL  # another address is not locked
    entries = audit_actions(db)
    assert entries[LIMITS.per_address - 1][2]["locked"] == ["address"]
    assert entries[LIMITS.per_address][0] == "account.sign_in_throttled"


def test_success_does_not_reset_the_address_counter(db, clock):
    for i in range(LIMITS.per_address - 1):
        refusal(db, clock, email=f"guess{i}@test.invalid", password="guess number 1")
    attempt(db, clock)
    refusal(db, clock, email="guess-last@test.invalid", password="guess number 1")
    assert refusal(db, clock).throttled


def test_failures_are_committed_and_the_site_chain_stays_intact(db, clock):
    refusal(db, clock, password="wrong password 1")
    attempt(db, clock)
    with db.unit_of_work(write=False) as s:
        assert s.exec(select(AuditEntry.chain).where(AuditEntry.action.startswith("account."))).all() == ["site"] * 2
        assert verify(session=s, chain="site") == []


def test_a_lock_is_audited_once_and_attempts_during_it_write_nothing(db, clock):
    for _ in range(LIMITS.per_account):
        refusal(db, clock, password="wrong password 1")
    before = audit_actions(db)
    with db.unit_of_work(write=False) as s:
        row = s.exec(select(SignInThrottle).where(SignInThrottle.key == account_key(EMAIL))).one()
        counters = (row.failures, row.window_started_at, row.locked_until)
    for _ in range(60):
        assert refusal(db, clock, password="wrong password 1").throttled
        clock.advance(seconds=5)
    assert audit_actions(db) == before
    assert [a for a, _, _ in before].count("account.sign_in_throttled") == 1
    with db.unit_of_work(write=False) as s:
        row = s.exec(select(SignInThrottle).where(SignInThrottle.key == account_key(EMAIL))).one()
        assert (row.failures, row.window_started_at, row.locked_until) == counters
    clock.advance(minutes=15)  # the lock is over; a new lock is audited again, once
    for _ in range(LIMITS.per_account + 3):
        refusal(db, clock, password="wrong password 1")
    assert [a for a, _, _ in audit_actions(db)].count("account.sign_in_throttled") == 2
