"""Routes of the admin blueprint."""

from flask import Blueprint

from . import accounts, views

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.add_url_rule("/users", view_func=views.user_list)
bp.add_url_rule("/users/new", view_func=views.user_new, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>", view_func=views.user_edit, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>/enabled", view_func=views.user_set_enabled, methods=["POST"])
bp.add_url_rule("/clients", view_func=views.client_list)
bp.add_url_rule("/clients/new", view_func=views.client_new, methods=["GET", "POST"])
bp.add_url_rule("/clients/<client_slug>", view_func=views.client_edit, methods=["GET", "POST"])
bp.add_url_rule("/clients/<client_slug>/accounts", view_func=accounts.forum_accounts, methods=["GET", "POST"])
bp.add_url_rule("/accounts/<int:account_id>/delete", view_func=accounts.forum_account_delete, methods=["POST"])
