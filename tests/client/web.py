"""Steps the browser tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.client.conftest import IN_CI, PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:
    if IN_CI:
        raise
    pytest.skip("the playwright package is not installed", allow_module_level=True)

__all__ = ["assert_accessible", "expect", "heading", "shot", "sign_in"]

AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
# Violations a person meets: a screen reader cannot name a control, text cannot be
# read against its background, a keyboard cannot reach something.
BLOCKING_IMPACTS = ("serious", "critical")


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/#/sign-in")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def heading(page: Any) -> Any:
    return page.get_by_role("heading", level=1)


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def assert_accessible(page: Any, where: str) -> None:
    """axe-core (tests/client/package.json) finds no serious or critical
    violation on the page as it is now. The script is evaluated through the
    browser's debugging protocol, which the page's Content-Security-Policy does
    not govern, so the page under test stays exactly as served."""
    if not AXE.exists():
        message = f"{AXE} is missing: `make test` installs it (npm ci in tests/client)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], f"accessibility violations on {where}:\n" + "\n".join(
        blocking
    )
