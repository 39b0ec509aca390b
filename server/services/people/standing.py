"""Whether credentials still stand: the sessions and tokens of open connections
(live subscriptions) checked again in bulk, without touching them.

A session stands while it is not revoked, its user is active and it has neither
expired nor idled out; a token while it is not revoked, its user is active and
it has not expired. Reads only: no transaction, no last-seen update.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from server import db
from server.clock import clock
from server.domain.core.roles import Role, Team
from server.services.people.auth import as_datetime, policy, touches


@dataclass(frozen=True)
class Standing:
    """A credential that still stands, with its user's team and role now."""

    team: Team
    role: Role


async def standing(
    sessions: Sequence[int], tokens: Sequence[int]
) -> dict[tuple[str, int], Standing]:
    """("session" | "token", id) → Standing for those that still stand; one
    query per kind of credential."""
    now = clock.now()
    found: dict[tuple[str, int], Standing] = {}
    if sessions:
        rows = await db.fetch(
            "SELECT s.id, s.last_seen_at, s.expires_at, u.team, u.role "
            "FROM user_session s JOIN app_user u ON u.id = s.user_id "
            f"WHERE s.id IN ({_marks(sessions)}) AND s.revoked_at IS NULL "
            "AND u.active",
            *sessions,
        )
        for row in rows:
            seen = max(
                as_datetime(row["last_seen_at"]),
                touches.sessions.get(row["id"], now - timedelta(days=36500)),
            )
            if now < as_datetime(row["expires_at"]) and now - seen < policy.idle:
                found[("session", row["id"])] = _standing(row)
    if tokens:
        rows = await db.fetch(
            "SELECT t.id, t.expires_at, u.team, u.role "
            "FROM api_token t JOIN app_user u ON u.id = t.user_id "
            f"WHERE t.id IN ({_marks(tokens)}) AND t.revoked_at IS NULL AND u.active",
            *tokens,
        )
        for row in rows:
            if row["expires_at"] is None or now < as_datetime(row["expires_at"]):
                found[("token", row["id"])] = _standing(row)
    return found


def _standing(row: dict[str, object]) -> Standing:
    return Standing(Team(str(row["team"])), Role(str(row["role"])))


def _marks(values: Sequence[int]) -> str:
    return ", ".join("?" for _ in values)
