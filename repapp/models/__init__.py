"""The whole domain model; import models from here."""

from .audit import AuditEvent, Notification, Setting
from .cases import Case, Escalation, case_posts
from .forums import Forum, ForumAccount, ThreadSnapshot, WatchedThread
from .kpis import LinkClick, ManualKpiEntry, MonthlyReport, TrackedLink
from .people import Client, LoginFailure, User, UserSession, rep_clients
from .playbooks import KpiTarget, KpiTargetChange, PlaybookVersion
from .posts import Post, PostTag
from .replies import Reply
from .types import (
    CaseState,
    KpiKey,
    PlaybookStatus,
    PostMethod,
    ReplyKind,
    ReplyState,
    ReportState,
    Role,
    TriageState,
    utcnow,
)

__all__ = [
    "AuditEvent", "Case", "CaseState", "Client", "Escalation", "Forum", "ForumAccount", "KpiKey",
    "KpiTarget", "KpiTargetChange", "LinkClick", "LoginFailure", "ManualKpiEntry", "MonthlyReport",
    "Notification", "PlaybookStatus", "PlaybookVersion", "Post", "PostMethod", "PostTag", "Reply",
    "ReplyKind", "ReplyState", "ReportState", "Role", "Setting", "ThreadSnapshot", "TrackedLink",
    "TriageState", "User", "UserSession", "WatchedThread", "case_posts", "rep_clients", "utcnow",
]
