"""Agreements in the browser, on the demo company: drafting, the diff against the
terms in force, proposing, signing and countersigning in two browser contexts,
rejecting with a reason, the 24-hour cool-off, drafts that survive a reload,
version conflicts, persona evidence and sign-off requests from notifications.

The demo world is shared by every browser test of the session. The demo's pending
SLA amendment is countersigned by the first test here (by keyboard alone); every
other test makes the agreements it works on, and one amending the SLA in force
first settles whatever is pending on it, so it also passes alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.client.conftest import DemoLogin, DemoServer
from tests.client.web import assert_accessible, expect, heading, shot

SLA_IN_FORCE = """{ activeServiceLevelAgreement {
  id version revision pending contentHash terms { ... on ServiceLevelAgreementTerms {
    acceptWithinHours } } signOffs { team } } }"""
AGREEMENT_STATE = """query A($id: ID!) { node(id: $id) { ... on Agreement {
  id status pending revision version contentHash lastRejection { reason }
  revisions { number contentHash signOffs { team contentHash user { name } } } } } }"""
CREATE_PERSONA = """mutation P($input: CreatePersonaInput!) {
  createPersona(input: $input) { persona { id version } userErrors { message } } }"""
CREATE_GOAL = """mutation G($input: CreateGoalInput!) {
  createGoal(input: $input) { goal { id version } userErrors { message } } }"""
UPDATE_GOAL = """mutation U($input: UpdateGoalInput!) {
  updateGoal(input: $input) { goal { id version } userErrors { message code } } }"""
PROPOSE = """mutation P($input: ProposeAgreementInput!) {
  proposeAgreement(input: $input) {
    agreement { id contentHash } userErrors { message } } }"""
DISCARD = """mutation D($input: DiscardDraftInput!) {
  discardDraft(input: $input) { agreement { id } userErrors { message } } }"""
NOTIFICATIONS = (
    """{ notifications(first: 50) { edges { node { kind title link } } } }"""
)


def gql(demo: DemoServer, who: DemoLogin, query: str, **variables: Any) -> Any:
    body = demo.gql(query, variables, session=demo.session_of(who)).json()
    assert "errors" not in body, body
    return body["data"]


def state_of(demo: DemoServer, who: DemoLogin, agreement_id: str) -> Any:
    return gql(demo, who, AGREEMENT_STATE, id=agreement_id)["node"]


def proposed_persona(demo: DemoServer, who: DemoLogin, name: str) -> str:
    """A persona of this test's own, proposed (so both teams may sign it)."""
    terms = {"name": name, "industries": ["Energy"], "regions": ["DE", "AT"]}
    made = gql(demo, who, CREATE_PERSONA, input={"terms": terms})["createPersona"]
    assert made["persona"], made
    pid = made["persona"]["id"]
    assert gql(demo, who, PROPOSE, input={"agreementId": pid})["proposeAgreement"][
        "agreement"
    ]
    return str(pid)


def tab_to(page: Any, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)",
            selector,
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


def sign_offs_table(page: Any) -> Any:
    return page.get_by_role("table", name="Every sign-off")


# ---- the demo's own pending amendment, by keyboard alone ----------------------------


def test_the_demo_sales_manager_countersigns_the_pending_sla_amendment_by_keyboard(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    manager = demo.person("SALES", "MANAGER")
    sla = gql(demo, manager, SLA_IN_FORCE)["activeServiceLevelAgreement"]
    assert sla["pending"] == "PROPOSED", "the demo SLA amendment must be untouched"
    assert [s["team"] for s in sla["signOffs"]] == ["MARKETING"]
    page = open_page(manager)
    page.goto("/#/agreements")
    expect(heading(page)).to_have_text("Agreements")
    waiting = page.get_by_role("region", name="Waiting for your signature")
    expect(waiting.get_by_role("link", name="Service-level agreement")).to_be_visible()

    # Tab to the waiting SLA, open it, Tab to the countersign button, press it.
    tab_to(page, "section[aria-labelledby='waiting-title'] a")
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Service-level agreement")
    expect(page.get_by_test_id("content-hash")).to_have_text(sla["contentHash"])
    button = page.get_by_role("button", name="Countersign for Sales")
    expect(button).to_be_visible()
    # The hash being signed sits next to the button.
    expect(page.locator(".sign-box")).to_contain_text(sla["contentHash"])
    shot(page, shots, "agreement-demo-sla-before-countersign")
    tab_to(page, "button[data-action='sign']")
    page.keyboard.press("Enter")

    expect(page.locator("#notice")).to_contain_text(
        f"Countersigned: revision {sla['revision'] + 1} is in force"
    )
    expect(page.locator("[data-region='subtitle']")).to_contain_text(
        f"revision {sla['revision'] + 1} in force"
    )
    after = state_of(demo, manager, sla["id"])
    assert (after["status"], after["pending"]) == ("ACTIVE", "NONE")
    newest = after["revisions"][-1]
    assert newest["contentHash"] == sla["contentHash"]
    assert sorted(s["team"] for s in newest["signOffs"]) == ["MARKETING", "SALES"]
    assert_accessible(page, "the SLA after the countersignature")
    shot(page, shots, "agreement-demo-sla-countersigned")


# ---- an SLA amendment, proposed and signed by marketing, countersigned by sales ----


def settle_sla(demo: DemoServer, manager: DemoLogin) -> dict[str, Any]:
    """The SLA in force with nothing pending (pending changes are discarded)."""
    sla = gql(demo, manager, SLA_IN_FORCE)["activeServiceLevelAgreement"]
    if sla["pending"] != "NONE":
        gql(demo, manager, DISCARD, input={"agreementId": sla["id"]})
        sla = gql(demo, manager, SLA_IN_FORCE)["activeServiceLevelAgreement"]
    assert sla["pending"] == "NONE", sla
    return dict(sla)


def test_marketing_amends_the_sla_and_sales_countersigns_in_a_second_context(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    marketing = demo.person("MARKETING", "MANAGER")
    sales = demo.person("SALES", "MANAGER")
    sla = settle_sla(demo, marketing)
    hours = str(int(float(sla["terms"]["acceptWithinHours"])) + 2)

    page = open_page(marketing)
    page.goto("/#/agreements")
    sla_list = page.get_by_role("region", name="Service-level agreements")
    # the one in force (the demo also drafts next year's, never in force)
    in_force = sla_list.get_by_role("row").filter(
        has=page.locator(f"a[href$='/agreements/{sla['id']}']")
    )
    in_force.get_by_role("link", name="Service-level agreement").click()
    expect(heading(page)).to_have_text("Service-level agreement")
    page.get_by_role("button", name="Draft an amendment").click()
    form = page.locator("form[data-form='terms']")
    form.get_by_label("Accept within (hours)").fill(hours)
    form.get_by_role("button", name="Add a holiday").click()
    holiday = form.locator("input[type='date']").last
    expect(holiday).to_be_focused()
    holiday.fill("2027-08-15")

    # The draft survives a reload before it is saved.
    page.reload()
    expect(page.locator("#notice")).to_contain_text("restored")
    form = page.locator("form[data-form='terms']")
    expect(form.get_by_label("Accept within (hours)")).to_have_value(hours)
    expect(form.locator("input[type='date']").last).to_have_value("2027-08-15")

    # A closing time that is not HH:MM comes back from the server next to its field.
    form.get_by_label("Closes at").fill("6pm")
    form.get_by_role("button", name="Save the amendment draft").click()
    closes_error = form.locator("[data-error-for='businessCalendar.dayEnd']")
    expect(closes_error).to_be_visible()
    expect(form.get_by_label("Closes at")).to_have_attribute("aria-invalid", "")
    assert_accessible(page, "the SLA form with a field error")
    shot(page, shots, "agreement-sla-field-error")
    form.get_by_label("Closes at").fill("18:00")
    form.get_by_role("button", name="Save the amendment draft").click()
    expect(page.locator("#notice")).to_contain_text("Saved")

    # The diff against the SLA in force: the changed hours and the added holiday.
    diff = page.get_by_role("table", name=re.compile("Changes from the terms in force"))
    hours_row = diff.get_by_role("row", name=re.compile("Accept within"))
    expect(hours_row).to_contain_text("Changed")
    expect(hours_row).to_contain_text(hours)
    holiday_row = diff.get_by_role("row", name=re.compile("holidays"))
    expect(holiday_row).to_contain_text("Added")
    expect(holiday_row).to_contain_text("2027-08-15")
    assert_accessible(page, "an SLA amendment draft with its diff")
    shot(page, shots, "agreement-sla-amendment-diff")

    page.get_by_role("button", name="Propose for signing").click()
    hash_shown = page.get_by_test_id("content-hash")
    expect(hash_shown).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    content_hash = hash_shown.inner_text()
    sign = page.get_by_role("button", name="Sign for Marketing")
    expect(page.locator(".sign-box")).to_contain_text(content_hash)
    sign.click()
    expect(page.locator("#notice")).to_contain_text("waits for the other team")
    expect(page.get_by_role("button", name="Withdraw my sign-off")).to_be_visible()

    # Sales, in a second browser context, finds it waiting and countersigns.
    other = open_page(sales)
    other.goto("/#/agreements")
    waiting = other.get_by_role("region", name="Waiting for your signature")
    expect(waiting).to_contain_text("Marketing signed (Mara")
    waiting.get_by_role("link", name="Service-level agreement").click()
    expect(other.get_by_test_id("content-hash")).to_have_text(content_hash)
    expect(other.get_by_role("table", name=re.compile("Changes from"))).to_contain_text(
        "2027-08-15"
    )
    other.get_by_role("button", name="Countersign for Sales").click()
    revision = sla["revision"] + 1
    expect(other.locator("#notice")).to_contain_text(f"revision {revision} is in force")

    # Both see the new revision in force with two sign-offs of the same hash.
    page.reload()
    for seen in (page, other):
        expect(seen.locator("[data-region='subtitle']")).to_contain_text(
            f"revision {revision} in force"
        )
        counted = sign_offs_table(seen).get_by_role(
            "row", name=re.compile(f"put revision {revision} in force")
        )
        expect(counted).to_have_count(2)
        expect(counted.filter(has_text=content_hash)).to_have_count(2)
        expect(counted.filter(has_text="Marketing Manager")).to_have_count(1)
        expect(counted.filter(has_text="Sales Manager")).to_have_count(1)
    history = page.get_by_role("group").filter(has_text=f"Revision {revision}:")
    expect(history.first).to_be_visible()
    assert_accessible(other, "the SLA countersigned")
    shot(other, shots, "agreement-sla-countersigned")


# ---- who sees which buttons -------------------------------------------------------


def test_a_marketing_member_reads_a_proposal_but_sees_no_sign_button(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    manager = demo.person("MARKETING", "MANAGER")
    pid = proposed_persona(demo, manager, "Energy utilities buyer (member view)")
    member = open_page(demo.person("MARKETING", "MEMBER"))
    member.goto(f"/#/agreements/{pid}")
    expect(heading(member)).to_have_text("Energy utilities buyer (member view)")
    expect(member.get_by_test_id("content-hash")).to_be_visible()
    expect(member.get_by_test_id("why-no-actions")).to_contain_text(
        "Only managers of marketing and sales"
    )
    proposal = member.locator("[data-region='proposal-card']")
    expect(proposal.get_by_role("button")).to_have_count(0)
    expect(member.get_by_text("Reject this proposal")).to_have_count(0)
    # ...while the manager of the same team is offered the signature.
    boss = open_page(demo.person("MARKETING", "MANAGER", 1))
    boss.goto(f"/#/agreements/{pid}")
    expect(boss.get_by_role("button", name="Sign for Marketing")).to_be_enabled()
    assert_accessible(member, "a proposal read by a member")
    shot(member, shots, "agreement-member-view")


def test_a_manager_in_the_24_hour_cool_off_sees_why_and_until_when(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    marketing = demo.person("MARKETING", "MANAGER")
    pid = proposed_persona(demo, marketing, "Energy utilities buyer (cool-off)")
    admin = demo.person("LEADERSHIP", "ADMIN")
    fresh_email = "new.sales.manager@nordlicht.example"
    create = """mutation C($input: CreateUserInput!) {
      createUser(input: $input) { user { id } userErrors { message } } }"""
    user = gql(
        demo,
        admin,
        create,
        input={
            "email": fresh_email,
            "name": "Nina Neu",
            "team": "SALES",
            "role": "MANAGER",
            "timezone": "Europe/Berlin",
        },
    )["createUser"]["user"]
    link = """mutation L($input: CreateSetPasswordLinkInput!) {
      createSetPasswordLink(input: $input) { url } }"""
    url = gql(demo, admin, link, input={"userId": user["id"]})["createSetPasswordLink"][
        "url"
    ]
    token = url.split("token=", 1)[1]
    password = "a fresh manager passphrase 7"
    done = demo.gql(
        """mutation S($input: SetPasswordInput!) {
          setPassword(input: $input) { ok } }""",
        {"input": {"token": token, "password": password}},
    ).json()
    assert done["data"]["setPassword"]["ok"], done
    fresh = DemoLogin(fresh_email, password, "Nina Neu", "SALES", "MANAGER")

    page = open_page(fresh)
    page.goto(f"/#/agreements/{pid}")
    button = page.get_by_role("button", name="Sign for Sales")
    expect(button).to_be_disabled()
    why = page.locator("#sign-blocked")
    expect(why).to_contain_text("less than 24 hours ago")
    expect(why).to_contain_text(
        re.compile(r"You can sign from .*\d{4}.*\(in (23|24) hours", re.S)
    )
    assert_accessible(page, "a proposal during the cool-off")
    shot(page, shots, "agreement-cool-off")


# ---- a model proposal rejected with a reason ---------------------------------


def test_sales_rejects_a_model_proposal_with_a_reason_that_marketing_reads(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    marketing = demo.person("MARKETING", "MANAGER", 1)
    page = open_page(marketing)
    page.goto("/#/agreements")
    page.get_by_role("link", name="New qualification model").click()
    expect(heading(page)).to_have_text("New qualification model")
    form = page.locator("form[data-form='terms']")
    form.get_by_role("button", name="Add a fit rule").click()
    rule = form.locator("fieldset[data-row='fitRules.0']")
    expect(rule.get_by_label("Label")).to_be_focused()
    rule.get_by_label("Label").fill("Large company")
    rule.get_by_label("Lead field").select_option("companySize")
    rule.get_by_label("Operator").select_option("BETWEEN")
    rule.get_by_label("Values").fill("500")
    rule.get_by_label("Points").fill("25")
    form.get_by_role("button", name="Add an engagement rule").click()
    engagement = form.locator("fieldset[data-row='engagementRules.0']")
    engagement.get_by_label("Activity", exact=True).select_option("DEMO_REQUEST")
    engagement.get_by_label("Points per activity").fill("30")
    engagement.get_by_label("Cap (maximum points)").fill("30")
    form.get_by_label("MQL threshold").fill("50")
    form.get_by_label("Demo request").check()
    form.get_by_role("button", name="Create the qualification model draft").click()

    # BETWEEN with one value: the server's error lands beside the values.
    values_error = rule.locator("[data-error-for='fitRules.0.values']")
    expect(values_error).to_contain_text("BETWEEN takes 2 value")
    assert_accessible(page, "the new qualification model form with a field error")
    shot(page, shots, "agreement-model-form-error")
    rule.get_by_label("Values").fill("500\n5000")
    form.get_by_role("button", name="Create the qualification model draft").click()
    expect(heading(page)).to_have_text("Qualification model")
    expect(page.locator("#notice")).to_contain_text("Draft created")
    model_url = page.url
    page.get_by_role("button", name="Propose for signing").click()
    expect(page.get_by_test_id("content-hash")).to_be_visible()

    sales = open_page(demo.person("SALES", "MANAGER", 1))
    sales.goto("/" + model_url.split("/", 3)[3])
    expect(sales.get_by_role("button", name="Sign for Sales")).to_be_visible()
    sales.get_by_text("Reject this proposal").click()
    sales.get_by_role("button", name="Reject with this reason").click()
    expect(sales.locator("#reject-reason-error")).to_contain_text("reason")
    reason = "Company size alone is too coarse: add the manufacturing industries first."
    sales.get_by_label("Reason for sending it back").fill(reason)
    sales.get_by_role("button", name="Reject with this reason").click()
    expect(sales.locator("#notice")).to_contain_text("sent back")

    page.reload()
    expect(page.get_by_test_id("rejection-reason")).to_have_text(reason)
    expect(page.locator(".rejection")).to_contain_text("Sent back by Nora")
    expect(page.locator("[data-region='subtitle']")).to_contain_text(
        "Draft being edited"
    )
    expect(page.get_by_role("button", name="Propose for signing")).to_be_visible()
    assert_accessible(page, "a model proposal sent back")
    shot(page, shots, "agreement-model-rejected")


# ---- conflicts, evidence, notifications, the list -----------------------------


def test_a_stale_save_shows_both_versions_and_can_keep_mine(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    first = demo.person("MARKETING", "MANAGER")
    terms = {
        "title": "Webinar sign-ups this quarter",
        "kind": "NET_NEW_ACQUISITION",
        "metric": "MANUAL",
        "target": "400",
        "unit": "sign-ups",
        "periodStart": "2027-01-01",
        "periodEnd": "2027-03-31",
    }
    made = gql(demo, first, CREATE_GOAL, input={"terms": terms})["createGoal"]["goal"]
    page = open_page(demo.person("SALES", "MANAGER", 1))
    page.goto(f"/#/agreements/{made['id']}")
    page.get_by_role("button", name="Edit the draft").click()
    form = page.locator("form[data-form='terms']")
    form.get_by_label("Target").fill("450")

    # Meanwhile someone else saves another target.
    changed = gql(
        demo,
        first,
        UPDATE_GOAL,
        input={
            "id": made["id"],
            "expectedVersion": made["version"],
            "terms": {**terms, "target": "500"},
        },
    )["updateGoal"]
    assert changed["goal"], changed
    form.get_by_role("button", name="Save draft").click()
    conflict = page.locator("[data-conflict]")
    expect(conflict).to_contain_text("changed while you were editing")
    table = conflict.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("Target"))).to_contain_text("500")
    expect(table.get_by_role("row", name=re.compile("Target"))).to_contain_text("450")
    assert_accessible(page, "a version conflict")
    shot(page, shots, "agreement-conflict")
    page.get_by_role("button", name=re.compile("Keep mine")).click()
    page.locator("form[data-form='terms']").get_by_role(
        "button", name="Save draft"
    ).click()
    expect(page.locator("#notice")).to_contain_text("Saved")
    expect(page.locator(".compare .pending")).to_contain_text("450 sign-ups")


def test_a_sales_rep_adds_evidence_to_a_persona(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    pid = proposed_persona(
        demo, demo.person("MARKETING", "MANAGER"), "Energy utilities buyer (evidence)"
    )
    rep = demo.person("SALES", "MEMBER")
    page = open_page(rep)
    page.goto(f"/#/agreements/{pid}")
    evidence = page.locator("form[data-form='evidence']")
    evidence.get_by_role("button", name="Add evidence").click()
    expect(evidence.locator("#evidence-note-error")).to_be_visible()
    evidence.get_by_label("Source").select_option("SALES_ANECDOTE")
    note = "Three utilities asked for grid-outage dashboards <b>this month</b>."
    evidence.get_by_label("Note").fill(note)
    evidence.get_by_role("button", name="Add evidence").click()
    expect(page.locator("ul.evidence")).to_contain_text(note)
    expect(page.locator("ul.evidence b")).to_have_count(0)
    expect(page.locator("ul.evidence")).to_contain_text(rep.name)
    # A rep negotiates nothing: no sign, edit or reject.
    main = page.locator("main")
    expect(
        main.get_by_role("button", name=re.compile("Sign|Edit|Discard"))
    ).to_have_count(0)
    assert_accessible(page, "a persona with evidence")
    shot(page, shots, "agreement-persona-evidence")


def test_the_sign_off_request_notification_opens_the_agreement_page(
    open_page: Any, demo: DemoServer
) -> None:
    marketing = demo.person("MARKETING", "MANAGER")
    sales = demo.person("SALES", "MANAGER")
    name = "Energy utilities buyer (notified)"
    pid = proposed_persona(demo, marketing, name)
    links = [
        edge["node"]["link"]
        for edge in gql(demo, sales, NOTIFICATIONS)["notifications"]["edges"]
        if edge["node"]["kind"] == "SIGN_OFF_REQUESTED"
    ]
    assert f"/#/agreements/{pid}" in links
    page = open_page(sales)
    page.goto(f"/#/agreements/{pid}")
    expect(heading(page)).to_have_text(name)
    expect(page.get_by_role("button", name="Sign for Sales")).to_be_visible()


def test_the_lists_show_every_kind_with_what_waits_first_at_phone_width(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    marketing = demo.person("MARKETING", "MANAGER")
    proposed_persona(demo, marketing, "Energy utilities buyer (list)")
    page = open_page(demo.person("SALES", "MANAGER"), width=390)
    page.goto("/#/agreements")
    for name in (
        "Goals",
        "Personas",
        "Qualification models",
        "Service-level agreements",
    ):
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    waiting = page.get_by_role("region", name="Waiting for your signature")
    expect(
        waiting.get_by_role("link", name="Energy utilities buyer (list)")
    ).to_be_visible()
    expect(waiting).to_contain_text("waiting for Sales")
    row = page.get_by_role("row", name=re.compile(r"Energy utilities buyer \(list\)"))
    expect(row).to_contain_text("waits for you")
    expect(row).to_contain_text("Proposed, awaiting sign-offs")
    expect(page.get_by_role("link", name="New persona")).to_be_visible()
    assert_accessible(page, "the agreement lists at phone width")
    shot(page, shots, "agreements-list-phone")


SIGN = """mutation S($input: SignOffInput!) {
  signOff(input: $input) { agreement { status revision } userErrors { message } } }"""


def test_a_manager_signs_withdraws_and_discards_then_retirement_is_proposed(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    marketing = demo.person("MARKETING", "MANAGER")
    sales = demo.person("SALES", "MANAGER")
    pid = proposed_persona(demo, marketing, "Energy utilities buyer (withdrawn)")
    page = open_page(marketing)
    page.goto(f"/#/agreements/{pid}")
    page.get_by_role("button", name="Sign for Marketing").click()
    expect(page.locator("#notice")).to_contain_text("waits for the other team")
    page.get_by_role("button", name="Withdraw my sign-off").click()
    page.get_by_role("dialog").get_by_role("button", name="Withdraw").click()
    expect(page.locator("#notice")).to_contain_text("withdrawn")
    withdrawn = sign_offs_table(page).get_by_role("row", name=re.compile("Mara"))
    expect(withdrawn).to_contain_text("voided — withdrawn by the signer")
    expect(page.get_by_role("button", name="Sign for Marketing")).to_be_visible()
    page.get_by_role("button", name="Discard this draft").click()
    page.get_by_role("dialog").get_by_role("button", name="Discard").click()
    expect(page.locator("[data-region='subtitle']")).to_contain_text("Discarded")
    expect(
        page.locator("[data-region='proposal-card']").get_by_role("button")
    ).to_have_count(0)
    assert state_of(demo, marketing, pid)["status"] == "DISCARDED"

    # A persona in force: retiring it is proposed here, and both teams sign it.
    kept = proposed_persona(demo, marketing, "Energy utilities buyer (retired)")
    content_hash = state_of(demo, marketing, kept)["contentHash"]
    for who in (marketing, sales):
        signed = gql(
            demo, who, SIGN, input={"agreementId": kept, "contentHash": content_hash}
        )["signOff"]
        assert signed["agreement"], signed
    page.goto(f"/#/agreements/{kept}")
    expect(page.locator("[data-region='subtitle']")).to_contain_text(
        "revision 1 in force"
    )
    page.get_by_role("button", name="Propose retirement").click()
    page.get_by_role("dialog").get_by_role("button", name="Propose retirement").click()
    expect(page.locator("[data-region='proposal']")).to_contain_text(
        "Retiring revision 1"
    )
    page.get_by_role("button", name="Sign for Marketing").click()
    other = open_page(sales)
    other.goto(f"/#/agreements/{kept}")
    other.get_by_role("button", name="Countersign for Sales").click()
    expect(other.locator("#notice")).to_contain_text("retired")
    expect(other.locator("[data-region='subtitle']")).to_contain_text("Retired")
    retiring = sign_offs_table(other).get_by_role("row", name=re.compile("to retire"))
    expect(retiring).to_have_count(2)
    assert_accessible(other, "a retired persona")
    shot(other, shots, "agreement-persona-retired")


def test_marketing_drafts_a_persona_in_the_form_and_fixes_a_field_error(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    page = open_page(demo.person("MARKETING", "MANAGER", 1), width=820)
    page.goto("/#/agreements/new/persona")
    expect(heading(page)).to_have_text("New persona")
    form = page.locator("form[data-form='terms']")
    form.get_by_label("Name", exact=True).fill("Municipal utility CIO")
    form.get_by_label("Company size from (employees)").fill("500")
    form.get_by_label("Company size to (employees)").fill("50")
    form.get_by_label("Industries").fill("Utilities\nPublic sector")
    form.get_by_label("Regions").fill("DE")
    form.get_by_role("button", name="Create the persona draft").click()
    size_max = form.get_by_label("Company size to (employees)")
    expect(size_max).to_have_attribute("aria-invalid", "")
    expect(form.locator("[data-error-for='companySizeMax']")).to_contain_text(
        "Must not be smaller than companySizeMin"
    )
    assert_accessible(page, "the persona form with a field error")
    shot(page, shots, "agreement-persona-form-error")
    size_max.fill("5000")
    form.get_by_role("button", name="Create the persona draft").click()
    expect(heading(page)).to_have_text("Municipal utility CIO")
    pending = page.locator(".compare .pending")
    expect(pending).to_contain_text("Utilities, Public sector")
    expect(pending).to_contain_text("500 to 5000 employees")
    page.get_by_role("button", name="Propose for signing").click()
    expect(page.get_by_role("button", name="Sign for Marketing")).to_be_visible()
