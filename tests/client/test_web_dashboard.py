"""The dashboard in the browser on the demo company: every figure of the quarter
rendered, numbers that open onto exactly their records, the period picker in
the URL, axe-core clean, by mouse and by keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.client.conftest import DemoServer
from tests.client.web import assert_accessible, expect, heading, shot, sign_in

# The drill-down filter back from a figure's link (the leads and handoffs list
# screens read their URL the same way): lists are comma-separated.
LISTS = {
    "stages",
    "personaIds",
    "qualifiedBy",
    "qualifiedPersonaIds",
    "deliveredPersonaIds",
    "chainPersonaIds",
    "chainOutcomes",
    "rejectionReasons",
    "acceptStatus",
    "firstTouchStatus",
}
TOTAL = {
    "/leads": "query($f: LeadFilter) { leads(first: 1, filter: $f) { totalCount } }",
    "/handoffs": (
        "query($f: HandoffFilter) { handoffs(first: 1, filter: $f) { totalCount } }"
    ),
}
COUNT_OF_LINK = """async ([href, lists, documents]) => {
  const [path, query] = href.slice(1).split('?');
  const filter = {};
  for (const [key, value] of new URLSearchParams(query)) {
    filter[key] = lists.includes(key) ? value.split(',')
      : value === 'true' ? true : value === 'false' ? false : value;
  }
  const response = await fetch('/graphql', {
    method: 'POST', headers: {'content-type': 'application/json'},
    body: JSON.stringify({query: documents[path], variables: {f: filter}}),
  });
  const body = await response.json();
  const data = body.data[path.slice(1)];
  return data.totalCount;
}"""


def total_behind(page: Any, link: Any) -> int:
    href = link.get_attribute("href")
    found: int = page.evaluate(COUNT_OF_LINK, [href, sorted(LISTS), TOTAL])
    return found


def test_the_dashboard_shows_the_quarter_and_every_number_opens_onto_its_records(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    manager = demo.person("MARKETING", "MANAGER")
    page = open_page(manager)
    page.goto("/#/dashboard?period=quarter")
    expect(heading(page)).to_have_text("Dashboard")
    figures = page.locator("[data-region=figures]")
    expect(
        figures.get_by_role("heading", name="Service-level agreement")
    ).to_be_visible()
    for name in ("Goals", "Funnel and conversion", "Handoffs"):
        expect(figures.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(figures.locator("figure svg")).to_be_visible()
    assert_accessible(page, "the dashboard")
    shot(page, shots, "dashboard-quarter")
    # three different figures: a leads one and two handoffs ones
    for label in ("Qualified leads", "Handoffs", "Rejected"):
        link = figures.locator(f"dt:text-is('{label}') + dd a.figure").first
        assert int(link.inner_text()) == total_behind(page, link), label
    link = figures.locator("a.figure[href^='#/handoffs']").last
    assert int(link.inner_text()) == total_behind(page, link)


def test_the_period_picker_changes_the_url_and_the_figures(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    manager = demo.person("SALES", "MANAGER")
    page = open_page(manager)
    page.goto("/#/dashboard")
    figures = page.locator("[data-region=figures]")
    expect(figures.get_by_role("heading", name="Handoffs", exact=True)).to_be_visible()
    before = figures.locator("p.muted").first.inner_text()
    # by keyboard: choose "Custom", type the dates, submit with Enter
    page.get_by_label("Period", exact=True).focus()
    page.get_by_label("Period", exact=True).select_option("custom")
    page.get_by_label("From").fill("2026-01-01")
    page.get_by_label("Until (excluded)").fill("2026-02-01")
    page.get_by_label("Until (excluded)").press("Enter")
    expect(page).to_have_url(
        "http://127.0.0.1:"
        + demo.url.rsplit(":", 1)[1]
        + "/#/dashboard?period=custom&from=2026-01-01&to=2026-02-01"
    )
    expect(figures.locator("p.muted").first).to_contain_text(
        "From 2026-01-01 to 2026-01-31"
    )
    assert figures.locator("p.muted").first.inner_text() != before
    page.get_by_label("Period", exact=True).select_option("last-month")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**period=last-month**")
    expect(figures.get_by_role("heading", name="Handoffs", exact=True)).to_be_visible()
    expect(figures.locator("p.muted").first).not_to_contain_text("2026-01-01")
    shot(page, shots, "dashboard-last-month")


def test_the_dashboard_works_at_phone_width(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    page = open_page(demo.person("SALES", "MEMBER"), width=360)
    page.goto("/#/dashboard?period=quarter")
    figures = page.locator("[data-region=figures]")
    expect(figures.get_by_role("heading", name="Handoffs", exact=True)).to_be_visible()
    assert_accessible(page, "the dashboard on a phone")
    shot(page, shots, "dashboard-phone")


def test_leadership_lands_on_the_dashboard_after_signing_in(
    open_page: Any, demo: DemoServer
) -> None:
    leader = next(
        p for p in demo.people if p.team == "LEADERSHIP" and p.role != "ADMIN"
    )
    page = open_page()
    sign_in(page, leader.email, leader.password)
    expect(heading(page)).to_have_text("Dashboard")
