"""Configuration classes: development (SQLite in instance/), testing and production."""

import math
import os
from collections import Counter
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

#: Values that must never serve as a production SECRET_KEY.
KNOWN_DEFAULT_SECRETS = frozenset(
    {
        "",
        "dev",
        "development",
        "secret",
        "changeme",
        "change-me",
        "please-change-me",
        "dev-insecure-key-change-me",
        "test",
        "testing",
    }
)


class ConfigError(RuntimeError):
    """Raised when the configuration cannot be used safely."""


#: Least estimated entropy of a production SECRET_KEY (secrets.token_hex(32) has about 240).
MIN_SECRET_BITS = 128


def secret_bits(secret: str) -> float:
    """Estimated entropy of a key in bits: its length times the Shannon entropy per character."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    return per_char * len(secret)


def _database_url(default: str | None) -> str | None:
    url = os.environ.get("DATABASE_URL", default)
    if url and url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-key-change-me")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{BASE_DIR / 'instance' / 'gongxue.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    # Cache of public figures: Redis at CACHE_REDIS_URL (or REDIS_URL), otherwise in process.
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL")
    CACHE_TYPE = os.environ.get("CACHE_TYPE")
    CACHE_DIR = os.environ.get("CACHE_DIR")
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", "300"))
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: count in each process's memory, log a warning, go back when it answers.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute")
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute")
    # Reads (GET) of the API and of the directory pages and exports, per caller.
    READ_RATE_LIMIT = os.environ.get("READ_RATE_LIMIT", "120/minute")
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    # A page session ends after this many minutes without a request (等保 2.0 idle timeout).
    SESSION_IDLE_MINUTES_ADMIN = int(os.environ.get("SESSION_IDLE_MINUTES_ADMIN", "30"))
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Longest string accepted in any JSON field, form field or query argument (characters).
    INPUT_MAX_TEXT = int(os.environ.get("INPUT_MAX_TEXT", "65536"))
    # Longest request target (path and query) answered normally; longer ones get the app's 414.
    MAX_URL_LENGTH = int(os.environ.get("MAX_URL_LENGTH", "4096"))
    PAGE_SIZE = 20
    API_TOKEN_TTL_DAYS = 30
    # Emailed one-use links: invitations to join an organisation, password resets.
    INVITATION_TTL_DAYS = int(os.environ.get("INVITATION_TTL_DAYS", "7"))
    PASSWORD_RESET_TTL_MINUTES = int(os.environ.get("PASSWORD_RESET_TTL_MINUTES", "60"))
    HSTS = False
    # Email notifications: off unless MAIL_SERVER is set.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "gongxue@localhost")
    # Teachers' enterprise practice: at least this many days in each span of years.
    PRACTICE_RULE_DAYS = int(os.environ.get("PRACTICE_RULE_DAYS", "180"))
    PRACTICE_RULE_YEARS = int(os.environ.get("PRACTICE_RULE_YEARS", "5"))
    # Match rounds with more applicants than this run in the background (RQ on Redis).
    ROUND_BACKGROUND_THRESHOLD = int(os.environ.get("ROUND_BACKGROUND_THRESHOLD", "5000"))
    # Uploads: stored outside the web root; limits in megabytes.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(BASE_DIR / "instance" / "uploads"))
    UPLOAD_MAX_DOCUMENT_MB = int(os.environ.get("UPLOAD_MAX_DOCUMENT_MB", "50"))
    UPLOAD_MAX_VIDEO_MB = int(os.environ.get("UPLOAD_MAX_VIDEO_MB", "1024"))
    EXPORT_MAX_ROWS = int(os.environ.get("EXPORT_MAX_ROWS", "200000"))
    # Excel imports: file size, and the zip-bomb guards checked before the workbook is opened.
    IMPORT_MAX_MB = int(os.environ.get("IMPORT_MAX_MB", "5"))
    IMPORT_MAX_UNCOMPRESSED_MB = int(os.environ.get("IMPORT_MAX_UNCOMPRESSED_MB", "100"))
    IMPORT_MAX_RATIO = int(os.environ.get("IMPORT_MAX_RATIO", "200"))
    # The programme's rules (内人社办发〔2022〕111号), kept configurable.
    INTEGRATED_HOURS_FACTOR = float(os.environ.get("INTEGRATED_HOURS_FACTOR", "1.4"))
    BATCH_LIMIT_TECHNICIAN_COLLEGE = int(os.environ.get("BATCH_LIMIT_TECHNICIAN_COLLEGE", "3"))
    BATCH_LIMIT_OTHER_SCHOOL = int(os.environ.get("BATCH_LIMIT_OTHER_SCHOOL", "2"))


class DevelopmentConfig(Config):
    """Local development: SQLite file in instance/, debug toolbar off."""

    DEBUG = False


class TestingConfig(Config):
    """Test runs: database from TEST_DATABASE_URL or in-memory SQLite."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_REDIS_URL = None
    CACHE_TYPE = "SimpleCache"
    # Test walks read far more than a person would; tests of the limit lower it themselves.
    READ_RATE_LIMIT = "100000/minute"
    WTF_CSRF_ENABLED = False
    # Tests read English messages; tests/test_i18n.py checks the Chinese default.
    BABEL_DEFAULT_LOCALE = "en"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 (fast hashing in tests only)


class ProductionConfig(Config):
    """Production: PostgreSQL, Redis, secure cookies; refuses unsafe settings."""

    DEBUG = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True

    @classmethod
    def check(cls, settings: dict) -> None:
        """Raise ConfigError when the settings are unsafe for production."""
        secret = settings.get("SECRET_KEY") or ""
        if secret.strip().lower() in KNOWN_DEFAULT_SECRETS or len(secret) < 16:
            raise ConfigError(
                "SECRET_KEY is missing or a known default: set a long random SECRET_KEY "
                "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if secret_bits(secret) < MIN_SECRET_BITS:
            raise ConfigError(
                f"SECRET_KEY is too predictable (about {secret_bits(secret):.0f} bits, "
                f"{MIN_SECRET_BITS} needed): use "
                "python -c 'import secrets; print(secrets.token_hex(32))'."
            )
        if not os.environ.get("DATABASE_URL"):
            raise ConfigError(
                "DATABASE_URL is missing: production needs a PostgreSQL database URL."
            )
        if settings.get("DEBUG") or debug_requested():
            raise ConfigError(
                "DEBUG must be off in production (unset FLASK_DEBUG; no --debug or --debugger)."
            )
        if served_by_flask_run():
            raise ConfigError(
                "production is served by gunicorn (deploy/gunicorn.conf.py), "
                "not by the development server of flask run."
            )


def debug_requested() -> bool:
    """True when the environment asks for debug mode (FLASK_DEBUG, set by flask --debug too)."""
    return os.environ.get("FLASK_DEBUG", "").strip().lower() not in ("", "0", "false", "no")


def served_by_flask_run() -> bool:
    """True while the app is being loaded by `flask run` (the Werkzeug development server)."""
    try:
        import click
    except ImportError:  # pragma: no cover - click comes with Flask
        return False
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.command is not None and ctx.command.name == "run" and ctx.parent is not None:
            return True
        ctx = ctx.parent
    return False


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def apply_environment(settings: dict) -> None:
    """Overlay the settings read from the process environment at app creation time."""
    if "SECRET_KEY" in os.environ:
        settings["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("DATABASE_URL") and not settings.get("TESTING"):
        settings["SQLALCHEMY_DATABASE_URI"] = _database_url(None)
    if os.environ.get("REDIS_URL") and not settings.get("TESTING"):
        settings["REDIS_URL"] = os.environ["REDIS_URL"]
        settings["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
