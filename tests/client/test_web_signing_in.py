"""Signing in and out, passwords and sessions, in Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.client.conftest import ADMIN, MEMBER, Server
from tests.client.web import expect, heading, shot, sign_in

UNIFORM = "Wrong e-mail or password, or the account is not active."


def test_a_wrong_password_and_an_unknown_email_show_the_same_message(
    page: Any, shots: Path
) -> None:
    sign_in(page, ADMIN["email"], "not the password at all")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(UNIFORM)
    shot(page, shots, "sign-in-wrong-password")

    sign_in(page, "nobody@example.com", "not the password at all")

    expect(alert).to_have_text(UNIFORM)
    expect(heading(page)).to_have_text("Sign in to Accord")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")


def test_repeated_failed_sign_ins_say_how_long_to_wait(page: Any) -> None:
    page.goto("/#/sign-in")
    page.get_by_label("E-mail").fill("hammered@example.com")
    for _ in range(6):
        page.get_by_label("Password", exact=True).fill("guess guess guess")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign in")).to_be_enabled()

    expect(page.get_by_role("alert")).to_have_text(
        "Too many attempts. Try again in 15 minutes."
    )


def test_a_member_sees_no_admin_screens_and_times_in_their_own_timezone(
    page: Any, shots: Path
) -> None:
    sign_in(page, MEMBER["email"])

    expect(heading(page)).to_have_text("My account")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My account")).to_be_visible()
    # a sales member: dashboard, leads, queue, agreements, content, meetings,
    # account
    expect(nav.get_by_role("link")).to_have_text(
        [
            "Dashboard",
            "Leads",
            "My queue",
            "Agreements",
            "Content requests",
            "Meetings",
            "My account",
        ]
    )
    expect(nav).not_to_contain_text("Admin")
    # The browser runs in Los Angeles; the member lives in Tokyo.
    session_row = page.get_by_role("row").filter(has_text="this session")
    expect(session_row).to_contain_text("GMT+9")
    shot(page, shots, "member-account")

    page.goto("/#/admin/users")

    expect(heading(page)).to_have_text("Not available")
    page.goto("/#/audit")
    expect(heading(page)).to_have_text("Not available")


def test_a_session_ended_elsewhere_sends_the_page_back_to_sign_in(
    page: Any, server: Server
) -> None:
    server.invite("ended@example.com", "Eve Ended")
    sign_in(page, "ended@example.com")
    expect(heading(page)).to_have_text("My account")
    other_device = server.login("ended@example.com")

    server.gql("mutation { logoutEverywhere { sessionsEnded } }", session=other_device)
    page.get_by_label("Only tokens still in use").click()  # asks the server

    expect(heading(page)).to_have_text("Sign in to Accord")
    expect(page.get_by_role("status")).to_contain_text("Your session has ended")
    expect(page).to_have_url(re.compile(r"#/sign-in\?next=%2Faccount$"))


def test_changing_the_password_then_signing_out_everywhere(
    page: Any, server: Server, shots: Path
) -> None:
    server.invite("pat@example.com", "Pat Changer")
    sign_in(page, "pat@example.com")
    form = page.locator("form[data-form='change-password']")

    form.get_by_label("Current password").fill("this is not my password")
    form.get_by_label("New password", exact=True).fill("a brand new passphrase 77")
    form.get_by_label("Repeat the new password").fill("a brand new passphrase 77")
    form.get_by_role("button", name="Change password").click()
    error = page.locator("#password-currentPassword-error")
    expect(error).to_have_text("The current password is wrong.")
    expect(form.get_by_label("Current password")).to_have_attribute("aria-invalid", "")
    shot(page, shots, "account-change-password-error")

    form.get_by_label("Current password").fill("correct horse battery staple")
    form.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    expect(error).to_be_hidden()

    page.get_by_role("button", name="Sign out everywhere").click()
    page.get_by_role("dialog").get_by_role("button", name="Sign out everywhere").click()
    expect(heading(page)).to_have_text("Sign in to Accord")
    expect(page.get_by_role("status")).to_contain_text("1 session ended")

    sign_in(page, "pat@example.com", "a brand new passphrase 77")
    expect(heading(page)).to_have_text("My account")


def test_signing_out_returns_to_sign_in_and_protects_the_screens(page: Any) -> None:
    sign_in(page, MEMBER["email"])
    expect(heading(page)).to_have_text("My account")

    page.get_by_role("button", name="Sign out", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    page.goto("/#/account")
    expect(heading(page)).to_have_text("Sign in to Accord")


def test_a_manager_signs_in_by_keyboard_alone_and_reads_the_audit_log(
    page: Any, server: Server
) -> None:
    server.invite("max@example.com", "Max Manager", team="MARKETING", role="MANAGER")
    page.goto("/#/sign-in")
    expect(heading(page)).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.get_by_label("E-mail")).to_be_focused()
    page.keyboard.type("max@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")

    expect(heading(page)).to_have_text("My account")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Audit log")).to_be_visible()
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)
    page.get_by_role("button", name="Sign out everywhere").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(heading(page)).to_have_text("My account")
