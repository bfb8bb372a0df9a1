"""Routes of the inbox blueprint."""

from flask import Blueprint

from . import views

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
bp.add_url_rule("", view_func=views.inbox)
bp.add_url_rule("/<int:post_id>", view_func=views.item)
bp.add_url_rule("/<int:post_id>/tags", view_func=views.item_tags, methods=["POST"])
bp.add_url_rule("/<int:post_id>/take", view_func=views.item_take, methods=["POST"])
bp.add_url_rule("/<int:post_id>/no-answer", view_func=views.item_no_answer, methods=["POST"])
bp.add_url_rule("/<int:post_id>/reopen", view_func=views.item_reopen, methods=["POST"])
