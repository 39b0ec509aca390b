"""Drive the server with wrk (Debian's package) and its Lua script."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.timing import Timing

SCRIPT = Path(__file__).with_name("graphql.lua")
INSTALL_TIMEOUT = 600


def find_or_install(log: list[str]) -> str | None:
    """wrk's path; installed with apt-get when missing and we may; else None."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    log.append("wrk is missing: installing it with apt-get")
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
        done = subprocess.run(
            command, capture_output=True, timeout=INSTALL_TIMEOUT, check=False
        )
        if done.returncode != 0:
            log.append(f"{' '.join(command)} failed: {done.stderr.decode()[-300:]}")
            return None
    return shutil.which("wrk")


def run(
    wrk: str,
    url: str,
    requests_file: Path,
    conns: int,
    seconds: float,
    raw_log: Path,
    timeout: float = 10.0,
) -> Timing:
    env = {
        **os.environ,
        "REQUESTS_FILE": str(requests_file),
        "TARGET_PATH": urlsplit(url).path,
    }
    command = _command(wrk, url, conns, seconds, timeout)
    done = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + timeout + 60,
    )
    raw_log.write_text(" ".join(command) + "\n" + done.stdout + done.stderr)
    found = re.search(r"^WRKJSON (.*)$", done.stdout, re.M)
    if found is None:
        raise RuntimeError(f"wrk printed no summary: {done.stdout[-500:]}")
    return _timing(json.loads(found.group(1)))


def _command(
    wrk: str, url: str, conns: int, seconds: float, timeout: float = 10.0
) -> list[str]:
    # One thread, as the peers ran it; wrk takes whole seconds.
    duration = f"{max(1, round(seconds))}s"
    script = str(SCRIPT)
    return [
        wrk,
        "-t1",
        f"-c{conns}",
        f"-d{duration}",
        "--timeout",
        f"{max(1, round(timeout))}s",
        "-s",
        script,
        url,
    ]


def _timing(out: dict[str, Any]) -> Timing:
    def ms(key: str) -> float:
        return float(out[key]) / 1000

    return Timing(
        requests=int(out["requests"]),
        errors=int(out["socket_errors"]) + int(out["bad_responses"]),
        seconds=float(out["duration_us"]) / 1e6,
        p50_ms=ms("p50_us"),
        p99_ms=ms("p99_us"),
        mean_ms=ms("mean_us"),
        max_ms=ms("max_us"),
        first_error=str(out["first_error"]),
    )
