"""Two clients with users of every role and objects of each: the ground for access tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from repapp.admin.operations import create_user, save_client
from repapp.models import Client, Role, User

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    client_a: Client
    client_b: Client
    users: dict[str, User] = field(default_factory=dict)

    def user(self, name: str) -> User:
        """Return the user called `name` (admin, pr, rep_a, rep_b, client_a, client_b)."""
        return self.users[name]


def build_world(dbs: Session) -> World:
    """Create clients A and B and one user of each role (reps and viewers per client)."""
    a = save_client(dbs, None, slug="client-a", name="Client A")
    b = save_client(dbs, None, slug="client-b", name="Client B")
    world = World(a, b)
    for name, role, slugs in (
        ("admin", Role.ADMIN, ()),
        ("pr", Role.PR, ()),
        ("rep_a", Role.REP, ("client-a",)),
        ("rep_b", Role.REP, ("client-b",)),
        ("client_a", Role.CLIENT, ("client-a",)),
        ("client_b", Role.CLIENT, ("client-b",)),
        # Acted upon by routes that name a user, so the actors above keep working.
        ("subject_a", Role.REP, ("client-a",)),
    ):
        # English pages, so assertions read plainly; the Russian UI has its own tests.
        world.users[name] = create_user(dbs, email=f"{name}@test.repapp", password=PASSWORD, role=role,
                                        client_slugs=slugs, locale="en")
    dbs.commit()
    return world
