"""Resolvers ask here before calling a read service; mutations are checked by the
service layer's `mutations.run`, which applies the same table."""

from __future__ import annotations

from schema.context import Info
from server.domain.core.errors import Unauthenticated
from server.services.core.actors import Actor
from server.services.core.permissions import authorize


def require(info: Info, operation: str) -> Actor:
    caller = info.context.caller
    authorize(caller, operation)
    if not isinstance(caller, Actor):
        raise Unauthenticated("sign in or send an API token")
    return caller


def actor_of(info: Info) -> Actor:
    """The caller of a mutation (whose permission the service checks)."""
    actor = info.context.actor
    if actor is None:
        raise Unauthenticated("sign in or send an API token")
    return actor
