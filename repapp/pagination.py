"""Paginating long lists with SQLAlchemy selects."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.sql import Select

from .extensions import db


def paginate(query: Select[Any]) -> Pagination:
    """Return the page of `query` named by ?page=, PAGE_SIZE rows a page."""
    return db.paginate(query, per_page=current_app.config["PAGE_SIZE"], max_per_page=200, error_out=False)


def page_url(page: int) -> str:
    """Return the current URL with ?page= set to `page`."""
    args = dict(request.view_args or {})
    args.update(request.args.to_dict())
    args["page"] = page
    return url_for(request.endpoint, **args)
