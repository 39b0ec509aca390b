"""Leads as rows: read in bulk, written in bulk.

A use case works on typed dicts keyed by column name (`LeadRecord`): read with
`load_leads` (row-locked on PostgreSQL), changed in Python, written back with
`save_leads` (one statement per chunk). New leads are inserted with
``ON CONFLICT (email) DO NOTHING`` so a concurrent insert of the same address is
noticed (`ConcurrentInsert`) and the whole use case retried, never duplicated.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict, cast

from server import db
from server.domain.core.errors import ErrorCode, refuse
from server.domain.leads.stages import NEXT_ON_SPINE, Via
from server.models.leads import Lead
from server.services.core import bulk, fetched, ids


class LeadRecord(TypedDict):
    """A lead's row as the use cases change it: every column of ``lead`` but
    ``rescore_job``, keyed by column name (`COLUMNS`)."""

    id: int
    email: str
    first_name: str | None
    last_name: str | None
    company: str | None
    company_size: int | None
    industry: str | None
    job_title: str | None
    seniority: str | None
    country: str | None
    source: str | None
    campaign: str | None
    is_customer: bool
    products: list[str]
    do_not_contact: bool
    persona_id: int | None
    persona_by_hand: bool
    stage: str
    stage_entered_at: datetime
    score: int
    fit_score: Decimal | None
    engagement_score: Decimal | None
    raw_score: Decimal | None
    grade: str | None
    score_breakdown: list[dict[str, str]]
    scored_under: int | None
    scored_at: datetime | None
    qualified: bool
    qualified_at: datetime | None
    qualified_under: int | None
    qualified_by: str | None
    cycle_started_at: datetime
    cycle_counts_after: datetime | None
    owner_id: int | None
    amount: Decimal | None
    recurring: bool
    source_updated_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


WRITABLE = (
    "email",
    "first_name",
    "last_name",
    "company",
    "company_size",
    "industry",
    "job_title",
    "seniority",
    "country",
    "source",
    "campaign",
    "is_customer",
    "products",
    "do_not_contact",
    "persona_id",
    "persona_by_hand",
    "stage",
    "stage_entered_at",
    "score",
    "fit_score",
    "engagement_score",
    "raw_score",
    "grade",
    "score_breakdown",
    "scored_under",
    "scored_at",
    "qualified",
    "qualified_at",
    "qualified_under",
    "qualified_by",
    "cycle_started_at",
    "cycle_counts_after",
    "owner_id",
    "amount",
    "recurring",
    "source_updated_at",
    "version",
    "created_at",
    "updated_at",
)
COLUMNS = ("id", *WRITABLE)
# `COLUMNS` with the stored breakdown read as empty: for the use cases that
# score every lead they write with a model in force (`Scorer.rescore` with
# ``explain=False`` writes an empty breakdown over it), where reading it, a
# kilobyte or more of JSON a lead, would only cost.
WITHOUT_BREAKDOWN = ", ".join(
    "'[]' AS score_breakdown" if c == "score_breakdown" else c for c in COLUMNS
)
JSON_COLUMNS = frozenset({"products", "score_breakdown"})
_CONVERT = fetched.converters(Lead)


class ConcurrentInsert(Exception):
    """Another transaction inserted a lead with one of our new addresses first."""


CONVERTED = tuple(
    (c, _CONVERT[c])
    for c in COLUMNS
    if _CONVERT.get(c, fetched.same) is not fetched.same
)


# PostgreSQL gives typed values (aware instants, decimals, booleans) but JSON
# as text: only the JSON columns need converting there.
_CONVERTED_PG = tuple(
    (c, convert) for c, convert in CONVERTED if convert is fetched.to_json
)


def from_db(raw: dict[str, Any]) -> LeadRecord:
    """A row as fetched (SQLite gives text for times, decimals and JSON); only
    the columns that need it are converted."""
    row = {c: raw[c] for c in COLUMNS}
    for column, convert in CONVERTED:
        row[column] = convert(row[column])
    return cast(LeadRecord, row)


def from_values(found: Iterable[Sequence[Any]]) -> list[LeadRecord]:
    """Rows fetched as their values in `COLUMNS` order (`db.fetch_values`): the
    bulk readers' form, without a dict per row from the driver."""
    converted = _CONVERTED_PG if db.dialect() == "postgres" else CONVERTED
    rows = []
    for values in found:
        row = dict(zip(COLUMNS, values, strict=True))
        for column, convert in converted:
            row[column] = convert(row[column])
        rows.append(cast(LeadRecord, row))
    return rows


def _params(row: LeadRecord, columns: Sequence[str]) -> list[Any]:
    values = cast(dict[str, Any], row)
    return [
        bulk.json_param(values[c]) if c in JSON_COLUMNS else values[c] for c in columns
    ]


async def load_lead(
    key: str, expected_version: int | None, field: str = "leadId"
) -> LeadRecord:
    """The lead an input names, locked, at the version the caller saw (when
    the caller says which)."""
    lead_id = ids.decode(key, "Lead", field)
    found = (await load_leads([lead_id])).get(lead_id)
    if found is None:
        raise refuse(ErrorCode.NOT_FOUND, "no such lead", field)
    if expected_version is not None and found["version"] != expected_version:
        raise refuse(
            ErrorCode.CONFLICT,
            f"the lead changed meanwhile (version {found['version']})",
            "expectedVersion",
        )
    return found


async def load_leads(
    keys: Iterable[int] = (),
    emails: Iterable[str] = (),
    *,
    lock: bool = True,
    breakdowns: bool = True,
) -> dict[int, LeadRecord]:
    """Leads by id or email, locked for this transaction on PostgreSQL (unless
    only read); without their stored breakdowns (`WITHOUT_BREAKDOWN`) unless
    ``breakdowns``."""
    id_list, email_list = sorted(set(keys)), sorted(set(emails))
    if not id_list and not email_list:
        return {}
    where: list[str] = []
    params: list[Any] = []
    for column, values, pg_type in (
        ("id", id_list, "bigint"),
        ("email", email_list, "text"),
    ):
        if values:
            condition, given = bulk.any_of(column, values, pg_type)
            where.append(condition)
            params.extend(given)
    locking = lock and db.dialect() != "sqlite"
    tail = " ORDER BY id FOR UPDATE" if locking else ""
    columns = ", ".join(COLUMNS) if breakdowns else WITHOUT_BREAKDOWN
    rows = await db.fetch_values(
        f"SELECT {columns} FROM lead WHERE {' OR '.join(where)}{tail}", *params
    )
    return {row["id"]: row for row in from_values(rows)}


async def insert_leads(rows: Sequence[LeadRecord]) -> None:
    """Insert new leads and set their ``id``; raise `ConcurrentInsert` when an
    address was taken meanwhile.

    Rows go in in address order: two calls inserting the same new addresses
    then wait for each other in the same order, never in a deadlock (so the
    ids of one call's new leads follow their addresses)."""
    ordered = sorted(rows, key=lambda row: row["email"])
    found = await bulk.insert(
        "lead",
        WRITABLE,
        [_params(row, WRITABLE) for row in ordered],
        conflict="ON CONFLICT (email) DO NOTHING",
        returning=("id", "email"),
    )
    by_email = {r["email"]: int(r["id"]) for r in found}
    if len(by_email) != len(rows):
        raise ConcurrentInsert()
    for row in rows:
        row["id"] = by_email[row["email"]]


async def park_emails(lead_ids: Iterable[int]) -> None:
    """Give leads about to change address a placeholder one (no address has no
    ``@``), so that the addresses they give up can be taken by other leads of the
    same call, and two leads can trade theirs, whatever order rows are written
    in; `save_leads` then writes the real ones."""
    keys = sorted(set(lead_ids))
    if keys:
        await db.execute(
            "UPDATE lead SET email = 'renaming:' || CAST(id AS TEXT) "
            f"WHERE id IN ({', '.join('?' for _ in keys)})",
            *keys,
        )


SCORE_COLUMNS = (
    ("persona_id", "integer"),
    ("score", "integer"),
    ("fit_score", "numeric"),
    ("engagement_score", "numeric"),
    ("raw_score", "numeric"),
    ("grade", "varchar"),
    ("score_breakdown", "jsonb"),
    ("scored_under", "integer"),
    ("scored_at", "timestamptz"),
)


async def save_scored(
    rows: Sequence[LeadRecord], promoted: Collection[int], *, job: int | None = None
) -> None:
    """Write rescored leads: only the score columns of most (a narrow update),
    whole rows for those just qualified (stage, qualification, version).
    ``job`` marks every row as rescored by that rescoring job as well."""
    names = [c for c, _ in SCORE_COLUMNS]
    marked = (("rescore_job", "integer"),) if job is not None else ()
    await bulk.update_columns(
        "lead",
        (*SCORE_COLUMNS, *marked),
        [
            (row["id"], *_params(row, names), *((job,) if marked else ()))
            for row in rows
            if row["id"] not in promoted
        ],
    )
    whole = [row for row in rows if row["id"] in promoted]
    await save_leads(whole)
    if whole and job is not None:
        where, params = bulk.any_of("id", [row["id"] for row in whole], "bigint")
        await db.execute(f"UPDATE lead SET rescore_job = ? WHERE {where}", job, *params)


async def save_leads(rows: Sequence[LeadRecord]) -> None:
    """Write changed leads back whole (their ``version`` already bumped)."""
    await bulk.update(
        "lead",
        WRITABLE,
        [dict(zip(COLUMNS, _params(r, COLUMNS), strict=True)) for r in rows],
    )


async def external_ids_of(lead_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    keys = sorted(set(lead_ids))
    if not keys:
        return {}
    rows = await db.fetch(
        "SELECT lead_id, system, value FROM lead_external_id "
        f"WHERE lead_id IN ({', '.join('?' for _ in keys)})",
        *keys,
    )
    found: dict[int, dict[str, str]] = {}
    for row in rows:
        found.setdefault(int(row["lead_id"]), {})[row["system"]] = row["value"]
    return found


async def leads_by_external_ids(
    pairs: Iterable[tuple[str, str]],
) -> dict[tuple[str, str], int]:
    """Which lead holds each (system, value)."""
    wanted = set(pairs)
    values = sorted({value for _, value in wanted})
    if not values:
        return {}
    rows = await db.fetch(
        "SELECT lead_id, system, value FROM lead_external_id "
        f"WHERE value IN ({', '.join('?' for _ in values)})",
        *values,
    )
    return {
        (r["system"], r["value"]): int(r["lead_id"])
        for r in rows
        if (r["system"], r["value"]) in wanted
    }


async def replace_external_ids(changes: dict[int, dict[str, str]]) -> None:
    """Set the given (system → value) of each lead, replacing a lead's previous
    value for the same system."""
    pairs = [(lead, s) for lead, ids in changes.items() for s in ids]
    if not pairs:
        return
    clauses = " OR ".join("(lead_id = ? AND system = ?)" for _ in pairs)
    await db.execute(
        f"DELETE FROM lead_external_id WHERE {clauses}",
        *[x for pair in pairs for x in pair],
    )
    # in (system, value) order, like new addresses: no deadlock on the unique key
    added = [(lead, s, v) for lead, ids in changes.items() for s, v in ids.items()]
    await bulk.insert(
        "lead_external_id",
        ("lead_id", "system", "value"),
        sorted(added, key=lambda row: (row[1], row[2])),
    )


# (lead id, from, to, at, actor id, via, reason, persona id, qualified by)
StageChangeRow = tuple[
    int, str | None, str, datetime, int | None, str, str | None, int | None, str | None
]


async def record_stage_changes(changes: Sequence[StageChangeRow]) -> None:
    """One `StageChangeRow` per move, with the funnel's deltas
    (`server.services.leads.funnel`) in the same transaction; the histories
    that gained a move settled (`settle_stage_history`: one more statement,
    none when only new leads' first rows are written)."""
    await bulk.insert(
        "stage_change",
        (
            "lead_id",
            "from_stage",
            "to_stage",
            "at",
            "actor_id",
            "via",
            "reason",
            "persona_id",
            "qualified_by",
        ),
        changes,
        types=(
            "bigint",
            "varchar",
            "varchar",
            "timestamptz",
            "integer",
            "varchar",
            "text",
            "integer",
            "varchar",
        ),
    )
    await settle_stage_history(
        {row[0] for row in changes if row[1] is not None or row[5] != Via.CREATED}
    )
    deltas = [(to, 1) for _, _, to, *_ in changes]
    deltas += [(before, -1) for _, before, *_ in changes if before is not None]
    await bulk.insert(
        "stage_count_delta", ("stage", "delta"), deltas, types=("varchar", "integer")
    )


# A lead's moves in order: by instant, then id. ``n`` comes after ``stage_change``.
_LATER = (
    "n.lead_id = stage_change.lead_id AND (n.at > stage_change.at "
    "OR (n.at = stage_change.at AND n.id > stage_change.id))"
)
_NEXT_ON_SPINE = (
    "CASE stage_change.to_stage "
    + " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in NEXT_ON_SPINE.items())
    + " END"
)


async def settle_stage_history(lead_ids: Collection[int]) -> None:
    """Work out again what each move of these leads' histories says about the
    moves after it (migration 0020), for the metrics to read without walking
    the histories: ``left_at``, the instant of the lead's next move (NULL
    while it is the last), and ``advanced``, whether a later move took the
    lead to the next stage of the spine (`NEXT_ON_SPINE`). Every move of the
    leads, whatever order they were written in (a backfill writes older moves
    after newer ones; a merge brings the duplicate's), so the answer is the
    definitions' whatever came before. One statement; none for no lead."""
    if not lead_ids:
        return
    leads, params = bulk.any_of("lead_id", sorted(lead_ids), "bigint")
    await db.execute(
        "UPDATE stage_change SET "
        f"left_at = (SELECT MIN(n.at) FROM stage_change n WHERE {_LATER}), "
        "advanced = EXISTS (SELECT 1 FROM stage_change n "
        f"WHERE {_LATER} AND n.to_stage = {_NEXT_ON_SPINE}) WHERE {leads}",
        *params,
    )
