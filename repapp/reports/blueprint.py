"""Routes of the reports blueprint."""

from flask import Blueprint

from . import views

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.add_url_rule("", view_func=views.report_list)
bp.add_url_rule("/generate", view_func=views.report_generate, methods=["POST"])
bp.add_url_rule("/<int:report_id>", view_func=views.report_detail)
bp.add_url_rule("/<int:report_id>/download/<any(pdf, xlsx, csv, json):fmt>", view_func=views.report_download)
bp.add_url_rule("/<int:report_id>/regenerate", view_func=views.report_regenerate, methods=["POST"])
bp.add_url_rule("/<int:report_id>/accept", view_func=views.report_accept, methods=["POST"])
bp.add_url_rule("/<int:report_id>/reopen", view_func=views.report_reopen, methods=["POST"])
bp.add_url_rule("/<int:report_id>/publish", view_func=views.report_publish, methods=["POST"])
