"""Scoring at scale (issue 7): ingestion, rescoring on a model change, decay, RSS.

Run after the read operations, on the same seeded database (`bench.scoring_data`:
a signed model and personas in force, leads, activities and their stored sums),
against a fresh `accord serve` (2 workers on PostgreSQL, 1 on SQLite) with
production settings, so authentication, the rate limit and every other limit are
on. Three scenarios, one after the other:

1. **Ingestion**: two concurrent clients, each sending its batches of new
   activities (unique external ids; a few demo requests, which qualify their
   lead) to ``recordLeadActivities`` with INGEST tokens of marketing users, one
   call after the other. Activities/s = activities created ÷ wall time; the
   per-call latencies give p50/p99.
2. **Rescoring**: revision 2 of the qualification model comes into force as
   signing writes it (revision row, agreement row, a ``rescore_job`` in the same
   transaction, here by raw SQL); the server's own background workers run the
   job; the harness polls ``rescoring { done total finishedAt }`` while one
   reader pages ``leads(first: 50)``. A baseline of the same reader with no job
   running is measured first.
3. **Decay**: the server is stopped and `server.services.leads.decay.decay_pass` runs
   in a child process (`bench.decay_child`) against the same database.

Every worker's RSS is sampled throughout (`RssSampler`).
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from bench import database, datasets, procstat, scoring_data
from bench.plan import Plan
from bench.server import AccordServer
from bench.timing import percentile
from server.domain.agreements.canonical import activation_hash, canonical_json
from server.domain.agreements.lifecycle import AgreementKind

TARGETS = {
    "sqlite": {"ingest_per_s": 2000, "rescore_s": 20.0},
    "postgres": {"ingest_per_s": 4000, "rescore_s": 10.0},
}
TARGET_INGEST_P99_MS = 1000.0
TARGET_READER_P99_MS = 300.0
TARGET_DECAY_S = 3.0
TARGET_RSS_MIB = 300.0
CLIENTS = 2
RESCORE_TIMEOUT = 600.0

INGEST = """
mutation Ingest($input: RecordLeadActivitiesInput!) {
  recordLeadActivities(input: $input) {
    summary { received created duplicates failed qualified }
    userErrors { code message }
  }
}
"""
LEADS_PAGE = """
query LeadsPage($after: String) {
  leads(first: 50, after: $after) {
    edges { node { id email score grade stage qualified scoredUnder } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
PROGRESS = "query { rescoring { reason done total startedAt finishedAt } }"
INGEST_KINDS = ("PAGE_VIEW", "PRICING_VIEW", "EMAIL_CLICK", "WEBINAR_ATTENDED")
HAND_RAISE_SHARE = 0.02


class RssSampler:
    """Samples VmRSS of every process of the server's tree, four times a second."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak_worker_mib = 0.0
        self.peak_total_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.25)

    def sample(self) -> None:
        total = 0.0
        for pid in procstat.process_tree(self.root):
            mib = procstat.memory_mib_of(pid, "VmRSS")
            total += mib
            self.peak_worker_mib = max(self.peak_worker_mib, mib)
        self.peak_total_mib = max(self.peak_total_mib, total)


def run(p: Plan) -> dict[str, Any]:
    kind = p.target.kind
    workers = p.options.scoring_workers or (2 if kind == "postgres" else 1)
    log = p.work / "server-scoring.log"
    result: dict[str, Any] = {"workers": workers, "targets": _targets(kind)}
    print(f"scoring: accord serve --workers {workers}", flush=True)
    with AccordServer(p.env, workers, log) as server, RssSampler(server.pid) as rss:
        result["rss_idle_worker_mib"] = rss.peak_worker_mib
        result["ingestion"] = asyncio.run(ingestion(p, server.url))
        result["rescoring"] = asyncio.run(rescoring(p, server.url))
        result["server_log_problems"] = _log_problems(server.log_tail(400))
    result["rss_peak_worker_mib"] = rss.peak_worker_mib
    result["rss_peak_total_mib"] = rss.peak_total_mib
    result["decay"] = decay(p)
    result["checks"] = asyncio.run(_final_checks(p))
    result["verdicts"] = verdicts(kind, result)
    return result


def _targets(kind: str) -> dict[str, float]:
    return {
        **TARGETS[kind],
        "ingest_p99_ms": TARGET_INGEST_P99_MS,
        "reader_p99_ms": TARGET_READER_P99_MS,
        "decay_s": TARGET_DECAY_S,
        "worker_rss_mib": TARGET_RSS_MIB,
    }


def _log_problems(log: str) -> list[str]:
    return [line for line in log.splitlines() if "ERROR" in line or "Traceback" in line]


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def ingest_bodies(p: Plan) -> list[list[bytes]]:
    """Each client's batches: new activities (unique external ids) for leads
    drawn at random; about 2 % are demo requests, which qualify their lead."""
    o, sizes = p.options, p.sizes
    pick = random.Random(f"ingest:{p.stamp}")
    now = datetime.now(UTC)
    bodies: list[list[bytes]] = []
    for client in range(CLIENTS):
        batches = []
        for batch in range(o.ingest_batches):
            activities = []
            for n in range(o.ingest_batch):
                lead = pick.randint(1, sizes.leads)
                hand_raise = pick.random() < HAND_RAISE_SHARE
                kind = "DEMO_REQUEST" if hand_raise else pick.choice(INGEST_KINDS)
                at = now - timedelta(seconds=pick.randrange(1, 3_600))
                activities.append(
                    {
                        "leadEmail": scoring_data.lead_email(lead),
                        "kind": kind,
                        "occurredAt": _iso(at),
                        "externalId": f"ing-{p.stamp}-{client}-{batch}-{n}",
                        "source": "bench",
                    }
                )
            variables = {"input": {"activities": activities, "summaryOnly": True}}
            batches.append(orjson.dumps({"query": INGEST, "variables": variables}))
        bodies.append(batches)
    return bodies


async def ingestion(p: Plan, url: str) -> dict[str, Any]:
    callers = datasets.ingest_callers(p.sizes)
    bodies = ingest_bodies(p)
    latencies: list[float] = []
    totals = {"received": 0, "created": 0, "duplicates": 0, "failed": 0, "qualified": 0}
    errors: list[str] = []
    before = await _count("SELECT count(*) AS n FROM lead_activity", p)

    async def client(http: httpx.AsyncClient, number: int) -> None:
        for batch, body in enumerate(bodies[number]):
            caller = callers[(number + CLIENTS * batch) % len(callers)]
            headers = {
                "authorization": f"Bearer {caller.secret}",
                "content-type": "application/json",
            }
            started = time.perf_counter()
            response = await http.post(url, content=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            _tally_ingest(response, totals, errors)

    await asyncio.to_thread(procstat.wait_for_quiet, p.options.wait_quiet)
    async with httpx.AsyncClient(timeout=120) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http, n) for n in range(CLIENTS)))
        seconds = time.perf_counter() - started
    after = await _count("SELECT count(*) AS n FROM lead_activity", p)
    ordered = sorted(latencies)
    return {
        "clients": CLIENTS,
        "calls": len(latencies),
        "batch": p.options.ingest_batch,
        "seconds": seconds,
        "activities_per_s": totals["created"] / seconds if seconds else 0.0,
        "p50_ms": percentile(ordered, 50),
        "p99_ms": percentile(ordered, 99),
        "max_ms": ordered[-1] if ordered else 0.0,
        **totals,
        "rows_written": after - before,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def _tally_ingest(
    response: httpx.Response, totals: dict[str, int], errors: list[str]
) -> None:
    if response.status_code != 200:
        errors.append(f"HTTP {response.status_code}: {response.text[:300]}")
        return
    body = response.json()
    data = (body.get("data") or {}).get("recordLeadActivities") or {}
    if body.get("errors") or data.get("userErrors") or not data.get("summary"):
        errors.append(json.dumps(body)[:300])
        return
    for key in totals:
        totals[key] += int(data["summary"][key])


async def _count(sql: str, p: Plan) -> int:
    raw = await database.connect(p.target)
    try:
        return int((await raw.fetch(sql))[0]["n"])
    finally:
        await raw.close()


def _value(kind: str, value: Any) -> Any:
    return (
        value.isoformat(sep=" ")
        if kind == "sqlite" and isinstance(value, datetime)
        else value
    )


async def bring_revision_into_force(p: Plan) -> datetime:
    """Revision 2 of the model in force, and the rescoring job, in one
    transaction, as `server.services.agreements.signing` writes them on activation."""
    terms = scoring_data.canonical_model(2)
    text = canonical_json(terms)
    digest = activation_hash(AgreementKind.QUALIFICATION_MODEL, terms)
    now = datetime.now(UTC)
    raw = await database.connect(p.target)
    k = raw.kind

    async def run(sql: str, *params: Any) -> None:
        await raw.fetch(
            database.placeholders(sql, "sqlite"), [_value(k, v) for v in params]
        )

    mid = scoring_data.MODEL_ID
    try:
        await raw.execute("BEGIN")
        await run(
            "UPDATE agreement_revision SET superseded_at = ? "
            "WHERE agreement_id = ? AND number = 1",
            now,
            mid,
        )
        await run(
            "INSERT INTO agreement_revision "
            "(agreement_id, number, terms, content_hash, activated_at) "
            "VALUES (?, 2, ?, ?, ?)",
            mid,
            text,
            digest,
            now,
        )
        await run(
            "UPDATE agreement SET revision = 2, terms = ?, content_hash = ?, "
            "activated_at = ?, version = version + 1, updated_at = ? WHERE id = ?",
            text,
            digest,
            now,
            now,
            mid,
        )
        await run(
            "UPDATE rescore_job SET finished_at = ? WHERE finished_at IS NULL", now
        )
        await run(
            "INSERT INTO rescore_job (reason, requested_at, after_lead_id, total, "
            "done, promoted) VALUES ('MODEL_CHANGE', ?, 0, 0, 0, 0)",
            now,
        )
        await raw.execute("COMMIT")
    finally:
        await raw.close()
    return now


async def rescoring(p: Plan, url: str) -> dict[str, Any]:
    readers = datasets.callers(p.sizes)
    stop = asyncio.Event()
    latencies: list[float] = []
    errors: list[str] = []

    async def reader(http: httpx.AsyncClient) -> None:
        after, n = None, 0
        while not stop.is_set():
            caller = readers[n % len(readers)]
            n += 1
            body = {"query": LEADS_PAGE, "variables": {"after": after}}
            started = time.perf_counter()
            r = await http.post(url, json=body, headers=_auth(caller.secret))
            latencies.append((time.perf_counter() - started) * 1000)
            page = _page(r, errors)
            after = (
                page["endCursor"] if page and page["hasNextPage"] and n % 20 else None
            )

    async def measure_reader(seconds: float) -> dict[str, Any]:
        latencies.clear()
        stop.clear()
        async with httpx.AsyncClient(timeout=60) as http:
            task = asyncio.create_task(reader(http))
            await asyncio.sleep(seconds)
            stop.set()
            await task
        return _latency_summary(latencies)

    await asyncio.to_thread(procstat.wait_for_quiet, p.options.wait_quiet)
    baseline = await measure_reader(3.0 if p.options.smoke else 10.0)
    latencies.clear()
    stop.clear()
    polls: list[dict[str, Any]] = []
    async with httpx.AsyncClient(timeout=60) as http:
        task = asyncio.create_task(reader(http))
        requested = await bring_revision_into_force(p)
        started = time.perf_counter()
        finished = None
        while time.perf_counter() - started < RESCORE_TIMEOUT:
            await asyncio.sleep(0.25)
            r = await http.post(
                url, json={"query": PROGRESS}, headers=_auth(readers[0].secret)
            )
            progress = (r.json().get("data") or {}).get("rescoring") or {}
            polls.append(
                {
                    "t": round(time.perf_counter() - started, 2),
                    "done": progress.get("done"),
                }
            )
            if progress.get("reason") == "MODEL_CHANGE" and progress.get("finishedAt"):
                finished = time.perf_counter() - started
                break
        stop.set()
        await task
    job = await _job(p)
    return {
        "leads": p.sizes.leads,
        "requested_at": requested.isoformat(),
        "seconds": finished,
        "job": job,
        "server_seconds": _seconds_between(
            job.get("requested_at"), job.get("finished_at")
        ),
        "reader": _latency_summary(latencies),
        "reader_baseline": baseline,
        "reader_errors": len(errors),
        "first_reader_error": errors[0] if errors else "",
        "progress": polls[:: max(1, len(polls) // 20)],
    }


def _auth(secret: str) -> dict[str, str]:
    return {"authorization": f"Bearer {secret}"}


def _page(r: httpx.Response, errors: list[str]) -> dict[str, Any] | None:
    if r.status_code != 200:
        errors.append(f"HTTP {r.status_code}: {r.text[:300]}")
        return None
    body = r.json()
    if body.get("errors"):
        errors.append(json.dumps(body["errors"])[:300])
        return None
    page: dict[str, Any] = body["data"]["leads"]["pageInfo"]
    return page


def _latency_summary(latencies: list[float]) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "p50_ms": percentile(ordered, 50),
        "p99_ms": percentile(ordered, 99),
        "max_ms": ordered[-1] if ordered else 0.0,
    }


async def _job(p: Plan) -> dict[str, Any]:
    raw = await database.connect(p.target)
    try:
        rows = await raw.fetch(
            "SELECT reason, total, done, promoted, requested_at, started_at, "
            "finished_at FROM rescore_job ORDER BY id DESC LIMIT 1"
        )
    finally:
        await raw.close()
    return {k: str(v) if isinstance(v, datetime) else v for k, v in rows[0].items()}


def _seconds_between(a: Any, b: Any) -> float | None:
    if not a or not b:
        return None
    return (
        datetime.fromisoformat(str(b)) - datetime.fromisoformat(str(a))
    ).total_seconds()


def decay(p: Plan) -> dict[str, Any]:
    """`decay_pass` in a child process, the server stopped."""
    procstat.wait_for_quiet(p.options.wait_quiet)
    done = subprocess.run(
        [sys.executable, "-m", "bench.decay_child"],
        env=p.env,
        capture_output=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        return {"error": done.stderr.decode(errors="replace")[-2000:]}
    found: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return found


async def _final_checks(p: Plan) -> dict[str, Any]:
    raw = await database.connect(p.target)
    try:
        stale = await raw.fetch(
            "SELECT count(*) AS n FROM lead WHERE scored_under <> 2"
        )
        activities = await raw.fetch("SELECT count(*) AS n FROM lead_activity")
        mql = await raw.fetch("SELECT count(*) AS n FROM lead WHERE qualified")
    finally:
        await raw.close()
    return {
        "leads_not_under_revision_2": int(stale[0]["n"]),
        "activities": int(activities[0]["n"]),
        "qualified_leads": int(mql[0]["n"]),
    }


def verdicts(kind: str, r: dict[str, Any]) -> list[dict[str, Any]]:
    """Each figure beside its target: met or not."""
    t = _targets(kind)
    ing, res, dec = r["ingestion"], r["rescoring"], r["decay"]
    rows = [
        ("ingestion, activities/s", ing["activities_per_s"], t["ingest_per_s"], ">="),
        ("ingestion, per-call p99 ms", ing["p99_ms"], t["ingest_p99_ms"], "<="),
        ("rescoring every lead, s", res["seconds"], t["rescore_s"], "<="),
        (
            "leads page p99 during rescoring, ms",
            res["reader"]["p99_ms"],
            t["reader_p99_ms"],
            "<=",
        ),
        ("decay pass, s", dec.get("seconds"), t["decay_s"], "<="),
        ("worker RSS peak, MiB", r["rss_peak_worker_mib"], t["worker_rss_mib"], "<="),
    ]
    out = []
    for name, value, target, op in rows:
        met = value is not None and (value >= target if op == ">=" else value <= target)
        out.append(
            {"figure": name, "value": value, "target": target, "op": op, "met": met}
        )
    return out
