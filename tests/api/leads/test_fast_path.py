"""`recordLeadActivities` answers alike through its declared resolver and the
fast one the built schema installs (`schema.FAST_RESOLVERS`)."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.applications import Starlette

import schema as schema_module
from server.app import create_app
from server.clock import clock
from server.settings import Settings
from tests.helpers import Api
from tests.lead_steps import Desk, ago, seat, well_fitting

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def reference_api(
    settings: Settings, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Api]:
    """A second app on the same database whose schema keeps declared resolvers."""
    monkeypatch.setattr(schema_module, "schema", schema_module.build(fast=False))
    reference = create_app(settings, manage_database=False)
    async with Api.for_app(reference) as client:
        yield client


def batch(lead: dict[str, Any]) -> list[dict[str, Any]]:
    """Every kind of row: by id and by e-mail, with and without an external id,
    source and metadata, a duplicate, and rows refused for different reasons."""
    return [
        {"leadId": lead["id"], "kind": "PRICING_VIEW", "occurredAt": ago(1)},
        {
            "leadEmail": lead["email"].upper(),
            "kind": "DEMO_REQUEST",
            "occurredAt": ago(0.5),
            "externalId": "web-1",
            "source": "website",
            "metadata": {"page": "/pricing", "n": [1, 2.5, None, True]},
        },
        {
            "leadId": lead["id"],
            "kind": "DEMO_REQUEST",
            "occurredAt": ago(0.5),
            "externalId": "web-1",
        },
        {"leadId": lead["id"], "kind": "EMAIL_OPEN", "occurredAt": ago(minutes=-10)},
        {
            "leadEmail": "nobody@nowhere.example",
            "kind": "PAGE_VIEW",
            "occurredAt": ago(2),
        },
        {
            "leadId": lead["id"],
            "kind": "PAGE_VIEW",
            "occurredAt": ago(3),
            "metadata": None,
        },
    ]


def same_for_both(answer: Any, lead: dict[str, Any]) -> str:
    """The answer with the lead's own id and e-mail written out of it."""
    text = json.dumps(answer, sort_keys=True)
    return text.replace(lead["id"], "<lead>").replace(lead["email"], "<email>")


async def test_both_resolvers_answer_the_same_batch_alike(
    api: Api, reference_api: Api
) -> None:
    # given two leads alike but for their e-mail, under the model in force
    clock.set(START)
    desk = await seat(api)
    await desk.activate_model()
    done = await desk.upsert(
        [well_fitting("a@freight.example"), well_fitting("b@freight.example")]
    )
    first, second = (r["lead"] for r in done["results"])
    reference = Desk(reference_api, desk.sessions)

    # when, at one frozen instant, the same batch goes through the fast resolver
    # for one lead and the declared one for the other, in full and then as a
    # summary only
    clock.freeze(START)
    fast = await desk.record(batch(first))
    declared = await reference.record(batch(second))
    fast_again = await desk.record(batch(first), summaryOnly=True)
    declared_again = await reference.record(batch(second), summaryOnly=True)

    # then every answer is the same, down to scores, errors and their paths
    assert fast["summary"] == {
        "received": 6,
        "created": 3,
        "duplicates": 1,
        "failed": 2,
        "qualified": fast["summary"]["qualified"],
    }
    assert same_for_both(fast, first) == same_for_both(declared, second)
    assert same_for_both(fast_again, first) == same_for_both(declared_again, second)
    assert fast_again["summary"]["duplicates"] == 4


def test_the_built_schema_uses_the_fast_resolver_and_the_reference_does_not() -> None:
    def resolver(built: Any) -> Any:
        # The input guard wraps every resolver; what it wraps is the one installed.
        found = built._schema.mutation_type.fields["recordLeadActivities"].resolve
        return inspect.unwrap(found)

    assert resolver(schema_module.schema) is schema_module.record_activities_fast
    assert resolver(schema_module.build(fast=False)) is not (
        schema_module.record_activities_fast
    )
