"""The goal planner and the qualification model's report and simulator under
Agreements, in the browser on the demo company: every step of the plan shown,
the plan applied to the demo's draft SLA after a confirmation (and a refusal
shown), the report's counts opening onto exactly their leads, the simulator
beside the model in force; keyboard reachable and axe-core clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.client.conftest import DemoServer
from tests.client.test_web_dashboard import COUNT_OF_LINK, LISTS, TOTAL
from tests.client.web import assert_accessible, expect, heading, shot

DRAFT_SLA = """{ agreements(first: 10, filter: {kind: [SERVICE_LEVEL_AGREEMENT],
  pending: [DRAFT]}) { edges { node { id version
  ... on ServiceLevelAgreement { pendingTerms { qualifiedLeadsPerMonth } } } } } }"""


# The report's drill-downs add grades, and scores as numbers.
LEAD_COUNT_OF_LINK = COUNT_OF_LINK.replace(
    "value === 'true'", "/^-?\\d+$/.test(value) ? Number(value) : value === 'true'"
)


def leads_behind(page: Any, link: Any) -> int:
    href = link.get_attribute("href")
    lists = sorted(LISTS | {"grades"})
    found: int = page.evaluate(LEAD_COUNT_OF_LINK, [href, lists, TOTAL])
    return found


def test_the_planner_applies_a_plan_to_the_draft_sla(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    manager = demo.person("MARKETING", "MANAGER")
    page = open_page(manager)
    page.goto("/#/agreements")
    page.get_by_role("link", name="Goal planner").click()
    expect(heading(page)).to_have_text("Goal planner")
    # by keyboard: given rates, Enter submits
    page.get_by_label("Revenue target").fill("1,200,000")
    page.get_by_label("Months to reach it").fill("12")
    page.get_by_label("Average deal size").fill("20000")
    page.get_by_label("MQL → SAL (%)").fill("50")
    page.get_by_label("SAL → SQL (%)").fill("40")
    page.get_by_label("SQL → won (%)").fill("25")
    page.get_by_label("SQL → won (%)").press("Enter")
    steps = page.locator("table.plan-steps")
    # 1,200,000 ÷ 20,000 = 60 deals ÷ 25 % = 240 SQLs ÷ 40 % = 600 SALs
    # ÷ 50 % = 1,200 MQLs; 100 a month
    expect(steps.locator("tr[data-step=deals] td.num")).to_have_text("60")
    expect(steps.locator("tr[data-step=sqls] td.num")).to_have_text("240")
    expect(steps.locator("tr[data-step=sals] td.num")).to_have_text("600")
    expect(steps.locator("tr[data-step=mqls] td.num")).to_have_text("1,200")
    expect(page.get_by_test_id("per-month")).to_have_text("100")
    assert_accessible(page, "the goal planner")
    shot(page, shots, "goal-planner")
    # the confirmation, then the draft SLA takes the plan
    page.get_by_role("button", name="Apply to draft SLA").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("100 qualified leads a month")
    assert_accessible(page, "the planner's confirmation")
    dialog.get_by_role("button", name="Apply to draft").click()
    expect(page.locator("[data-region=plan] .notice.success")).to_contain_text(
        "100 qualified leads a month in its draft"
    )
    session = demo.session_of(manager)
    found = demo.gql(DRAFT_SLA, session=session).json()["data"]["agreements"]
    drafts = [e["node"] for e in found["edges"]]
    assert [d["pendingTerms"]["qualifiedLeadsPerMonth"] for d in drafts] == [100]
    shot(page, shots, "goal-planner-applied")
    # a stale version is refused and the refusal shown: someone else saved the
    # draft meanwhile (the page still holds the version it read)
    page.get_by_label("Revenue target").fill("2400000")
    page.get_by_role("button", name="Work out the plan").click()
    expect(page.get_by_test_id("per-month")).to_have_text("200")
    bump = """mutation($input: ApplyGoalPlanInput!) { applyGoalPlan(input: $input) {
      userErrors { code } } }"""
    plan = {
        "revenue": "600000",
        "months": 12,
        "averageDealSize": "20000",
        "mqlToSal": "0.5",
        "salToSql": "0.4",
        "sqlToWon": "0.25",
    }
    other = demo.gql(
        bump,
        {
            "input": {
                "serviceLevelAgreementId": drafts[0]["id"],
                "expectedVersion": drafts[0]["version"],
                "plan": plan,
            }
        },
        session=demo.session_of(demo.person("SALES", "MANAGER")),
    ).json()
    assert other["data"]["applyGoalPlan"]["userErrors"] == []
    page.get_by_role("button", name="Apply to draft SLA").click()
    page.get_by_role("dialog").get_by_role("button", name="Apply to draft").click()
    expect(page.locator("form.apply-form [role=alert]")).to_contain_text(
        "changed meanwhile"
    )


def test_the_planner_says_why_no_plan_can_be_worked_out(
    open_page: Any, demo: DemoServer
) -> None:
    page = open_page(demo.person("SALES", "MEMBER"))
    page.goto("/#/agreements/planner")
    # (what the look-back observed depends on the tests before: a rate of 0 is
    # refused whatever the data)
    page.get_by_label("MQL → SAL (%)").fill("0")
    page.get_by_role("button", name="Work out the plan").click()
    expect(
        page.locator("form.plan-form [role=alert], .field-error:visible").first
    ).to_contain_text("observed")
    # members read plans but do not apply them
    page.get_by_label("Look-back (days)").fill("180")
    page.get_by_label("Average deal size").fill("20000")
    page.get_by_label("MQL → SAL (%)").fill("50")
    page.get_by_label("SAL → SQL (%)").fill("40")
    page.get_by_label("SQL → won (%)").fill("25")
    page.get_by_role("button", name="Work out the plan").click()
    expect(page.get_by_test_id("per-month")).to_be_visible()
    expect(page.get_by_role("button", name="Apply to draft SLA")).to_have_count(0)


def test_the_model_report_and_simulator(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    page = open_page(demo.person("SALES", "MANAGER"))
    page.goto("/#/agreements")
    page.get_by_role("link", name="Model report and simulator").click()
    expect(heading(page)).to_have_text("Qualification model: report and simulator")
    report = page.locator("[data-region=report]")
    expect(report.get_by_role("table", name="By score band")).to_be_visible()
    expect(report.get_by_role("table", name="By grade")).to_be_visible()
    links = report.locator("table.model-report a.figure")
    assert links.count() > 6
    for n in (0, 3, links.count() - 1):
        link = links.nth(n)
        assert int(link.inner_text()) == leads_behind(page, link)
    # the simulator: the model in force's terms, a higher threshold
    page.get_by_label("MQL threshold").fill("90")
    page.get_by_role("button", name="Simulate these terms").click()
    result = page.locator("table.simulation")
    expect(result).to_contain_text("Would qualify now")
    expect(result.locator("thead")).to_contain_text("In force (revision")
    draft, in_force = (
        int(result.locator("tbody tr").first.locator("td").nth(i).inner_text())
        for i in (0, 1)
    )
    assert draft <= in_force
    assert_accessible(page, "the model report and simulator")
    shot(page, shots, "model-report-and-simulator")
