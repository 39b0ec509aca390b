"""`upsertLeads` end to end: identity, partial updates, staleness, per-row errors,
limits, retries, audit and events (SPEC §2.3, §3)."""

from __future__ import annotations

from typing import Any

import pytest

from server.models.core import AuditEntry, OutboxEvent
from server.models.leads import Lead, LeadExternalId
from tests.helpers import Api
from tests.lead_steps import (
    BY_EMAIL,
    RECORD,
    UPSERT,
    Desk,
    events_of,
    key_of,
    refused,
    seat,
    well_fitting,
)

CRM = {"system": "crm", "id": "0031"}


async def created(desk: Desk, *rows: dict[str, Any]) -> list[dict[str, Any]]:
    """Upsert rows that must all create a lead; the leads."""
    done = await desk.upsert(list(rows))
    assert [r["outcome"] for r in done["results"]] == ["CREATED"] * len(rows), done
    return [r["lead"] for r in done["results"]]


async def test_a_new_row_creates_a_lead_with_its_fields_and_keys(api: Api) -> None:
    desk = await seat(api)

    done = await desk.upsert([well_fitting(externalIds=[CRM], products=["Fleet"])])

    [row] = done["results"]
    assert (row["index"], row["outcome"], row["created"]) == (0, "CREATED", True)
    assert row["userErrors"] == []
    lead = row["lead"]
    assert lead["email"] == "ana@logistics.example"
    assert (lead["company"], lead["companySize"], lead["jobTitle"]) == (
        "Freight Co",
        500,
        "VP Operations",
    )
    assert lead["externalIds"] == [CRM]
    assert lead["products"] == ["Fleet"]
    assert (lead["stage"], lead["version"], lead["qualified"]) == ("NEW", 1, False)
    assert lead["score"] is None  # no model in force: nothing is scored
    assert lead["stageHistory"] == [
        {
            "from": None,
            "to": "NEW",
            "via": "CREATED",
            "reason": None,
            "actor": {"name": "Member"},
        }
    ]
    assert done["summary"] == {
        "received": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "stale": 0,
        "failed": 0,
    }
    assert done["userErrors"] == []


async def test_a_row_finds_its_lead_by_external_id_first_then_by_email(
    api: Api,
) -> None:
    desk = await seat(api)
    [lead] = await created(desk, well_fitting(externalIds=[CRM]))

    # when a row names the lead by its external id only, then by its email only
    by_id = await desk.upsert([{"externalIds": [CRM], "jobTitle": "COO"}])
    by_email = await desk.upsert([{"email": lead["email"], "country": "DE"}])
    # and a row gives the external id with an address nobody has yet
    moved = await desk.upsert(
        [{"externalIds": [CRM], "email": "ana@new-freight.example"}]
    )

    # then each updated the same lead (the last one its address)
    for done in (by_id, by_email, moved):
        [row] = done["results"]
        assert (row["outcome"], row["created"]) == ("UPDATED", False), row
        assert row["lead"]["id"] == lead["id"]
    final = moved["results"][0]["lead"]
    assert (final["jobTitle"], final["country"]) == ("COO", "DE")
    assert final["email"] == "ana@new-freight.example"
    assert final["version"] == 4
    assert await Lead.all().count() == 1


async def test_an_absent_field_stays_and_null_clears_it(api: Api) -> None:
    desk = await seat(api)
    [lead] = await created(
        desk,
        well_fitting(country="DE", products=["Fleet"], isCustomer=True),
    )

    done = await desk.upsert(
        [
            {
                "email": lead["email"],
                "company": None,
                "products": None,
                "isCustomer": None,
                "companySize": None,
            }
        ]
    )

    after = done["results"][0]["lead"]
    cleared = ("company", "companySize", "products", "isCustomer")
    assert [after[f] for f in cleared] == [None, None, [], False]
    kept = ("firstName", "lastName", "industry", "jobTitle", "country")
    assert [after[f] for f in kept] == [lead[f] for f in kept]


async def test_a_row_older_than_the_stored_one_is_skipped_as_stale(api: Api) -> None:
    desk = await seat(api)
    [lead] = await created(
        desk, well_fitting(sourceUpdatedAt="2026-03-02T10:00:00+00:00")
    )
    email = lead["email"]

    done = await desk.upsert(
        [
            {
                "email": email,
                "jobTitle": "Old",
                "sourceUpdatedAt": "2026-03-01T10:00:00Z",
            },
            {
                "email": email,
                "jobTitle": "Same",
                "sourceUpdatedAt": "2026-03-02T10:00:00Z",
            },
            {
                "email": email,
                "jobTitle": "New",
                "sourceUpdatedAt": "2026-03-03T10:00:00Z",
            },
            {
                "email": email,
                "jobTitle": "Late",
                "sourceUpdatedAt": "2026-03-02T12:00:00Z",
            },
        ]
    )

    outcomes = [r["outcome"] for r in done["results"]]
    assert outcomes == ["STALE", "UPDATED", "UPDATED", "STALE"]
    stored = await Lead.get(id=key_of(lead))
    assert stored.job_title == "New"
    assert stored.source_updated_at.isoformat() == "2026-03-03T10:00:00+00:00"
    assert done["summary"]["stale"] == 2


async def test_a_row_whose_keys_name_two_leads_is_a_conflict_and_the_rest_lands(
    api: Api,
) -> None:
    desk = await seat(api)
    ana, bo = await created(
        desk, well_fitting(externalIds=[CRM]), {"email": "bo@example.com"}
    )

    done = await desk.upsert(
        [
            {"email": "new@example.com", "company": "New Co"},
            {"email": bo["email"], "externalIds": [CRM], "company": "Both"},
            {"email": bo["email"], "company": "Bo's"},
        ]
    )

    first, conflict, last = done["results"]
    assert (first["outcome"], last["outcome"]) == ("CREATED", "UPDATED")
    assert conflict["outcome"] == "FAILED" and conflict["lead"] is None
    assert [e["code"] for e in conflict["userErrors"]] == ["CONFLICT"]
    assert conflict["userErrors"][0]["field"] == ["leads", "1"]
    assert (await Lead.get(id=key_of(ana))).company == "Freight Co"
    assert (await Lead.get(id=key_of(bo))).company == "Bo's"
    assert await Lead.filter(email="new@example.com").exists()
    assert done["summary"]["failed"] == 1


async def test_invalid_rows_fail_with_their_paths_and_never_block_valid_ones(
    api: Api,
) -> None:
    desk = await seat(api)

    done = await desk.upsert(
        [
            {"email": "not an address"},
            {"email": "ok@example.com", "companySize": -5},
            {"company": "No key"},
            {"email": "fine@example.com", "externalIds": [{"system": "", "id": "1"}]},
            {"email": "good@example.com", "company": "Good"},
        ]
    )

    results = done["results"]
    assert [r["outcome"] for r in results] == ["FAILED"] * 4 + ["CREATED"]
    fields = [[e["field"] for e in r["userErrors"]] for r in results[:4]]
    assert fields == [
        [["leads", "0", "email"]],
        [["leads", "1", "companySize"]],
        [["leads", "2"]],
        [["leads", "3", "externalIds", "0", "system"]],
    ]
    codes = {e["code"] for r in results[:4] for e in r["userErrors"]}
    assert codes == {"INVALID_INPUT"}
    assert [lead.email for lead in await Lead.all()] == ["good@example.com"]


async def test_more_than_500_rows_are_refused_whole(api: Api) -> None:
    desk = await seat(api)
    rows = [{"email": f"lead{n}@example.com"} for n in range(501)]

    errors = await refused(
        desk, "member", UPSERT, {"leads": rows}, "LIMIT_EXCEEDED", ["leads"]
    )

    assert len(errors) == 1
    assert await Lead.all().count() == 0


async def test_500_rows_are_taken_in_one_call(api: Api) -> None:
    desk = await seat(api)
    rows = [{"email": f"lead{n}@example.com"} for n in range(500)]

    done = await desk.upsert(rows, summaryOnly=True)

    assert done["summary"]["created"] == 500
    assert await Lead.all().count() == 500


async def test_summary_only_answers_with_counts_and_no_rows(api: Api) -> None:
    desk = await seat(api)
    [lead] = await created(desk, well_fitting())

    done = await desk.upsert(
        [
            {"email": lead["email"], "country": "NL"},
            {"email": lead["email"], "country": "NL"},
            {"email": "x@example.com"},
            {"email": "broken"},
        ],
        summaryOnly=True,
    )

    assert done["results"] is None
    assert done["summary"] == {
        "received": 4,
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "stale": 0,
        "failed": 1,
    }


async def test_the_same_batch_pushed_twice_duplicates_nothing_and_scores_alike(
    api: Api,
) -> None:
    desk = await seat(api)
    await desk.activate_model()
    batch = [
        well_fitting(externalIds=[CRM]),
        well_fitting("li@retail.example", industry="Retail"),
        {"email": "cy@tiny.example", "companySize": 5},
    ]

    first = await desk.upsert(batch)
    again = await desk.upsert(batch)

    assert [r["outcome"] for r in first["results"]] == ["CREATED"] * 3
    assert [r["outcome"] for r in again["results"]] == ["UNCHANGED"] * 3
    assert await Lead.all().count() == 3
    assert await LeadExternalId.all().count() == 1
    before = [r["lead"] for r in first["results"]]
    after = [r["lead"] for r in again["results"]]
    assert [lead["score"] for lead in before] == [35, 20, 0]
    assert after == before  # scores, breakdowns and versions alike


async def test_one_audit_entry_per_call_lists_the_rows(api: Api) -> None:
    desk = await seat(api)
    [lead] = await created(desk, well_fitting())

    done = await desk.upsert(
        [
            {"email": "x@example.com"},
            {"email": lead["email"], "country": "NL"},
            {"email": lead["email"], "country": "NL"},
            {"email": "broken"},
        ]
    )

    entries = await AuditEntry.filter(action="upsertLeads").order_by("id")
    assert len(entries) == 2
    entry = entries[-1]
    new_id = key_of(done["results"][0]["lead"])
    assert (entry.outcome, entry.entity_type) == ("OK", "Lead")
    assert entry.changes == {
        "leads": sorted([key_of(lead), new_id]),
        "created": [0],
        "updated": [1],
        "unchanged": [2],
        "failed": [3],
    }
    assert entry.credential.startswith("session:")


async def test_a_created_lead_emits_lead_created_and_a_changed_one_lead_updated(
    api: Api,
) -> None:
    desk = await seat(api)
    [lead] = await created(desk, well_fitting())

    await desk.upsert([{"email": lead["email"], "country": "NL"}])
    await desk.upsert([{"email": lead["email"], "country": "NL"}])  # no change

    assert await events_of(lead) == ["LEAD_CREATED", "LEAD_UPDATED"]
    created_event = await OutboxEvent.get(kind="LEAD_CREATED")
    assert created_event.payload == {"email": lead["email"]}
    assert [e.sequence for e in await OutboxEvent.filter(subject_type="Lead")] == [
        1,
        2,
    ]


async def test_external_ids_are_unique_per_system_not_across_systems(
    api: Api,
) -> None:
    desk = await seat(api)
    ana, bo = await created(
        desk,
        well_fitting(externalIds=[CRM]),
        {"email": "bo@example.com", "externalIds": [{"system": "erp", "id": "0031"}]},
    )

    # when another lead claims the CRM id (the system's case differs)
    done = await desk.upsert(
        [{"email": bo["email"], "externalIds": [{"system": "CRM", "id": "0031"}]}]
    )

    # then that is a conflict; the same id under another system is another lead
    assert [e["code"] for e in done["results"][0]["userErrors"]] == ["CONFLICT"]
    held = {(x.lead_id, x.system, x.value) for x in await LeadExternalId.all()}
    assert held == {(key_of(ana), "crm", "0031"), (key_of(bo), "erp", "0031")}


async def test_a_lead_gets_a_new_id_in_a_system_replacing_the_old_one(
    api: Api,
) -> None:
    desk = await seat(api)
    [lead] = await created(desk, well_fitting(externalIds=[CRM]))

    done = await desk.upsert(
        [{"email": lead["email"], "externalIds": [{"system": "crm", "id": "0099"}]}]
    )

    assert done["results"][0]["lead"]["externalIds"] == [
        {"system": "crm", "id": "0099"}
    ]
    old = await desk.upsert([{"externalIds": [CRM], "company": "Ghost"}])
    assert [e["code"] for e in old["results"][0]["userErrors"]] == ["INVALID_INPUT"]
    assert await Lead.all().count() == 1


async def test_addresses_differing_in_case_space_or_unicode_domain_are_one_lead(
    api: Api,
) -> None:
    desk = await seat(api)
    [lead] = await created(desk, {"email": "  Jo.Smith@Bücher.Example "})
    assert lead["email"] == "jo.smith@xn--bcher-kva.example"

    done = await desk.upsert(
        [
            {"email": "JO.SMITH@XN--BCHER-KVA.EXAMPLE", "company": "Bücher"},
            {"email": "jo.smith@BÜCHER.example", "country": "AT"},
            {"email": "jo.smith+news@bücher.example"},
        ]
    )

    outcomes = [r["outcome"] for r in done["results"]]
    assert outcomes == ["UPDATED", "UPDATED", "CREATED"]
    assert done["results"][2]["lead"]["email"] == "jo.smith+news@xn--bcher-kva.example"
    found = await desk.query("rep", BY_EMAIL, email="Jo.Smith@bücher.EXAMPLE")
    assert found["leadByEmail"]["id"] == lead["id"]
    assert found["leadByEmail"]["company"] == "Bücher"


async def test_an_address_a_lead_gives_up_can_be_taken_by_a_new_lead_in_the_same_call(
    api: Api,
) -> None:
    desk = await seat(api)
    [ana] = await created(desk, well_fitting(externalIds=[CRM]))

    # when the CRM renames Ana, and a new person arrives with her old address
    done = await desk.upsert(
        [
            {"externalIds": [CRM], "email": "ana@freight.example"},
            {"email": "ana@logistics.example", "firstName": "Anna"},
        ]
    )

    # then both land
    assert [r["outcome"] for r in done["results"]] == ["UPDATED", "CREATED"], done
    emails = {lead.id: lead.email for lead in await Lead.all()}
    assert emails[key_of(ana)] == "ana@freight.example"
    assert sorted(emails.values()) == ["ana@freight.example", "ana@logistics.example"]


async def test_two_leads_can_trade_addresses_in_one_call(api: Api) -> None:
    desk = await seat(api)
    ana, bo = await created(
        desk,
        {"email": "a@example.com", "externalIds": [{"system": "crm", "id": "A"}]},
        {"email": "b@example.com", "externalIds": [{"system": "crm", "id": "B"}]},
    )

    done = await desk.upsert(
        [
            {"externalIds": [{"system": "crm", "id": "A"}], "email": "t@example.com"},
            {"externalIds": [{"system": "crm", "id": "B"}], "email": "a@example.com"},
            {"externalIds": [{"system": "crm", "id": "A"}], "email": "b@example.com"},
        ]
    )

    assert [r["outcome"] for r in done["results"]] == ["UPDATED"] * 3, done
    assert (await Lead.get(id=key_of(ana))).email == "b@example.com"
    assert (await Lead.get(id=key_of(bo))).email == "a@example.com"


@pytest.mark.parametrize(
    ("document", "input"),
    [
        (UPSERT, {"leads": [{"email": "a@example.com", "products": ["x", None]}]}),
        (UPSERT, {"leads": [{"email": 5}]}),
        (UPSERT, {"leads": [{"email": "a@example.com", "sourceUpdatedAt": "soon"}]}),
        (UPSERT, {"leads": [{"email": "a@example.com", "shoeSize": 44}]}),
        (
            RECORD,
            {
                "activities": [
                    {"leadEmail": "a@example.com", "kind": "NAP", "occurredAt": "x"}
                ]
            },
        ),
    ],
)
async def test_input_the_schema_cannot_read_is_invalid_input_not_a_failure(
    api: Api, document: str, input: dict[str, Any]
) -> None:
    desk = await seat(api)

    response = await desk.send("member", document, input)

    codes = response.error_codes
    assert codes and set(codes) == {"INVALID_INPUT"}, response.body
    assert all("$input" in e["message"] for e in response.body["errors"])
    assert await Lead.all().count() == 0
