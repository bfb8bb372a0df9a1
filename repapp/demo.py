"""A demo agency: clients, a user for every role, and sample data to click through every screen."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .admin.operations import create_user, save_client
from .models import Client, Role, User

DEMO_PASSWORD = "demo-pass-2026"


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


def load_demo(dbs: Session) -> list[User]:
    """Load the demo agency (idempotent) and return the demo users."""
    _ensure_clients(dbs)
    users = _ensure_users(dbs)
    dbs.flush()
    return users
