"""The peers' three queries (../shared/peers/bench/queries.py), asked of Accord.

Each selects the fields the peers' query selects, in Accord's schema:
- ``leadList`` (Q1): the 50 best-scored MQL leads with persona and owner;
- ``leadDetail`` (Q2): one lead, a random one per request, with its latest 20
  activities (the peers also select an event ``weight``; Accord's activities
  have none, so that field is left out);
- ``leadFunnel`` (Q3): leads per stage, which Accord serves from its counters
  (`server.services.leads.funnel`), never by counting the leads.

Each floor is the raw SQL that fetches the same rows; `expected` maps them to
the ``data`` the server must answer, global IDs included.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import orjson

from bench.datasets import Caller, Sizes
from bench.operation import Operation, Rows, Sample
from server.domain.leads.stages import LeadStage
from server.services.core import ids

LIST_SIZE = 50
LEAD_LIST = """
query LeadList {
  leads(
    filter: {stages: [MQL]}, orderBy: {field: SCORE, direction: DESC}, first: 50
  ) {
    edges {
      node { id fullName company score stage persona { name } owner { name email } }
    }
  }
}
"""
# One statement: the lead with its persona (an agreement; its name is in the
# terms in force) and its owner.
LEAD_LIST_SQL = (
    "SELECT l.id, l.first_name, l.last_name, l.company, l.score, l.scored_under, "
    "l.stage, a.id AS persona_id, a.terms AS persona_terms, a.title AS persona_title, "
    "u.id AS owner_id, u.name AS owner_name, u.email AS owner_email "
    "FROM lead l LEFT JOIN agreement a ON a.id = l.persona_id "
    "LEFT JOIN app_user u ON u.id = l.owner_id "
    f"WHERE l.stage = 'MQL' ORDER BY l.score DESC, l.id DESC LIMIT {LIST_SIZE}"
)


def full_name(row: dict[str, Any]) -> str:
    return " ".join(n for n in (row["first_name"], row["last_name"]) if n)


def score(row: dict[str, Any]) -> int | None:
    return row["score"] if row["scored_under"] is not None else None


def persona_name(terms: Any, title: str) -> str:
    # As `schema.agreements.kinds.Persona.name`: the name in force, else the title.
    found = orjson.loads(terms) if isinstance(terms, str | bytes) else terms
    return str(found["name"]) if found else title


def lead_list_expected(rows: list[Rows], sample: Sample) -> dict[str, Any]:
    edges = []
    for row in rows[0]:
        persona = None
        if row["persona_id"] is not None:
            name = persona_name(row["persona_terms"], row["persona_title"])
            persona = {"name": name}
        owner = None
        if row["owner_id"] is not None:
            owner = {"name": row["owner_name"], "email": row["owner_email"]}
        node = {
            "id": ids.encode("Lead", row["id"]),
            "fullName": full_name(row),
            "company": row["company"],
            "score": score(row),
            "stage": row["stage"],
            "persona": persona,
            "owner": owner,
        }
        edges.append({"node": node})
    return {"leads": {"edges": edges}}


def one_per_caller(callers: list[Caller], sizes: Sizes) -> list[Sample]:
    return [Sample(c) for c in callers]


LEAD_DETAIL = """
query LeadDetail($id: ID!) {
  node(id: $id) {
    ... on Lead {
      id email fullName company jobTitle stage score createdAt
      activities(first: 20) { edges { node { id kind occurredAt } } }
    }
  }
}
"""
ACTIVITIES = 20
LEAD_DETAIL_SQL = (
    "SELECT id, email, first_name, last_name, company, job_title, stage, score, "
    "scored_under, created_at FROM lead WHERE id = ?",
    "SELECT id, kind, occurred_at FROM lead_activity WHERE lead_id = ? "
    f"ORDER BY occurred_at DESC, id LIMIT {ACTIVITIES}",
)
DETAIL_SAMPLES = 2000


def instant(value: Any) -> str:
    """A stored instant as the API writes it (ISO 8601, UTC offset)."""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return str(at.astimezone(UTC).isoformat())


def lead_detail_samples(callers: list[Caller], sizes: Sizes) -> list[Sample]:
    """A random lead per request (deterministic), spread over the callers."""
    pick = random.Random("lead-detail")
    samples = []
    for n in range(DETAIL_SAMPLES):
        key = pick.randint(1, sizes.leads)
        variables = {"id": ids.encode("Lead", key)}
        samples.append(Sample(callers[n % len(callers)], variables, ((key,), (key,))))
    return samples


def lead_detail_expected(rows: list[Rows], sample: Sample) -> dict[str, Any]:
    (lead,) = rows[0]
    activities = [
        {
            "node": {
                "id": ids.encode("LeadActivity", a["id"]),
                "kind": a["kind"],
                "occurredAt": instant(a["occurred_at"]),
            }
        }
        for a in rows[1]
    ]
    return {
        "node": {
            "id": ids.encode("Lead", lead["id"]),
            "email": lead["email"],
            "fullName": full_name(lead),
            "company": lead["company"],
            "jobTitle": lead["job_title"],
            "stage": lead["stage"],
            "score": score(lead),
            "createdAt": instant(lead["created_at"]),
            "activities": {"edges": activities},
        }
    }


LEAD_FUNNEL = "query LeadFunnel { leadFunnel { stage count } }"
# The counters the server reads: folded counts plus the deltas not folded yet.
# (That they equal a count of the leads is checked by the smoke test.)
LEAD_FUNNEL_SQL = (
    "SELECT stage, CAST(SUM(n) AS BIGINT) AS n FROM (SELECT stage, count AS n "
    "FROM stage_count "
    "UNION ALL SELECT stage, delta AS n FROM stage_count_delta) AS c GROUP BY stage"
)


def lead_funnel_expected(rows: list[Rows], sample: Sample) -> dict[str, Any]:
    found = {str(r["stage"]): int(r["n"]) for r in rows[0]}
    return {
        "leadFunnel": [
            {"stage": stage.value, "count": found.get(stage.value, 0)}
            for stage in LeadStage
        ]
    }


LEAD_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        name="leadList",
        title="Q1 lead list (50 best-scored MQL leads, persona and owner)",
        document=LEAD_LIST,
        floor=(LEAD_LIST_SQL,),
        expected=lead_list_expected,
        samples=one_per_caller,
        peer_equivalent="Q1",
    ),
    Operation(
        name="leadDetail",
        title="Q2 lead detail (a random lead, its latest 20 activities)",
        document=LEAD_DETAIL,
        floor=LEAD_DETAIL_SQL,
        expected=lead_detail_expected,
        samples=lead_detail_samples,
        peer_equivalent="Q2",
    ),
    Operation(
        name="leadFunnel",
        title="Q3 funnel (leads per stage, from the counters)",
        document=LEAD_FUNNEL,
        floor=(LEAD_FUNNEL_SQL,),
        expected=lead_funnel_expected,
        samples=one_per_caller,
        peer_equivalent="Q3",
    ),
)
