"""Routes of the threads blueprint."""

from flask import Blueprint

from . import views

bp = Blueprint("threads", __name__, url_prefix="/threads")
bp.add_url_rule("", view_func=views.thread_list)
bp.add_url_rule("/new", view_func=views.thread_new, methods=["GET", "POST"])
bp.add_url_rule("/<int:thread_id>", view_func=views.thread_detail)
bp.add_url_rule("/<int:thread_id>/read", view_func=views.thread_read_now, methods=["POST"])
bp.add_url_rule("/<int:thread_id>/status", view_func=views.thread_status)
bp.add_url_rule("/<int:thread_id>/watching", view_func=views.thread_set_watching, methods=["POST"])
