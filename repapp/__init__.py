"""repapp: official online representatives on forums, driven by playbooks."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from importlib import import_module
from typing import Any

from flask import Flask

from .config import PROJECT_ROOT, check_secrets, default_settings, ensure_instance_config, settings_from_environ


# Each module's init_app(app) is called in this order; the factory reads as this list.
SUBSYSTEMS = (
    "repapp.database",
    "repapp.security",
    "repapp.i18n",
    "repapp.templating",
    "repapp.errors",
    "repapp.auth",
    "repapp.access",
    "repapp.dashboard",
    "repapp.admin",
    "repapp.commands",
    "repapp.backup",
    "repapp.devforum.cli",
    "repapp.worker",
    "repapp.forums.web",
    "repapp.forums.check_cli",
    "repapp.scraping.cli",
    "repapp.threads",
    "repapp.inbox",
    "repapp.replies",
    "repapp.posting",
    "repapp.playbooks.cli",
    "repapp.playbooks.web",
    "repapp.kpi",
    "repapp.reports",
    "repapp.cases",
    "repapp.notifications",
)


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
    app.config.update(settings_from_environ(os.environ))
    if test_config:
        app.config.update(test_config)
    check_secrets(app.config)
    logging.getLogger("repapp").setLevel(app.config["LOG_LEVEL"])

    for name in SUBSYSTEMS:
        import_module(name).init_app(app)
    return app
