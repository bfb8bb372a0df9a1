"""repapp: official online representatives on forums, driven by playbooks."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .config import PROJECT_ROOT, check_secrets, default_settings, ensure_instance_config, settings_from_environ


def create_app(test_config: Mapping[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the app: defaults, instance/config.py, REPAPP_* variables, test overrides, subsystems."""
    app = Flask(
        __name__,
        instance_path=instance_path or os.environ.get("REPAPP_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_mapping(default_settings(app.instance_path))
    testing = bool(test_config and test_config.get("TESTING"))
    if not testing:
        ensure_instance_config(app.instance_path)
    app.config.from_pyfile("config.py", silent=True)
    environ = {k: v for k, v in os.environ.items() if k != "REPAPP_INSTANCE_PATH"}
    app.config.update(settings_from_environ(environ))
    if test_config:
        app.config.update(test_config)
    check_secrets(app.config)
    logging.getLogger("repapp").setLevel(app.config["LOG_LEVEL"])

    from . import access, admin, auth, commands, dashboard, database, errors, i18n, security, templating

    database.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    access.init_app(app)
    dashboard.init_app(app)
    admin.init_app(app)
    commands.init_app(app)
    _init_optional_subsystems(app)
    return app


def _init_optional_subsystems(app: Flask) -> None:
    """Wire the subsystems whose packages provide an init_app (scraping, playbooks, …)."""
    from importlib import import_module

    for name in ("repapp.scraping.cli", "repapp.playbooks.cli"):
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.init_app(app)
