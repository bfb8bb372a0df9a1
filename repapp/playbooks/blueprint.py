"""Routes of the playbooks blueprint."""

from flask import Blueprint

from . import views

bp = Blueprint("playbooks", __name__, url_prefix="/playbooks")
bp.add_url_rule("", view_func=views.playbook_list)
bp.add_url_rule("/import", view_func=views.playbook_import, methods=["GET", "POST"])
bp.add_url_rule("/versions/<int:version_id>", view_func=views.version_detail)
bp.add_url_rule("/versions/<int:version_id>/diff", view_func=views.version_diff)
bp.add_url_rule("/versions/<int:version_id>/approve", view_func=views.version_approve, methods=["POST"])
bp.add_url_rule("/versions/<int:version_id>/reject", view_func=views.version_reject, methods=["POST"])
bp.add_url_rule("/clients/<client_slug>", view_func=views.client_playbook)
bp.add_url_rule("/clients/<client_slug>/current", view_func=views.playbook_current)
bp.add_url_rule("/clients/<client_slug>/export", view_func=views.playbook_export)
bp.add_url_rule("/clients/<client_slug>/edit/<section>", view_func=views.section_edit, methods=["GET", "POST"])
bp.add_url_rule("/clients/<client_slug>/targets", view_func=views.playbook_targets, methods=["GET", "POST"])
