"""Before anything is timed: the server's answers equal the raw SQL's.

For a spread of an operation's samples, the harness sends the exact request the
load will send and compares ``data`` with what the operation's floor statements
return, mapped by its ``expected`` function. Any difference stops that operation
from being timed and fails the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bench.database import Raw
from bench.operation import Operation, Sample

MAX_CHECKED = 5


@dataclass(frozen=True)
class CheckResult:
    operation: str
    checked: int
    passed: bool
    problem: str = ""


def spread(samples: list[Sample], most: int = MAX_CHECKED) -> list[Sample]:
    """First, last and evenly spaced samples between them."""
    if len(samples) <= most:
        return samples
    step = (len(samples) - 1) / (most - 1)
    return [samples[round(i * step)] for i in range(most)]


async def raw_rows(raw: Raw, op: Operation, sample: Sample) -> list[Any]:
    return [
        await raw.fetch(sql, params)
        for sql, params in zip(op.floor, op.floor_params(sample), strict=True)
    ]


def first_difference(want: Any, got: Any, path: str = "data") -> str | None:
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(set(want) | set(got)):
            found = first_difference(want.get(key), got.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return f"{path}: {len(got)} items, raw SQL gives {len(want)}"
        for i, (w, g) in enumerate(zip(want, got, strict=True)):
            found = first_difference(w, g, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if want == got else f"{path}: got {got!r}, raw SQL gives {want!r}"


async def check(
    client: httpx.AsyncClient, url: str, raw: Raw, op: Operation, samples: list[Sample]
) -> CheckResult:
    chosen = spread(samples)
    for sample in chosen:
        want = op.expected(await raw_rows(raw, op, sample), sample)
        response = await client.post(
            url,
            json={"query": op.document, "variables": sample.variables},
            headers={"authorization": f"Bearer {sample.caller.secret}"},
        )
        body = response.json()
        if response.status_code != 200 or "errors" in body:
            problem = f"HTTP {response.status_code}: {str(body)[:300]}"
            return CheckResult(op.name, len(chosen), False, problem)
        difference = first_difference(want, body.get("data"))
        if difference:
            return CheckResult(op.name, len(chosen), False, difference)
    return CheckResult(op.name, len(chosen), True)
