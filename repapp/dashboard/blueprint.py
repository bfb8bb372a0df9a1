"""Routes of the dashboard blueprint."""

from flask import Blueprint

from . import views

bp = Blueprint("dashboard", __name__)
bp.add_url_rule("/", view_func=views.home)
