"""The demo's people: the operator's admin, who grants everyone else a role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from server.clock import clock
from server.demo.plans.company import ADMIN, STAFF, Person
from server.demo.timeline import ok
from server.domain.core.roles import Role, Team
from server.services.core import ids
from server.services.core.actors import Actor
from server.services.people import users
from server.services.people.passwords import new_secret


@dataclass(frozen=True)
class Login:
    person: Person
    password: str


@dataclass
class Cast:
    """The seeded people as the use cases see them, by `Person.key`."""

    actors: dict[str, Actor] = field(default_factory=dict)
    logins: list[Login] = field(default_factory=list)

    def add(self, person: Person, user_id: int, password: str) -> None:
        self.actors[person.key] = Actor(
            user_id,
            Team(person.team),
            Role(person.role),
            credential="session",
            credential_id=0,
            request_id="demo",
        )
        self.logins.append(Login(person, password))


def new_password() -> str:
    return new_secret(12)


async def hire(at: datetime, password: Callable[[], str]) -> Cast:
    """The admin is the operator's (`create-user`); the admin grants the rest."""
    cast = Cast()
    clock.freeze(at)
    secret = password()
    admin = ok(await users.create_user_from_cli(_new(ADMIN, secret)), "create admin")
    cast.add(ADMIN, admin.id, secret)
    for n, person in enumerate(STAFF, start=1):
        clock.freeze(at + timedelta(minutes=10 * n))
        secret = password()
        made = ok(
            await users.create_user(cast.actors["admin"], _new(person, secret)),
            f"create {person.email}",
        )
        cast.add(person, made.id, secret)
        if not person.accepts_leads:
            change = users.UserChanges(
                ids.encode("User", made.id), None, {"acceptsLeads": False}
            )
            ok(await users.update_user(cast.actors["admin"], change), "update user")
    return cast


def _new(person: Person, password: str) -> users.NewUser:
    return users.NewUser(
        person.email, person.name, person.team, person.role, person.timezone, password
    )
