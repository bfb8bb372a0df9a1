"""The navigation menu per role; entries appear once their endpoint exists."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from .models import Role, User

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.PR: _l("PR specialist"),
    Role.REP: _l("Representative"),
    Role.CLIENT: _l("Client viewer"),
}


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object
    roles: frozenset[Role]


NAV_ENTRIES = (
    NavEntry("inbox.inbox", _l("Inbox"), frozenset({Role.REP, Role.PR, Role.ADMIN})),
    NavEntry("replies.approvals_queue", _l("Approvals"), frozenset({Role.PR, Role.ADMIN})),
    NavEntry("replies.outbox", _l("Outbox"), frozenset({Role.REP, Role.PR, Role.ADMIN})),
    NavEntry("threads.thread_list", _l("Threads"), frozenset({Role.REP, Role.PR, Role.ADMIN})),
    NavEntry("cases.case_list", _l("Cases"), frozenset({Role.REP, Role.PR, Role.ADMIN})),
    NavEntry("playbooks.playbook_list", _l("Playbooks"), frozenset({Role.PR, Role.ADMIN, Role.REP})),
    NavEntry("kpi.targets_overview", _l("KPIs"), frozenset({Role.PR, Role.ADMIN, Role.CLIENT})),
    NavEntry("reports.report_list", _l("Reports"), frozenset({Role.PR, Role.ADMIN, Role.CLIENT})),
    NavEntry("forums.forum_list", _l("Forums"), frozenset({Role.ADMIN, Role.PR})),
    NavEntry("admin.user_list", _l("Users"), frozenset({Role.ADMIN})),
    NavEntry("admin.client_list", _l("Clients"), frozenset({Role.ADMIN})),
)


def nav_items(user: User) -> list[dict[str, object]]:
    """Return the menu entries for `user` whose views exist."""
    return [
        {"url": url_for(e.endpoint), "label": e.label}
        for e in NAV_ENTRIES
        if user.role in e.roles and e.endpoint in current_app.view_functions
    ]


def role_label(role: Role) -> object:
    """Return the translated name of a role."""
    return ROLE_LABELS[role]
