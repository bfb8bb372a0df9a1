"""Configuration layers: defaults, instance/config.py, strict REPAPP_* variables, test overrides."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from repapp import create_app
from repapp.config import ConfigError


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REPAPP_LOGIN_MAX_FAILURES", "five"),
        ("REPAPP_LOGIN_MAX_FAILURES", "0"),
        ("REPAPP_SESSION_COOKIE_SECURE", "maybe"),
        ("REPAPP_SMTP_PORT", "70000"),
        ("REPAPP_DEFAULT_LOCALE", "de"),
        ("DATABASE_URL", "mysql://x"),
        ("REPAPP_ENCRYPTION_KEYS", "not-a-fernet-key"),
        ("REPAPP_NO_SUCH_SETTING", "1"),
    ],
)
def test_bad_environment_value_stops_start_up(tmp_path, monkeypatch, variable, value):
    """A malformed variable stops create_app with a message naming it."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        create_app(instance_path=str(tmp_path))


def test_first_start_creates_instance_config_with_fresh_keys(tmp_path):
    """Two installs get different, real keys in instance/config.py."""
    app1 = create_app(instance_path=str(tmp_path / "one"))
    app2 = create_app(instance_path=str(tmp_path / "two"))
    assert (tmp_path / "one" / "config.py").exists()
    assert app1.config["SECRET_KEY"] != app2.config["SECRET_KEY"]
    assert len(app1.config["SECRET_KEY"]) >= 32
    assert app1.config["ENCRYPTION_KEYS"] != app2.config["ENCRYPTION_KEYS"]
    assert oct((tmp_path / "one" / "config.py").stat().st_mode)[-3:] == "600"


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    """REPAPP_* variables win over instance/config.py, which wins over defaults."""
    monkeypatch.setenv("REPAPP_LOGIN_MAX_FAILURES", "9")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@127.0.0.1/db")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["LOGIN_MAX_FAILURES"] == 9
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@127.0.0.1/db"


@pytest.mark.parametrize("secret", ["changeme", "dev", "short-but-not-placeholder"])
def test_production_refuses_placeholder_or_short_secret(tmp_path, monkeypatch, secret):
    """Outside development a placeholder or short SECRET_KEY refuses to start."""
    monkeypatch.setenv("REPAPP_ENV", "production")
    monkeypatch.setenv("REPAPP_SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(instance_path=str(tmp_path))


def test_cli_reports_bad_variable_in_one_line(tmp_path):
    """The console script prints the variable's name and exits 2, without a traceback."""
    env = dict(os.environ, REPAPP_INSTANCE_PATH=str(tmp_path), REPAPP_SMTP_PORT="seventy")
    repapp = Path(sys.executable).with_name("repapp")
    result = subprocess.run([str(repapp), "routes"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "REPAPP_SMTP_PORT" in result.stderr
    assert "Traceback" not in result.stderr
