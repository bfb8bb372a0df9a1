"""The worker's monthly-report job: run daily, it freezes last month once the month is over."""

from __future__ import annotations

from flask import Flask

from ..extensions import db
from .generate import generate_due_reports


def generate_monthly_reports_job(app: Flask) -> object:
    """Generate last month's report for every client that has none (or only a draft made before the month ended)."""
    return generate_due_reports(db.session)
