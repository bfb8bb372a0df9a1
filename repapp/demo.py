"""A demo agency: clients, a user for every role, and sample data to click through every screen."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .admin.operations import create_user, save_client
from .models import Client, Forum, ForumAccount, MonthlyReport, PlaybookStatus, PlaybookVersion, Role, User, utcnow

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo-pass-2026"
# The demo forum's accounts (repapp/devforum/demo.py) share this password.
DEMO_FORUM_PASSWORD = "demo-forum-pass"
DEMO_FORUM_KEY = "demo-flaskbb"
# Like the seed's first month: every reply is approved by a PR specialist for a while.
APPROVE_EVERYTHING_FOR = timedelta(days=30)


@dataclass(frozen=True)
class DemoClient:
    slug: str
    name: str
    display_name: str
    site_url: str


DEMO_CLIENTS = (
    DemoClient("avtodom-premium", "Автодом Премиум", "Автодом_официально", "https://avtodom.example"),
    DemoClient("svyaz-plus", "Связь Плюс", "СвязьПлюс_поддержка", "https://svyazplus.example"),
    DemoClient("modnyi-shkaf", "Модный шкаф", "Модный_шкаф", "https://modshkaf.example"),
)

# (e-mail, role, name, client slugs)
DEMO_USERS = (
    ("admin@demo.repapp", Role.ADMIN, "Анна Админова", ()),
    ("pr@demo.repapp", Role.PR, "Павел Пиаров", ()),
    ("rep@demo.repapp", Role.REP, "Регина Представитель", ("avtodom-premium", "svyaz-plus")),
    ("rep2@demo.repapp", Role.REP, "Роман Ответов", ("modnyi-shkaf",)),
    ("client@demo.repapp", Role.CLIENT, "Кирилл Клиентов", ("avtodom-premium",)),
)


def _ensure_clients(dbs: Session) -> None:
    """Create the demo clients that the playbooks did not create already."""
    for demo in DEMO_CLIENTS:
        if dbs.scalar(select(Client.id).where(Client.slug == demo.slug)) is None:
            save_client(dbs, None, slug=demo.slug, name=demo.name, display_name=demo.display_name,
                        site_url=demo.site_url)


def _ensure_users(dbs: Session) -> list[User]:
    """Create the demo users that do not exist yet; return all of them."""
    users = []
    for email, role, name, slugs in DEMO_USERS:
        user = dbs.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(dbs, email=email, password=DEMO_PASSWORD, role=role, name=name, client_slugs=slugs)
        users.append(user)
    return users


def _put_playbooks_in_force(dbs: Session, pr: User, definitions: dict[str, Any]) -> None:
    """Approve each demo client's playbook, with "approve everything" for the demo's first month."""
    from .playbooks.versions import approve_version, latest_version, parsed, store_playbook, version_in_force

    for demo in DEMO_CLIENTS:
        client = dbs.scalar(select(Client).where(Client.slug == demo.slug))
        latest = latest_version(dbs, client.id)
        if latest is None or version_in_force(dbs, client.id) is not None:
            continue
        if latest.status == PlaybookStatus.DRAFT:
            approve_version(dbs, latest, actor=pr, definitions=definitions, comment="Демо: ТЗ из файла утверждено")
        playbook = parsed(latest)
        until = (utcnow() + APPROVE_EVERYTHING_FOR).date()
        approval = playbook.approval.model_copy(update={"everything_until": until})
        result = store_playbook(dbs, playbook.model_copy(update={"approval": approval}),
                                source="demo: approve everything for a month", actor=pr)
        if result.version is not None and result.version.status == PlaybookStatus.DRAFT:
            approve_version(dbs, result.version, actor=pr, definitions=definitions,
                            comment="Демо: первый месяц — всё на согласовании")


def _set_demo_forum_passwords(dbs: Session) -> None:
    """Give the official accounts on the demo forum their (encrypted) demo password."""
    from .crypto import encrypt

    forum = dbs.scalar(select(Forum).where(Forum.key == DEMO_FORUM_KEY))
    if forum is None:
        return
    for account in dbs.scalars(select(ForumAccount).where(ForumAccount.forum_id == forum.id)):
        if account.password_encrypted is None:
            account.password_encrypted = encrypt(DEMO_FORUM_PASSWORD)


def _read_only_the_local_forum(dbs: Session) -> None:
    """Switch off every forum but the local demo forum: the demo never reaches beyond this machine."""
    for forum in dbs.scalars(select(Forum).where(Forum.key != DEMO_FORUM_KEY, Forum.is_active.is_(True))):
        log.info("demo: forum %s is not read (only the local demo forum is)", forum.key)
        forum.is_active = False


def _publish_last_month(dbs: Session, pr: User) -> None:
    """Publish last month's report of the first demo client, so the client viewer has one to read."""
    from .reports.generate import generate_report
    from .reports.workflow import accept_report, publish_report

    client = dbs.scalar(select(Client).where(Client.slug == DEMO_CLIENTS[0].slug))
    month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    if dbs.scalar(select(MonthlyReport.id).where(MonthlyReport.client_id == client.id, MonthlyReport.month == month)):
        return
    report = generate_report(dbs, client, month, actor=pr)
    accept_report(dbs, report, actor=pr, comment="Первый месяц работы: ветки подключены, реакция — в пределах ТЗ.")
    publish_report(dbs, report, actor=pr)


def load_demo(dbs: Session, definitions: dict[str, Any] | None = None) -> list[User]:
    """Load the demo agency (idempotent): clients, users, playbooks in force, accounts, a published report."""
    _ensure_clients(dbs)
    users = _ensure_users(dbs)
    dbs.flush()
    pr = next(u for u in users if u.role == Role.PR)
    if definitions is not None and dbs.scalar(select(PlaybookVersion.id).limit(1)) is not None:
        _put_playbooks_in_force(dbs, pr, definitions)
    _set_demo_forum_passwords(dbs)
    _read_only_the_local_forum(dbs)
    _publish_last_month(dbs, pr)
    dbs.flush()
    return users
