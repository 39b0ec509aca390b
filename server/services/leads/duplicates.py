"""`duplicateLeadCandidates`: pairs of leads that look like one person, in SQL.

Two rules, each an equality join the database can hash (never a pairwise
comparison in Python): the same address once normalised for matching (the
local part without dots and plus-tag, the same domain: ``j.doe+x@acme.com``
and ``jdoe@acme.com``), or the same first name, last name and company (case
and surrounding spaces ignored). The older lead (lower id) is suggested as the
survivor. Erased leads are never candidates. Pages are keyset-paginated by
(survivor, duplicate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server import db
from server.domain.leads.erasure import EMAIL_PREFIX
from server.services.core.pagination import (
    Ordering,
    Page,
    PageRequest,
    SqlQuery,
    paginate_rows,
)

ORDERING = Ordering("duplicates", (("survivor_id", False),))


@dataclass(frozen=True)
class Candidate:
    survivor_id: int
    duplicate_id: int
    same_email: bool
    same_name: bool


def _keys() -> str:
    """Each lead's matching keys."""
    pos = "instr" if db.dialect() == "sqlite" else "strpos"
    at = f"{pos}(email, '@')"
    local = f"substr(email, 1, {at} - 1)"
    plus = f"{pos}({local}, '+')"
    return (
        "SELECT id, "
        f"replace(CASE WHEN {plus} > 0 THEN substr({local}, 1, {plus} - 1) "
        f"ELSE {local} END, '.', '') AS lk, substr(email, {at} + 1) AS dk, "
        "lower(trim(first_name)) AS fn, lower(trim(last_name)) AS ln, "
        "lower(trim(company)) AS co "
        f"FROM lead WHERE email NOT LIKE '{EMAIL_PREFIX}%'"
    )


def _pairs() -> str:
    keys = _keys()
    return (
        "SELECT s AS survivor_id, d AS id, MAX(e) AS same_email, MAX(n) AS same_name "
        "FROM ("
        f"SELECT a.id AS s, b.id AS d, 1 AS e, 0 AS n FROM ({keys}) a "
        f"JOIN ({keys}) b ON a.lk = b.lk AND a.dk = b.dk AND a.id < b.id "
        "UNION ALL "
        f"SELECT a.id, b.id, 0, 1 FROM ({keys}) a JOIN ({keys}) b "
        "ON a.fn = b.fn AND a.ln = b.ln AND a.co = b.co AND a.id < b.id"
        ") p GROUP BY s, d"
    )


async def duplicate_candidates(request: PageRequest) -> Page[dict[str, Any]]:
    pairs = _pairs()
    query = SqlQuery(
        select=f"SELECT * FROM ({pairs}) q",
        count_from=f"({pairs}) q",
        where=(),
        params=(),
        columns={"survivor_id": "q.survivor_id", "id": "q.id"},
    )
    return await paginate_rows(query, ORDERING, request)


def candidate(row: dict[str, Any]) -> Candidate:
    return Candidate(
        survivor_id=int(row["survivor_id"]),
        duplicate_id=int(row["id"]),
        same_email=bool(row["same_email"]),
        same_name=bool(row["same_name"]),
    )
