"""Posting approved replies: slots within the posting limits, engines that log in and reply, exactly once.

limits (pure slot planner) -> planning (slots in the database) -> sending (claim, engine, answer)
-> confirming (re-read: settle unknown outcomes, confirm posts) ; manual (posted by hand).
The public API is repapp.posting.service; the worker runs repapp.posting.jobs.post_due_replies_job.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

posting_cli = AppGroup("posting", help="Post approved replies to the forums.")


@posting_cli.command("run")
def run_command() -> None:
    """Do one round of posting now: send what is due, settle unknown outcomes, confirm posts."""
    from ..extensions import db
    from .jobs import post_due_replies_job

    round_ = post_due_replies_job(current_app._get_current_object())
    db.session.commit()
    click.echo(f"sent: {dict(round_.sent)}; settled: {dict(round_.resolved)}; confirmed: {dict(round_.confirmed)}; "
               f"expired claims: {len(round_.expired)}; errors: {len(round_.errors)}")


def init_app(app: Flask) -> None:
    """Register the posting commands."""
    app.cli.add_command(posting_cli)
