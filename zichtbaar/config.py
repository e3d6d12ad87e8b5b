"""Configuration read from the environment; passed to the app factory, never a global singleton."""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'zichtbaar.sqlite3'}"


@dataclass
class Config:
    """Every setting the service reads; `from_env` fills it from environment variables."""

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    redis_url: str | None = None
    environment: str = "development"  # development, test or production
    seed_data_dir: Path = PROJECT_ROOT / "seed_data"
    testing: bool = False
    api_rate_limit: str = "300 per minute"  # per client address; shared through Redis when REDIS_URL is set

    @classmethod
    def from_env(cls, environ=None) -> "Config":
        """Read the configuration from the environment; production refuses to start without a secret."""
        env = os.environ if environ is None else environ
        environment = env.get("ZICHTBAAR_ENV", "development")
        secret = env.get("SECRET_KEY")
        if not secret and environment == "production":
            raise RuntimeError("SECRET_KEY must be set in production (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`).")
        config = cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            redis_url=env.get("REDIS_URL") or None,
            environment=environment,
            seed_data_dir=Path(env.get("SEED_DATA_DIR") or PROJECT_ROOT / "seed_data"),
            api_rate_limit=env.get("API_RATE_LIMIT") or "300 per minute",
        )
        if secret:
            config.secret_key = secret
        return config
