"""The dashboard's drill-down in the browser on the demo company: a figure
clicked opens the leads or handoffs list filtered exactly as the figure counts
(the list's total is the number on the dashboard), the filter is shown in words
and can be removed; the handoffs list is axe-core clean."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.client.conftest import DemoLogin, DemoServer
from tests.client.web import assert_accessible, expect, heading, shot


def _leader(demo: DemoServer) -> DemoLogin:
    return demo.person("LEADERSHIP", "MANAGER")


def _list_total(page: Any) -> int:
    """The leads list's total from its pager ("1–20 of 57"), 0 when it says
    that no lead matches."""
    pager = page.locator("[data-region=list] .pager span").first
    empty = page.get_by_text("No lead matches these filters.")
    expect(pager.or_(empty)).to_be_visible()
    if empty.is_visible():
        return 0
    text = pager.inner_text()
    found = re.search(r"of (\d+)$", text)
    return int(found.group(1)) if found else 0


def _click_figure(page: Any, label: str) -> tuple[int, str]:
    figures = page.locator("[data-region=figures]")
    link = figures.locator(f"dt:text-is('{label}') + dd a.figure").first
    expect(link).to_be_visible()
    count = int(link.inner_text())
    href = link.get_attribute("href")
    link.click()
    return count, href


@pytest.mark.parametrize("who", ["ceo", "marketing-manager"])
def test_a_figure_opens_onto_exactly_its_records(
    open_page: Any, demo: DemoServer, shots: Path, who: str
) -> None:
    person = _leader(demo) if who == "ceo" else demo.person("MARKETING", "MANAGER")
    page = open_page(person)
    page.goto("/#/dashboard?period=quarter")
    expect(heading(page)).to_have_text("Dashboard")

    # a leads figure with fields only the dashboard sets (qualifiedFrom/To, …)
    count, href = _click_figure(page, "Qualified leads")
    assert href.startswith("#/leads?") and "qualifiedFrom=" in href
    expect(heading(page)).to_have_text("Leads")
    chips = page.get_by_role("group", name=re.compile("from the dashboard"))
    expect(chips).to_contain_text("Qualified from")
    assert _list_total(page) == count
    shot(page, shots, f"drill-leads-{who}")

    # the sort changed keeps the dashboard's filter (and so the total)
    page.get_by_label("Order", exact=True).select_option("NAME_ASC")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**sort=NAME_ASC**")
    assert "qualifiedFrom=" in page.url
    expect(
        page.get_by_role("group", name=re.compile("from the dashboard"))
    ).to_be_visible()
    assert _list_total(page) == count

    # a handoffs figure
    page.goto("/#/dashboard?period=quarter")
    count, href = _click_figure(page, "Handoffs")
    assert href.startswith("#/handoffs?")
    expect(heading(page)).to_have_text("Handoffs")
    total = page.locator("[data-total]")
    expect(total).to_have_attribute("data-total", str(count))
    summary = page.get_by_role("group", name="Filtered by clear")
    expect(summary).to_contain_text("Chain started from")
    if count:
        expect(page.locator("table.handoffs tbody tr").first).to_be_visible()
        expect(page.locator("table.handoffs tbody tr a").first).to_have_attribute(
            "href", re.compile(r"^#/leads/")
        )
    assert_accessible(page, "the handoffs list")
    shot(page, shots, f"drill-handoffs-{who}")


def test_the_handoffs_list_pages_and_its_filter_is_removed(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    page = open_page(_leader(demo))
    page.goto("/#/handoffs?status=ACCEPTED,REJECTED&latestInChain=false&touched=maybe")
    expect(heading(page)).to_have_text("Handoffs")
    summary = page.get_by_role("group", name="Filtered by clear")
    expect(summary).to_contain_text("Status: Accepted, Rejected")
    expect(summary).to_contain_text("Only the latest handoff of each chain: no")
    expect(summary).not_to_contain_text("First touch made")  # "maybe" is no boolean
    filtered = int(page.locator("[data-total]").get_attribute("data-total"))
    statuses = page.locator("table.handoffs tbody tr td:nth-child(3)")
    for text in statuses.all_inner_texts():
        assert text.split(" ")[0] in ("Accepted", "Rejected"), text
    # remove the status by keyboard: every handoff, more of them
    page.get_by_role("button", name="Remove the filter Status").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#/handoffs\?latestInChain=false$"))
    expect(page.locator("[data-total]")).not_to_have_attribute(
        "data-total", str(filtered)
    )
    everything = int(page.locator("[data-total]").get_attribute("data-total"))
    assert everything >= filtered
    if everything > 20:
        first = page.locator("table.handoffs tbody tr").first.inner_text()
        page.get_by_role("button", name="Next").click()
        expect(page.locator(".pager span")).to_contain_text("21–")
        assert page.locator("table.handoffs tbody tr").first.inner_text() != first
    page.get_by_role("link", name="clear").click()
    page.wait_for_url(re.compile(r"#/handoffs$"))
    expect(page.get_by_text("Every handoff you may see.")).to_be_visible()
    assert_accessible(page, "the whole handoffs list")
    shot(page, shots, "handoffs-all")


def test_every_figure_of_the_quarter_opens_a_list_of_its_count(
    open_page: Any, demo: DemoServer
) -> None:
    """Each numeric figure's link, opened afresh: the list's total is the
    number shown on the dashboard (every filter field the dashboard writes is
    read back by the list screens)."""
    page = open_page(_leader(demo))
    page.goto("/#/dashboard?period=quarter")
    figures = page.locator("[data-region=figures]")
    expect(figures.locator("a.figure").first).to_be_visible()
    seen: dict[str, int] = {}
    for link in figures.locator("a.figure").all():
        text = link.inner_text().strip()
        if text.isdigit():
            seen[link.get_attribute("href")] = int(text)
    assert len(seen) >= 20, seen  # the quarter shows 33 on the demo company
    paths = {href.split("?")[0] for href in seen}
    assert paths == {"#/leads", "#/handoffs"}, paths
    for href, count in seen.items():
        page.goto("about:blank")
        page.goto("/" + href)
        if href.startswith("#/leads"):
            assert _list_total(page) == count, href
            if "?" in href and any(
                k in href
                for k in ("qualifiedFrom", "enteredStage", "deliveredFrom", "stageAt")
            ):
                expect(
                    page.get_by_role("group", name=re.compile("from the dashboard"))
                ).to_be_visible()
        else:
            expect(page.locator("[data-total]")).to_have_attribute(
                "data-total", str(count)
            )
