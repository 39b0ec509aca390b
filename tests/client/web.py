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

__all__ = ["expect", "heading", "shot", "sign_in"]


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/#/sign-in")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def heading(page: Any) -> Any:
    return page.get_by_role("heading", level=1)


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
