"""Logging in as a browser would, through Flask's test client or over HTTP: CSRF token from the page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
from flask import Flask
from flask.testing import FlaskClient

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _token(html: str, where: str) -> str:
    """Return the CSRF token a page carries."""
    match = CSRF_META.search(html)
    if not match:
        raise RuntimeError(f"no CSRF token on {where}")
    return match.group(1)


def logged_in(app: Flask, email: str, password: str) -> FlaskClient:
    """Return a test client logged in through the login form."""
    client = app.test_client()
    token = _token(client.get("/auth/login").get_data(as_text=True), "/auth/login")
    answer = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})
    if answer.status_code != 302:
        raise RuntimeError(f"logging in as {email} failed: {answer.status_code}")
    return client


def logged_in_http(base_url: str, email: str, password: str) -> httpx.Client:
    """Return an HTTP client with a session logged in through the login form."""
    client = httpx.Client(base_url=base_url, timeout=60)
    token = _token(client.get("/auth/login").text, "/auth/login")
    answer = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})
    if answer.status_code != 302:
        raise RuntimeError(f"logging in as {email} over HTTP failed: {answer.status_code}")
    return client


def scratch_copy(database: Path, folder: Path) -> Path:
    """Copy a cached database (with its WAL, if any) so the run's logins and writes never change the cache."""
    target = folder / database.name
    shutil.copyfile(database, target)
    for suffix in ("-wal", "-shm"):
        extra = database.with_name(database.name + suffix)
        if extra.exists():
            shutil.copyfile(extra, folder / extra.name)
    return target
