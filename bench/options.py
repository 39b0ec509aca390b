"""Command-line options of `python -m bench` (`make bench BENCH_ARGS="…"`)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from bench.database import DEFAULT_PG_URL

REPO = Path(__file__).resolve().parent.parent
SMOKE = {
    "users": 60,
    "tokens": 50,  # the simulator costs 20,000 points: 10 users ran out in a second
    "leads": 400,
    "activities": 4000,
    "ingest_batches": 2,
    "ingest_batch": 200,
    "content_requests": 300,
    "content_interactions": 1500,
    "handoff_chains": 120,
    "connections": [1],
    "duration": 1.0,
    "warmup": 0.3,
    "loadgen": "python",
    "wait_quiet": 0.0,
}

# The peers' data (../shared/peers/seed.py): 100,000 leads, 20 personas, 50
# users, about 500,000 activities, a fifth of the leads in MQL.
PEER_DATA = {
    "users": 50,
    "personas": 20,
    "leads": 100_000,
    "activities": 500_000,
    "mql_percent": 20,
}


@dataclass(frozen=True)
class Options:
    db: str = "sqlite"
    pg_url: str = DEFAULT_PG_URL
    users: int = 1000
    tokens: int = 200
    workers: int = 1
    leads: int = 100_000
    activities: int = 1_000_000
    personas: int = 2
    mql_percent: int = 0
    content_requests: int = 10_000
    content_interactions: int = 50_000
    handoff_chains: int = 30_000
    scoring: bool = True
    scoring_workers: int | None = None  # 2 on PostgreSQL, 1 on SQLite
    ingest_batches: int = 15  # per client
    ingest_batch: int = 1000
    connections: tuple[int, ...] = (2, 16)
    duration: float = 10.0
    warmup: float = 3.0
    operations: tuple[str, ...] = ()
    loadgen: str = "auto"
    floor: bool = True
    wait_quiet: float = 30.0
    peers: bool = False
    peers_dir: Path = REPO.parent / "shared" / "peers"
    peers_results: Path | None = None
    out: Path = REPO / "bench" / "results"
    keep_db: bool = False
    smoke: bool = False


def _ints(text: str) -> tuple[int, ...]:
    values = tuple(int(v) for v in text.split(",") if v.strip())
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("give positive integers, e.g. 2,16")
    return values


def _names(text: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in text.split(",") if v.strip())


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark Accord over HTTP beside a raw-SQL floor and the peers.",
    )
    p.add_argument("--db", choices=["sqlite", "postgres"], help="default sqlite")
    p.add_argument(
        "--pg-url",
        help=f"PostgreSQL database to (re)create, named accord_bench…; "
        f"default {DEFAULT_PG_URL}",
    )
    p.add_argument("--users", type=int, help="users to seed (default 1000)")
    p.add_argument(
        "--tokens", type=int, help="API tokens (one per user) the load spreads over"
    )
    p.add_argument("--workers", type=int, help="accord serve --workers (default 1)")
    p.add_argument("--leads", type=int, help="leads to seed (default 100000)")
    p.add_argument("--activities", type=int, help="activities (default 1000000)")
    p.add_argument("--personas", type=int, help="personas in force (default 2)")
    p.add_argument(
        "--content-requests", type=int, help="content requests (default 10000)"
    )
    p.add_argument(
        "--content-interactions",
        type=int,
        help="comments and votes on them, together (default 50000)",
    )
    p.add_argument(
        "--handoff-chains",
        type=int,
        help="handoff chains over the leads, with their handoffs, decisions, "
        "touches and stage changes (default 30000)",
    )
    p.add_argument(
        "--mql-percent",
        type=int,
        help="share of leads qualified by hand into MQL (default 0)",
    )
    p.add_argument(
        "--peer-data",
        action="store_true",
        default=None,
        help="seed the peers' counts: 50 users, 20 personas, 100,000 leads, "
        "500,000 activities, 20 %% of leads in MQL",
    )
    p.add_argument(
        "--no-scoring",
        dest="scoring",
        action="store_false",
        default=None,
        help="skip the scoring scenarios (ingestion, rescoring, decay)",
    )
    p.add_argument(
        "--scoring-workers",
        type=int,
        help="accord serve --workers for the scoring scenarios (2 on PostgreSQL)",
    )
    p.add_argument(
        "--ingest-batches", type=int, help="recordLeadActivities calls per client (15)"
    )
    p.add_argument("--ingest-batch", type=int, help="activities per call (1000)")
    p.add_argument("--connections", type=_ints, help="e.g. 2,16 (the default)")
    p.add_argument("--duration", type=float, help="seconds per measurement (10)")
    p.add_argument("--warmup", type=float, help="seconds of warm-up per operation (3)")
    p.add_argument("--operations", type=_names, help="e.g. viewer,users (all)")
    p.add_argument("--loadgen", choices=["auto", "wrk", "python"])
    p.add_argument("--no-floor", dest="floor", action="store_false", default=None)
    p.add_argument(
        "--wait-quiet",
        type=float,
        help="before each measurement, wait up to this many seconds for the "
        "machine to be under 20 %% busy (default 30; 0 does not wait)",
    )
    p.add_argument("--peers", action="store_true", default=None, help="run the peers")
    p.add_argument("--peers-dir", type=Path, help="default ../shared/peers")
    p.add_argument(
        "--peers-results",
        type=Path,
        help="read peers' results.json from an earlier run instead of running them",
    )
    p.add_argument("--out", type=Path, help="results folder (default bench/results)")
    p.add_argument("--keep-db", action="store_true", default=None)
    p.add_argument(
        "--smoke", action="store_true", default=None, help="seconds-long check run"
    )
    return p


def parse(argv: list[str] | None = None) -> Options:
    given = {k: v for k, v in vars(parser().parse_args(argv)).items() if v is not None}
    preset = SMOKE if given.get("smoke") else {}
    data = PEER_DATA if given.pop("peer_data", False) else {}
    if data and preset:
        data = {"personas": data["personas"], "mql_percent": data["mql_percent"]}
    merged = {**data, **preset, **given}
    if "connections" in merged:
        merged["connections"] = tuple(merged["connections"])
    options = Options(**merged)
    if (
        options.db == "sqlite"
        and max(options.workers, options.scoring_workers or 1) > 1
    ):
        raise SystemExit("--workers > 1 needs --db postgres (SQLite has one writer)")
    return options
