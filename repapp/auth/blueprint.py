"""Routes of the auth blueprint."""

from flask import Blueprint

from . import views

bp = Blueprint("auth", __name__)
bp.add_url_rule("/auth/login", view_func=views.login, methods=["GET", "POST"])
bp.add_url_rule("/auth/logout", view_func=views.logout, methods=["POST"])
bp.add_url_rule("/auth/confirm", view_func=views.confirm_password, methods=["GET", "POST"])
bp.add_url_rule("/settings/language", view_func=views.set_language, methods=["POST"])
