"""Routes of the notifications blueprint."""

from flask import Blueprint

from . import views

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
bp.add_url_rule("", view_func=views.notification_list)
bp.add_url_rule("/read", view_func=views.notifications_mark_read, methods=["POST"])
bp.add_url_rule("/inbox-seen", view_func=views.inbox_mark_seen, methods=["POST"])
