"""The schema-driven fuzz stage: schemathesis reads `schema/schema.graphql` and
generates documents for every Query and Mutation field (inline arguments, nested
selections), with strategies of our own for the custom scalars that reach the
edges the outside probe found: far dates and offsets, NaN and infinities, NUL
in strings and JSON, non-canonical and foreign IDs. Each document is sent to a
real `accord serve` as several callers; any 5xx answer or INTERNAL_SERVER_ERROR
is a failure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import graphql
import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from server.domain.core.ids import IdCodec
from server.services.core.ids import TYPE_CODES
from tests.helpers import TEST_SECRET

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema" / "schema.graphql"
# How many documents per operation and caller: a few in `make test`, more in
# `make fuzz` (ACCORD_FUZZ_EXAMPLES=…).
EXAMPLES = int(os.environ.get("ACCORD_FUZZ_EXAMPLES", "2"))
# They would end the caller's own session in the middle of the run.
SKIPPED = {"Mutation.logout", "Mutation.logoutEverywhere"}
# One line per run, printed in pytest's terminal summary (tests/conftest.py).
SUMMARY: list[str] = []

FAR_INSTANTS = [
    "0001-01-01T00:00:00+01:00",
    "0999-12-31T23:59:59Z",
    "1000-01-01T00:30:00+01:00",
    "1000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T23:00:00-05:00",
    "2026-03-29T02:30:00+02:00",
    "2026-01-01T00:00:00",
    "2026-13-01T00:00:00Z",
    "yesterday",
]
FAR_DATES = ["0001-01-01", "0999-12-31", "1000-01-01", "9999-12-31", "2026-02-30"]
ODD_DECIMALS = ["NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "1e999999", "-0", ""]


def _instants() -> st.SearchStrategy[str]:
    aware = st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)
    ).flatmap(
        lambda wall: st.integers(-14 * 60, 14 * 60).map(
            lambda minutes: wall.replace(
                tzinfo=UTC if minutes == 0 else _offset(minutes)
            ).isoformat()
        )
    )
    return st.one_of(st.sampled_from(FAR_INSTANTS), aware)


def _offset(minutes: int) -> Any:
    from datetime import timedelta, timezone

    return timezone(timedelta(minutes=minutes))


def _decimals() -> st.SearchStrategy[graphql.ValueNode]:
    text = st.one_of(
        st.sampled_from(ODD_DECIMALS),
        st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
    )
    return st.one_of(
        text.map(nodes.String),
        st.integers(-(10**20), 10**20).map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    )


def _json_values() -> st.SearchStrategy[graphql.ValueNode]:
    names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
    leaves = st.one_of(
        st.text(max_size=12).map(nodes.String),
        st.sampled_from(["\x00", "a\x00b", "\ud7ff"]).map(nodes.String),
        st.integers(-(10**30), 10**30).map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        st.booleans().map(nodes.Boolean),
        st.just(nodes.Null),
    )

    def objects(
        children: st.SearchStrategy[graphql.ValueNode],
    ) -> st.SearchStrategy[graphql.ValueNode]:
        fields = st.dictionaries(names, children, max_size=4).map(
            lambda d: [
                graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v)
                for k, v in d.items()
            ]
        )
        return st.one_of(
            fields.map(lambda f: graphql.ObjectValueNode(fields=tuple(f))),
            st.lists(children, max_size=4).map(nodes.List),
        )

    return st.recursive(leaves, objects, max_leaves=12)


def _ids() -> st.SearchStrategy[str]:
    codec = IdCodec(TEST_SECRET, TYPE_CODES)
    minted = st.builds(
        codec.encode, st.sampled_from(sorted(TYPE_CODES)), st.integers(1, 6)
    )
    return st.one_of(
        minted,
        minted.map(lambda i: i + "=="),
        minted.map(lambda i: i[:-1] + ("A" if i[-1] != "A" else "B")),
        minted.map(lambda i: i.replace("-", "+").replace("_", "/")),
        st.text(max_size=30),
        st.just("\x00"),
    )


def register_scalars() -> None:
    """Our strategies for the custom scalars (once per process)."""
    schemathesis.graphql.scalar("DateTime", _instants().map(nodes.String))
    dates = st.one_of(
        st.sampled_from(FAR_DATES), st.dates().map(lambda d: d.isoformat())
    )
    schemathesis.graphql.scalar("Date", dates.map(nodes.String))
    schemathesis.graphql.scalar("Decimal", _decimals())
    schemathesis.graphql.scalar("JSON", _json_values())
    schemathesis.graphql.scalar("ID", _ids().map(nodes.String))


@dataclass
class Caller:
    name: str
    headers: dict[str, str]


@dataclass
class Report:
    cases: int = 0
    failures: list[str] = field(default_factory=list)


def _is_failure(response: httpx.Response) -> str | None:
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code} without JSON"
    for error in body.get("errors") or []:
        if (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR":
            return f"INTERNAL_SERVER_ERROR at {error.get('path')}"
    return None


def fuzz(base: str, callers: list[Caller], examples: int = EXAMPLES) -> Report:
    """Send `examples` generated documents per operation and caller to `base`."""
    register_scalars()
    schema = schemathesis.graphql.from_path(SCHEMA_FILE)
    report = Report()
    operations = [r.ok() for r in schema.get_all_operations()]
    with httpx.Client(base_url=base, timeout=60) as client:
        for operation in operations:
            if operation.label in SKIPPED:
                continue
            for caller in callers:
                _run(client, operation, caller, examples, report)
    return report


def _run(
    client: httpx.Client, operation: Any, caller: Caller, examples: int, report: Report
) -> None:
    @given(operation.as_strategy())
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def send(case: Any) -> None:
        response = client.post(
            "/graphql", json={"query": case.body}, headers=caller.headers
        )
        report.cases += 1
        problem = _is_failure(response)
        if problem and len(report.failures) < 20:
            report.failures.append(
                f"{caller.name} {operation.label}: {problem}\n{case.body}"
            )

    send()
