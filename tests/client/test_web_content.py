"""The content board in the browser, with the demo company: a sales rep asks
for a battlecard, marketing accepts, works, gets changes requested and
delivers, the rep rates it — once by mouse and once by keyboard only."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.client.conftest import DemoLogin, DemoServer
from tests.client.web import assert_accessible, expect, heading, shot

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def in_days(n: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=n)).isoformat()


def rep_and_marketer(demo: DemoServer) -> tuple[DemoLogin, DemoLogin]:
    return demo.person("SALES", "MEMBER"), demo.person("MARKETING", "MEMBER", 2)


def card_of(page: Any, title: str) -> Any:
    link = page.get_by_role("link", name=title, exact=True)
    return page.locator("[data-card]").filter(has=link)


def column_of(page: Any, status: str) -> Any:
    return page.locator(f'[data-column="{status}"]')


def tab_out_of_the_date_field(page: Any) -> None:
    """Chromium's date field takes a Tab for each of day, month, year and its
    calendar button."""
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") != "date":
            return
    raise AssertionError("Tab never left the date field")


def open_board(page: Any) -> None:
    page.goto("/#/content")
    expect(heading(page)).to_have_text("Content requests")
    expect(column_of(page, "SUBMITTED").locator("h2")).to_be_visible()


def test_a_battlecard_from_request_to_rating_by_mouse(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    rep, marketer = rep_and_marketer(demo)
    title = "Battlecard: Nordlicht vs. Acme Analytics for plant managers"

    # a sales rep asks for a battlecard for a persona; the form says what is missing
    page = open_page(rep)
    open_board(page)
    page.get_by_role("button", name="New request").click()
    form = page.get_by_role("dialog", name="Request content")
    form.get_by_role("button", name="Send request").click()
    expect(form.get_by_text("Give the request a title.")).to_be_visible()
    expect(form.get_by_label("Title")).to_be_focused()
    form.get_by_label("Title").fill(title)
    form.get_by_label("Type").select_option("BATTLECARD")
    form.get_by_label("Persona").select_option(index=2)
    form.get_by_label("Lead stage").select_option("SQL")
    form.get_by_label("Priority").select_option("HIGH")
    form.get_by_label("Needed by").fill(in_days(12))
    form.get_by_label("What do you need").fill("Acme keeps coming up in plant deals.")
    form.get_by_role("button", name="Send request").click()
    panel = page.locator("[data-detail]")
    expect(panel.get_by_role("heading", level=2)).to_have_text(title)
    expect(panel).to_contain_text("Submitted")
    expect(panel).to_contain_text("Paul Richter")
    expect(card_of(page, title)).to_have_attribute("data-status", "SUBMITTED")
    # the rep is offered no marketing moves
    expect(
        card_of(page, title).get_by_role("button", name=re.compile("^Accept"))
    ).to_have_count(0)

    # marketing accepts it with a committed date
    work = open_page(marketer)
    open_board(work)
    card_of(work, title).get_by_role("button", name=re.compile("^Accept")).click()
    dialog = work.get_by_role("dialog")
    dialog.get_by_label("Committed due date").fill(in_days(10))
    dialog.get_by_role("button", name="Accept request").click()
    expect(
        column_of(work, "ACCEPTED").get_by_role("link", name=title, exact=True)
    ).to_be_visible()

    # starts work, sends it to review, gets changes requested, and back again
    for button, status in (
        ("Start work", "IN_PROGRESS"),
        ("Send to review", "IN_REVIEW"),
    ):
        card_of(work, title).get_by_role(
            "button", name=re.compile(f"^{button}")
        ).click()
        expect(card_of(work, title)).to_have_attribute("data-status", status)
    card_of(work, title).get_by_role(
        "button", name=re.compile("^Request changes")
    ).click()
    dialog = work.get_by_role("dialog")
    dialog.get_by_role("button", name="Send back to work").click()
    expect(dialog.get_by_text("Say why in a few words.")).to_be_visible()
    dialog.get_by_label("What should change").fill("Add the three pricing landmines.")
    dialog.get_by_role("button", name="Send back to work").click()
    expect(card_of(work, title)).to_have_attribute("data-status", "IN_PROGRESS")
    card_of(work, title).get_by_role(
        "button", name=re.compile("^Send to review")
    ).click()
    expect(card_of(work, title)).to_have_attribute("data-status", "IN_REVIEW")

    # and delivers it, a javascript: link refused first
    card_of(work, title).get_by_role("button", name=re.compile("^Deliver")).click()
    dialog = work.get_by_role("dialog")
    dialog.get_by_label("Link (http or https)").fill("javascript:alert(1)")
    dialog.get_by_role("button", name="Deliver").click()
    expect(dialog.get_by_text("Give an http or https link.")).to_be_visible()
    dialog.get_by_label("Link (http or https)").fill(
        "https://content.nordlicht.example/acme"
    )
    dialog.get_by_role("button", name="Deliver").click()
    expect(
        column_of(work, "DELIVERED").get_by_role("link", name=title, exact=True)
    ).to_be_visible()

    # the rep sees it delivered and rates it
    page.reload()
    expect(panel).to_contain_text("Delivered asset")
    expect(panel.get_by_role("link", name=title, exact=True)).to_have_attribute(
        "href", "https://content.nordlicht.example/acme"
    )
    history = panel.locator(".history li")
    expect(history).to_have_count(7)
    expect(panel).to_contain_text("Add the three pricing landmines.")
    panel.locator('label[for="rate-4"]').click()
    panel.get_by_role("button", name="Rate").click()
    expect(panel).to_contain_text("Delivery rated 4 of 5 by Paul Richter")
    assert_accessible(page, "the content request's detail")
    shot(page, shots, "content-detail")


def test_a_battlecard_from_request_to_rating_by_keyboard_only(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    rep, marketer = rep_and_marketer(demo)
    title = "Battlecard for the Hamburg logistics deals (keyboard)"

    # the rep opens the create form with "n" and fills it by keys alone
    page = open_page(rep)
    open_board(page)
    page.locator("body").press("n")
    form = page.get_by_role("dialog", name="Request content")
    expect(form.get_by_label("Title")).to_be_focused()
    page.keyboard.type(title)
    page.keyboard.press("Tab")  # type
    page.keyboard.press("ArrowDown")  # Battlecard
    for _ in range(4):
        page.keyboard.press("Tab")  # persona, stage, priority, date
    expect(form.get_by_label("Needed by")).to_be_focused()
    tab_out_of_the_date_field(page)
    expect(form.get_by_label("What do you need")).to_be_focused()
    page.keyboard.type("For Hamburg 3PL prospects.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Send request
    panel = page.locator("[data-detail]")
    expect(panel.get_by_role("heading", level=2)).to_have_text(title)
    expect(panel).to_contain_text("Battlecard")
    expect(card_of(page, title)).to_have_attribute("data-status", "SUBMITTED")

    # marketing moves it along with Shift+arrow keys on the focused card
    work = open_page(marketer)
    open_board(work)
    link = work.get_by_role("link", name=title, exact=True)
    link.focus()
    work.keyboard.press("Shift+ArrowRight")  # accept: a form first
    dialog = work.get_by_role("dialog")
    expect(dialog.get_by_label("Assignee")).to_be_focused()
    work.keyboard.press("Tab")
    expect(dialog.get_by_label("Committed due date")).to_be_focused()
    day = datetime.now(UTC).date() + timedelta(days=9)
    work.keyboard.type(day.strftime("%d%m%Y"))  # en-GB: day, month, year
    work.keyboard.press("Enter")
    expect(card_of(work, title)).to_have_attribute("data-status", "ACCEPTED")
    expect(link).to_be_focused()
    work.keyboard.press("Shift+ArrowRight")  # start work
    expect(card_of(work, title)).to_have_attribute("data-status", "IN_PROGRESS")
    expect(link).to_be_focused()
    work.keyboard.press("Shift+ArrowRight")  # to review
    expect(card_of(work, title)).to_have_attribute("data-status", "IN_REVIEW")
    work.keyboard.press("Shift+ArrowLeft")  # changes requested: a comment first
    dialog = work.get_by_role("dialog")
    expect(dialog.get_by_label("What should change")).to_be_focused()
    work.keyboard.type("Name the SLA penalties.")
    work.keyboard.press("Tab")
    work.keyboard.press("Enter")
    expect(card_of(work, title)).to_have_attribute("data-status", "IN_PROGRESS")
    work.keyboard.press("Shift+ArrowRight")
    expect(card_of(work, title)).to_have_attribute("data-status", "IN_REVIEW")
    work.keyboard.press("Shift+ArrowRight")  # deliver: the asset first
    dialog = work.get_by_role("dialog")
    expect(dialog.get_by_label("Asset title")).to_be_focused()
    work.keyboard.press("Tab")
    work.keyboard.type("https://content.nordlicht.example/hamburg")
    work.keyboard.press("Enter")
    expect(card_of(work, title)).to_have_attribute("data-status", "DELIVERED")

    # the rep opens it from the board by keyboard and rates it
    page.reload()
    expect(panel).to_contain_text("Delivered asset")
    page.keyboard.press("Escape")  # closes the panel; the focus goes to the card
    expect(page.locator("[data-detail]")).to_have_count(0)
    expect(page.locator("[data-card-link]").filter(has_text=title)).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel).to_contain_text("Delivered asset")
    panel.get_by_role("radio", name="1 of 5").focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # 5 stars
    page.keyboard.press("Tab")
    expect(panel.get_by_role("button", name="Rate")).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel).to_contain_text("Delivery rated 5 of 5 by Paul Richter")


def test_a_title_with_markup_shows_as_text(open_page: Any, demo: DemoServer) -> None:
    rep, _ = rep_and_marketer(demo)
    title = "<img src=x onerror=alert(1)>"
    done = demo.gql(
        """mutation($input: RequestContentInput!) {
          requestContent(input: $input) {
            contentRequest { id } userErrors { message } } }""",
        {"input": {"title": title, "contentType": "OTHER", "description": title}},
        session=demo.session_of(rep),
    ).json()
    request_id = done["data"]["requestContent"]["contentRequest"]["id"]
    page = open_page(rep)
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    page.goto(f"/#/content/{request_id}")
    panel = page.locator("[data-detail]")
    expect(panel.get_by_role("heading", level=2)).to_have_text(title)
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    assert page.locator('main img[src="x"]').count() == 0
    assert alerts == []


def test_the_board_is_accessible_filtered_from_the_url_and_fits_a_phone(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    _, marketer = rep_and_marketer(demo)
    page = open_page(marketer)
    open_board(page)
    # overdue and due-this-week cards are marked; the counts head the columns
    expect(page.locator(".ccard.overdue").first).to_be_visible()
    expect(page.locator(".ccard.this-week").first).to_be_visible()
    expect(column_of(page, "DELIVERED").locator(".count")).not_to_have_text("0")
    assert_accessible(page, "the content board")
    page.set_viewport_size({"width": 1280, "height": 720})
    shot(page, shots, "content-board")
    if os.environ.get("ACCORD_DOCS_SCREENSHOTS"):  # refresh the README's picture
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / "content-board.png"))

    # a filter lands in the address; the same link shows the same board
    page.get_by_label("Type").select_option("CASE_STUDY")
    expect(page).to_have_url(re.compile(r"#/content\?type=CASE_STUDY$"))
    page.get_by_label("Overdue only").check()
    expect(page).to_have_url(re.compile(r"type=CASE_STUDY&overdue=1$"))
    shared = open_page(marketer)
    shared.goto(page.url)
    expect(shared.get_by_label("Type")).to_have_value("CASE_STUDY")
    expect(shared.get_by_label("Overdue only")).to_be_checked()
    cards = shared.locator("[data-card]")
    expect(cards.first).to_be_visible()
    for title in cards.locator("h3").all_inner_texts():
        assert "ase study" in title or "Case" in title, title

    # at phone width the board still works, without a horizontal page scroll
    phone = open_page(marketer, width=390, height=844)
    open_board(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    expect(column_of(phone, "SUBMITTED").locator("[data-card]").first).to_be_visible()
    assert_accessible(phone, "the content board at phone width")
    shot(phone, shots, "content-board-phone")


def test_a_card_is_dragged_only_to_a_column_the_viewer_may_move_it_to(
    open_page: Any, demo: DemoServer
) -> None:
    rep, marketer = rep_and_marketer(demo)
    title = "Drag me: churn-risk email template"
    demo.gql(
        """mutation($input: RequestContentInput!) {
          requestContent(input: $input) { contentRequest { id } } }""",
        {"input": {"title": title, "contentType": "EMAIL_TEMPLATE"}},
        session=demo.session_of(rep),
    )
    page = open_page(marketer)
    open_board(page)
    card = card_of(page, title)
    card.drag_to(column_of(page, "IN_REVIEW"))  # not a move from SUBMITTED
    expect(card).to_have_attribute("data-status", "SUBMITTED")
    card.drag_to(column_of(page, "ACCEPTED"))
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Committed due date").fill(in_days(5))
    dialog.get_by_role("button", name="Accept request").click()
    expect(
        column_of(page, "ACCEPTED").get_by_role("link", name=title, exact=True)
    ).to_be_visible()


def test_the_asset_library_lists_rated_assets_and_takes_a_reps_rating(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    rep, _ = rep_and_marketer(demo)
    page = open_page(rep)
    page.goto("/#/content/assets")
    expect(heading(page)).to_have_text("Asset library")
    first = page.locator(".asset").first
    expect(first).to_contain_text("of 5")
    first.locator("label").filter(has_text=re.compile("^★ 2")).click()
    expect(first.get_by_role("radio", name="2 of 5")).to_be_checked()
    expect(page.locator("[data-region=announce]")).to_have_text("Rated 2 of 5.")
    assert_accessible(page, "the asset library")
    shot(page, shots, "content-assets")


def test_the_requester_edits_a_submitted_request_and_hears_of_a_conflict(
    open_page: Any, demo: DemoServer
) -> None:
    rep, _ = rep_and_marketer(demo)
    update = """mutation($input: UpdateContentRequestInput!) {
      updateContentRequest(input: $input) { userErrors { code } } }"""
    done = demo.gql(
        """mutation($input: RequestContentInput!) {
          requestContent(input: $input) { contentRequest { id version } } }""",
        {"input": {"title": "Pricing FAQ one-pager", "contentType": "ONE_PAGER"}},
        session=demo.session_of(rep),
    ).json()["data"]["requestContent"]["contentRequest"]
    page = open_page(rep)
    page.goto(f"/#/content/{done['id']}")
    panel = page.locator("[data-detail]")
    expect(panel).to_contain_text("Medium")
    # meanwhile the same rep edits it elsewhere (another tab)
    demo.gql(
        update,
        {
            "input": {
                "id": done["id"],
                "expectedVersion": done["version"],
                "priority": "LOW",
            }
        },
        session=demo.session_of(rep),
    )
    panel.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Priority").select_option("URGENT")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog.get_by_role("alert")).to_contain_text("changed meanwhile")
    dialog.get_by_role("button", name="Cancel").click()
    page.reload()
    expect(panel).to_contain_text("Low")
    panel.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Priority").select_option("URGENT")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_have_count(0)
    expect(panel.locator(".card-meta")).to_contain_text("Urgent")
