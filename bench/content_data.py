"""The content board's data (issue 19): 10,000 requests over every status with
50,000 comments and votes by 50 users, and the WRITE tokens those users hold
to ask for content.

Deterministic like every dataset: each row comes from the run's `Sizes` and a
seeded `random.Random`; votes and comment counts on a request equal its rows.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import date, timedelta

from bench.datasets import (
    EPOCH,
    TEAMS_ROLES,
    Caller,
    Dataset,
    Row,
    Sizes,
    Table,
    user_active,
)
from server.domain.content.inputs import ContentType, Priority, priority_rank
from server.domain.content.lifecycle import ContentStatus
from server.domain.content.timing import binding_date, date_sort

TOKEN_IDS = 1_000_000  # after every other dataset's tokens
STATUSES = (
    (ContentStatus.SUBMITTED, 20),
    (ContentStatus.ACCEPTED, 15),
    (ContentStatus.IN_PROGRESS, 20),
    (ContentStatus.IN_REVIEW, 10),
    (ContentStatus.DELIVERED, 25),
    (ContentStatus.DECLINED, 5),
    (ContentStatus.CANCELLED, 5),
)
TODAY = date(2026, 12, 1)


def content_user_ids(sizes: Sizes) -> list[int]:
    """Active sales and marketing users (not admins) who use the board."""
    found = (
        i
        for i in range(1, sizes.users + 1)
        if user_active(i)
        and TEAMS_ROLES[i % len(TEAMS_ROLES)][1] != "ADMIN"
        and TEAMS_ROLES[i % len(TEAMS_ROLES)][0] in ("MARKETING", "SALES")
    )
    return [i for _, i in zip(range(sizes.content_users), found, strict=False)]


def marketing_ids(sizes: Sizes) -> list[int]:
    return [
        i
        for i in content_user_ids(sizes)
        if TEAMS_ROLES[i % len(TEAMS_ROLES)][0] == "MARKETING"
    ]


def content_secret(user_id: int) -> str:
    tail = hashlib.sha256(f"accord-bench-content:{user_id}".encode()).hexdigest()
    return f"acc_benchc{user_id}_{tail[:40]}"


def content_callers(sizes: Sizes) -> list[Caller]:
    return [Caller(i, content_secret(i)) for i in content_user_ids(sizes)]


def token_rows(sizes: Sizes) -> Iterator[Row]:
    for n, user_id in enumerate(content_user_ids(sizes), start=TOKEN_IDS):
        digest = hashlib.sha256(content_secret(user_id).encode()).hexdigest()
        yield (n, user_id, "content", digest, f"benchc{user_id}", "WRITE", EPOCH)


def _status(pick: random.Random) -> ContentStatus:
    roll, total = pick.randrange(100), 0
    for status, share in STATUSES:
        total += share
        if roll < total:
            return status
    return ContentStatus.SUBMITTED


def _interactions(sizes: Sizes) -> list[tuple[int, int, bool]]:
    """(request, user, is_vote) for every comment and vote; one vote per user
    and request."""
    pick = random.Random("bench-content-interactions")
    users = content_user_ids(sizes)
    seen: set[tuple[int, int]] = set()
    found = []
    while len(found) < sizes.content_interactions:
        request = 1 + int(pick.paretovariate(1.2) * 7) % sizes.content_requests
        user = pick.choice(users)
        vote = pick.random() < 0.5
        if vote and (request, user) in seen:
            continue
        if vote:
            seen.add((request, user))
        found.append((request, user, vote))
    return found


def request_rows(sizes: Sizes) -> Iterator[Row]:
    pick = random.Random("bench-content-requests")
    users, marketing = content_user_ids(sizes), marketing_ids(sizes)
    votes: dict[int, int] = {}
    comments: dict[int, int] = {}
    for request, _, vote in _interactions(sizes):
        counts = votes if vote else comments
        counts[request] = counts.get(request, 0) + 1
    kinds, priorities = list(ContentType), list(Priority)
    for i in range(1, sizes.content_requests + 1):
        status = _status(pick)
        created = EPOCH + timedelta(minutes=13 * i)
        requested = (
            TODAY + timedelta(days=pick.randint(-30, 60))
            if pick.random() < 0.8
            else None
        )
        triaged = status not in (ContentStatus.SUBMITTED, ContentStatus.DECLINED)
        committed = TODAY + timedelta(days=pick.randint(-20, 60)) if triaged else None
        priority = pick.choice(priorities)
        delivered = created + timedelta(days=pick.randint(1, 30))
        yield (
            i,
            f"Request {i}: {pick.choice(kinds).value.lower()} for deal {i % 997}",
            "",
            pick.choice(kinds).value,
            priority.value,
            priority_rank(priority),
            requested,
            committed,
            date_sort(binding_date(requested, committed)),
            pick.choice(users),
            pick.choice(marketing) if triaged else None,
            status.value,
            votes.get(i, 0),
            comments.get(i, 0),
            delivered if status is ContentStatus.DELIVERED else None,
            created,
            created,
            1,
        )


def comment_rows(sizes: Sizes) -> Iterator[Row]:
    n = 0
    for request, user, vote in _interactions(sizes):
        if not vote:
            n += 1
            yield (n, request, user, f"Comment {n}", EPOCH + timedelta(seconds=n))


def vote_rows(sizes: Sizes) -> Iterator[Row]:
    n = 0
    for request, user, vote in _interactions(sizes):
        if vote:
            n += 1
            yield (n, request, user, EPOCH + timedelta(seconds=n))


CONTENT = Dataset(
    "content",
    (
        Table(
            "api_token",
            ("id", "user_id", "name", "secret_hash", "prefix", "scopes", "created_at"),
            token_rows,
        ),
        Table(
            "content_request",
            (
                "id",
                "title",
                "description",
                "content_type",
                "priority",
                "priority_rank",
                "requested_due_date",
                "committed_due_date",
                "due_sort",
                "requester_id",
                "assignee_id",
                "status",
                "votes",
                "comments",
                "delivered_at",
                "created_at",
                "updated_at",
                "version",
            ),
            request_rows,
        ),
        Table(
            "content_comment",
            ("id", "request_id", "author_id", "body", "created_at"),
            comment_rows,
        ),
        Table("content_vote", ("id", "request_id", "user_id", "created_at"), vote_rows),
    ),
)
