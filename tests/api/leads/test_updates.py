"""`updateLead`: one lead edited by its ID, at the version the caller saw."""

from __future__ import annotations

from typing import Any

from server.models.leads import Lead
from server.services.core import ids
from tests.helpers import Api
from tests.lead_steps import (
    UPDATE,
    Desk,
    ago,
    events_of,
    key_of,
    refused,
    seat,
    well_fitting,
)


async def ana_beside_bo(desk: Desk) -> dict[str, Any]:
    """Two leads, Ana (CRM id A) and Bo (bo@example.com, CRM id B); Ana."""
    done = await desk.upsert(
        [
            well_fitting(externalIds=[{"system": "crm", "id": "A"}]),
            {"email": "bo@example.com", "externalIds": [{"system": "crm", "id": "B"}]},
        ]
    )
    ana: dict[str, Any] = done["results"][0]["lead"]
    return ana


def edit(lead: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"id": lead["id"], "expectedVersion": lead["version"], **fields}


async def test_an_edit_changes_the_fields_named_and_bumps_the_version(
    api: Api,
) -> None:
    desk = await seat(api)
    ana = await ana_beside_bo(desk)

    done = await desk.call(
        "member",
        UPDATE,
        edit(
            ana,
            email="Ana.Ops@Logistics.example",
            jobTitle=None,
            doNotContact=True,
            externalIds=[{"system": "erp", "id": "E-1"}],
        ),
    )

    assert done["userErrors"] == []
    lead = done["lead"]
    assert (lead["email"], lead["jobTitle"], lead["doNotContact"]) == (
        "ana.ops@logistics.example",
        None,
        True,
    )
    assert (lead["company"], lead["version"]) == ("Freight Co", 2)
    assert lead["externalIds"] == [
        {"system": "crm", "id": "A"},
        {"system": "erp", "id": "E-1"},
    ]
    assert await events_of(ana) == ["LEAD_CREATED", "LEAD_UPDATED"]


async def test_an_edit_that_changes_nothing_keeps_the_version(api: Api) -> None:
    desk = await seat(api)
    ana = await ana_beside_bo(desk)

    done = await desk.call("member", UPDATE, edit(ana, company="Freight Co"))

    assert (done["userErrors"], done["lead"]["version"]) == ([], 1)
    assert await events_of(ana) == ["LEAD_CREATED"]


async def test_a_change_of_fields_can_qualify_the_lead(api: Api) -> None:
    desk = await seat(api)
    await desk.activate_model()
    done = await desk.upsert([well_fitting(companySize=5)])
    lead = done["results"][0]["lead"]
    views = [
        {"leadId": lead["id"], "kind": "PRICING_VIEW", "occurredAt": ago(minutes=m)}
        for m in (1, 2, 3)
    ]
    viewed = await desk.record(views)
    lead = viewed["results"][0]["lead"]
    assert (lead["stage"], lead["score"]) == ("NEW", 45)

    # when the company turns out to be mid-size
    done = await desk.call("member", UPDATE, edit(lead, companySize=400))

    after = done["lead"]
    assert (after["stage"], after["score"], after["qualifiedBy"]) == (
        "MQL",
        65,
        "ACTIVITY",
    )
    assert (await events_of(lead))[-3:] == [
        "LEAD_QUALIFIED",
        "LEAD_STAGE_CHANGED",
        "LEAD_UPDATED",
    ]


async def test_a_stale_version_is_a_conflict(api: Api) -> None:
    desk = await seat(api)
    ana = await ana_beside_bo(desk)
    await desk.call("member", UPDATE, edit(ana, country="NL"))

    await refused(
        desk,
        "member",
        UPDATE,
        edit(ana, country="DE"),
        "CONFLICT",
        ["expectedVersion"],
    )


async def test_another_leads_address_or_external_id_is_a_duplicate(api: Api) -> None:
    desk = await seat(api)
    ana = await ana_beside_bo(desk)

    await refused(
        desk,
        "member",
        UPDATE,
        edit(ana, email="BO@example.com"),
        "DUPLICATE",
        ["email"],
    )
    await refused(
        desk,
        "member",
        UPDATE,
        edit(ana, externalIds=[{"system": "CRM", "id": "B"}]),
        "DUPLICATE",
        ["externalIds"],
    )


async def test_an_address_or_external_ids_cannot_be_cleared(api: Api) -> None:
    desk = await seat(api)
    ana = await ana_beside_bo(desk)

    await refused(
        desk, "member", UPDATE, edit(ana, email=None), "INVALID_INPUT", ["email"]
    )
    await refused(
        desk,
        "member",
        UPDATE,
        edit(ana, externalIds=None),
        "INVALID_INPUT",
        ["externalIds"],
    )


async def test_a_persona_not_in_force_is_refused(api: Api) -> None:
    desk = await seat(api)
    ana = await ana_beside_bo(desk)
    model = await desk.activate_model()

    await refused(
        desk,
        "member",
        UPDATE,
        edit(ana, persona=ids.encode("Persona", 999)),
        "INVALID_INPUT",
        ["persona"],
    )
    await refused(
        desk, "member", UPDATE, edit(ana, persona=model), "INVALID_INPUT", ["persona"]
    )


async def test_an_unknown_lead_is_not_found(api: Api) -> None:
    desk = await seat(api)
    ana = await ana_beside_bo(desk)

    await refused(
        desk,
        "member",
        UPDATE,
        {**edit(ana, country="NL"), "id": ids.encode("Lead", 999)},
        "NOT_FOUND",
        ["id"],
    )
    assert (await Lead.get(id=key_of(ana))).country is None
