"""Rescoring every lead when a new model or persona revision comes into force.

A `RescoreJob` is written in the transaction that activates the revision (or by
`accord rescore`, or the `rescoreLeads` mutation). Workers then run it in chunks
of at most `CHUNK` leads, each chunk one short transaction: lock the job row
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never run the same
chunk), lock the next leads after the job's cursor, re-match personas, rebuild
engagement sums whose half-lives changed, score, qualify (``MODEL_CHANGE``,
sticky within a cycle), write the scores in one statement and the promotions in
bulk with their events, and move the cursor. A crash loses at most the chunk in
flight, which runs again; a newer request supersedes an unfinished job.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server import db
from server.domain.qualification import Trigger
from server.models import RescoreJob
from server.services import bulk, lead_store, mutations
from server.services.actors import Actor
from server.services.lead_scoring import Scorer, StageMoves
from server.services.leads import load_states

CHUNK = 1000
# SQLite has one connection per process and a transaction holds it: smaller
# chunks there let the requests waiting for it in between.
SQLITE_CHUNK = 250
SCORE_COLUMNS = (
    ("persona_id", "integer"),
    ("score", "integer"),
    ("fit_score", "numeric"),
    ("engagement_score", "numeric"),
    ("raw_score", "numeric"),
    ("grade", "varchar"),
    ("score_breakdown", "jsonb"),
    ("scored_under", "integer"),
    ("scored_at", "timestamptz"),
)


@dataclass(frozen=True)
class Progress:
    job_id: int
    reason: str
    total: int
    done: int
    promoted: int
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def remaining(self) -> int:
        return 0 if self.finished_at else max(0, self.total - self.done)


def progress_of(job: RescoreJob) -> Progress:
    return Progress(
        job.id,
        job.reason,
        job.total,
        job.done,
        job.promoted,
        job.requested_at,
        job.started_at,
        job.finished_at,
    )


async def request(tx: mutations.Tx, reason: str) -> RescoreJob:
    """Ask for every lead to be rescored (inside the caller's transaction); an
    unfinished earlier job is superseded, since this one covers every lead."""
    await RescoreJob.filter(finished_at__isnull=True).update(finished_at=tx.now)
    job = await RescoreJob.create(reason=reason, requested_at=tx.now)
    return job


async def latest() -> Progress | None:
    job = await RescoreJob.all().order_by("-id").first()
    return progress_of(job) if job else None


async def _claim() -> RescoreJob | None:
    lock = "" if db.dialect() == "sqlite" else " FOR UPDATE SKIP LOCKED"
    rows = await db.fetch(
        "SELECT id FROM rescore_job WHERE finished_at IS NULL ORDER BY id LIMIT 1"
        + lock
    )
    return await RescoreJob.get(id=rows[0]["id"]) if rows else None


async def run_chunk() -> Progress | None:
    """Rescore the next chunk of the open job; None when there is nothing to do."""

    async def body(tx: mutations.Tx) -> Progress | None:
        job = await _claim()
        if job is None:
            return None
        if job.started_at is None:
            job.started_at = tx.now
            job.total = await _count_leads()
        keys = await _next_leads(job.after_lead_id)
        if not keys:
            job.finished_at = tx.now
        else:
            job.promoted += await _rescore(tx, keys)
            job.done += len(keys)
            job.after_lead_id = keys[-1]
        await job.save()
        tx.audit("RescoreJob", job.id, leads=len(keys), done=job.done)
        return progress_of(job)

    outcome = await mutations.run_trusted("rescoreChunk", body)
    return outcome.result


async def run_until_idle(budget_seconds: float = 30.0) -> int:
    """Run chunks until no job is open or the budget is spent; chunks done."""
    started, chunks = time.monotonic(), 0
    while time.monotonic() - started < budget_seconds:
        progress = await run_chunk()
        if progress is None:
            return chunks
        chunks += 1
        await asyncio.sleep(0)  # let requests in between chunks
    return chunks


async def _count_leads() -> int:
    rows = await db.fetch("SELECT COUNT(*) AS n FROM lead")
    return int(rows[0]["n"])


async def _next_leads(after: int) -> list[int]:
    rows = await db.fetch(
        "SELECT id FROM lead WHERE id > ? ORDER BY id LIMIT ?",
        after,
        min(CHUNK, SQLITE_CHUNK) if db.dialect() == "sqlite" else CHUNK,
    )
    return [int(r["id"]) for r in rows]


async def _rescore(tx: mutations.Tx, keys: list[int]) -> int:
    found = await lead_store.load_leads(keys)
    leads = [found[k] for k in keys if k in found]
    scorer = await Scorer.load(tx.now)
    scorer.match_personas(leads)
    moves = StageMoves()
    promoted: list[int] = []
    if scorer.model is not None:
        states = await load_states(leads, scorer)
        promoted = scorer.rescore(
            tx, leads, states, Trigger.MODEL_CHANGE, moves, explain=False
        )
    chosen = set(promoted)
    await bulk.update_columns(
        "lead",
        SCORE_COLUMNS,
        [_scores(lead) for lead in leads if lead["id"] not in chosen],
    )
    qualified = [lead for lead in leads if lead["id"] in chosen]
    for lead in qualified:
        lead["version"] += 1
        lead["updated_at"] = tx.now
    await lead_store.save_leads(qualified)
    await lead_store.record_stage_changes(moves.rows)
    return len(promoted)


def _scores(lead: lead_store.LeadRow) -> tuple[Any, ...]:
    return (
        lead["id"],
        lead["persona_id"],
        lead["score"],
        lead["fit_score"],
        lead["engagement_score"],
        lead["raw_score"],
        lead["grade"],
        bulk.json_param(lead["score_breakdown"]),
        lead["scored_under"],
        lead["scored_at"],
    )


async def request_rescore(actor: Actor) -> mutations.Outcome[Progress]:
    """A manager asks for every lead to be rescored now (`rescoreLeads`)."""

    async def body(tx: mutations.Tx) -> Progress:
        job = await request(tx, "MANUAL")
        tx.audit("RescoreJob", job.id)
        return progress_of(job)

    return await mutations.run(actor, "rescoreLeads", body)
