"""What one run will do: its options resolved into a database, settings and work."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import database, datasets, operations
from bench.database import Target
from bench.operation import Operation, Sample
from bench.options import REPO, Options
from server.services.core import ids
from server.settings import Settings, load_settings


@dataclass
class Plan:
    options: Options
    stamp: str
    work: Path
    target: Target
    env: dict[str, str]
    settings: Settings
    sizes: datasets.Sizes
    ops: list[Operation]
    samples: dict[str, list[Sample]]
    notes: list[str] = field(default_factory=list)


def plan(options: Options) -> Plan:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work = options.out / "raw" / f"{stamp}-{options.db}"
    work.mkdir(parents=True, exist_ok=True)
    target = (
        database.sqlite_target(work)
        if options.db == "sqlite"
        else database.postgres_target(options.pg_url)
    )
    env = server_env(target, secrets.token_urlsafe(32))
    settings = load_settings(env)
    ids.configure(settings.secret_key)
    sizes = datasets.Sizes(
        users=options.users,
        tokens=options.tokens,
        leads=options.leads,
        activities=options.activities,
        personas=options.personas,
        mql_percent=options.mql_percent,
        content_requests=options.content_requests,
        content_interactions=options.content_interactions,
        handoff_chains=options.handoff_chains,
        now=datetime.now(UTC).replace(second=0, microsecond=0),
    )
    callers = datasets.callers(sizes)
    ops = operations.by_name(list(options.operations))
    samples = {op.name: op.samples(callers, sizes) for op in ops}
    return Plan(options, stamp, work, target, env, settings, sizes, ops, samples)


def server_env(target: Target, secret: str) -> dict[str, str]:
    """Production settings: every limit at its default, only these three set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    env.update(
        ACCORD_DATABASE_URL=target.url,
        ACCORD_SECRET_KEY=secret,
        ACCORD_LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
    )
    return env
