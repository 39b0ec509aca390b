"""Rescoring every lead when a new model or persona revision comes into force.

A `RescoreJob` is written in the transaction that activates the revision (or by
`accord rescore`, or the `rescoreLeads` mutation). Every worker then runs it in
chunks (at most `CHUNK` leads, each one short transaction): take the next leads
not yet marked with the job (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
workers take disjoint chunks at the same time), re-match personas, rebuild
engagement sums whose half-lives changed, score, qualify (``MODEL_CHANGE``,
sticky within a cycle), write the scores in one statement and the promotions in
bulk with their events, and mark the leads. A crash leaves its chunk unmarked,
so the next run does it again; the job ends when no unmarked lead is left. A
newer request supersedes an unfinished job.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

from server import db
from server.clock import clock
from server.domain.leads.qualification import Trigger
from server.models.leads import RescoreJob
from server.services.core import mutations
from server.services.core.actors import Actor
from server.services.leads import store as lead_store
from server.services.leads.garbage import fewer_collections
from server.services.leads.refresh import load_states
from server.services.leads.scoring import Scorer, StageMoves
from server.services.leads.store import LeadRecord

CHUNK = 1000
# SQLite has one connection per process and a transaction holds it: smaller
# chunks there let the requests waiting for it in between.
SQLITE_CHUNK = 500


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


async def _open_job() -> RescoreJob | None:
    return await RescoreJob.filter(finished_at__isnull=True).order_by("id").first()


async def run_chunk() -> Progress | None:
    """Rescore the next chunk of the open job; None when there is nothing to do.

    Workers take disjoint chunks at once: a chunk is the next leads not yet
    marked with the job, locked with ``SKIP LOCKED``, and they are marked in
    the chunk's own transaction, so a crash leaves them unmarked for the next
    run. The job row is only touched briefly, outside the chunk."""
    job = await _open_job()
    if job is None:
        return None
    if job.started_at is None:
        await _start(job)

    async def body(tx: mutations.Tx) -> tuple[int, int, int]:
        scorer = await Scorer.load(tx.now)
        leads = await _next_leads(job.id, breakdowns=scorer.model is None)
        if not leads:
            return 0, 0, 0
        promoted = await _rescore(tx, scorer, leads, job.id)
        tx.audit("RescoreJob", job.id, leads=len(leads), promoted=promoted)
        return len(leads), promoted, leads[-1]["id"]

    with fewer_collections():
        outcome = await mutations.run_trusted("rescoreChunk", body)
    done, promoted, last = outcome.result or (0, 0, 0)
    if done:
        _cursors[job.id] = last
        await _count_done(job.id, done, promoted)
    elif not await _any_left(job.id):
        await _finish(job.id)
    found = await RescoreJob.get(id=job.id)
    return progress_of(found)


async def _start(job: RescoreJob) -> None:
    total = await _count_leads()
    await RescoreJob.filter(id=job.id, started_at__isnull=True).update(
        started_at=clock.now(), total=total
    )


async def _count_done(job_id: int, done: int, promoted: int) -> None:
    await db.execute(
        "UPDATE rescore_job SET done = done + ?, promoted = promoted + ? WHERE id = ?",
        done,
        promoted,
        job_id,
    )


async def _finish(job_id: int) -> None:
    await RescoreJob.filter(id=job_id, finished_at__isnull=True).update(
        finished_at=clock.now()
    )


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


_LEFT = "(rescore_job IS NULL OR rescore_job <> ?)"
# Per job, the highest lead id this process has rescored: the next chunk is
# looked for after it, so a pass over 100,000 leads does not walk the marked
# ones again for every chunk. Only a shortcut: leads left behind below it (a
# chunk of another worker rolled back) are found by a last walk from the start.
_cursors: dict[int, int] = {}


async def _next_leads(job_id: int, *, breakdowns: bool) -> list[LeadRecord]:
    """The next chunk of leads not marked with the job, whole and locked;
    without their stored breakdowns (`lead_store.WITHOUT_BREAKDOWN`: the chunk
    writes every one with a model in force) unless ``breakdowns``."""
    lock = "" if db.dialect() == "sqlite" else " FOR UPDATE SKIP LOCKED"
    size = min(CHUNK, SQLITE_CHUNK) if db.dialect() == "sqlite" else CHUNK
    after = _cursors.get(job_id, 0)
    columns = (
        ", ".join(lead_store.COLUMNS) if breakdowns else lead_store.WITHOUT_BREAKDOWN
    )
    while True:
        rows = await db.fetch_values(
            f"SELECT {columns} FROM lead "
            f"WHERE {_LEFT} AND id > ? ORDER BY id LIMIT ?{lock}",
            job_id,
            after,
            size,
        )
        if rows or after == 0:
            return lead_store.from_values(rows)
        after = _cursors[job_id] = 0


async def _any_left(job_id: int) -> bool:
    rows = await db.fetch(f"SELECT id FROM lead WHERE {_LEFT} LIMIT 1", job_id)
    return bool(rows)


async def _rescore(
    tx: mutations.Tx, scorer: Scorer, leads: list[LeadRecord], job_id: int
) -> int:
    """Rescore the chunk's leads and mark them with the job (in the same
    statements that write their scores)."""
    scorer.match_personas(leads)
    moves = StageMoves()
    promoted: list[int] = []
    if scorer.model is not None:
        states = await load_states(leads, scorer)
        promoted = scorer.rescore(
            tx, leads, states, Trigger.MODEL_CHANGE, moves, explain=False
        )
    chosen = set(promoted)
    for lead in leads:
        if lead["id"] in chosen:
            lead["version"] += 1
            lead["updated_at"] = tx.now
    await lead_store.save_scored(leads, chosen, job=job_id)
    await lead_store.record_stage_changes(moves.rows)
    return len(promoted)


async def request_rescore(actor: Actor) -> mutations.Outcome[Progress]:
    """A manager asks for every lead to be rescored now (`rescoreLeads`)."""

    async def body(tx: mutations.Tx) -> Progress:
        job = await request(tx, "MANUAL")
        tx.audit("RescoreJob", job.id)
        return progress_of(job)

    return await mutations.run(actor, "rescoreLeads", body)
