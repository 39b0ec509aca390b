"""Agreements over real HTTP: drafted, proposed, signed and countersigned."""

from __future__ import annotations

from server.models.core import AuditEntry, OutboxEvent
from tests.agreement_steps import (
    ACTIVE_SLA,
    PROPOSE,
    REJECT,
    SIGN,
    UPDATE_SLA,
    Table,
    sla_input,
)
from tests.helpers import Api


async def kinds_of_events() -> list[str]:
    return [e.kind for e in await OutboxEvent.all().order_by("id")]


async def test_an_sla_is_in_force_only_once_both_teams_signed_the_same_hash(
    api: Api,
) -> None:
    table = await Table.seat(api)
    # given a marketing manager drafts an SLA, proposes it and signs it
    sla = await table.draft_sla()
    assert (sla["status"], sla["pending"], sla["revision"]) == ("DRAFT", "DRAFT", 0)
    content_hash = await table.propose(sla["id"])
    signed = await table.sign(sla["id"], content_hash, "marketing")
    # then it is not in force yet
    assert (signed["status"], signed["pending"]) == ("DRAFT", "PROPOSED")
    assert [s["team"] for s in signed["signOffs"]] == ["MARKETING"]
    assert (await table.query("rep", ACTIVE_SLA))["activeServiceLevelAgreement"] is None

    # when a sales manager countersigns the same hash
    done = await table.sign(sla["id"], content_hash, "sales")

    # then it is in force as revision 1 with both sign-offs
    assert (done["status"], done["pending"], done["revision"]) == ("ACTIVE", "NONE", 1)
    assert done["contentHash"] is None and done["signOffs"] == []
    [revision] = done["revisions"]
    assert revision["number"] == 1 and revision["contentHash"] == content_hash
    assert [s["team"] for s in revision["signOffs"]] == ["MARKETING", "SALES"]
    assert revision["supersededAt"] is None
    active = (await table.query("rep", ACTIVE_SLA))["activeServiceLevelAgreement"]
    assert active["id"] == sla["id"]
    assert active["terms"]["businessCalendar"]["holidays"] == [
        "2026-12-24",
        "2026-12-25",
    ]
    assert active["terms"]["acceptWithinHours"] == "4"
    assert await kinds_of_events() == [
        "AGREEMENT_PROPOSED",
        "AGREEMENT_SIGNED",
        "AGREEMENT_SIGNED",
        "AGREEMENT_ACTIVATED",
    ]


async def test_an_amendment_takes_force_only_at_its_countersignature(
    api: Api,
) -> None:
    table = await Table.seat(api)
    sla = await table.activate_sla()
    sla_id = sla["id"]

    async def in_force_hours() -> str:
        found = (await table.query("rep", ACTIVE_SLA))["activeServiceLevelAgreement"]
        assert found["revision"] == 1, found
        return found["terms"]["acceptWithinHours"]  # type: ignore[no-any-return]

    # given an amendment drafted and proposed
    amended = await table.call(
        "sales",
        UPDATE_SLA,
        {
            "id": sla_id,
            "expectedVersion": sla["version"],
            "terms": sla_input(acceptWithinHours="8"),
        },
    )
    assert amended["userErrors"] == []
    draft = amended["serviceLevelAgreement"]
    assert (draft["status"], draft["pending"]) == ("ACTIVE", "DRAFT")
    assert draft["diff"] == [{"path": ["acceptWithinHours"], "before": 4, "after": 8}]
    first_hash = await table.propose(sla_id, "sales")
    await table.sign(sla_id, first_hash, "sales")
    assert await in_force_hours() == "4"

    # when marketing rejects it, then it goes back to a draft, its sign-off voided
    rejected = await table.call(
        "marketing", REJECT, {"agreementId": sla_id, "reason": "8 hours is too slow"}
    )
    assert rejected["userErrors"] == []
    after_reject = rejected["agreement"]
    assert (after_reject["status"], after_reject["pending"]) == ("ACTIVE", "DRAFT")
    assert after_reject["signOffs"] == []
    assert after_reject["lastRejection"] == {"reason": "8 hours is too slow"}
    assert await in_force_hours() == "4"

    # when it is edited, re-proposed and countersigned
    edited = await table.call(
        "sales",
        UPDATE_SLA,
        {
            "id": sla_id,
            "expectedVersion": after_reject["version"],
            "terms": sla_input(acceptWithinHours="6"),
        },
    )
    assert edited["userErrors"] == []
    second_hash = await table.propose(sla_id, "sales")
    assert second_hash != first_hash
    await table.sign(sla_id, second_hash, "sales")
    assert await in_force_hours() == "4"
    done = await table.sign(sla_id, second_hash, "marketing")

    # then it is revision 2, and revision 1 was in force until that moment
    assert (done["status"], done["pending"], done["revision"]) == ("ACTIVE", "NONE", 2)
    first, second = done["revisions"]
    assert first["supersededAt"] == second["activatedAt"]
    assert second["contentHash"] == second_hash
    active = (await table.query("rep", ACTIVE_SLA))["activeServiceLevelAgreement"]
    assert (active["revision"], active["terms"]["acceptWithinHours"]) == (2, "6")
    assert (await kinds_of_events()).count("AGREEMENT_REJECTED") == 1
    assert (await kinds_of_events()).count("AGREEMENT_ACTIVATED") == 2


async def test_a_stale_hash_is_content_changed_and_a_second_signature_already_signed(
    api: Api,
) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla()
    old_hash = await table.propose(sla["id"])
    await table.call("sales", REJECT, {"agreementId": sla["id"], "reason": "no"})
    await table.call(
        "marketing",
        UPDATE_SLA,
        {"id": sla["id"], "expectedVersion": 3, "terms": sla_input(minTouchAttempts=4)},
    )
    new_hash = await table.propose(sla["id"])

    stale = await table.call(
        "sales", SIGN, {"agreementId": sla["id"], "contentHash": old_hash}
    )
    assert [e["code"] for e in stale["userErrors"]] == ["CONTENT_CHANGED"]
    assert stale["userErrors"][0]["field"] == ["contentHash"]

    await table.sign(sla["id"], new_hash, "marketing")
    again = await table.call(
        "marketing2", SIGN, {"agreementId": sla["id"], "contentHash": new_hash}
    )
    assert [e["code"] for e in again["userErrors"]] == ["ALREADY_SIGNED"]


async def test_every_step_and_every_refusal_is_audited(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla()
    refused = await table.send("member", PROPOSE, {"agreementId": sla["id"]})
    assert refused.error_codes == ["FORBIDDEN"]
    await table.propose(sla["id"])
    signing = {"agreementId": sla["id"], "contentHash": "x"}
    assert (await table.send("admin", SIGN, signing)).error_codes == ["FORBIDDEN"]
    await table.call("sales", SIGN, signing)

    entries = [
        (e.action, e.outcome, e.entity_type)
        for e in await AuditEntry.all().order_by("id")
    ]
    assert entries == [
        ("createServiceLevelAgreement", "OK", "ServiceLevelAgreement"),
        ("proposeAgreement", "FORBIDDEN", ""),
        ("proposeAgreement", "OK", "ServiceLevelAgreement"),
        ("signOff", "FORBIDDEN", ""),
        ("signOff", "CONTENT_CHANGED", ""),
    ]
