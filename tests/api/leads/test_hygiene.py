"""Merging duplicates and erasing a person, through the API (SPEC §2.3, §2.9)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from server.clock import clock
from server.models.core import AuditEntry, EmailDelivery, OutboxEvent
from server.models.events import Notification, Webhook, WebhookDelivery
from server.models.leads import Lead, LeadActivity, LeadAlias, StageChange
from server.models.meetings import ActionItem, Meeting
from server.models.waterfall import Handoff
from server.services.core import ids
from server.services.leads import aliases
from tests.handoff_steps import Floor, berlin, floor, user_id
from tests.helpers import Api, settle_outbox
from tests.lead_steps import (
    BY_EMAIL,
    NODE,
    UPSERT,
    assert_settled,
    key_of,
    payload,
    well_fitting,
)
from tests.metrics_steps import DASHBOARD

ERRORS = "userErrors { code field message }"
SHORT = (
    "id email firstName lastName company stage version isCustomer products "
    "erased qualified score externalIds { system id } "
    "stageHistory { from to via reason }"
)
MERGE = f"""
mutation($input: MergeLeadsInput!) {{
  mergeLeads(input: $input) {{ lead {{ {SHORT} }} {ERRORS} }}
}}"""
ERASE = f"""
mutation($input: EraseLeadInput!) {{
  eraseLead(input: $input) {{ lead {{ {SHORT} }} {ERRORS} }}
}}"""
CANDIDATES = """
query($first: Int, $after: String) {
  duplicateLeadCandidates(first: $first, after: $after) {
    edges { cursor node { reasons survivor { id email } duplicate { id email } } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}"""
MONDAY = berlin(2026, 11, 23, 10, 0)


async def ready(api: Api) -> Floor:
    clock.set(MONDAY)
    room = await floor(api)
    await room.activate_model()
    await room.activate_sla()
    return room


async def lead(room: Floor, email: str, **extra: Any) -> dict[str, Any]:
    done = await room.upsert([well_fitting(email, **extra)])
    found: dict[str, Any] = done["results"][0]["lead"]
    return found


async def merge(
    room: Floor,
    survivor: dict[str, Any],
    duplicate: dict[str, Any],
    who: str = "marketing",
) -> dict[str, Any]:
    done: dict[str, Any] = await room.call(
        who,
        MERGE,
        {
            "survivorId": survivor["id"],
            "duplicateId": duplicate["id"],
            "expectedVersions": {
                "survivor": survivor["version"],
                "duplicate": duplicate["version"],
            },
        },
    )
    return done


async def fresh(room: Floor, lead_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await room.query("marketing", NODE, id=lead_id))["node"]
    return found


async def test_a_merge_moves_everything_and_the_duplicate_keys_resolve_to_the_survivor(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    keep = await lead(
        room, "ana@logistics.example", externalIds=[{"system": "crm", "id": "C1"}]
    )
    drop = await lead(
        room,
        "a.na+web@logistics.example",
        firstName=None,
        externalIds=[{"system": "crm", "id": "C2"}, {"system": "forms", "id": "F9"}],
        isCustomer=True,
        products=["Fleet"],
    )
    await room.record(
        [
            {
                "leadId": drop["id"],
                "kind": "PAGE_VIEW",
                "occurredAt": MONDAY.isoformat(),
                "externalId": "v1",
            },
        ]
    )
    drop = await fresh(room, drop["id"])
    # when a marketing manager merges the duplicate into the survivor
    done = await merge(room, keep, drop)
    assert done["userErrors"] == [], done
    merged = done["lead"]
    assert merged["id"] == keep["id"]
    assert merged["isCustomer"] is True and merged["products"] == ["Fleet"]
    assert {(e["system"], e["id"]) for e in merged["externalIds"]} == {
        ("crm", "C1"),
        ("forms", "F9"),
    }
    # then the duplicate is gone, its activity is the survivor's
    assert not await Lead.filter(id=key_of(drop)).exists()
    assert await LeadActivity.filter(lead_id=key_of(keep)).count() == 1
    assert await StageChange.filter(lead_id=key_of(drop)).count() == 0
    # and its id, address and clashing external id resolve to the survivor
    assert (await fresh(room, drop["id"]))["id"] == keep["id"]
    by_email = await room.query("marketing", BY_EMAIL, email=drop["email"])
    assert by_email["leadByEmail"]["id"] == keep["id"]
    later = await room.upsert(
        [{"externalIds": [{"system": "crm", "id": "C2"}], "jobTitle": "COO"}]
    )
    assert later["results"][0]["outcome"] == "UPDATED", later
    assert later["results"][0]["lead"]["id"] == keep["id"]
    again = await room.upsert([{"email": drop["email"], "campaign": "spring"}])
    assert again["results"][0]["lead"]["id"] == keep["id"]
    # and the merge is audited with what moved, and announced
    entry = await AuditEntry.get(action="mergeLeads", outcome="OK")
    assert entry.changes["moved"]["lead_activity"] == 1
    assert entry.changes["moved"]["stage_change"] == 1
    kinds = [e.kind for e in await OutboxEvent.filter(subject_id=key_of(keep))]
    assert "LEAD_MERGED" in kinds


async def test_the_further_stage_wins_and_the_move_is_recorded(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    keep = await lead(room, "new@logistics.example")
    drop_id = await room.qualified_lead("mql@logistics.example")
    drop = await fresh(room, drop_id)
    assert keep["stage"] == "NEW" and drop["stage"] == "MQL"
    done = await merge(room, keep, drop)
    assert done["userErrors"] == [], done
    merged = done["lead"]
    assert merged["stage"] == "MQL" and merged["qualified"] is True
    assert merged["stageHistory"][-1]["via"] == "MERGE"
    assert merged["stageHistory"][-1]["from"] == "NEW"
    await assert_settled(key_of(keep), moves=4)  # both creations, MQL, the merge
    # the live funnel counts one lead, in MQL
    funnel = await room.query("marketing", "{ leadFunnel { stage count } }")
    counts = {r["stage"]: r["count"] for r in funnel["leadFunnel"]}
    assert counts.get("MQL") == 1 and counts.get("NEW", 0) == 0


async def test_two_open_handoffs_are_refused_until_one_is_decided(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    rep = await user_id("rep")
    ids = []
    for email in ("one@logistics.example", "two@logistics.example"):
        lead_id = await room.qualified_lead(email)
        done = await room.hand_off(lead_id, assigneeId=rep)
        assert done["userErrors"] == [], done
        ids.append((lead_id, done["handoff"]["id"]))
    keep, drop = [await fresh(room, i) for i, _ in ids]
    refused = await merge(room, keep, drop)
    assert [e["code"] for e in refused["userErrors"]] == ["CONFLICT"]
    assert "open handoff" in refused["userErrors"][0]["message"]
    assert await Lead.filter(id=key_of(drop)).exists()
    # once the duplicate's handoff is decided, the merge goes through
    decided = await room.call(
        "rep",
        """
      mutation($input: AcceptHandoffInput!) {
        acceptHandoff(input: $input) { userErrors { code } } }""",
        {"handoffId": ids[1][1]},
    )
    assert decided["userErrors"] == []
    keep, drop = [await fresh(room, i) for i, _ in ids]
    # the duplicate (SAL) is further: the survivor's open handoff would be
    # left behind, so that is refused too until it is decided
    behind = await merge(room, keep, drop)
    assert [e["code"] for e in behind["userErrors"]] == ["CONFLICT"]
    await room.call(
        "rep",
        """
      mutation($input: AcceptHandoffInput!) {
        acceptHandoff(input: $input) { userErrors { code } } }""",
        {"handoffId": ids[0][1]},
    )
    keep, drop = [await fresh(room, i) for i, _ in ids]
    done = await merge(room, keep, drop)
    assert done["userErrors"] == [], done
    assert await Handoff.filter(lead_id=key_of(keep)).count() == 2
    assert not await Handoff.filter(lead_id=key_of(drop)).exists()


async def test_merging_is_for_marketing_managers_and_admins_with_current_versions(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    keep = await lead(room, "x1@logistics.example")
    drop = await lead(room, "x2@logistics.example")
    response = await room.send(
        "member",
        MERGE,
        {
            "survivorId": keep["id"],
            "duplicateId": drop["id"],
            "expectedVersions": {"survivor": 1, "duplicate": 1},
        },
    )
    assert response.error_codes == ["FORBIDDEN"]
    stale = await room.call(
        "admin",
        MERGE,
        {
            "survivorId": keep["id"],
            "duplicateId": drop["id"],
            "expectedVersions": {
                "survivor": keep["version"] + 1,
                "duplicate": drop["version"],
            },
        },
    )
    assert [e["code"] for e in stale["userErrors"]] == ["CONFLICT"]
    itself = await merge(room, keep, keep, "admin")
    assert [e["code"] for e in itself["userErrors"]] == ["INVALID_INPUT"]


async def test_candidates_pair_the_same_address_and_the_same_name(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    a = await lead(
        room, "jo.doe@acme.example", firstName="Jo", lastName="Doe", company="Acme"
    )
    b = await lead(
        room, "jodoe+news@acme.example", firstName="J", lastName="D", company="Other"
    )
    c = await lead(
        room, "jo@elsewhere.example", firstName=" jo", lastName="DOE", company="acme"
    )
    await lead(room, "someone@acme.example", firstName="Sam", lastName="Else")
    found = await room.query("marketing", CANDIDATES, first=1)
    page = found["duplicateLeadCandidates"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"]
    rest = await room.query(
        "marketing", CANDIDATES, first=10, after=page["pageInfo"]["endCursor"]
    )
    pairs = [e["node"] for e in page["edges"]] + [
        e["node"] for e in rest["duplicateLeadCandidates"]["edges"]
    ]
    assert [
        (p["survivor"]["id"], p["duplicate"]["id"], p["reasons"]) for p in pairs
    ] == [
        (a["id"], b["id"], ["SAME_EMAIL"]),
        (a["id"], c["id"], ["SAME_NAME_AND_COMPANY"]),
    ]


async def test_erasure_removes_the_person_and_keeps_every_count(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    lead_id = await room.qualified_lead("erin@logistics.example")
    await room.call(
        "member",
        """
      mutation($input: UpdateLeadInput!) { updateLead(input: $input) {
        userErrors { code } } }""",
        {
            "id": lead_id,
            "expectedVersion": (await fresh(room, lead_id))["version"],
            "lastName": "Erasmus",
            "externalIds": [{"system": "crm", "id": "E-77"}],
        },
    )
    done = await room.hand_off(
        lead_id, assigneeId=await user_id("rep"), note="Erin Erasmus asked for a call"
    )
    assert done["userErrors"] == [], done
    await room.record(
        [
            {
                "leadId": lead_id,
                "kind": "FORM_SUBMIT",
                "occurredAt": MONDAY.isoformat(),
                "metadata": {"phone": "+49 30 1234", "form": "contact"},
            }
        ]
    )
    await settle_outbox()  # the rep's notice of the handoff names the person
    notice = await Notification.get(subject_type="Handoff")
    assert "Erasmus" in notice.title
    await EmailDelivery.create(  # as the mailer queues one when SMTP is set
        notification_id=notice.id,
        to_address="rey@example.com",
        subject=notice.title,
        body=f"{notice.body} erin@logistics.example",
        dedupe_key=f"test-{notice.id}",
        created_at=MONDAY,
    )
    await _meeting_and_delivery_naming(
        lead_id, "Erin Erasmus", "erin@logistics.example"
    )
    period = {"from": "2026-11-01", "to": "2026-12-01"}
    later = MONDAY + timedelta(hours=1)
    clock.set(later)  # the figures' "now" bounds read the same both times
    before = await room.query("marketing", DASHBOARD, period=period)
    funnel_before = await room.query("marketing", "{ leadFunnel { stage count } }")
    # when an admin erases the person
    done = await room.call(
        "admin", ERASE, {"leadId": lead_id, "reason": "GDPR request from Erin"}
    )
    assert done["userErrors"] == [], done
    erased = done["lead"]
    assert erased["erased"] is True and erased["email"].startswith("erased:")
    assert erased["firstName"] is None and erased["externalIds"] == []
    # then every aggregate reads the same
    clock.set(later)
    after = await room.query("marketing", DASHBOARD, period=period)
    # (the drill-down filters' "until now" bounds move with the clock)
    assert [d for d in diff(after, before) if not d.split(":")[0].endswith("To")] == []
    assert (
        await room.query("marketing", "{ leadFunnel { stage count } }") == funnel_before
    )
    # and no table still holds the person's data
    for needle in ("erin@logistics.example", "Erasmus", "E-77", "+49 30 1234"):
        assert not await holding(needle), needle
    handoff = await Handoff.get(lead_id=key_of({"id": lead_id}))
    assert handoff.note == "[erased]"
    event = await OutboxEvent.get(kind="LEAD_ERASED")
    assert "erin" not in str(event.payload).lower()
    # and re-importing the address is refused (the default policy)
    again = await room.upsert([well_fitting("erin@logistics.example")])
    assert [e["code"] for e in again["results"][0]["userErrors"]] == ["DUPLICATE"]
    assert await LeadAlias.filter(kind="ERASED_EMAIL").count() == 1
    # and the anonymous record is never merged
    other = await lead(room, "other@logistics.example")
    refused = await merge(room, other, await fresh(room, lead_id), "admin")
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_INPUT"]
    # and nobody writes a person back into it
    anonymous = await fresh(room, lead_id)
    edited = await room.call(
        "member",
        """
      mutation($input: UpdateLeadInput!) { updateLead(input: $input) {
        lead { id } userErrors { code field } } }""",
        {"id": lead_id, "expectedVersion": anonymous["version"], "lastName": "Back"},
    )
    assert edited["lead"] is None
    assert edited["userErrors"] == [{"code": "INVALID_TRANSITION", "field": ["id"]}]
    assert (await fresh(room, lead_id))["lastName"] is None


async def _meeting_and_delivery_naming(lead_id: str, name: str, email: str) -> None:
    """A held review and a webhook delivery that copied the person, as the
    meetings and webhooks capabilities write them."""
    meeting = await Meeting.create(
        kind="LEAD_REVIEW",
        title=f"Review: why {name} was rejected",
        scheduled_for=MONDAY,
        period_from=MONDAY - timedelta(days=30),
        period_to=MONDAY,
        timezone="Europe/Berlin",
        agenda=[{"topic": "sample", "records": [{"label": f"{name} <{email}>"}]}],
        notes=f"{name} asked for a call",
        decisions=[f"Call {name} back"],
        status="COMPLETED",
        snapshot=f'{{"sample":"{email}"}}',
        created_at=MONDAY,
        updated_at=MONDAY,
    )
    await ActionItem.create(
        meeting=meeting,
        description=f"Send {email} the case study",
        owner_id=ids.decode(await user_id("rep"), "User"),
        status="OPEN",
        created_at=MONDAY,
        updated_at=MONDAY,
    )
    hook = await Webhook.create(
        url="https://hooks.example.com/in",
        events=["LEAD_CREATED"],
        secret_sealed="sealed",
        created_at=MONDAY,
        updated_at=MONDAY,
    )
    await WebhookDelivery.create(
        webhook=hook,
        event_id=1,
        kind="LEAD_CREATED",
        subject_type="Lead",
        subject_id=key_of({"id": lead_id}),
        sequence=1,
        occurred_at=MONDAY,
        payload={"note": f"{name} <{email}>"},
        dedupe_key="test-delivery",
        response_body=f"ok {email}",
        created_at=MONDAY,
    )


async def test_erasing_a_survivor_erases_the_addresses_merged_into_it(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    keep = await lead(room, "mia@logistics.example", lastName="Merger")
    drop = await lead(
        room,
        "mia.m@logistics.example",
        lastName="Merger",
        externalIds=[{"system": "crm", "id": "M-1"}],
    )
    done = await merge(room, keep, drop)
    assert done["userErrors"] == [], done
    erased = await room.call("admin", ERASE, {"leadId": keep["id"], "reason": "ask"})
    assert erased["userErrors"] == [], erased
    for needle in ("mia@logistics.example", "mia.m@logistics.example", "Merger"):
        assert not await holding(needle), needle
    # both addresses are known only by their hashes, and refused again
    again = await room.upsert([well_fitting("mia.m@logistics.example")])
    assert [e["code"] for e in again["results"][0]["userErrors"]] == ["DUPLICATE"]
    # the duplicate's old id still leads to the anonymous record
    assert (await fresh(room, drop["id"]))["email"].startswith("erased:")


async def test_a_flagging_policy_imports_an_erased_address_as_do_not_contact(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    made = await lead(room, "flag@logistics.example")
    await room.call("admin", ERASE, {"leadId": made["id"], "reason": "request"})
    aliases.set_reimport_policy("flag")
    try:
        again = await room.upsert([well_fitting("flag@logistics.example")])
    finally:
        aliases.set_reimport_policy("refuse")
    row = again["results"][0]
    assert row["outcome"] == "CREATED" and row["lead"]["doNotContact"] is True
    entry = await AuditEntry.filter(action="upsertLeads").order_by("-id").first()
    assert entry is not None and entry.changes["reimportedErased"] == [0]


async def test_erasing_is_for_admins_and_says_why(api: Api, backend: str) -> None:
    room = await ready(api)
    made = await lead(room, "why@logistics.example")
    response = await room.send(
        "marketing", ERASE, {"leadId": made["id"], "reason": "x"}
    )
    assert response.error_codes == ["FORBIDDEN"]
    blank = await room.call("admin", ERASE, {"leadId": made["id"], "reason": " "})
    assert [e["code"] for e in blank["userErrors"]] == ["INVALID_INPUT"]


async def holding(needle: str) -> list[str]:
    """Every table.column whose text contains ``needle`` (case-insensitive)."""
    from tortoise import fields

    import server.models as models
    from server import db

    found = []
    for name in models.__all__:
        meta = getattr(models, name)._meta
        for field_name, f in meta.fields_map.items():
            if isinstance(f, fields.CharField | fields.TextField | fields.JSONField):
                column = f.source_field or field_name
                rows = await db.fetch(
                    f"SELECT 1 FROM {meta.db_table} WHERE "
                    f"lower(CAST({column} AS TEXT)) LIKE ?",
                    f"%{needle.lower()}%",
                )
                if rows:
                    found.append(f"{meta.db_table}.{column}")
    return found


@pytest.mark.only_backend("postgres")
async def test_concurrent_merges_of_the_same_pair_leave_one_winner(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    for round_ in range(8):
        keep = await lead(room, f"k{round_}@logistics.example")
        drop = await lead(room, f"d{round_}@logistics.example")
        inputs = [(keep, drop), (drop, keep), (keep, drop), (drop, keep)]
        answers = await asyncio.gather(
            *(
                merge_as(room, "marketing" if n % 2 else "admin", a, b)
                for n, (a, b) in enumerate(inputs)
            )
        )
        ok = [a for a in answers if not a["userErrors"]]
        assert len(ok) == 1, answers
        assert all(
            e["code"] in ("NOT_FOUND", "CONFLICT")
            for a in answers
            for e in a["userErrors"]
        )
        left = await Lead.filter(id__in=[key_of(keep), key_of(drop)]).count()
        assert left == 1
    assert await AuditEntry.filter(action="mergeLeads", outcome="OK").count() == 8


async def merge_as(
    room: Floor, who: str, a: dict[str, Any], b: dict[str, Any]
) -> dict[str, Any]:
    from server.services.people.auth import SESSION_COOKIE

    cookie = {"cookie": f"{SESSION_COOKIE}={room.sessions[who]}"}
    response = await room.api.gql(
        MERGE,
        {
            "input": {
                "survivorId": a["id"],
                "duplicateId": b["id"],
                "expectedVersions": {
                    "survivor": a["version"],
                    "duplicate": b["version"],
                },
            }
        },
        headers=cookie,
    )
    found: dict[str, Any] = payload(response)
    return found


@pytest.mark.only_backend("postgres")
async def test_activities_racing_a_merge_all_land_on_the_survivor(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    for round_ in range(6):
        keep = await lead(room, f"s{round_}@logistics.example")
        drop = await lead(room, f"t{round_}@logistics.example")
        visits = [
            {
                "activities": [
                    {
                        "leadEmail": drop["email"],
                        "kind": "PAGE_VIEW",
                        "occurredAt": MONDAY.isoformat(),
                        "externalId": f"r{round_}-{n}",
                    }
                ]
            }
            for n in range(3)
        ]
        room.api.use_session(None)
        cookie = {"cookie": f"{room_cookie(room)}"}
        sent = [
            room.api.gql(RECORD_SHORT, {"input": v}, headers=cookie) for v in visits
        ]
        answers = await asyncio.gather(merge_as(room, "admin", keep, drop), *sent)
        assert answers[0]["userErrors"] == [], answers[0]
        recorded = [payload(r) for r in answers[1:]]
        assert all(r["results"][0]["userErrors"] == [] for r in recorded), recorded
        assert await LeadActivity.filter(lead_id=key_of(keep)).count() == 3
        assert not await LeadActivity.filter(lead_id=key_of(drop)).exists()


RECORD_SHORT = """
mutation($input: RecordLeadActivitiesInput!) {
  recordLeadActivities(input: $input) {
    results { lead { id } userErrors { code message } } userErrors { code } } }"""


def room_cookie(room: Floor) -> str:
    from server.services.people.auth import SESSION_COOKIE

    return f"{SESSION_COOKIE}={room.sessions['member']}"


@pytest.mark.only_backend("postgres")
async def test_an_erasure_racing_an_ingestion_of_the_same_address_never_leaks_it(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    for round_ in range(6):
        email = f"gone{round_}@logistics.example"
        made = await lead(room, email)
        room.api.use_session(None)
        admin = {
            "cookie": room_cookie(room).replace(
                room.sessions["member"], room.sessions["admin"]
            )
        }
        member = {"cookie": room_cookie(room)}
        erase = room.api.gql(
            ERASE, {"input": {"leadId": made["id"], "reason": "request"}}, headers=admin
        )
        upsert = room.api.gql(
            UPSERT,
            {"input": {"leads": [well_fitting(email, lastName="Leak")]}},
            headers=member,
        )
        erased, upserted = await asyncio.gather(erase, upsert)
        assert payload(erased)["userErrors"] == []
        row = payload(upserted)["results"][0]
        # either the update landed first (then erased) or the import was refused
        assert row["outcome"] in ("UPDATED", "UNCHANGED", "FAILED"), row
        assert not await Lead.filter(email=email).exists()
        assert not await Lead.filter(last_name="Leak").exists()


def diff(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            d
            for k in a.keys() | b.keys()
            for d in diff(a.get(k), b.get(k), f"{path}.{k}")
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d
            for n, (x, y) in enumerate(zip(a, b, strict=True))
            for d in diff(x, y, f"{path}[{n}]")
        ]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]
