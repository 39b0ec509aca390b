"""`recordLeadActivities`' variables coerced by `schema.leads.variables` equal
graphql-core's, values and errors alike, on the same inputs."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from graphql import OperationDefinitionNode, parse
from graphql.execution.values import VariableValues, get_variable_values
from hypothesis import given, settings
from hypothesis import strategies as st

import schema as schema_module
from schema.leads.variables import coerce_variables
from server.executor import ExecutionContext, _variable_values

DOCUMENT = parse(
    """
    mutation Record($input: RecordLeadActivitiesInput!) {
      recordLeadActivities(input: $input) { summary { created } }
    }
    """
)
OTHER = parse(
    """
    mutation Record($input: RecordLeadActivitiesInput!, $first: Int) {
      recordLeadActivities(input: $input) { summary { created } }
    }
    """
)


def definitions(document: Any = DOCUMENT) -> Any:
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.variable_definitions


def shape(value: Any) -> Any:
    """A value with what `==` overlooks spelled out: types, zones, enums."""
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), type(value.tzinfo), repr(value.tzinfo))
    if isinstance(value, Enum):
        return (type(value), value.value)
    if isinstance(value, dict):
        return ("dict", {k: shape(v) for k, v in value.items()})
    if isinstance(value, list):
        return ("list", [shape(v) for v in value])
    return (type(value), value)


def answers(found: Any) -> Any:
    """Coerced values, or the errors' messages."""
    if isinstance(found, VariableValues):
        return (
            shape(found.coerced),
            {k: (s.signature.name, shape(s.value)) for k, s in found.sources.items()},
        )
    return [error.message for error in found]


def compare(inputs: dict[str, Any], document: Any = DOCUMENT) -> Any:
    built = schema_module.schema._schema
    generic = get_variable_values(built, definitions(document), inputs)
    fast = coerce_variables(built, definitions(document), inputs)
    if fast is not None:
        assert isinstance(generic, VariableValues)
        assert answers(fast) == answers(generic)
    hooked = _variable_values(built, definitions(document), inputs)
    assert answers(hooked) == answers(generic)
    return fast


def row(**changes: Any) -> dict[str, Any]:
    return {
        "leadEmail": "ada@example.com",
        "kind": "PAGE_VIEW",
        "occurredAt": "2026-12-05T21:14:00.123Z",
        "externalId": "web-1",
        "source": "bench",
        **changes,
    }


def test_a_plain_batch_is_coerced_fast_as_graphql_core_coerces_it() -> None:
    rows = [
        row(),
        row(kind="DEMO_REQUEST", occurredAt="2026-12-05T21:14:00Z"),
        row(leadEmail=None, leadId="TGVhZDox", occurredAt="2026-01-31T23:59:59.5Z"),
        {
            "leadEmail": "b@example.com",
            "kind": "EMAIL_OPEN",
            "occurredAt": "2026-12-05T00:00:00.000001Z",
        },
        row(metadata={"page": "/pricing", "n": [1, 2.5, None, True]}),
    ]
    for summary in ({}, {"summaryOnly": True}, {"summaryOnly": False}):
        inputs = {"input": {"activities": rows, **summary}}
        assert compare(inputs) is not None


def test_the_executor_builds_with_the_fast_values_in_plain_sight() -> None:
    built = schema_module.schema._schema
    inputs = {"input": {"activities": [row(), row(kind="DEMO_REQUEST")]}}
    executor = ExecutionContext.build(built, DOCUMENT, raw_variable_values=inputs)
    generic = get_variable_values(built, definitions(), inputs)
    assert answers(executor.variable_values) == answers(generic)
    # graphql-core coerced nothing itself: it built from the bare operation
    assert executor.operation.variable_definitions == ()
    operation = DOCUMENT.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    assert executor.operation.selection_set is operation.selection_set
    # and what the fast path cannot coerce is graphql-core's, errors included
    refused = {"input": {"activities": [row(kind="NOT_A_KIND")]}}
    errors = ExecutionContext.build(built, DOCUMENT, raw_variable_values=refused)
    assert isinstance(errors, list)
    assert answers(errors) == answers(
        get_variable_values(built, definitions(), refused)
    )


def test_what_graphql_core_refuses_is_left_to_it() -> None:
    refused: list[dict[str, Any]] = [
        {"input": {"activities": [row(kind="NOT_A_KIND")]}},
        {"input": {"activities": [row(occurredAt="yesterday")]}},
        {"input": {"activities": [row(occurredAt="2026-02-30T10:00:00Z")]}},
        {"input": {"activities": [row(kind=None)]}},
        {"input": {"activities": [row(unknown=1)]}},
        {"input": {"activities": [None]}},
        {"input": {"activities": ["row"]}},
        {"input": {"activities": [row()], "summaryOnly": "yes"}},
        {"input": {"activities": None}},
        {"input": {}},
        {"input": None},
        {},
    ]
    for inputs in refused:
        assert compare(inputs) is None


def test_other_forms_take_graphql_cores_path_with_the_same_values() -> None:
    # an offset, a space, a lowercase z, hour 24, 7 fraction digits: the
    # type's own parser reads them
    for instant in (
        "2026-12-05T21:14:00+01:00",
        "2026-12-05 21:14:00Z",
        "2026-12-05t21:14:00z",
        "2026-12-05T24:00:00Z",
        "2026-12-05T21:14:00.1234567Z",
    ):
        compare({"input": {"activities": [row(occurredAt=instant)]}})
    # one row for a list of rows; an operation with another variable
    compare({"input": {"activities": row()}})
    compare({"input": {"activities": [row()]}, "first": 1}, OTHER)


TEXT = st.none() | st.text(max_size=8) | st.integers(-3, 3) | st.booleans()
INSTANTS = (
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
        lambda d: d.isoformat() + "Z"
    )
    | st.from_regex(
        r"\A\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-6]\d:[0-6]\d(\.\d{1,7})?[Zz]?\Z"
    )
    | TEXT
)
ROWS = st.fixed_dictionaries(
    {"kind": st.sampled_from(["PAGE_VIEW", "DEMO_REQUEST", "nope"]) | TEXT},
    optional={
        "leadEmail": TEXT,
        "leadId": TEXT,
        "occurredAt": INSTANTS,
        "externalId": TEXT,
        "source": TEXT,
        "metadata": st.none() | st.dictionaries(st.text(max_size=3), TEXT),
        "extra": TEXT,
    },
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(ROWS | TEXT, max_size=6),
    st.sampled_from([{}, {"summaryOnly": True}, {"summaryOnly": None}]),
)
def test_any_input_gets_graphql_cores_values_or_errors(
    rows: list[Any], summary: dict[str, Any]
) -> None:
    compare({"input": {"activities": rows, **summary}})
