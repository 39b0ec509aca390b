"""The demo company in the browser: the world `make run` shows, signed into by the
logins `accord demo-data` printed, with every screen checked by axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.client.conftest import DemoServer
from tests.client.web import assert_accessible, expect, heading, shot, sign_in


def test_a_demo_sales_rep_signs_in_with_the_printed_password(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    rep = demo.person("SALES", "MEMBER")
    page = open_page()
    sign_in(page, rep.email, rep.password)
    expect(heading(page)).to_have_text("My account")
    expect(page.locator("#who")).to_contain_text(rep.name)
    assert_accessible(page, "my account")
    shot(page, shots, "demo-account")


def test_a_demo_manager_reads_the_audit_log_without_accessibility_violations(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    manager = demo.person("MARKETING", "MANAGER")
    page = open_page(manager)
    page.goto("/#/audit")
    expect(heading(page)).to_have_text("Audit log")
    expect(page.locator("main table tbody tr").first).to_be_visible()
    assert_accessible(page, "the audit log")
    shot(page, shots, "demo-audit")
