"""The load generator: wrk when available (or installable), else bench.loadgen."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import orjson

from bench import wrk
from bench.operation import Operation, Sample
from bench.timing import Timing

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class LoadTool:
    name: str  # "wrk" or "python"
    path: str = ""

    def describe(self) -> str:
        if self.name == "python":
            return "bench.loadgen (Python, asyncio + uvloop, one process)"
        version = subprocess.run(
            [self.path, "--version"], capture_output=True, text=True, check=False
        )
        first = (version.stdout or version.stderr).splitlines()[0]
        return first.split(" Copyright")[0].strip()

    def drive(
        self,
        url: str,
        requests: Path,
        conns: int,
        seconds: float,
        raw_log: Path,
        timeout: float = 10.0,
    ) -> Timing:
        """``timeout``: seconds after which a request counts as an error."""
        if self.name == "wrk":
            return wrk.run(self.path, url, requests, conns, seconds, raw_log, timeout)
        return _python(url, requests, conns, seconds, raw_log, timeout)


def choose(wanted: str, notes: list[str]) -> LoadTool:
    if wanted == "python":
        return LoadTool("python")
    found = wrk.find_or_install(notes)
    if found:
        return LoadTool("wrk", found)
    if wanted == "wrk":
        raise SystemExit("wrk is not installed and could not be installed")
    notes.append("wrk unavailable: the Python load generator was used")
    return LoadTool("python")


def write_requests(path: Path, op: Operation, samples: list[Sample]) -> Path:
    """One ``token<TAB>body`` line per sample; both generators cycle through them."""
    lines = []
    for sample in samples:
        body = orjson.dumps({"query": op.document, "variables": sample.variables})
        lines.append(f"{sample.caller.secret}\t{body.decode()}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _python(
    url: str,
    requests: Path,
    conns: int,
    seconds: float,
    raw_log: Path,
    timeout: float = 10.0,
) -> Timing:
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        str(requests),
        "--url",
        url,
        "--conns",
        str(conns),
        "--duration",
        f"{seconds:g}",
        "--timeout",
        f"{timeout:g}",
    ]
    done = subprocess.run(
        command,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + timeout + 60,
    )
    raw_log.write_text(" ".join(command) + "\n" + done.stdout + done.stderr)
    found = re.search(r"^LOADJSON (.*)$", done.stdout, re.M)
    if found is None:
        raise RuntimeError(f"the load generator printed no summary: {done.stderr}")
    return Timing(
        **{k: v for k, v in orjson.loads(found.group(1)).items() if k != "rps"}
    )
