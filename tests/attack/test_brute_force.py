"""Brute force over HTTP: wrong passwords are throttled per account and per address, the right password is
refused while locked, and made-up accounts are throttled exactly alike (no enumeration)."""

from register.accounts.signin import DEFAULT_LIMITS
from tests.factories import PASSWORD
from tests.portal.conftest import csrf_token

SIGN_IN = "/beheer/inloggen"


def _client(app, address: str):
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=address, HTTP_USER_AGENT="pytest-attack")
    return client


def _try(client, email: str, password: str):
    return client.post(SIGN_IN, data={"csrf_token": csrf_token(client, SIGN_IN), "email": email, "password": password})


def _statuses(app, email: str, address: str) -> list[int]:
    # Each guess from its own address, so only the per-account counter can lock.
    return [_try(_client(app, f"{address}.{n}"), email, f"guess number {n}").status_code
            for n in range(DEFAULT_LIMITS.per_account + 2)]


def test_per_account_lock_refuses_even_the_right_password(app, db):
    statuses = _statuses(app, "editor_a@test.invalid", "198.51.100")
    assert statuses == [200] * DEFAULT_LIMITS.per_account + [429, 429]
    locked = _try(_client(app, "203.0.113.200"), "EDITOR_A@test.invalid ", PASSWORD)  # same account, new address
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "_user_id" not in (locked.headers.get("Set-Cookie") or "")


def test_made_up_accounts_lock_the_same_way(app, db):
    real = _statuses(app, "editor_a@test.invalid", "198.51.100")
    made_up = _statuses(app, "nobody-here@test.invalid", "198.51.101")
    assert real == made_up
    a = _try(_client(app, "192.0.2.1"), "editor_a@test.invalid", "x")
    b = _try(_client(app, "192.0.2.2"), "nobody-here@test.invalid", "x")
    assert a.status_code == b.status_code == 429
    assert int(a.headers["Retry-After"]) > 0 and int(b.headers["Retry-After"]) > 0
    assert a.get_data(as_text=True) == b.get_data(as_text=True)  # the lock page says nothing about the account


def test_per_address_lock_across_accounts(app, db):
    attacker = _client(app, "198.51.100.77")
    statuses = [_try(attacker, f"guess{n}@test.invalid", "wrong wrong").status_code
                for n in range(DEFAULT_LIMITS.per_address + 1)]
    assert statuses[:DEFAULT_LIMITS.per_address] == [200] * DEFAULT_LIMITS.per_address and statuses[-1] == 429
    assert _try(attacker, "editor_a@test.invalid", PASSWORD).status_code == 429  # right password, same address
    assert _try(_client(app, "198.51.100.78"), "editor_a@test.invalid", PASSWORD).status_code == 302
