"""The admin screens and API tokens, in Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.client.conftest import ADMIN, Server
from tests.client.web import expect, heading, shot, sign_in

VIEWER = "query { viewer { email } }"
NEW_PASSWORD = "a sturdy new passphrase 42"
HOSTILE_NAME = "Zoë <b>Quinn</b> & co"


def test_an_admin_invites_a_user_who_sets_a_password_and_manages_an_api_token(
    page: Any, server: Server, shots: Path
) -> None:
    # The admin adds a user: names are text, never markup.
    sign_in(page, ADMIN["email"])
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Users").click()
    expect(heading(page)).to_have_text("Users")
    page.get_by_text("Add a user").click()
    form = page.locator("form[data-form='create-user']")
    form.get_by_label("E-mail").fill("zoe@example.com")
    form.get_by_label("Name").fill(HOSTILE_NAME)
    form.get_by_label("Team").select_option("MARKETING")
    form.get_by_label("Timezone").fill("Asia/Tokyo")
    form.get_by_role("button", name="Add user").click()
    expect(heading(page)).to_have_text(HOSTILE_NAME)
    expect(page.locator("main b")).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("Issue a set-password link")

    # ...and issues the one-time link, shown once.
    page.get_by_role("button", name="Issue set-password link").click()
    link_box = page.get_by_label(f"Link for {HOSTILE_NAME}")
    expect(link_box).to_have_value(
        re.compile(rf"^{re.escape(server.url)}/#/set-password\?token=.+")
    )
    link = link_box.input_value()
    shot(page, shots, "admin-user-link")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(heading(page)).to_have_text("Sign in to Accord")

    # The user opens the link; a weak password is refused next to its field.
    page.goto(link)
    expect(heading(page)).to_have_text("Set your password")
    page.get_by_label("New password", exact=True).fill("zoezoezoezoe")
    page.get_by_label("Repeat the new password").fill("zoezoezoezoe")
    page.get_by_role("button", name="Set password").click()
    password_error = page.locator("#set-password-password-error")
    expect(password_error).to_contain_text("Weak password")
    shot(page, shots, "set-password-weak")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is set")
    expect(page).not_to_have_url(re.compile("token="))

    # Signed in, the user creates an API token and sees its secret once.
    sign_in(page, "zoe@example.com", NEW_PASSWORD)
    expect(heading(page)).to_have_text("My account")
    tokens = page.locator("form[data-form='create-token']")
    tokens.get_by_label("Name").fill("CRM sync")
    tokens.get_by_label("Read").check()
    tokens.get_by_label("Ingest").check()
    tokens.get_by_role("button", name="Create token").click()
    secret_box = page.get_by_label("Secret", exact=True)
    expect(secret_box).to_have_value(re.compile(r"^acc_\S{20,}$"))
    secret = secret_box.input_value()
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.locator("[data-copy-status]")).to_contain_text("Cop")
    shot(page, shots, "account-token-secret")
    answer = server.gql(VIEWER, token=secret).json()
    assert answer["data"]["viewer"]["email"] == "zoe@example.com"

    page.get_by_role("button", name="I have stored it").click()
    expect(secret_box).to_have_count(0)
    page.reload()
    row = page.get_by_role("row").filter(has_text="CRM sync")
    expect(row).to_contain_text("in use")
    assert secret not in page.content()

    # ...and revokes it: the token stops working at once.
    row.get_by_role("button", name="Revoke CRM sync").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke token").click()
    expect(row).to_contain_text("revoked")
    assert server.gql(VIEWER, token=secret).status_code == 401
    shot(page, shots, "account-token-revoked")


def test_an_edit_made_meanwhile_is_a_clear_conflict_that_keeps_the_form(
    admin: Any, page: Any, server: Server, shots: Path
) -> None:
    user_id = server.create_user("cody@example.com", "Cody Conflict")
    page.goto(f"/#/admin/users/{user_id}")
    expect(heading(page)).to_have_text("Cody Conflict")
    other_tab = admin.new_page()
    other_tab.goto(f"/#/admin/users/{user_id}")
    other_tab.get_by_label("Name").fill("Cody Renamed")
    other_tab.get_by_role("button", name="Save changes").click()
    expect(other_tab.get_by_role("status")).to_contain_text("Saved changes")

    page.get_by_label("Team").select_option("LEADERSHIP")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("alert")).to_contain_text("someone else changed this user")
    expect(page.get_by_label("Team")).to_have_value("LEADERSHIP")
    shot(page, shots, "admin-user-conflict")
    page.get_by_role("button", name="Load the latest version").click()
    expect(heading(page)).to_have_text("Cody Renamed")
    expect(page.get_by_label("Team")).to_have_value("SALES")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_the_users_table_pages_by_keyset_and_filters(
    admin: Any, page: Any, server: Server, shots: Path
) -> None:
    for n in range(22):
        team = "MARKETING" if n < 5 else "SALES"
        server.create_user(f"pager{n:02}@example.com", f"Pager {n:02}", team=team)
    page.goto("/#/admin/users")
    filters = page.get_by_role("search", name="Filter users")

    filters.get_by_label("Search").fill("pager")
    summary = page.locator("#users-summary")
    expect(summary).to_have_text("1–20 of 22")
    expect(page.get_by_role("row").filter(has_text="Pager 00")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(summary).to_have_text("21–22 of 22")
    expect(page.get_by_role("row").filter(has_text="Pager 21")).to_be_visible()
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    shot(page, shots, "admin-users-page-2")
    page.get_by_role("button", name="Previous").click()
    expect(summary).to_have_text("1–20 of 22")

    filters.get_by_label("Team").select_option("MARKETING")
    expect(summary).to_have_text("1–5 of 5")
    filters.get_by_label("Order").select_option("NAME_DESC")
    expect(page.get_by_role("row").nth(1)).to_contain_text("Pager 04")


def test_deactivating_a_user_ends_their_access(
    admin: Any, page: Any, server: Server
) -> None:
    server.invite("dora@example.com", "Dora Leaving")
    dora_session = server.login("dora@example.com")
    page.goto("/#/admin/users")
    page.get_by_label("Search").fill("dora")
    page.get_by_role("link", name="Dora Leaving").click()

    page.get_by_role("button", name="Deactivate Dora Leaving").click()
    page.get_by_role("dialog").get_by_role("button", name="Deactivate").click()

    expect(page.get_by_role("status")).to_contain_text("Dora Leaving is deactivated")
    expect(page.get_by_role("button", name="Reactivate Dora Leaving")).to_be_visible()
    assert server.gql(VIEWER, session=dora_session).status_code == 401


def test_the_audit_log_lists_and_filters_what_happened(
    admin: Any, page: Any, shots: Path
) -> None:
    page.goto("/#/account")
    page.get_by_role("link", name="Audit log").click()
    expect(heading(page)).to_have_text("Audit log")
    expect(page.get_by_role("row").filter(has_text="login").first).to_be_visible()

    page.get_by_label("Actions").fill("login")
    page.get_by_role("button", name="Filter").click()

    actions = page.locator("tbody th")
    expect(actions.filter(has_not_text="login")).to_have_count(0)
    expect(actions.first).to_have_text("login")
    shot(page, shots, "audit-log")


def test_the_screens_fit_a_phone(admin: Any, page: Any, shots: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    screens = (("/#/account", "phone-account"), ("/#/admin/users", "phone-users"))
    for path, name in screens:
        page.goto(path)
        expect(page.locator("main .loading")).to_have_count(0)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than a phone"
        sign_out = page.get_by_role("button", name="Sign out", exact=True)
        expect(sign_out).to_be_in_viewport()
        shot(page, shots, name)


def test_an_admin_sees_every_users_tokens_and_revokes_one(
    admin: Any, page: Any, server: Server, shots: Path
) -> None:
    server.invite("tia@example.com", "Tia Tokens")
    create = """mutation T($input: CreateApiTokenInput!) {
      createApiToken(input: $input) { secret } }"""
    input_ = {"name": "Forms webhook", "scopes": ["INGEST"]}
    body = server.gql(
        create, {"input": input_}, session=server.login("tia@example.com")
    )
    secret = body.json()["data"]["createApiToken"]["secret"]

    page.goto("/#/admin/tokens")
    row = page.get_by_role("row").filter(has_text="Forms webhook")
    expect(row).to_contain_text("Tia Tokens")
    expect(row).to_contain_text("in use")
    assert secret not in page.content()
    row.get_by_role("button", name="Revoke Forms webhook").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke token").click()

    expect(row).to_contain_text("revoked")
    assert server.gql(VIEWER, token=secret).status_code == 401
    shot(page, shots, "admin-tokens")
