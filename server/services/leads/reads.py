"""Reading leads: by id or email, the `leads` connection, and the lead page's
relations, each batched so a page costs the same SQL whatever its size."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from tortoise.models import Model

from server import db
from server.domain.core.instants import as_utc
from server.domain.leads.intake import normalize_email
from server.models.agreements import Agreement
from server.models.leads import Lead, LeadActivity, LeadExternalId, StageChange
from server.models.people import User
from server.services.core import fetched
from server.services.core.pagination import (
    Ordering,
    Page,
    PageRequest,
    SqlQuery,
    paginate_rows,
)
from server.services.leads import aliases
from server.services.leads import store as lead_store
from server.services.people import reads as user_reads

# Every ordering ends with the id (ascending), so equal keys keep a fixed order;
# by time, newest first means the later id first too (a batch shares its instant).
ORDERINGS: dict[str, tuple[str, ...]] = {
    "SCORE": ("score",),
    "CREATED_AT": ("created_at", "id"),
    "UPDATED_AT": ("updated_at", "id"),
    "NAME": ("sort_last", "sort_first"),
}
COLUMNS = {
    "id": "l.id",
    "score": "l.score",
    "created_at": "l.created_at",
    "updated_at": "l.updated_at",
    "sort_last": "COALESCE(LOWER(l.last_name), '')",
    "sort_first": "COALESCE(LOWER(l.first_name), '')",
}
_LISTED = (*lead_store.COLUMNS, "sort_last", "sort_first")


def _select(columns: Collection[str]) -> str:
    """The page's statement up to its FROM, of ``columns`` (of `_LISTED`)."""
    return "SELECT " + ", ".join(
        f"{COLUMNS[c]} AS {c}" if c in ("sort_last", "sort_first") else f"l.{c}"
        for c in _LISTED
        if c in columns
    )


_SELECT = _select(_LISTED) + " FROM lead l"


@dataclass(frozen=True)
class LeadFilter:
    """Every condition given must hold; empty tuples and None mean "any"."""

    stages: tuple[str, ...] = ()
    persona_ids: tuple[int, ...] = ()
    owner_ids: tuple[int, ...] = ()
    score_min: int | None = None
    score_max: int | None = None
    qualified: bool | None = None
    is_customer: bool | None = None
    grades: tuple[str, ...] = ()
    search: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    stage_entered_from: datetime | None = None
    stage_entered_to: datetime | None = None
    # The dashboard's drill-downs (SPEC §2.6), each matching its figure's count:
    # qualifications recorded in [from, to), by how and under which persona;
    stage_at: datetime | None = None  # `stages` as they stood at this instant
    qualified_from: datetime | None = None
    qualified_to: datetime | None = None
    qualified_by: tuple[str, ...] = ()
    qualified_persona_ids: tuple[int, ...] = ()
    # leads that entered a stage in [from, to) (and later reached the next one
    # of the waterfall's spine, or not);
    entered_stage: str | None = None
    entered_from: datetime | None = None
    entered_to: datetime | None = None
    advanced: bool | None = None
    # leads with a handoff chain created in [from, to), not withdrawn,
    # qualified by hand (or handed off unqualified) or automatically.
    delivered_from: datetime | None = None
    delivered_to: datetime | None = None
    delivered_manually: bool | None = None
    delivered_persona_ids: tuple[int, ...] = ()
    # ... and that chain was decided ACCEPTED or REJECTED (the model report).
    delivered_decision: str | None = None


async def leads_by_ids(keys: Iterable[int]) -> dict[int, lead_store.LeadRecord]:
    """Leads as plain rows (one statement, no model objects); the id of a
    merged duplicate answers with its survivor (a second statement, only then)."""
    wanted = set(keys)
    found = await lead_store.load_leads(wanted, lock=False)
    missing = wanted - found.keys()
    if missing:
        redirect = (await aliases.resolve(ids=missing)).ids
        survivors = await lead_store.load_leads(redirect.values(), lock=False)
        for old, new in redirect.items():
            if new in survivors:
                found[old] = survivors[new]
    return found


async def lead_by_email(email: str) -> Lead | None:
    """The lead with this address, or the survivor a lead with it merged into."""
    try:
        normalised = normalize_email(email)
    except ValueError:
        return None
    found = await Lead.get_or_none(email=normalised)
    if found is None:
        survivor = (await aliases.resolve(emails=[normalised])).emails.get(normalised)
        if survivor is not None:
            found = await Lead.get_or_none(id=survivor)
    return found


class ListedLead(dict[str, Any]):
    """A lead of the `leads` connection (a `LeadRecord` by its keys, with the
    keys its cursor is made of). A column needing a conversion (times, decimals,
    JSON) is converted when first read: a page shown with a few fields converts
    only those. Iterating converts the rest first, so it reads as a full row."""

    __slots__ = ("convertible", "raw")

    def __init__(
        self,
        raw: Mapping[str, Any],
        selected: tuple[tuple[str, ...], frozenset[str]] | None = None,
    ) -> None:
        """``selected``: the plain and the converted columns the row was
        fetched with (a page of some columns: `_selected`), else all."""
        plain, self.convertible = selected or (_LISTED_PLAIN, _LISTED_CONVERTIBLE)
        super().__init__({c: raw[c] for c in plain})
        self.raw = raw

    def __missing__(self, key: str) -> Any:
        if key not in self.convertible:
            raise KeyError(key)
        value = self[key] = _LISTED_CONVERT[key](self.raw[key])
        return value

    def _complete(self) -> None:
        for key in self.convertible:
            if not dict.__contains__(self, key):
                self.__missing__(key)

    def __iter__(self) -> Iterator[str]:
        self._complete()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._complete()
        return dict.__len__(self)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.convertible

    def keys(self) -> Any:
        self._complete()
        return dict.keys(self)

    def items(self) -> Any:
        self._complete()
        return dict.items(self)

    def values(self) -> Any:
        self._complete()
        return dict.values(self)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


_LISTED_CONVERT = dict(lead_store.CONVERTED)
_LISTED_CONVERTIBLE = frozenset(_LISTED_CONVERT)
_LISTED_PLAIN = tuple(c for c in _LISTED if c not in _LISTED_CONVERT)


def _selected(columns: Collection[str]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The plain and the converted columns of a page of ``columns``."""
    return (
        tuple(c for c in _LISTED_PLAIN if c in columns),
        _LISTED_CONVERTIBLE.intersection(columns),
    )


# To-one relations a page may read in its own statement: the lead's column,
# the table, the model converting its columns, and the columns (None: all; a
# user's as `user_reads.READ_COLUMNS`, never the password hash).
JOINS: dict[str, tuple[str, str, type[Model], tuple[str, ...] | None]] = {
    "persona": ("persona_id", "agreement", Agreement, None),
    "owner": ("owner_id", "app_user", User, user_reads.READ_COLUMNS),
}


def _join_columns(name: str, wanted: Collection[str] | None = None) -> list[str]:
    """The columns a page joins for ``name``: its id and ``wanted`` (None: all)."""
    _, _, model, columns = JOINS[name]
    every = list(columns or model._meta.fields_db_projection.values())
    if wanted is None:
        return every
    return [c for c in every if c == "id" or c in wanted]


def _joined_select(head: str, joins: Mapping[str, Collection[str] | None]) -> str:
    """``head`` (`_select`) with each joined table's columns, prefixed with its
    name, and the FROM."""
    columns, tables = [], []
    for n, name in enumerate(sorted(joins)):
        key, table, _, _ = JOINS[name]
        alias = f"j{n}"
        columns += [
            f"{alias}.{c} AS {name}__{c}" for c in _join_columns(name, joins[name])
        ]
        tables.append(f" LEFT JOIN {table} {alias} ON {alias}.id = l.{key}")
    return f"{head}, {', '.join(columns)} FROM lead l{''.join(tables)}"


def joined_records(rows: list[ListedLead], name: str) -> dict[int, Any]:
    """The rows a page joined for ``name``, by id, as `fetched.records` reads
    them by key (the same values, converted alike): the columns the page
    joined (`_join_columns`), all of them or those its selection reads."""
    if not rows:
        return {}
    model = JOINS[name][2]
    prefix = f"{name}__"
    columns = [k[len(prefix) :] for k in rows[0].raw if k.startswith(prefix)]
    unique: dict[Any, Mapping[str, Any]] = {}
    for row in rows:
        key = row.raw[prefix + "id"]
        if key is not None and key not in unique:
            unique[key] = row.raw
    found = [{c: raw[prefix + c] for c in columns} for raw in unique.values()]
    return fetched.records(model, found)


async def list_leads(
    filter: LeadFilter,
    order: str,
    descending: bool,
    page: PageRequest,
    joins: Mapping[str, Collection[str] | None] | None = None,
    columns: Collection[str] | None = None,
) -> Page[ListedLead]:
    """One statement per page (plus one for ``totalCount`` when asked); with
    ``joins``, the same statement reads those relations too (each with the
    columns named, None: all of them); with ``columns``,
    the rows hold only those of the lead's columns, its id and its cursor's."""
    where, params = _conditions(filter)
    selected = None
    if columns is None:
        head = _SELECT.removesuffix(" FROM lead l")
    else:
        wanted = {"id", *ORDERINGS[order], *columns}
        head = _select(wanted)
        selected = _selected(wanted)
    select = _joined_select(head, joins) if joins else f"{head} FROM lead l"
    query = SqlQuery(select, "lead l", tuple(where), tuple(params), COLUMNS)
    ordering = Ordering(
        f"{order}:{'D' if descending else 'A'}",
        tuple((field, descending) for field in ORDERINGS[order]),
    )
    found = cast(Page[Any], await paginate_rows(query, ordering, page))
    found.rows = [ListedLead(row, selected) for row in found.rows]
    return cast(Page[ListedLead], found)


def _conditions(f: LeadFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []

    def among(column: str, values: tuple[Any, ...]) -> None:
        if values:
            where.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)

    def compare(column: str, op: str, value: Any) -> None:
        if value is not None:
            where.append(f"{column} {op} ?")
            # instants are stored in UTC (SQLite compares their text)
            params.append(as_utc(value) if isinstance(value, datetime) else value)

    if f.stage_at is None:
        among("l.stage", f.stages)
    among("l.persona_id", f.persona_ids)
    among("l.owner_id", f.owner_ids)
    among("l.grade", f.grades)
    compare("l.score", ">=", f.score_min)
    compare("l.score", "<=", f.score_max)
    compare("l.qualified", "=", f.qualified)
    compare("l.is_customer", "=", f.is_customer)
    compare("l.created_at", ">=", f.created_from)
    compare("l.created_at", "<", f.created_to)
    compare("l.stage_entered_at", ">=", f.stage_entered_from)
    compare("l.stage_entered_at", "<", f.stage_entered_to)
    for condition, values in (
        _stage_at(f),
        _qualified(f),
        _entered(f),
        _delivered(f),
    ):
        if condition:
            where.append(condition)
            params.extend(values)
    if f.search and f.search.strip():
        pattern = "%" + _escape_like(f.search.strip().lower()) + "%"
        texts = ("l.email", "l.first_name", "l.last_name", "l.company")
        where.append(
            "(" + " OR ".join(f"LOWER({t}) LIKE ? ESCAPE '!'" for t in texts) + ")"
        )
        params.extend([pattern] * len(texts))
    return where, params


Condition = tuple[str, list[Any]]
QUALIFYING = ("QUALIFICATION", "MANUAL_QUALIFICATION")  # `Via` of a qualification
AUTOMATIC = ("ACTIVITY", "MODEL_CHANGE")


def _in(column: str, values: tuple[Any, ...]) -> Condition:
    if not values:
        return "", []
    return f" AND {column} IN ({', '.join('?' for _ in values)})", list(values)


def _range(column: str, low: datetime | None, high: datetime | None) -> Condition:
    sql, params = "", []
    for op, bound in ((">=", low), ("<", high)):
        if bound is not None:
            sql += f" AND {column} {op} ?"
            params.append(as_utc(bound))
    return sql, params


def _stage_at(f: LeadFilter) -> Condition:
    """The lead's last stage change before ``stage_at`` went to one of
    ``stages`` (any stage when none is named: the lead existed then): the move
    made before it and left at or after it, or never (``left_at``)."""
    if f.stage_at is None:
        return "", []
    stages, p = _in("sc.to_stage", f.stages)
    at = as_utc(f.stage_at)
    return (
        "EXISTS (SELECT 1 FROM stage_change sc WHERE sc.lead_id = l.id "
        f"AND sc.at < ? AND (sc.left_at IS NULL OR sc.left_at >= ?){stages})",
        [at, at, *p],
    )


def _qualified(f: LeadFilter) -> Condition:
    wanted = (f.qualified_from, f.qualified_to, f.qualified_by)
    if not any(wanted) and not f.qualified_persona_ids:
        return "", []
    period, p1 = _range("sc.at", f.qualified_from, f.qualified_to)
    by, p2 = _in("sc.qualified_by", f.qualified_by)
    persona, p3 = _in("sc.persona_id", f.qualified_persona_ids)
    return (
        "EXISTS (SELECT 1 FROM stage_change sc WHERE sc.lead_id = l.id "
        f"AND sc.to_stage = 'MQL' AND sc.via IN (?, ?){period}{by}{persona})",
        [*QUALIFYING, *p1, *p2, *p3],
    )


def _entered(f: LeadFilter) -> Condition:
    """Entered ``entered_stage`` in the range; with ``advanced``, one such
    entry was (or none was) later followed by the spine's next stage (the
    move's ``advanced``, as conversion counts it)."""
    if f.entered_stage is None:
        return "", []
    period, p1 = _range("e.at", f.entered_from, f.entered_to)
    entered = (
        "EXISTS (SELECT 1 FROM stage_change e WHERE e.lead_id = l.id "
        f"AND e.to_stage = ?{period}"
    )
    if f.advanced is None:
        return f"{entered})", [f.entered_stage, *p1]
    if f.advanced:
        return f"{entered} AND e.advanced)", [f.entered_stage, *p1]
    return (
        f"{entered}) AND NOT {entered} AND e.advanced)",
        [f.entered_stage, *p1, f.entered_stage, *p1],
    )


def _delivered(f: LeadFilter) -> Condition:
    """Chains are the waterfall's table; the leads list reads them by SQL only."""
    wanted = (f.delivered_from, f.delivered_to, f.delivered_manually is not None)
    if not any(wanted) and not f.delivered_persona_ids and not f.delivered_decision:
        return "", []
    period, p1 = _range("c.started_at", f.delivered_from, f.delivered_to)
    persona, p2 = _in("c.persona_id", f.delivered_persona_ids)
    if f.delivered_decision:
        persona += " AND c.decision = ?"
        p2.append(f.delivered_decision)
    how = ""
    if f.delivered_manually is True:
        how = " AND (c.qualified_by IS NULL OR c.qualified_by NOT IN (?, ?))"
    elif f.delivered_manually is False:
        how = " AND c.qualified_by IN (?, ?)"
    p3 = list(AUTOMATIC) if how else []
    return (
        "EXISTS (SELECT 1 FROM handoff_chain c WHERE c.lead_id = l.id "
        f"AND c.withdrawn_at IS NULL{period}{persona}{how})",
        [*p1, *p2, *p3],
    )


def _escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


_ACTIVITY_COLUMNS = (
    "id",
    "kind",
    "occurred_at",
    "external_id",
    "source",
    "metadata",
    "recorded_at",
    "imported",
)
_ACTIVITY_CONVERT = fetched.converters(LeadActivity)


async def activities_page(lead_id: int, page: PageRequest) -> Page[dict[str, Any]]:
    """A lead's activities, latest first: one statement, rows as dicts."""
    query = SqlQuery(
        f"SELECT {', '.join('a.' + c for c in _ACTIVITY_COLUMNS)} FROM lead_activity a",
        "lead_activity a",
        ("a.lead_id = ?",),
        (lead_id,),
        {"id": "a.id", "occurred_at": "a.occurred_at"},
    )
    ordering = Ordering("OCCURRED:D", (("occurred_at", True),))
    found = await paginate_rows(query, ordering, page)
    found.rows = [
        {c: _ACTIVITY_CONVERT.get(c, fetched.same)(row[c]) for c in _ACTIVITY_COLUMNS}
        for row in found.rows
    ]
    return found


async def external_ids(keys: list[int]) -> dict[int, list[LeadExternalId]]:
    rows = await LeadExternalId.filter(lead_id__in=keys).order_by("system")
    return fetched.group_by(rows, lambda r: r.lead_id)


async def stage_history(keys: list[int]) -> dict[int, list[StageChange]]:
    rows = await StageChange.filter(lead_id__in=keys).order_by("at", "id")
    return fetched.group_by(rows, lambda r: r.lead_id)


SEGMENT_KEYS = {
    "COUNTRY": "l.country",
    "INDUSTRY": "l.industry",
    "PERSONA": "l.persona_id",
}


@dataclass(frozen=True)
class Segment:
    key: str | None
    leads: int
    customers: int
    won_revenue: Decimal
    recurring_revenue: Decimal


async def segments(group_by: str, filter: LeadFilter) -> list[Segment]:
    """Leads per country, industry, product or persona (one SQL aggregate):
    how many, how many are customers, and the revenue of those WON (recurring
    deals apart). A lead with several products counts in each of them."""
    where, params = _conditions(filter)
    if group_by == "PRODUCT":
        expand = (
            "json_each(l.products) p"
            if db.dialect() == "sqlite"
            else "jsonb_array_elements_text(l.products) p(value)"
        )
        source, key = f"lead l, {expand}", "p.value"
    else:
        source, key = "lead l", SEGMENT_KEYS[group_by]
    won = "l.stage = 'WON'"
    rows = await db.fetch(
        f"SELECT {key} AS k, COUNT(*) AS n, "
        f"SUM(CASE WHEN l.is_customer THEN 1 ELSE 0 END) AS customers, "
        f"SUM(CASE WHEN {won} THEN COALESCE(l.amount, 0) ELSE 0 END) AS won, "
        f"SUM(CASE WHEN {won} AND l.recurring THEN COALESCE(l.amount, 0) ELSE 0 END)"
        f" AS recurring FROM {source}"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" GROUP BY {key} ORDER BY COUNT(*) DESC, {key}",
        *params,
    )
    return [
        Segment(
            None if r["k"] is None else str(r["k"]),
            int(r["n"]),
            int(r["customers"] or 0),
            _money(r["won"]),
            _money(r["recurring"]),
        )
        for r in rows
    ]


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))
