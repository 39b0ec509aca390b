"""Lead hygiene in Chromium with the demo company: the duplicates list reached
from the leads list, "Merge with…" from a lead's page (side by side, confirmed,
a refusal shown in place), and an admin erasing a person with the address typed
back. axe-core and a screenshot on every screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.client.conftest import DemoServer
from tests.client.lead_world import call, hand_off, make_lead
from tests.client.web import assert_accessible, expect, heading, shot

NODE = """query($id: ID!) { node(id: $id) { ... on Lead { id email erased } } }"""


def manager(demo: DemoServer) -> Any:
    return demo.person("MARKETING", "MANAGER", 0)


def test_marketing_reviews_duplicates_and_merges_one_from_the_lead_page(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    keep, name = make_lead(
        demo, "Dora", qualify=False, lastName="Doppel", company="Zwilling Freight AG"
    )
    drop, _ = make_lead(
        demo,
        "Dora",
        qualify=False,
        lastName="Doppel",
        company="Zwilling Freight AG",
        source="Trade show",
    )
    page = open_page(manager(demo))

    # the leads list leads to the review of likely duplicates (the demo has some)
    page.goto("/#/leads")
    page.get_by_role("link", name="Duplicates").click()
    expect(heading(page)).to_have_text("Duplicate leads")
    pairs = page.locator("ol.duplicate-pairs > li")
    expect(pairs.first).to_be_visible()
    assert pairs.count() >= 4  # the demo's three pairs and ours
    expect(page.locator("ol.duplicate-pairs")).to_contain_text("same address")
    assert_accessible(page, "the duplicates list")
    shot(page, shots, "lead-duplicates")

    # from the lead's page: its pair, side by side, the page's lead kept
    page.goto(f"/#/leads/{keep}")
    expect(heading(page)).to_have_text(name)
    page.get_by_role("link", name="Merge with…").click()
    expect(heading(page)).to_have_text("Merge with…")
    pair = page.locator("ol.duplicate-pairs > li")
    expect(pair).to_have_count(1)
    expect(pair.locator(".side").first).to_contain_text("Keep")
    expect(pair).to_contain_text("same name and company")
    assert_accessible(page, "merge with")
    shot(page, shots, "lead-merge")

    # confirmed in a dialog (keyboard: the dialog's buttons), then done
    pair.get_by_role("button", name="Merge").first.click()
    dialog = page.locator("dialog.confirm")
    expect(dialog).to_contain_text("cannot be undone")
    assert_accessible(page, "the merge confirmation")
    dialog.get_by_role("button", name="Merge").click()
    expect(page.locator(".notice")).to_contain_text("Merged")
    merged = call(demo, manager(demo), NODE, id=drop)["node"]
    assert merged["id"] == keep  # the duplicate's id leads to the survivor


def test_a_refused_merge_says_why_in_place(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    rep = demo.person("SALES", "MEMBER", 0)
    one, _ = make_lead(demo, "Olek", lastName="Offen", company="Zwei Wege KG")
    two, _ = make_lead(demo, "Olek", lastName="Offen", company="Zwei Wege KG")
    hand_off(demo, one, rep)
    hand_off(demo, two, rep)
    page = open_page(manager(demo))
    page.goto(f"/#/leads/{one}/merge")
    pair = page.locator("ol.duplicate-pairs > li")
    expect(pair).to_have_count(1)
    pair.get_by_role("button", name="Merge").first.click()
    page.locator("dialog.confirm").get_by_role("button", name="Merge").click()
    expect(pair.locator(".form-error")).to_contain_text("open handoff")
    assert_accessible(page, "a refused merge")
    shot(page, shots, "lead-merge-refused")


def test_an_admin_erases_a_person_after_typing_the_address(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    lead, name = make_lead(demo, "Erik", qualify=False)
    email = call(demo, manager(demo), NODE, id=lead)["node"]["email"]
    admin = demo.person("LEADERSHIP", "ADMIN", 0)
    page = open_page(admin)
    page.goto(f"/#/leads/{lead}")
    expect(heading(page)).to_have_text(name)
    page.get_by_role("link", name="Erase personal data").click()
    expect(heading(page)).to_have_text("Erase personal data")
    form = page.locator("form[data-form='erase']")
    form.get_by_label("Reason").fill("Art. 17 request by e-mail, ticket 4711")
    form.get_by_label(f"Type {email} to confirm").fill("someone@else.example")
    form.get_by_role("button", name="Erase personal data").click()
    expect(form).to_contain_text("Type the address exactly")
    assert call(demo, admin, NODE, id=lead)["node"]["erased"] is False
    assert_accessible(page, "the erasure form")
    shot(page, shots, "lead-erase")
    form.get_by_label(f"Type {email} to confirm").fill(email)
    form.get_by_role("button", name="Erase personal data").click()
    expect(page.locator(".notice")).to_contain_text("erased")
    assert call(demo, admin, NODE, id=lead)["node"]["erased"] is True
    # the record stays, anonymous, and no longer offers merge or erasure
    page.goto(f"/#/leads/{lead}")
    expect(heading(page)).to_have_text("Erased person")
    expect(page.locator(".lead-head")).to_contain_text("data was erased")
    expect(page.get_by_role("link", name="Erase personal data")).to_have_count(0)
    assert_accessible(page, "an erased lead")
    shot(page, shots, "lead-erased")
