"""The client's pure modules (logic.js, dom.js's escaping) under Node's test runner.

`make test` stays the one runner: this test runs `node --test` on
tests/client/*.test.mjs. Without Node it is skipped, except in CI (CI=true).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.client.conftest import IN_CI

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        if IN_CI:
            pytest.fail("node is missing: CI must run the client's logic tests")
        pytest.skip("node is not installed")
    return node


def test_the_client_logic_passes_its_node_tests() -> None:
    files = sorted(str(p.relative_to(ROOT)) for p in HERE.glob("*.test.mjs"))
    assert files, "no client test files found"

    result = subprocess.run(
        [_node(), "--test", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    passed = re.search(r"^# pass (\d+)$", result.stdout, re.MULTILINE)
    assert passed and int(passed.group(1)) > 0, report
