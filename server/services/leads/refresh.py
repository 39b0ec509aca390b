"""After a lead's fields or stage changed: match its persona, rescore it, qualify
it and save it with its stage moves. A shared step of the use cases that change
leads (intake, activities, rescoring, and the waterfall's moves, handoffs and
sweeper), run inside their transaction; not a use case itself."""

from __future__ import annotations

from collections.abc import Collection

from server.domain.leads.engagement import EngagementState, fits_model
from server.domain.leads.qualification import Trigger
from server.services.core import mutations
from server.services.leads import activity_store, engagement_store
from server.services.leads import store as lead_store
from server.services.leads.scoring import Scorer, StageMoves


async def refresh(
    tx: mutations.Tx,
    leads: list[lead_store.LeadRecord],
    moves: StageMoves,
    trigger: Trigger,
    rebuild: Collection[int] = (),
) -> list[int]:
    """After lead fields changed: match personas, rescore, qualify, and save the
    leads with their stage moves. Returns the leads qualified now. The stored
    engagement of the leads in ``rebuild`` (activities were just imported) is
    computed again from their activities first."""
    if not leads:
        return []
    scorer = await Scorer.load(tx.now)
    scorer.match_personas(leads)
    states = await load_states(leads, scorer)
    if rebuild and scorer.model is not None:
        cycles = {r["id"]: r["cycle_counts_after"] for r in leads if r["id"] in rebuild}
        rebuilt = await activity_store.tally_from_activities(
            cycles, scorer.model, scorer.now
        )
        await engagement_store.save_states(rebuilt)
        states.update(rebuilt)
    promoted = scorer.rescore(tx, leads, states, trigger, moves)
    for lead in leads:
        lead["version"] += 1
        lead["updated_at"] = tx.now
    await lead_store.save_leads(leads)
    await lead_store.record_stage_changes(moves.rows)
    return promoted


async def load_states(
    leads: list[lead_store.LeadRecord], scorer: Scorer
) -> dict[int, EngagementState]:
    """Each lead's stored engagement in its cycle (new leads have none); states
    tallied under other half-lives are rebuilt from the lead's activities."""
    stored = await engagement_store.load_tallies(
        lead["id"] for lead in leads if lead["version"] > 0
    )
    states = {
        lead["id"]: engagement_store.state_of(
            stored.get(lead["id"], {}), lead["cycle_counts_after"]
        )
        for lead in leads
    }
    model = scorer.model
    if model is None:
        return states
    stale = {key: s for key, s in states.items() if not fits_model(s, model)}
    if stale:
        rebuilt = await activity_store.tally_from_activities(
            {key: s.counts_after for key, s in stale.items()}, model, scorer.now
        )
        await engagement_store.save_states(rebuilt)
        states.update(rebuilt)
    return states
