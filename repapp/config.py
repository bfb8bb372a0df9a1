"""Layered configuration: defaults, instance/config.py, REPAPP_* variables, test overrides."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ENVIRONMENTS = ("development", "production", "testing")
LOCALES = ("ru", "en")

# Values that people copy from examples; never acceptable as real keys.
PLACEHOLDER_KEYS = {"", "dev", "changeme", "change-me", "secret", "please-change", "placeholder"}


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message names the setting."""


def parse_bool(name: str, raw: str) -> bool:
    """Parse a boolean environment value strictly."""
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}: expected true/false (1/0, yes/no, on/off), got {raw!r}")


def parse_positive_int(name: str, raw: str) -> int:
    """Parse a whole number greater than zero."""
    try:
        value = int(raw.strip(), 10)
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name}: expected a number greater than 0, got {raw!r}")
    return value


def parse_port(name: str, raw: str) -> int:
    """Parse a TCP port number."""
    value = parse_positive_int(name, raw)
    if value > 65535:
        raise ConfigError(f"{name}: expected a port from 1 to 65535, got {raw!r}")
    return value


def choice_parser(*choices: str) -> Callable[[str, str], str]:
    """Return a parser that accepts exactly one of `choices`."""

    def parse(name: str, raw: str) -> str:
        value = raw.strip()
        if value not in choices:
            raise ConfigError(f"{name}: expected one of {', '.join(choices)}, got {raw!r}")
        return value

    return parse


def parse_text(name: str, raw: str) -> str:
    """Accept any non-empty text."""
    if not raw.strip():
        raise ConfigError(f"{name}: must not be empty")
    return raw.strip()


def parse_database_url(name: str, raw: str) -> str:
    """Accept SQLite and PostgreSQL URLs, normalising postgres:// to the psycopg driver."""
    value = raw.strip()
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    if value.startswith(("postgresql+psycopg://", "sqlite:///")):
        return value
    raise ConfigError(f"{name}: expected a sqlite:/// or postgresql:// URL, got {raw[:30]!r}")


def parse_key_list(name: str, raw: str) -> list[str]:
    """Parse comma-separated Fernet keys; the first one encrypts, all of them decrypt."""
    keys = [part.strip() for part in raw.split(",") if part.strip()]
    if not keys:
        raise ConfigError(f"{name}: expected one or more Fernet keys separated by commas")
    for index, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(f"{name}: key #{index} is not a valid Fernet key") from None
    return keys


# Environment variable -> (config key, parser). The one list of everything settable from outside.
ENV_SETTINGS: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "REPAPP_ENV": ("ENV_NAME", choice_parser(*ENVIRONMENTS)),
    "REPAPP_SECRET_KEY": ("SECRET_KEY", parse_text),
    "REPAPP_ENCRYPTION_KEYS": ("ENCRYPTION_KEYS", parse_key_list),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", parse_database_url),
    "REPAPP_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", parse_database_url),
    "REPAPP_DEFAULT_LOCALE": ("BABEL_DEFAULT_LOCALE", choice_parser(*LOCALES)),
    "REPAPP_SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", parse_bool),
    "REPAPP_LOGIN_MAX_FAILURES": ("LOGIN_MAX_FAILURES", parse_positive_int),
    "REPAPP_LOGIN_WINDOW_MINUTES": ("LOGIN_WINDOW_MINUTES", parse_positive_int),
    "REPAPP_SMTP_HOST": ("SMTP_HOST", parse_text),
    "REPAPP_SMTP_PORT": ("SMTP_PORT", parse_port),
    "REPAPP_MAIL_FROM": ("MAIL_FROM", parse_text),
    "REPAPP_BASE_URL": ("BASE_URL", parse_text),
    "REPAPP_FORUMS_DIR": ("FORUMS_DIR", parse_text),
    "REPAPP_PLAYBOOKS_DIR": ("PLAYBOOKS_DIR", parse_text),
    "REPAPP_LOG_LEVEL": ("LOG_LEVEL", choice_parser("DEBUG", "INFO", "WARNING", "ERROR")),
    "REPAPP_PAGE_SIZE": ("PAGE_SIZE", parse_positive_int),
    "REPAPP_WEBHOOK_URL": ("WEBHOOK_URL", parse_text),
}


# REPAPP_* variables read by the scripts and test harnesses, not by the app itself.
NON_APP_VARIABLES = {
    "REPAPP_INSTANCE_PATH",  # read by create_app before configuration exists
    "REPAPP_FLASKBB_PYTHON",  # the demo forum's interpreter
    "REPAPP_NO_DEMO_FORUM",  # scripts/run: skip the demo forum
    "REPAPP_TEST_DATABASE_URL",  # the test suite's database
    "REPAPP_TEST_DB",  # the test suite: "postgresql" runs it all on PostgreSQL
}


def default_settings(instance_path: str) -> dict[str, Any]:
    """Return the built-in defaults, with the SQLite database inside the instance folder."""
    return {
        "ENV_NAME": "development",
        "SECRET_KEY": None,
        "ENCRYPTION_KEYS": None,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'repapp.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "BABEL_DEFAULT_LOCALE": "ru",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "WTF_CSRF_TIME_LIMIT": None,
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_WINDOW_MINUTES": 15,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": 8025,
        "MAIL_FROM": "repapp@localhost",
        "BASE_URL": "http://127.0.0.1:5000",
        "FORUMS_DIR": str(PROJECT_ROOT / "forums"),
        "PLAYBOOKS_DIR": str(PROJECT_ROOT / "playbooks"),
        "LOG_LEVEL": "INFO",
        "PAGE_SIZE": 50,
    }


def settings_from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """Parse every known REPAPP_* variable present in `environ`; raise on a bad value."""
    settings: dict[str, Any] = {}
    for var, (key, parser) in ENV_SETTINGS.items():
        if var in environ:
            settings[key] = parser(var, environ[var])
    unknown = sorted(
        v for v in environ if v.startswith("REPAPP_") and v not in ENV_SETTINGS and v not in NON_APP_VARIABLES
    )
    if unknown:
        raise ConfigError(f"{unknown[0]}: unknown setting (known: {', '.join(sorted(ENV_SETTINGS))})")
    return settings


def ensure_instance_config(instance_path: str) -> Path:
    """Create instance/config.py with fresh random keys if it does not exist yet."""
    path = Path(instance_path) / "config.py"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Created by repapp on first start. Keep it secret; never commit it.\n"
        f"SECRET_KEY = {secrets.token_urlsafe(48)!r}\n"
        "# Fernet keys for forum passwords: the first encrypts, all decrypt (see `repapp keys`).\n"
        f"ENCRYPTION_KEYS = [{Fernet.generate_key().decode()!r}]\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def check_secrets(config: Mapping[str, Any]) -> None:
    """Refuse missing or placeholder keys outside development."""
    if config.get("TESTING"):
        return
    secret = config.get("SECRET_KEY")
    keys = config.get("ENCRYPTION_KEYS")
    strict = config.get("ENV_NAME") != "development"
    if not secret or str(secret).strip().lower() in PLACEHOLDER_KEYS or (strict and len(secret) < 32):
        raise ConfigError(
            "SECRET_KEY: missing, a placeholder or too short; set REPAPP_SECRET_KEY "
            "or remove instance/config.py to have a fresh one generated"
        )
    if not keys:
        raise ConfigError("ENCRYPTION_KEYS: missing; set REPAPP_ENCRYPTION_KEYS or add it to instance/config.py")
    parse_key_list("ENCRYPTION_KEYS", ",".join(keys))
