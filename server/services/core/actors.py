"""Who is calling: the authenticated principal every use case receives."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.domain.core.roles import Role, Scope, Team

ALL_SCOPES = frozenset(Scope)


@dataclass(frozen=True)
class Actor:
    user_id: int
    team: Team
    role: Role
    credential: str  # "session" or "token"
    credential_id: int
    scopes: frozenset[Scope] = ALL_SCOPES
    request_id: str = ""
    client_address: str = ""
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER

    @property
    def in_session(self) -> bool:
        return self.credential == "session"

    @property
    def credential_label(self) -> str:
        return f"{self.credential}:{self.credential_id}"


@dataclass(frozen=True)
class Anonymous:
    """A caller without credentials (only login and setPassword accept one)."""

    request_id: str = ""
    client_address: str = ""
