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
    # Map tiles: the one third-party host the portal may contact. Default: PDOK BRT-Achtergrondkaart.
    map_tiles_url: str = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"
    map_tiles_attribution: str = "Kaartgegevens &copy; Kadaster"
    geocoder: str = "gazetteer"  # "gazetteer" (offline, from seed data) or "pdok" (Locatieserver, falls back)
    pdok_locatieserver_url: str = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
    secure_cookies: bool = False  # Secure flag on cookies; on by default in production (HTTPS)
    session_minutes: int = 120  # a back-office session ends after this long without activity
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto; 0 trusts none (direct serving).
    # Must be right: sign-in throttling and rate limits count per client address.
    proxies: int = 0

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
        config.map_tiles_url = env.get("MAP_TILES_URL") or config.map_tiles_url
        config.map_tiles_attribution = env.get("MAP_TILES_ATTRIBUTION") or config.map_tiles_attribution
        config.geocoder = env.get("GEOCODER") or config.geocoder
        config.pdok_locatieserver_url = env.get("PDOK_LOCATIESERVER_URL") or config.pdok_locatieserver_url
        secure = env.get("SECURE_COOKIES")
        config.secure_cookies = (secure == "1") if secure is not None else environment == "production"
        config.session_minutes = int(env.get("SESSION_MINUTES") or config.session_minutes)
        config.proxies = int(env.get("PROXIES") or 0)
        if secret:
            config.secret_key = secret
        else:
            config.secret_key = _development_secret()
        return config

    @property
    def tile_origin(self) -> str:
        """scheme://host of the tile server, for the Content-Security-Policy."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.map_tiles_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def _development_secret() -> str:
    """One secret per checkout outside production, so every gunicorn worker signs sessions alike."""
    path = Path(os.environ.get("SECRET_KEY_FILE") or PROJECT_ROOT / "instance" / "secret_key")
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    try:  # "x": when two workers start at once, the first one's secret wins
        with open(path, "x") as out:
            out.write(secret)
        path.chmod(0o600)
        return secret
    except FileExistsError:
        return path.read_text().strip()
