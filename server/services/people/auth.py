"""Sessions, API-token authentication and login throttling.

A credential is checked by one SQL statement joining it to its user, then
remembered for at most ``credential_cache_seconds`` (1 s by default) in the
worker (`credentials`), so a busy caller costs no statement per request: a
revoked token, a logged-out session or a deactivated user stops working within
that second on every worker, and at once on the worker that ran the change (every
mutation forgets the remembered credentials, `server.executor`). Session idle
times and token ``lastUsedAt`` are kept in memory and flushed at most once a
minute per credential, so a read stays a read.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from server import db
from server.clock import clock
from server.domain.core.errors import ErrorCode, Throttled, refuse
from server.domain.core.inputs import input_problems
from server.domain.core.roles import Role, Scope, Team
from server.domain.people.users import normalise_email
from server.models.people import ApiToken, Session, User
from server.services.core import mutations
from server.services.core.actors import ALL_SCOPES, Actor, Anonymous
from server.services.people.passwords import digest, new_secret, verify_password

if TYPE_CHECKING:
    from server.services.core.pagination import Page, PageRequest

SESSION_COOKIE = "accord_session"
# Set and cleared with the session cookie, readable by the web client.
SIGNED_IN_COOKIE = "accord_signed_in"
TOKEN_PREFIX = "acc_"
FLUSH_INTERVAL = 60.0
LOGIN_FAILURE = "Wrong e-mail or password, or the account is not active."


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(hours=12)
    absolute: timedelta = timedelta(days=7)


policy = SessionPolicy()


def configure(
    idle_hours: float, absolute_days: float, cache_seconds: float = 1.0
) -> None:
    global policy
    policy = SessionPolicy(timedelta(hours=idle_hours), timedelta(days=absolute_days))
    credentials.seconds = cache_seconds
    credentials.clear()


class CredentialCache:
    """Credential rows (joined to their user) checked in the last ``seconds``,
    by kind and secret digest; 0 seconds remembers nothing.

    The rows in use are checked again together (`refresh_credentials`, one
    statement per kind every half ``seconds``), so a busy caller's stays
    remembered without a statement of its own each second; a row is trusted
    for ``seconds`` after the statement that last read it started, however
    it was read."""

    KEPT = 10_000
    IN_USE = 10.0  # a credential asked for within this many seconds is refreshed

    def __init__(self, seconds: float = 1.0) -> None:
        self.seconds = seconds
        self.now = time.monotonic
        self._rows: dict[tuple[str, str], tuple[dict[str, Any], float]] = {}
        self._used: dict[tuple[str, str], float] = {}
        self.generation = 0  # changes with every `clear`

    def get(self, key: tuple[str, str]) -> dict[str, Any] | None:
        found = self._rows.get(key)
        if found is None:
            return None
        now = self.now()
        if now - found[1] >= self.seconds:
            return None
        self._used[key] = now
        return found[0]

    def put(
        self, key: tuple[str, str], row: dict[str, Any], checked: float | None = None
    ) -> None:
        if self.seconds <= 0:
            return
        if len(self._rows) >= self.KEPT:
            self._rows.clear()
            self._used.clear()
        now = self.now()
        self._rows[key] = (row, now if checked is None else checked)
        self._used[key] = now

    def in_use(self) -> list[tuple[str, str]]:
        """The keys asked for lately (those no longer are forgotten)."""
        since = self.now() - self.IN_USE
        for key in [k for k, at in self._used.items() if at < since]:
            del self._used[key]
            self._rows.pop(key, None)
        return list(self._used)

    def refreshed(
        self,
        keys: list[tuple[str, str]],
        rows: dict[tuple[str, str], dict[str, Any]],
        checked: float,
        generation: int,
    ) -> None:
        """The rows a statement started at ``checked`` found for ``keys``:
        renewed, or forgotten when gone. Nothing changes when the cache was
        cleared meanwhile (a mutation here may have revoked one of them)."""
        if generation != self.generation or self.seconds <= 0:
            return
        for key in keys:
            row = rows.get(key)
            if row is None:
                self._rows.pop(key, None)
                self._used.pop(key, None)
            elif key in self._used:
                self._rows[key] = (row, checked)

    def clear(self) -> None:
        self._rows.clear()
        self._used.clear()
        self.generation += 1


credentials = CredentialCache()


class TouchCache:
    """Last-seen instants per credential; a background job writes them back once a
    minute (`FLUSH_INTERVAL`) and at shutdown."""

    def __init__(self) -> None:
        self.sessions: dict[int, datetime] = {}
        self.tokens: dict[int, datetime] = {}

    async def flush(self) -> int:
        sessions, tokens = self.sessions, self.tokens
        self.sessions, self.tokens = {}, {}
        for session_id, seen in sessions.items():
            await db.execute(
                "UPDATE user_session SET last_seen_at = ? "
                "WHERE id = ? AND last_seen_at < ?",
                seen,
                session_id,
                seen,
            )
        for token_id, used in tokens.items():
            await db.execute(
                "UPDATE api_token SET last_used_at = ? WHERE id = ?", used, token_id
            )
        return len(sessions) + len(tokens)


touches = TouchCache()


class Throttle:
    """Sliding-window failure counts per key (account, client address)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}

    def retry_after(self, key: str) -> float:
        hits = self._prune(key)
        if len(hits) < self.limit:
            return 0.0
        return max(1.0, hits[0] + self.window - time.monotonic())

    def failures(self, key: str) -> int:
        return len(self._prune(key))

    def fail(self, key: str) -> None:
        self._prune(key).append(time.monotonic())

    def clear(self, key: str) -> None:
        self._hits.pop(key, None)

    def _prune(self, key: str) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        cutoff = time.monotonic() - self.window
        while hits and hits[0] < cutoff:
            hits.popleft()
        if not hits and len(self._hits) > 100_000:
            self._hits.clear()
            hits = self._hits.setdefault(key, deque())
        return hits


per_account = Throttle(limit=5, window=15 * 60)
per_address = Throttle(limit=30, window=15 * 60)


def as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


# A live credential of each kind joined to its active user, by secret digest
# (``{hash}``: the digest as a column too, when several are checked at once).
_CREDENTIAL_TEMPLATE = {
    "session": "SELECT {hash}s.id, s.user_id, s.last_seen_at, s.expires_at, u.team, "
    "u.role FROM user_session s JOIN app_user u ON u.id = s.user_id "
    "WHERE s.secret_hash {match} AND s.revoked_at IS NULL AND u.active",
    "token": "SELECT {hash}t.id, t.user_id, t.scopes, t.expires_at, u.team, u.role "
    "FROM api_token t JOIN app_user u ON u.id = t.user_id "
    "WHERE t.secret_hash {match} AND t.revoked_at IS NULL AND u.active",
}
_CREDENTIAL_SQL = {
    kind: sql.format(hash="", match="= ?") for kind, sql in _CREDENTIAL_TEMPLATE.items()
}


def _credentials_sql(kind: str, count: int) -> str:
    alias = kind[0]  # s(ession), t(oken)
    return _CREDENTIAL_TEMPLATE[kind].format(
        hash=f"{alias}.secret_hash AS checked_hash, ",
        match=f"IN ({', '.join('?' * count)})",
    )


async def _credential(kind: str, secret: str) -> dict[str, Any] | None:
    """The credential's row: remembered (`credentials`) or one statement."""
    key = (kind, digest(secret))
    row = credentials.get(key)
    if row is None:
        checked, generation = credentials.now(), credentials.generation
        rows = await db.fetch(_CREDENTIAL_SQL[kind], key[1])
        if not rows:
            return None
        row = rows[0]
        if generation == credentials.generation:
            credentials.put(key, row, checked)
    return row


REFRESH_BATCH = 500


async def refresh_credentials() -> None:
    """Check again the credentials in use, a statement per kind and batch."""
    if credentials.seconds <= 0:
        return
    keys = credentials.in_use()
    for kind in _CREDENTIAL_SQL:
        wanted = [k for k in keys if k[0] == kind]
        for start in range(0, len(wanted), REFRESH_BATCH):
            batch = wanted[start : start + REFRESH_BATCH]
            checked, generation = credentials.now(), credentials.generation
            sql = _credentials_sql(kind, len(batch))
            found = {}
            for row in await db.fetch(sql, *(k[1] for k in batch)):
                found[(kind, row.pop("checked_hash"))] = row
            credentials.refreshed(batch, found, checked, generation)


async def authenticate_session(
    secret: str, client_address: str, request_id: str
) -> Actor | None:
    row = await _credential("session", secret)
    if row is None:
        return None
    now = clock.now()
    seen = max(
        as_datetime(row["last_seen_at"]),
        touches.sessions.get(row["id"], now - policy.absolute),
    )
    if now >= as_datetime(row["expires_at"]) or now - seen >= policy.idle:
        return None
    touches.sessions[row["id"]] = now
    return _actor(row, "session", ALL_SCOPES, request_id, client_address)


async def authenticate_token(
    secret: str, client_address: str, request_id: str
) -> Actor | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = await _credential("token", secret)
    if row is None:
        return None
    now = clock.now()
    if row["expires_at"] is not None and now >= as_datetime(row["expires_at"]):
        return None
    touches.tokens[row["id"]] = now
    scopes = frozenset(Scope(s) for s in row["scopes"].split(",") if s)
    return _actor(row, "token", scopes, request_id, client_address)


def _actor(
    row: dict[str, Any],
    credential: str,
    scopes: frozenset[Scope],
    request_id: str,
    client_address: str,
) -> Actor:
    """The caller behind a credential row joined to its user's team and role."""
    return Actor(
        user_id=row["user_id"],
        team=Team(row["team"]),
        role=Role(row["role"]),
        credential=credential,
        credential_id=row["id"],
        scopes=scopes,
        request_id=request_id,
        client_address=client_address,
    )


@dataclass(frozen=True)
class LoginResult:
    user: User
    session_secret: str


def _check_throttle(account: str, address: str) -> None:
    """Refuse before checking the password when the account is throttled, or
    when the address is and this account already failed in the window.

    Successful sign-ins never count. So a crowd behind one proxy address (or an
    attacker among them) cannot lock out a user whose own account is clean:
    their first try from a throttled address is still checked, while someone
    spraying passwords from it gets one guess per account per window, not five.
    """
    wait = per_account.retry_after(account)
    if not wait and per_account.failures(account):
        wait = per_address.retry_after(address)
    if wait:
        raise Throttled(
            "too many failed sign-in attempts; try again later",
            retryAfter=int(wait) + 1,
        )


async def login(
    caller: Anonymous | Actor | None,
    email: str,
    password: str,
    user_agent: str,
    replaced_session: str | None,
) -> mutations.Outcome[LoginResult]:
    """Check the password (uniformly for unknown accounts) and open a new session."""
    address = caller.client_address if caller else ""
    try:
        account = normalise_email(email)
    except ValueError:
        account = email.strip().lower()
    _check_throttle(account, address)
    # An address PostgreSQL could not even compare (NUL) is an unknown account.
    storable = not input_problems(account)
    user = await User.get_or_none(email=account) if storable else None
    ok = await verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        per_account.fail(account)
        per_address.fail(address)
        return mutations.Outcome(
            None, [refuse(ErrorCode.INVALID_INPUT, LOGIN_FAILURE).errors[0]]
        )
    per_account.clear(account)

    async def body(tx: mutations.Tx) -> LoginResult:
        assert user is not None
        if replaced_session:
            await Session.filter(secret_hash=digest(replaced_session)).update(
                revoked_at=tx.now
            )
        secret = new_secret()
        session = await Session.create(
            user_id=user.id,
            secret_hash=digest(secret),
            created_at=tx.now,
            last_seen_at=tx.now,
            expires_at=tx.now + policy.absolute,
            user_agent=user_agent[:300],
            client_address=address[:64],
        )
        tx.audit("Session", session.id, email=user.email)
        tx.actor = Actor(
            user.id,
            Team(user.team),
            Role(user.role),
            "session",
            session.id,
            request_id=caller.request_id if caller else "",
            client_address=address,
        )
        return LoginResult(user, secret)

    return await mutations.run(caller, "login", body)


async def logout(actor: Actor) -> mutations.Outcome[bool]:
    async def body(tx: mutations.Tx) -> bool:
        await Session.filter(id=actor.credential_id).update(revoked_at=tx.now)
        tx.audit("Session", actor.credential_id)
        return True

    return await mutations.run(actor, "logout", body)


async def logout_everywhere(actor: Actor) -> mutations.Outcome[int]:
    async def body(tx: mutations.Tx) -> int:
        count = await Session.filter(
            user_id=actor.user_id, revoked_at__isnull=True
        ).update(revoked_at=tx.now)
        tx.audit("User", actor.user_id, sessionsEnded=count)
        return int(count)

    return await mutations.run(actor, "logoutEverywhere", body)


async def end_sessions_of(user_id: int, now: datetime) -> int:
    """Revoke every live session of a user (inside the caller's transaction)."""
    return int(
        await Session.filter(user_id=user_id, revoked_at__isnull=True).update(
            revoked_at=now
        )
    )


def last_seen(session: Session) -> datetime:
    return max(
        session.last_seen_at, touches.sessions.get(session.id, session.last_seen_at)
    )


def token_last_used(token: ApiToken) -> datetime | None:
    return touches.tokens.get(token.id, token.last_used_at)


SESSION_ORDERING_NAME = "CREATED_AT:D"


async def list_sessions(actor: Actor, page: PageRequest) -> Page[Session]:
    """The caller's own sessions that can still be used, newest first."""
    from server.services.core.pagination import Ordering, paginate

    now = clock.now()
    query = Session.filter(
        user_id=actor.user_id,
        revoked_at__isnull=True,
        expires_at__gt=now,
        last_seen_at__gt=now - policy.idle - timedelta(seconds=FLUSH_INTERVAL),
    )
    return await paginate(
        query, Ordering(SESSION_ORDERING_NAME, (("created_at", True),)), page
    )


async def own_sessions_by_ids(actor: Actor, keys: list[int]) -> dict[int, Session]:
    rows = await Session.filter(id__in=keys, user_id=actor.user_id)
    return {row.id: row for row in rows}
