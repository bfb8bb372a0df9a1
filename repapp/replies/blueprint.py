"""Routes of the replies blueprint."""

from flask import Blueprint

from . import views

bp = Blueprint("replies", __name__)
bp.add_url_rule("/replies/new", view_func=views.draft_new, methods=["POST"])
bp.add_url_rule("/replies/<int:reply_id>", view_func=views.reply_edit, methods=["GET", "POST"])
bp.add_url_rule("/replies/<int:reply_id>/check", view_func=views.reply_check, methods=["POST"])
bp.add_url_rule("/replies/<int:reply_id>/approve", view_func=views.reply_approve, methods=["POST"])
bp.add_url_rule("/replies/<int:reply_id>/reject", view_func=views.reply_reject, methods=["POST"])
bp.add_url_rule("/replies/<int:reply_id>/manual", view_func=views.reply_manual, methods=["POST"])
bp.add_url_rule("/approvals", view_func=views.approval_queue, endpoint="approvals_queue")
bp.add_url_rule("/outbox", view_func=views.outbox)
