"""The lead screens with the demo company, in Chromium, as people use them:
marketing finds a qualified lead and hands it off, the rep takes it from the
queue (by mouse, by keyboard alone, on a phone), a sales manager reassigns,
notification links, CSV in and out, hostile names, saved filters, and axe-core
plus a screenshot on every screen. First renders send a pinned number of
GraphQL requests."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from tests.client.conftest import DemoLogin, DemoServer
from tests.client.lead_world import (
    call,
    hand_off,
    lead_now,
    make_lead,
    marketer,
)
from tests.client.web import assert_accessible, expect, heading, shot

IMPORTED = """query {
  leads(filter: {search: "Import AG"}) { edges { node { fullName companySize } } }
}"""
COUNTDOWN = re.compile(r"(At risk in|Due in|Overdue by) \d")
NOTIFICATIONS = (
    """query { notifications(first: 50) { edges { node { link title } } } }"""
)


class Requests:
    """The GraphQL operations a page sends, by name, in order."""

    def __init__(self, page: Any) -> None:
        self.names: list[str] = []
        page.on("request", self._seen)

    def _seen(self, request: Any) -> None:
        if request.url.endswith("/graphql") and request.method == "POST":
            self.names.append(str((request.post_data_json or {}).get("operationName")))

    def clear(self) -> None:
        self.names.clear()

    def screen(self) -> list[str]:
        """What the screen itself asked, without the shell's viewer and bell."""
        return [n for n in self.names if n not in ("Viewer", "UnreadCount")]


def tab_to(page: Any, predicate: str, limit: int = 400) -> None:
    """Press Tab until the focused element satisfies the JS predicate on `el`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        check = (
            f"() => {{ const el = document.activeElement; return !!({predicate}); }}"
        )
        if page.evaluate(check):
            return
    raise AssertionError(f"Tab never reached {predicate}")


def choose_person(select: Any, name: str) -> None:
    """Pick the option naming the person (options may say "— out of office")."""
    value = select.locator("option").filter(has_text=name).first.get_attribute("value")
    select.select_option(value)


def rep(demo: DemoServer, index: int) -> DemoLogin:
    return demo.person("SALES", "MEMBER", index)


# ---- marketing: find, read, hand off -------------------------------------------


def test_marketing_filters_to_a_qualified_lead_reads_its_score_and_hands_it_off(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    lead_id, name = make_lead(demo, "Quinn")
    to = rep(demo, 0)
    page = open_page(marketer(demo))
    seen = Requests(page)

    page.goto("/#/leads")
    expect(heading(page)).to_have_text("Leads")
    expect(page.locator("table.leads tbody tr").first).to_be_visible()
    assert seen.screen() == ["LeadListScreen"]  # the list's first render: one request
    assert_accessible(page, "the leads list")
    shot(page, shots, "leads-list")

    # filter: qualified, by name; the filters land in the URL
    page.get_by_label("Search").fill(name.split()[1])
    page.get_by_label("Qualified", exact=True).select_option("yes")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"qualified=yes"))
    rows = page.locator("table.leads tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("qualified")
    seen.clear()
    rows.first.get_by_role("link", name=name).click()

    # the lead page: one request; the breakdown adds up, names its model revision
    expect(heading(page)).to_have_text(name)
    breakdown = page.locator("table.breakdown")
    expect(breakdown).to_contain_text("Hand-raise: demo request")
    expect(breakdown.locator("tfoot")).to_contain_text("Total")
    expect(page.locator("#score-title").locator("..")).to_contain_text(
        re.compile(r"model revision \d+")
    )
    assert seen.screen() == ["LeadPage"]
    points = [
        float(t.replace("−", "-").replace("+", ""))
        for t in breakdown.locator("tbody td.num").all_inner_texts()
    ]
    score = int(page.locator(".score-big").inner_text())
    assert abs(round(sum(points)) - score) <= 1, (points, score)
    assert_accessible(page, "the lead page (marketing)")

    # hand it off to a chosen rep
    page.get_by_text("Hand off to sales…").click()
    form = page.locator("form[data-form='handoff']")
    choose_person(form.get_by_label("To"), to.name)
    form.get_by_label("Note for sales").fill("Asked for a demo yesterday")
    form.get_by_role("button", name="Hand off").click()
    expect(page.locator("#notice")).to_contain_text("Handed off.")
    handoffs = page.locator("ol.handoffs li").first
    expect(handoffs).to_contain_text(f"Pending — to {to.name}")
    expect(handoffs.locator("[data-countdown]")).to_have_text(COUNTDOWN)
    expect(handoffs).to_contain_text("Decision")
    expect(handoffs).to_contain_text("First touch")
    shot(page, shots, "lead-page")
    assert lead_now(demo, lead_id)["handoffs"][0]["assignee"]["name"] == to.name


# ---- sales: the queue -----------------------------------------------------------


def _queue_item(page: Any, name: str) -> Any:
    return page.locator("ol.queue li.queue-item").filter(has_text=name)


@pytest.mark.parametrize("how", ["mouse", "keyboard", "phone"])
def test_the_rep_accepts_from_the_queue_and_records_a_follow_up(
    open_page: Any, demo: DemoServer, shots: Path, how: str
) -> None:
    who = rep(demo, {"mouse": 0, "keyboard": 1, "phone": 2}[how])
    lead_id, name = make_lead(
        demo, {"mouse": "Mika", "keyboard": "Kai", "phone": "Pia"}[how]
    )
    hand_off(demo, lead_id, who)
    page = open_page(who, width=360 if how == "phone" else 1280)
    seen = Requests(page)

    page.goto("/#/queue")
    expect(heading(page)).to_have_text("My queue")
    item = _queue_item(page, name)
    expect(item.locator("[data-countdown]")).to_have_text(COUNTDOWN)
    expect(item).to_contain_text("Decide:")
    assert seen.screen() == ["MyQueue"]
    assert_accessible(page, f"my queue ({how})")
    if how != "keyboard":
        shot(page, shots, "queue-phone" if how == "phone" else "queue")

    if how == "keyboard":
        tab_to(page, f"el.getAttribute('aria-label') === 'Accept {name}'")
        page.keyboard.press("Enter")
    else:
        item.get_by_role("button", name=f"Accept {name}").click()
    expect(page.locator("#notice")).to_contain_text(f"Accepted: {name}.")
    decided = page.locator("ol.queue li.decided").filter(has_text=name)
    expect(decided).to_contain_text("Accepted")
    expect(decided.locator("[data-countdown]")).to_have_text(COUNTDOWN)  # first touch

    if how == "keyboard":
        in_item = f"el.closest('li').textContent.includes({name!r})"
        tab_to(page, f"el.tagName === 'SUMMARY' && {in_item}")
        page.keyboard.press("Enter")
        tab_to(page, "el.name === 'channel'")
        page.keyboard.press("End")  # the last channel: Other
        tab_to(page, "el.name === 'note'")
        page.keyboard.type("Left a voicemail")
        page.keyboard.press("Enter")
    else:
        decided.get_by_text("Record a follow-up…").click()
        decided.get_by_label("Channel").select_option("CALL")
        decided.get_by_label("Outcome").select_option("CONNECTED")
        decided.get_by_label("Note").fill("Left a voicemail")
        decided.get_by_role("button", name=f"Record follow-up for {name}").click()
    expect(page.locator("#notice")).to_contain_text(f"Follow-up recorded: {name}.")
    lead = lead_now(demo, lead_id)
    assert lead["stage"] == "SAL" and lead["owner"]["name"] == who.name
    assert [f["note"] for f in lead["followUps"]] == ["Left a voicemail"]
    expected = {"keyboard": ("OTHER", "ATTEMPTED")}.get(how, ("CALL", "CONNECTED"))
    assert (
        lead["followUps"][0]["channel"],
        lead["followUps"][0]["outcome"],
    ) == expected
    if how == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the queue scrolls sideways at 360 px ({width} px)"


def test_a_sales_manager_reassigns_a_handoff_from_the_teams_queue(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    first, second = rep(demo, 3), rep(demo, 4)
    lead_id, name = make_lead(demo, "Ravi")
    hand_off(demo, lead_id, first)
    manager = demo.person("SALES", "MANAGER", 1)
    page = open_page(manager)
    seen = Requests(page)

    page.goto("/#/queue")
    expect(heading(page)).to_have_text("The team's queue")
    item = _queue_item(page, name)
    expect(item).to_contain_text(f"assigned to {first.name}")
    assert seen.screen() == ["TeamQueue"]
    assert_accessible(page, "the team's queue")
    shot(page, shots, "team-queue")
    item.get_by_text("Reassign…").click()
    choose_person(item.get_by_label("To"), second.name)
    item.get_by_role("button", name=f"Reassign {name}").click()
    expect(page.locator("#notice")).to_contain_text(f"Reassigned: {name}.")
    expect(_queue_item(page, name).first).to_contain_text(f"assigned to {second.name}")
    statuses = {
        h["status"]: h["assignee"]["name"] for h in lead_now(demo, lead_id)["handoffs"]
    }
    assert statuses == {"REASSIGNED": first.name, "PENDING": second.name}


# ---- bulk, saved filters, export --------------------------------------------------


def test_marketing_hands_off_several_leads_at_once_and_sees_each_rows_outcome(
    open_page: Any, demo: DemoServer
) -> None:
    ok_id, ok_name = make_lead(demo, "Bulkfine")
    _, cold_name = make_lead(demo, "Bulkcold", qualify=False)
    page = open_page(marketer(demo))
    page.goto("/#/leads?q=Tester&sort=CREATED_AT_DESC")
    for name in (ok_name, cold_name):
        page.get_by_label(f"Select {name}").check()
    expect(page.locator("form[data-form='bulk']")).to_contain_text("2 selected")
    choose_person(page.get_by_label("Hand off to"), rep(demo, 0).name)
    page.get_by_role("button", name="Hand off 2 selected").click()
    rows = page.locator("table.leads tbody tr")
    expect(rows.filter(has_text=ok_name).locator(".outcome")).to_contain_text(
        f"Handed off to {rep(demo, 0).name}"
    )
    expect(rows.filter(has_text=cold_name).locator(".outcome.error")).to_contain_text(
        "qualified"
    )
    expect(page.locator("#notice")).to_contain_text("1 of 2 done, 1 refused")
    assert lead_now(demo, ok_id)["handoffs"][0]["status"] == "PENDING"


def test_a_saved_filter_is_kept_on_the_server_and_applied_from_the_list(
    open_page: Any, demo: DemoServer
) -> None:
    who = demo.person("MARKETING", "MEMBER", 1)
    page = open_page(who)
    page.goto("/#/leads?stages=MQL&grades=A&sort=NAME_ASC")
    expect(page.get_by_label("Order")).to_have_value("NAME_ASC")
    page.get_by_label("Save these filters as").fill("A-grade MQLs")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#notice")).to_contain_text("Saved the filter “A-grade MQLs”.")

    other = open_page(who)
    other.goto("/#/leads")
    other.get_by_label("Saved filters").select_option(label="A-grade MQLs")
    expect(other).to_have_url(re.compile(r"stages=MQL"))
    expect(other.get_by_label("Order")).to_have_value("NAME_ASC")
    expect(other.locator("input[name='grades'][value='A']")).to_be_checked()


def test_an_exported_csv_neutralises_formula_cells(
    open_page: Any, demo: DemoServer
) -> None:
    _, name = make_lead(
        demo, "Formula", company='=HYPERLINK("http://x")', jobTitle="@SUM(A1)"
    )
    page = open_page(marketer(demo))
    page.goto(f"/#/leads?q={name.split()[1]}")
    expect(page.locator("table.leads tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["email", "firstName", "lastName"]
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["company"] == '\'=HYPERLINK("http://x")'
    assert record["jobTitle"] == "'@SUM(A1)"
    assert record["firstName"] == "Formula"
    expect(page.get_by_role("status").filter(has_text="Exported")).to_contain_text(
        "Exported 1 leads"
    )


# ---- import ---------------------------------------------------------------------


def test_a_csv_with_one_bad_row_imports_the_others_and_shows_the_bad_line(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    text = (
        "E-mail,First name,Last name,Company,Employees\n"
        "ida.import@browser-tests.example,Ida,Import,Import AG,120\n"
        "not-an-address,Bad,Row,Nowhere Ltd,10\n"
        '"jo.import@browser-tests.example",Jo,"Import, Jr.",Import AG,80\n'
    )
    page = open_page(marketer(demo))
    seen = Requests(page)
    page.goto("/#/leads")
    page.get_by_role("link", name="Import CSV").click()
    expect(heading(page)).to_have_text("Import leads")
    assert seen.screen() == ["LeadListScreen"]  # the import page itself asks nothing
    page.get_by_label("CSV file").set_input_files(
        {"name": "leads.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("email")
    expect(page.get_by_label("Employees")).to_have_value("companySize")
    expect(page.locator("table.preview tbody tr")).to_have_count(3)
    assert_accessible(page, "the import preview")
    page.get_by_role("button", name="Import 3 leads").click()
    expect(page.locator(".import-summary")).to_contain_text("2 created")
    expect(page.locator(".import-summary")).to_contain_text("1 refused")
    bad = page.locator("table.import-errors tbody tr")
    expect(bad).to_have_count(1)
    expect(bad.locator("th")).to_have_text("3")
    expect(bad).to_contain_text("not-an-address")
    shot(page, shots, "leads-import")
    found = call(
        demo,
        marketer(demo),
        IMPORTED,
    )["leads"]["edges"]
    assert sorted((e["node"]["fullName"], e["node"]["companySize"]) for e in found) == [
        ("Ida Import", 120),
        ("Jo Import, Jr.", 80),
    ]


# ---- hostile text, links, notifications -------------------------------------------


def test_a_lead_named_like_markup_renders_as_text(
    open_page: Any, demo: DemoServer
) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    lead_id, _ = make_lead(demo, hostile)
    page = open_page(marketer(demo))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"/#/leads?q={lead_id and 'Tester'}&sort=CREATED_AT_DESC")
    expect(page.locator("table.leads")).to_contain_text(hostile)
    page.goto(f"/#/leads/{lead_id}")
    expect(heading(page)).to_contain_text(hostile)
    expect(page.locator("main img")).to_have_count(0)
    assert dialogs == []


def test_a_notification_link_opens_its_lead_after_signing_in(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    who = rep(demo, 5)
    lead_id, name = make_lead(demo, "Nell")
    hand_off(demo, lead_id, who)
    link = ""
    for _ in range(50):  # the notification is written after commit
        found = call(demo, who, NOTIFICATIONS)["notifications"]["edges"]
        links = [e["node"]["link"] for e in found if name in e["node"]["title"]]
        if links:
            link = links[0]
            break
        import time

        time.sleep(0.2)
    assert link == f"/#/leads/{lead_id}"

    # signed in: the bell counts it, the page lists it, the link opens the lead
    page = open_page(who)
    seen = Requests(page)
    page.goto("/#/notifications")
    expect(heading(page)).to_have_text("Notifications")
    expect(page.locator("#who .bell")).to_have_attribute(
        "aria-label", re.compile(r"\d+ unread")
    )
    assert seen.screen() == ["Notifications"]
    assert_accessible(page, "the notifications page")
    shot(page, shots, "notifications")
    page.get_by_role("link", name=re.compile(re.escape(name))).first.click()
    expect(heading(page)).to_have_text(name)

    # signed out: sign in first, then land on the lead
    stranger = open_page()
    stranger.goto(link)
    expect(heading(stranger)).to_have_text("Sign in to Accord")
    expect(stranger).to_have_url(re.compile(r"next="))
    stranger.get_by_label("E-mail").fill(who.email)
    stranger.get_by_label("Password", exact=True).fill(who.password)
    stranger.get_by_role("button", name="Sign in").click()
    expect(heading(stranger)).to_have_text(name)

    # a handoff's address opens its lead too
    handoff = lead_now(demo, lead_id)["handoffs"][0]["id"]
    page.goto(f"/#/handoffs/{handoff}")
    expect(heading(page)).to_have_text(name)


# ---- my account, the shell ------------------------------------------------------


def test_a_rep_sets_herself_out_of_office_and_back(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    who = rep(demo, 5)
    page = open_page(who)
    page.goto("/#/account")
    form = page.locator("form[data-form='preferences']")
    expect(form.get_by_label("I am taking new leads")).to_be_checked()
    form.get_by_label("I am out of office").check()
    form.get_by_role("button", name="Save availability").click()
    expect(page.locator("#notice")).to_contain_text("you are out of office")
    me = call(demo, who, "query { viewer { outOfOffice acceptsLeads } }")["viewer"]
    assert me == {"outOfOffice": True, "acceptsLeads": True}
    assert_accessible(page, "my account (preferences)")
    shot(page, shots, "account-availability")
    form.get_by_label("I am out of office").uncheck()
    form.get_by_role("button", name="Save availability").click()
    expect(page.locator("#notice")).to_contain_text("Saved your availability.")
    assert (
        call(demo, who, "query { viewer { outOfOffice } }")["viewer"]["outOfOffice"]
        is False
    )


def test_the_header_badge_tells_the_teams_apart(
    open_page: Any, demo: DemoServer
) -> None:
    expected = {
        ("LEADERSHIP", "MANAGER"): "Leadership manager",
        ("MARKETING", "MANAGER"): "Marketing manager",
        ("SALES", "MANAGER"): "Sales manager",
        ("SALES", "MEMBER"): "Sales member",
        ("LEADERSHIP", "ADMIN"): "Admin",
    }
    for (team, role), text in expected.items():
        page = open_page(demo.person(team, role))
        page.goto("/#/account")
        expect(page.locator("#who .badge")).to_have_text(text)


def test_a_first_visit_signed_out_logs_no_401(browser: Any, demo: DemoServer) -> None:
    ctx = browser.new_context(base_url=demo.url)
    page = ctx.new_page()
    logged: list[str] = []
    page.on("console", lambda m: logged.append(f"{m.type}: {m.text}"))
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status))
    page.goto("/")
    expect(heading(page)).to_have_text("Sign in to Accord")
    page.wait_for_timeout(300)
    ctx.close()
    assert logged == [] and 401 not in statuses, (logged, statuses)


def test_the_audit_log_stays_readable_with_long_changes(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    page = open_page(demo.person("MARKETING", "MANAGER"))
    page.goto("/#/audit")
    expect(page.locator("main table tbody tr")).to_have_count(20)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 5000, f"the audit page is {height} px tall for 20 rows"
    shot(page, shots, "audit-log")


# ---- the lead page's actions ------------------------------------------------------

UPDATE = """mutation($input: UpdateLeadInput!) {
  updateLead(input: $input) { lead { version } userErrors { code message } }
}"""
VERSION = "query($id: ID!) { node(id: $id) { ... on Lead { version company } } }"


def test_a_rep_works_a_lead_from_its_page_to_won_and_rates_it(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    who = rep(demo, 1)
    lead_id, name = make_lead(demo, "Wanda")
    hand_off(demo, lead_id, who)
    page = open_page(who)
    page.goto(f"/#/leads/{lead_id}")
    expect(heading(page)).to_have_text(name)
    actions = page.locator("section.actions-card")
    expect(actions).to_contain_text("This lead is handed to you.")
    actions.get_by_role("button", name="Accept").click()
    expect(page.locator("#notice")).to_contain_text("Accepted")
    badges = page.locator(".lead-badges .stage")
    expect(badges).to_have_text("SAL")

    for target in ("SQL", "Opportunity"):
        actions.get_by_text("Move stage…").click()
        form = actions.locator("form[data-form='move']")
        form.get_by_label("To").select_option(label=target)
        form.get_by_role("button", name="Move").click()
        expect(badges).to_have_text(target)

    actions.get_by_text("Close as won or lost…").click()
    close = actions.locator("form[data-form='close']")
    close.get_by_label("Outcome").select_option("WON")
    close.get_by_label("Amount").fill("12000")
    close.get_by_role("button", name="Close the lead").click()
    expect(badges).to_have_text("Won")
    # the amount in the viewer's locale (en-GB) with the currency (USD)
    expect(page.locator("#who-title").locator("..")).to_contain_text("US$12,000")

    actions.get_by_text("Rate this lead…").click()
    rate = actions.locator("form[data-form='feedback']")
    rate.get_by_label("Rating").select_option("4")
    rate.get_by_label("Comment").fill("Ready to buy, as marketing said")
    rate.get_by_role("button", name="Save feedback").click()
    expect(page.locator("#feedback-title").locator("..")).to_contain_text(
        "Ready to buy, as marketing said"
    )
    history = page.locator("#stage-title").locator("..")
    expect(history).to_contain_text("Opportunity → Won")
    assert_accessible(page, "the lead page (sales, won)")
    shot(page, shots, "lead-page-won")


def test_rejecting_needs_a_comment_for_other_and_recycles_the_lead(
    open_page: Any, demo: DemoServer
) -> None:
    who = rep(demo, 2)
    lead_id, name = make_lead(demo, "Otto")
    hand_off(demo, lead_id, who)
    page = open_page(who)
    page.goto("/#/queue")
    item = _queue_item(page, name)
    item.get_by_text("Reject…").click()
    item.get_by_label("Reason").select_option("OTHER")
    item.get_by_label("Then").select_option("RECYCLE")
    item.get_by_role("button", name=f"Reject {name}").click()
    expect(item.locator("[data-form-error]").last).to_contain_text("omment")
    item.get_by_label("Comment").fill("Moved to a competitor's parent company")
    item.get_by_role("button", name=f"Reject {name}").click()
    expect(page.locator("#notice")).to_contain_text(f"Rejected: {name}.")
    assert lead_now(demo, lead_id)["stage"] == "RECYCLED"


def test_an_edit_after_someone_elses_shows_both_versions(
    open_page: Any, demo: DemoServer
) -> None:
    lead_id, name = make_lead(demo, "Vera", qualify=False)
    page = open_page(marketer(demo))
    page.goto(f"/#/leads/{lead_id}")
    expect(heading(page)).to_have_text(name)
    page.get_by_text("Edit details…").click()
    form = page.locator("form[data-form='edit']")
    form.get_by_label("Company", exact=True).fill("Mine GmbH")

    # meanwhile a CRM sync changes the same lead
    version = call(demo, marketer(demo), VERSION, id=lead_id)["node"]["version"]
    theirs = {"id": lead_id, "expectedVersion": version, "company": "Theirs AG"}
    done = call(demo, marketer(demo), UPDATE, input=theirs)["updateLead"]
    assert done["userErrors"] == []

    form.get_by_role("button", name="Save").click()
    conflict = page.locator(".conflict")
    expect(conflict).to_contain_text(f"version {version + 1}")
    row = conflict.locator("tr").filter(has_text="company")
    expect(row).to_contain_text("Mine GmbH")
    expect(row).to_contain_text("Theirs AG")
    assert_accessible(page, "the lead page with an edit conflict")
    # saving again puts mine over theirs, knowingly
    page.locator("form[data-form='edit']").get_by_role("button", name="Save").click()
    expect(page.locator("#notice")).to_contain_text("Lead saved.")
    expect(page.locator(".conflict")).to_have_count(0)
    assert (
        call(demo, marketer(demo), VERSION, id=lead_id)["node"]["company"]
        == "Mine GmbH"
    )


def test_a_sales_manager_reassigns_several_leads_from_the_list(
    open_page: Any, demo: DemoServer
) -> None:
    first, second = rep(demo, 3), rep(demo, 4)
    made = [make_lead(demo, name) for name in ("Bea", "Ben")]
    for lead_id, _ in made:
        hand_off(demo, lead_id, first)
    never, never_name = make_lead(demo, "Bodo")  # not handed off: nothing to reassign
    page = open_page(demo.person("SALES", "MANAGER", 0))
    page.goto("/#/leads?q=Tester&sort=CREATED_AT_DESC")
    for _, name in [*made, (never, never_name)]:
        page.get_by_label(f"Select {name}").check()
    choose_person(page.get_by_label("Reassign to"), second.name)
    page.get_by_role("button", name="Reassign 3 selected").click()
    rows = page.locator("table.leads tbody tr")
    for _, name in made:
        expect(rows.filter(has_text=name).locator(".outcome")).to_contain_text(
            f"Reassigned to {second.name}"
        )
    expect(rows.filter(has_text=never_name).locator(".outcome.error")).to_contain_text(
        "No pending handoff"
    )
    for lead_id, _ in made:
        pending = [
            h for h in lead_now(demo, lead_id)["handoffs"] if h["status"] == "PENDING"
        ]
        assert [h["assignee"]["name"] for h in pending] == [second.name]


def test_empty_results_say_so_and_times_follow_the_viewer(
    open_page: Any, demo: DemoServer
) -> None:
    who = marketer(demo)
    page = open_page(who)  # the browser runs in Los Angeles, the viewer does not
    page.goto("/#/leads?q=no-such-lead-anywhere")
    expect(page.locator("main .empty")).to_have_text("No lead matches these filters.")
    lead_id, name = make_lead(demo, "Tilda")
    page.goto(f"/#/leads/{lead_id}")
    expect(heading(page)).to_have_text(name)
    expect(page.locator("main")).not_to_contain_text(
        re.compile(r"\b(PST|PDT|GMT-[78])\b")
    )
    expect(page.locator("#followups-title").locator("..")).to_contain_text(
        "No follow-up yet."
    )


RECORD_MANY = """mutation($input: RecordLeadActivitiesInput!) {
  recordLeadActivities(input: $input) { summary { created } userErrors { message } }
}"""


def test_the_activity_timeline_pages(open_page: Any, demo: DemoServer) -> None:
    lead_id, name = make_lead(demo, "Paige", qualify=False)
    activities = [
        {
            "leadId": lead_id,
            "kind": "PAGE_VIEW",
            "occurredAt": f"2026-11-{day:02d}T10:00:00Z",
            "metadata": {"page": f"/blog/{day}"},
        }
        for day in range(1, 26)
    ]
    done = call(demo, marketer(demo), RECORD_MANY, input={"activities": activities})
    assert done["recordLeadActivities"]["summary"]["created"] == 25
    page = open_page(marketer(demo))
    page.goto(f"/#/leads/{lead_id}")
    expect(heading(page)).to_have_text(name)
    items = page.locator("ol.timeline li")
    expect(items).to_have_count(20)
    expect(items.first).to_contain_text("page: /blog/25")  # newest first
    page.get_by_role("button", name="Show older activity (20 of 25 shown)").click()
    expect(items).to_have_count(25)
    expect(items.last).to_contain_text("page: /blog/1")
    expect(page.get_by_role("button", name=re.compile("Show older"))).to_have_count(0)


def test_a_marketing_manager_hands_off_an_unqualified_lead_with_a_reason(
    open_page: Any, demo: DemoServer
) -> None:
    lead_id, name = make_lead(demo, "Olga", qualify=False)
    member = open_page(marketer(demo))
    member.goto(f"/#/leads/{lead_id}")
    expect(heading(member)).to_have_text(name)
    expect(member.get_by_text("Hand off")).to_have_count(0)  # members may not override

    page = open_page(demo.person("MARKETING", "MANAGER"))
    page.goto(f"/#/leads/{lead_id}")
    page.get_by_text("Hand off without qualification…").click()
    form = page.locator("form[data-form='handoff']")
    choose_person(form.get_by_label("To"), rep(demo, 0).name)
    form.get_by_role("button", name="Hand off").click()
    expect(
        form.locator("[data-form-error], .field-error").filter(has_text="eason")
    ).to_be_visible()
    form.get_by_label("Why hand off an unqualified lead").fill(
        "Met her at the trade fair"
    )
    form.get_by_role("button", name="Hand off").click()
    expect(page.locator("#notice")).to_contain_text("Handed off.")
    expect(page.locator("ol.handoffs")).to_contain_text("Met her at the trade fair")
    assert lead_now(demo, lead_id)["handoffs"][0]["status"] == "PENDING"
