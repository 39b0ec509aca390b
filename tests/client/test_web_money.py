"""Money in the browser on the demo company: amounts carry the installation's
currency (ACCORD_CURRENCY, USD in the demo server) and are written the way the
viewer's locale writes them — the dashboard's money goal, a won lead's deal,
a goal's progress — in British English and in German."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.client.conftest import DemoServer, session_cookies
from tests.client.web import assert_accessible, expect, heading, shot

WON = """async () => {
  const response = await fetch('/graphql', {
    method: 'POST', headers: {'content-type': 'application/json'},
    body: JSON.stringify({query: `{ leads(first: 1, filter: {stages: [WON]}) {
      edges { node { id amountMoney { amount currency } } } } }`}),
  });
  return (await response.json()).data.leads.edges[0].node;
}"""


def german_page(browser: Any, demo: DemoServer, who: Any) -> Any:
    ctx = browser.new_context(base_url=demo.url, locale="de-DE")
    ctx.add_cookies(session_cookies(demo.session_of(who), demo.url))
    return ctx.new_page()


def test_amounts_show_their_currency_in_the_viewers_locale(
    open_page: Any, browser: Any, demo: DemoServer, shots: Path
) -> None:
    manager = demo.person("MARKETING", "MANAGER")
    page = open_page(manager)
    page.goto("/#/dashboard?period=quarter")
    expect(heading(page)).to_have_text("Dashboard")
    goal = page.locator("li.goal", has_text="Qualified pipeline this quarter")
    # en-GB writes US dollars as US$, thousands with commas
    expect(goal).to_contain_text(re.compile(r"US\$[\d,]+(\.\d\d)? of US\$[\d,]+"))
    shot(page, shots, "money-dashboard-en-GB")

    lead = page.evaluate(WON)
    assert lead["amountMoney"]["currency"] == "USD"
    page.goto(f"/#/leads/{lead['id']}")
    amount = page.locator("dt:text-is('Amount') + dd")
    expect(amount).to_have_text(re.compile(r"^US\$[\d,]+(\.\d\d)?( \(recurring\))?$"))
    assert_accessible(page, "a won lead with its amount")
    shot(page, shots, "money-lead-en-GB")

    german = german_page(browser, demo, manager)
    try:
        german.goto(f"/#/leads/{lead['id']}")
        amount = german.locator("dt:text-is('Amount') + dd")
        # de-DE: dots for thousands, a comma for cents, the sign after
        expect(amount).to_have_text(
            re.compile(r"^[\d.]+(,\d\d)?\s\$( \(recurring\))?$")
        )
        german.goto("/#/dashboard?period=quarter")
        goal = german.locator("li.goal", has_text="Qualified pipeline this quarter")
        expect(goal).to_contain_text(re.compile(r"[\d.]+(,\d\d)?\s\$ of"))
        shot(german, shots, "money-dashboard-de-DE")
    finally:
        german.context.close()
