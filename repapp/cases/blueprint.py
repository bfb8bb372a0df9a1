"""Routes of the cases blueprint and of the contacts' answer page."""

from flask import Blueprint

from . import public, views

bp = Blueprint("cases", __name__, url_prefix="/cases")
bp.add_url_rule("", view_func=views.case_list)
bp.add_url_rule("/new", view_func=views.case_new, methods=["GET", "POST"])
bp.add_url_rule("/<int:case_id>", view_func=views.case_detail)
bp.add_url_rule("/<int:case_id>/state", view_func=views.case_transition, methods=["POST"])
bp.add_url_rule("/<int:case_id>/reopen", view_func=views.case_reopen, methods=["POST"])
bp.add_url_rule("/<int:case_id>/posts", view_func=views.case_link_post, methods=["POST"])
bp.add_url_rule("/<int:case_id>/posts/unlink", view_func=views.case_unlink_post, methods=["POST"])
bp.add_url_rule("/<int:case_id>/escalate", view_func=views.escalation_new, methods=["GET", "POST"])
bp.add_url_rule("/escalations/<int:escalation_id>/resend", view_func=views.escalation_resend, methods=["POST"])

# The contact's page lives outside /cases: it is public, reached only through a signed link.
answers_bp = Blueprint("answers", __name__)
answers_bp.add_url_rule("/answer/<token>", view_func=public.answer, methods=["GET", "POST"])
