"""Routes of the kpi blueprint (the targets view, manual figures, tracked links and /go/<code>)."""

from flask import Blueprint

from . import views

bp = Blueprint("kpi", __name__)
bp.add_url_rule("/kpi", view_func=views.targets_overview)
bp.add_url_rule("/kpi/clients/<client_slug>", view_func=views.client_targets)
bp.add_url_rule("/kpi/clients/<client_slug>/manual", view_func=views.manual_entries, methods=["GET", "POST"])
bp.add_url_rule("/kpi/clients/<client_slug>/manual/import", view_func=views.manual_import, methods=["POST"])
bp.add_url_rule("/kpi/links", view_func=views.link_list)
bp.add_url_rule("/kpi/links/new", view_func=views.link_new, methods=["GET", "POST"])
bp.add_url_rule("/go/<code>", view_func=views.follow_link)
