"""Meetings in the browser, with the demo company: a marketing manager
schedules a lead review, notes a decision, gives the sales manager an action
item and completes the review; the snapshot is read-only; the sales manager
finds the item under My account and marks it done."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.client.conftest import DemoServer
from tests.client.web import assert_accessible, expect, heading, shot

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TITLE = "Lead review — webinar leads"
ITEM = "Call every rejected webinar lead back within a week"


def in_days(n: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=n)).isoformat()


def test_a_lead_review_from_scheduling_to_an_action_item_done(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    marketing = demo.person("MARKETING", "MANAGER")
    sales = demo.person("SALES", "MANAGER")

    # the list shows the upcoming review first and the past ones below
    page = open_page(marketing)
    page.goto("/#/meetings")
    expect(heading(page)).to_have_text("Meetings")
    upcoming = page.locator('[data-region="upcoming"]')
    expect(upcoming).to_contain_text("Monthly lead review — next")
    past = page.locator('[data-region="past"]')
    expect(past.locator("tbody tr")).to_have_count(3)
    expect(past).to_contain_text("1 overdue")
    assert_accessible(page, "meetings list")
    shot(page, shots, "meetings-list")

    # the marketing manager schedules a lead review with the sales manager
    form = page.locator('[data-form="schedule"]')
    form.get_by_role("button", name="Schedule review").click()
    expect(form.get_by_text("Pick a date and time.")).to_be_visible()
    form.get_by_label("Kind").select_option("LEAD_REVIEW")
    form.get_by_label("Title").fill(TITLE)
    form.get_by_label("When").fill(f"{in_days(2)}T10:00")
    form.get_by_label(sales.name).check()
    form.get_by_label("Your own agenda topics").fill("Webinar leads: keep them?")
    form.get_by_role("button", name="Schedule review").click()

    # its page shows the live agenda, pre-filled from the data
    expect(heading(page)).to_have_text(TITLE)
    agenda = page.locator(".agenda")
    expect(agenda).to_contain_text("SLA compliance of both teams")
    expect(agenda).to_contain_text("Top rejection reasons")
    expect(agenda).to_contain_text("Rejected MQLs and sales' feedback on them")
    expect(agenda).to_contain_text("Webinar leads: keep them?")
    expect(agenda.locator(".records a").first).to_have_attribute("href", _lead_link())

    # a decision is noted and an action item given to the sales manager
    page.get_by_role("textbox", name="Decisions").fill(
        "Qualify webinar leads on budget first"
    )
    page.get_by_role("button", name="Save notes and decisions").click()
    expect(page.get_by_text("Notes and decisions saved.")).to_be_visible()
    items = page.locator('[data-form="add-item"]')
    items.get_by_label("Action").fill(ITEM)
    items.get_by_label("Owner").select_option(label=sales.name)
    items.get_by_label("Due date").fill(in_days(7))
    items.get_by_role("button", name="Add action item").click()
    expect(page.locator(".items-table")).to_contain_text(ITEM)
    assert_accessible(page, "a scheduled meeting")
    shot(page, shots, "meeting-scheduled")

    # completing asks first, then freezes the snapshot: read-only
    page.get_by_role("button", name="Complete meeting…").click()
    dialog = page.get_by_role("dialog", name="Complete this meeting?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Complete meeting").click()
    snapshot = page.locator(".snapshot")
    expect(snapshot).to_contain_text("read-only")
    expect(snapshot).to_contain_text("SLA compliance of both teams")
    expect(page.get_by_role("textbox", name="Decisions")).to_have_count(0)
    expect(page.get_by_role("button", name="Save notes and decisions")).to_have_count(0)
    expect(page.get_by_role("button", name="Complete meeting…")).to_have_count(0)
    expect(page.locator(".decisions")).to_contain_text("Qualify webinar leads")
    assert_accessible(page, "a completed meeting")
    shot(page, shots, "meeting-completed")

    # the sales manager finds the action item under My account and marks it done
    other = open_page(sales)
    other.goto("/#/account")
    mine = other.locator('[data-region="my-items"]')
    expect(mine).to_contain_text(ITEM)
    assert_accessible(other, "my action items")
    shot(other, shots, "my-action-items")
    mine.locator("li", has_text=ITEM).get_by_role("button", name="Mark done").click()
    expect(other.get_by_text("Action item marked done.")).to_be_visible()
    expect(mine).not_to_contain_text(ITEM)
    page.reload()
    expect(page.locator(".items-table tr", has_text=ITEM)).to_contain_text("Done")


def _lead_link() -> Any:
    import re

    return re.compile(r"^#/leads/")


def test_a_held_review_shows_its_snapshot_decisions_and_an_overdue_item(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    page = open_page(demo.person("SALES", "MEMBER"))
    page.goto("/#/meetings")
    page.get_by_role("link", name="Monthly lead review — pipeline quality").click()
    expect(heading(page)).to_have_text("Monthly lead review — pipeline quality")
    expect(page.locator(".snapshot")).to_contain_text("read-only")
    expect(page.locator(".decisions")).to_contain_text("budget range")
    expect(page.locator(".items-table")).to_contain_text("overdue")
    # a rep who did not attend changes nothing
    expect(page.get_by_role("button", name="Mark done")).to_have_count(0)
    assert_accessible(page, "a held review")
    shot(page, shots, "meeting-held")
    if os.environ.get("ACCORD_DOCS_SCREENSHOTS"):  # refresh the README's picture
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / "meeting-page.png"))
