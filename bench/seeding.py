"""Write every dataset with bulk SQL: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench.content_data import CONTENT
from bench.database import Raw
from bench.datasets import DATASETS, Sizes
from bench.handoff_data import HANDOFFS
from bench.scoring_data import DATASETS as SCORING_DATASETS


@dataclass(frozen=True)
class SeededTable:
    dataset: str
    table: str
    rows: int
    seconds: float


async def seed(raw: Raw, sizes: Sizes) -> list[SeededTable]:
    done: list[SeededTable] = []
    content = (CONTENT,) if sizes.content_requests else ()
    leads = (*SCORING_DATASETS, HANDOFFS) if sizes.leads else ()
    for dataset in (*DATASETS, *leads, *content):
        for table in dataset.tables:
            started = time.perf_counter()
            count = await raw.insert(table.name, table.columns, table.rows(sizes))
            elapsed = time.perf_counter() - started
            done.append(SeededTable(dataset.name, table.name, count, elapsed))
    if raw.kind == "postgres":
        # Autovacuum would vacuum and analyse fresh tables within a minute in
        # production; do it now so the first measured plans, and the visibility
        # map index-only scans rely on, are the steady-state ones.
        await raw.execute("VACUUM (ANALYZE)")
    return done
