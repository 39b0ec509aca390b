"""What the benchmark database holds, as datasets of deterministic rows.

A dataset is a list of tables, each with its columns and a generator of rows
computed from the run's `Sizes` alone, so every run and both databases hold the
same data. Rows carry explicit ids so later datasets can point at earlier ones
(a lead's owner is a user id) without reading anything back. `bench.seeding`
writes the rows with bulk SQL (COPY or executemany); nothing goes through the API.

To add data for a new operation (leads, activities, …): write its row generator
here, add a `Dataset` to `DATASETS` after the ones it refers to, and give `Sizes`
a field for its count.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

Row = tuple[Any, ...]
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
FIRST_NAMES = (
    "Ada",
    "Alan",
    "Barbara",
    "Claude",
    "Donald",
    "Edsger",
    "Frances",
    "Grace",
    "Hedy",
    "John",
    "Katherine",
    "Linus",
    "Margaret",
    "Niklaus",
    "Radia",
    "Shafi",
    "Tim",
    "Ken",
    "Dennis",
)
LAST_NAMES = (
    "Lovelace",
    "Turing",
    "Liskov",
    "Shannon",
    "Knuth",
    "Dijkstra",
    "Allen",
    "Hopper",
    "Lamarr",
    "Backus",
    "Johnson",
    "Torvalds",
    "Hamilton",
    "Wirth",
    "Perlman",
    "Goldwasser",
    "Berners-Lee",
    "Thompson",
    "Ritchie",
)
TEAMS_ROLES = (
    ("MARKETING", "MEMBER"),
    ("SALES", "MEMBER"),
    ("SALES", "MEMBER"),
    ("MARKETING", "MANAGER"),
    ("SALES", "MANAGER"),
    ("LEADERSHIP", "ADMIN"),
)


@dataclass(frozen=True)
class Sizes:
    """How much of each dataset to seed; later datasets add their counts here."""

    users: int = 1000
    tokens: int = 200
    leads: int = 100_000
    activities: int = 1_000_000
    ingest_tokens: int = 10
    # Personas in force (2, or the peers' 20) and the share of leads, in
    # percent, a marketing manager qualified by hand (the peers have 20 % MQL;
    # scoring alone qualifies only the hand-raisers).
    personas: int = 2
    mql_percent: int = 0
    # The instant seeded activities' ages and scores are taken at (the run's start).
    now: datetime = EPOCH
    # The content board (issue 19): requests, their comments and votes together,
    # and the sales and marketing users who make them.
    content_requests: int = 10_000
    content_interactions: int = 50_000
    content_users: int = 50
    # Handoff chains (issue 22): one per chosen lead, with their handoffs,
    # decisions, follow-ups and stage changes (`bench.handoff_data`).
    handoff_chains: int = 30_000

    def __post_init__(self) -> None:
        if self.users < 1 or self.tokens < 1:
            raise ValueError("seed at least one user and one token")
        if self.leads < 1 or self.activities < 0:
            raise ValueError("seed at least one lead")
        if not 0 <= self.handoff_chains <= self.leads:
            raise ValueError("at most one handoff chain per lead")
        if not 1 <= self.personas <= 40 or not 0 <= self.mql_percent <= 100:
            raise ValueError("1 to 40 personas; an MQL share of 0 to 100 %")


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: Callable[[Sizes], Iterator[Row]]


@dataclass(frozen=True)
class Dataset:
    name: str
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class Caller:
    """A seeded API token and the user it belongs to: who sends a request."""

    user_id: int
    secret: str


def user_active(user_id: int) -> bool:
    # One user in twenty is deactivated, so the users page shows both kinds.
    return user_id % 20 != 7


def user_row(user_id: int) -> Row:
    pick = random.Random(f"user:{user_id}")
    first, last = pick.choice(FIRST_NAMES), pick.choice(LAST_NAMES)
    team, role = TEAMS_ROLES[user_id % len(TEAMS_ROLES)]
    email = f"{first}.{last}.{user_id}@bench.example".lower()
    created = EPOCH + timedelta(minutes=user_id)
    name, active = f"{first} {last}", user_active(user_id)
    row = (user_id, email, name, team, role, active, "UTC", False, True, None, 1)
    return (*row, created, created)


def user_rows(sizes: Sizes) -> Iterator[Row]:
    return (user_row(i) for i in range(1, sizes.users + 1))


def token_user_ids(sizes: Sizes) -> list[int]:
    """The active users who hold the benchmark's API tokens, one token each."""
    active = (i for i in range(1, sizes.users + 1) if user_active(i))
    return [i for _, i in zip(range(sizes.tokens), active, strict=False)]


def token_secret(user_id: int) -> str:
    # Deterministic, so the harness re-derives the secrets instead of storing them;
    # the benchmark database is throwaway and never holds real users.
    tail = hashlib.sha256(f"accord-bench-token:{user_id}".encode()).hexdigest()
    return f"acc_{token_prefix(user_id)}_{tail[:40]}"


def token_prefix(user_id: int) -> str:
    return f"bench{user_id}"


def callers(sizes: Sizes) -> list[Caller]:
    return [Caller(i, token_secret(i)) for i in token_user_ids(sizes)]


def token_rows(sizes: Sizes) -> Iterator[Row]:
    for n, user_id in enumerate(token_user_ids(sizes), start=1):
        secret = token_secret(user_id)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        yield (n, user_id, "bench", digest, token_prefix(user_id), "READ", EPOCH)
    # INGEST tokens, as marketing automation holds them (marketing users only).
    first = len(token_user_ids(sizes)) + 1
    for n, user_id in enumerate(ingest_user_ids(sizes), start=first):
        secret = ingest_secret(user_id)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        prefix = f"benchi{user_id}"
        yield (n, user_id, "ingest", digest, prefix, "INGEST", EPOCH)


def ingest_user_ids(sizes: Sizes) -> list[int]:
    """Active marketing users (members and managers) who hold an INGEST token."""
    marketing = (
        i
        for i in range(1, sizes.users + 1)
        if user_active(i) and TEAMS_ROLES[i % len(TEAMS_ROLES)][0] == "MARKETING"
    )
    return [i for _, i in zip(range(sizes.ingest_tokens), marketing, strict=False)]


def ingest_secret(user_id: int) -> str:
    tail = hashlib.sha256(f"accord-bench-ingest:{user_id}".encode()).hexdigest()
    return f"acc_benchi{user_id}_{tail[:40]}"


def ingest_callers(sizes: Sizes) -> list[Caller]:
    return [Caller(i, ingest_secret(i)) for i in ingest_user_ids(sizes)]


USERS = Dataset(
    "users",
    (
        Table(
            "app_user",
            (
                "id",
                "email",
                "name",
                "team",
                "role",
                "active",
                "timezone",
                "out_of_office",
                "accepts_leads",
                "password_hash",
                "version",
                "created_at",
                "updated_at",
            ),
            user_rows,
        ),
    ),
)
TOKENS = Dataset(
    "tokens",
    (
        Table(
            "api_token",
            ("id", "user_id", "name", "secret_hash", "prefix", "scopes", "created_at"),
            token_rows,
        ),
    ),
)
# In dependency order: a dataset may refer only to ids of those before it.
DATASETS: tuple[Dataset, ...] = (USERS, TOKENS)
