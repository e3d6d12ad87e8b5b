"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106's recommendations)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when an account does not exist, so timing does not tell whether it does.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_LENGTH = 12


def hash_password(password: str) -> str:
    """A salted Argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; takes as long for a missing account as for a wrong password."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str) -> list[str]:
    """Why a new password is not acceptable; empty when it is."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if password.strip() != password or len(set(password)) < 5:
        problems.append("Use a less predictable password.")
    return problems
