"""The peers (../shared/peers) measured in the same run, beside Accord.

The peers folder is read-only where it is shared, so it is copied to
``bench/.peers/`` (kept between runs: its virtualenv and node modules are reused)
and its own ``run_all.sh`` runs there: it installs what it needs, seeds 100,000
leads into a ``peers`` PostgreSQL database and measures each system one at a
time. Its ``results/results.json`` is read into Accord's report.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RUN_TIMEOUT = 3 * 3600
NOT_COPIED = shutil.ignore_patterns(".venv", "node_modules", "data", "raw", "*.pyc")


@dataclass(frozen=True)
class PeerRun:
    source: str
    started: str
    finished: str
    results: list[dict[str, Any]]
    fresh: bool  # measured in this run, not read from an earlier one


def _writable(path: Path) -> None:
    path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _copy(src: str, dst: str) -> None:
    if os.path.exists(dst):
        _writable(Path(dst))
    shutil.copy2(src, dst)
    _writable(Path(dst))


def prepare(source: Path, copy: Path) -> None:
    if not (source / "run_all.sh").exists():
        raise FileNotFoundError(f"no peers at {source} (expected run_all.sh there)")
    shutil.copytree(
        source, copy, ignore=NOT_COPIED, copy_function=_copy, dirs_exist_ok=True
    )
    for directory, _, _ in os.walk(copy):
        _writable(Path(directory))
    # A stale results file must never pass for this run's figures.
    (copy / "results" / "results.json").unlink(missing_ok=True)


def run(
    copy: Path, conns: list[int], duration: float, warmup: float, log: Path
) -> None:
    command = [
        "./run_all.sh",
        "--conns",
        ",".join(str(c) for c in conns),
        "--duration",
        f"{duration:g}",
        "--warmup",
        f"{warmup:g}",
    ]
    with log.open("wb") as out:
        subprocess.run(
            command,
            cwd=copy,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=RUN_TIMEOUT,
        )


def load(path: Path, fresh: bool) -> PeerRun:
    doc = json.loads(path.read_text())
    return PeerRun(
        source=str(path),
        started=doc.get("started", ""),
        finished=doc.get("finished", ""),
        results=list(doc.get("results", [])),
        fresh=fresh,
    )


def measure(
    source: Path,
    copy: Path,
    conns: list[int],
    duration: float,
    warmup: float,
    log: Path,
) -> PeerRun:
    prepare(source, copy)
    run(copy, conns, duration, warmup, log)
    return load(copy / "results" / "results.json", fresh=True)
