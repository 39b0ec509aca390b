"""The client listens (issue 24): the queue, the bell and the content board
update without a reload when a change is made elsewhere (well before their
fallback polling would ask), through one graphql-transport-ws subscription
client; when the server goes away and comes back, the client reconnects and
`after` replays what it missed."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.client.conftest import (
    BIN,
    MEMBER,
    SECRET_KEY,
    DemoServer,
    Server,
    _accord,
    _create_user,
    _free_port,
    _stop,
    _wait_until_up,
    session_cookies,
)
from tests.client.lead_world import hand_off, make_lead
from tests.client.web import assert_accessible, expect, shot

# Well under the screens' polling (queue and bell 30 s, board 15 s): only a
# subscription can make these.
LIVE_MS = 6_000
UNREAD = re.compile(r"Notifications, (\d+) unread")
REQUEST = """mutation($input: RequestContentInput!) {
  requestContent(input: $input) { contentRequest { id } userErrors { message } } }"""
MARKETER = {
    "email": "mel@example.com",
    "name": "Mel Marketer",
    "team": "MARKETING",
    "role": "MEMBER",
    "timezone": "UTC",
}


def unread(page: Any) -> int:
    label = page.locator("a.bell").get_attribute("aria-label") or ""
    found = UNREAD.search(label)
    return int(found.group(1)) if found else 0


def test_the_queue_and_the_bell_update_when_a_lead_is_handed_off_elsewhere(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    rep = demo.person("SALES", "MEMBER", 1)
    page = open_page(rep)
    page.goto("/#/queue")
    expect(page.get_by_role("heading", level=1)).to_have_text("My queue")
    expect(page.locator("a.bell")).to_have_attribute("aria-label", UNREAD)
    page.wait_for_timeout(1_000)  # the subscription is live
    before = unread(page)
    lead_id, name = make_lead(demo, "Livia")
    hand_off(demo, lead_id, rep)
    expect(page.get_by_text(name).first).to_be_visible(timeout=LIVE_MS)
    expect(page.locator("a.bell")).to_have_attribute(
        "aria-label", f"Notifications, {before + 1} unread", timeout=LIVE_MS
    )
    assert_accessible(page, "the queue after a live update")
    shot(page, shots, "live-queue")


def test_the_content_board_shows_a_request_made_elsewhere(
    open_page: Any, demo: DemoServer
) -> None:
    marketer = demo.person("MARKETING", "MEMBER", 0)
    rep = demo.person("SALES", "MEMBER", 0)
    page = open_page(marketer)
    page.goto("/#/content")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("[data-card-link]").first).to_be_visible()
    page.wait_for_timeout(1_000)
    title = "Battle card: live from the field"
    body = demo.gql(
        REQUEST,
        {"input": {"title": title, "contentType": "OTHER", "description": "x"}},
        session=demo.session_of(rep),
    ).json()
    assert body["data"]["requestContent"]["userErrors"] == [], body
    expect(page.locator("[data-card-link]").filter(has_text=title)).to_be_visible(
        timeout=LIVE_MS
    )


# ---- the server goes away and comes back ------------------------------------


class Restartable:
    """`accord serve` on a fixed port that the test can stop and start again."""

    def __init__(self, folder: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
        self.env.update(
            ACCORD_DATABASE_URL=f"sqlite://{folder}/db.sqlite",
            ACCORD_SECRET_KEY=SECRET_KEY,
            ACCORD_LOG_LEVEL="WARNING",
        )
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.address = ["--host", "127.0.0.1", "--port", str(self.port)]

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [str(BIN / "accord"), "serve", *self.address],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_until_up(self.url, self.process, self.log)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None


@pytest.fixture
def restartable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Restartable]:
    server = Restartable(tmp_path_factory.mktemp("accord-live"))
    _accord(server.env, ["migrate"])
    _accord(server.env, _create_user(MARKETER))
    _accord(server.env, _create_user(MEMBER))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_after_the_server_restarts_the_board_gets_what_it_missed(
    browser: Any, restartable: Restartable
) -> None:
    helper = Server(restartable.url, restartable.log)
    marketer = helper.login(MARKETER["email"])
    rep = helper.login(MEMBER["email"])
    ctx = browser.new_context(base_url=restartable.url, locale="en-GB")
    ctx.add_cookies(session_cookies(marketer, restartable.url))
    # count the sockets the client opens
    ctx.add_init_script(
        "(() => { const Real = WebSocket; window.__sockets = 0;"
        " window.WebSocket = function (...args) { window.__sockets += 1;"
        " return new Real(...args); }; window.WebSocket.prototype = Real.prototype;"
        " })();"
    )
    errors: list[str] = []
    page = ctx.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto("/#/content")
        first = "Before the restart"
        request(helper, rep, first)
        expect(page.locator("[data-card-link]").filter(has_text=first)).to_be_visible(
            timeout=LIVE_MS
        )
        assert page.evaluate("window.__sockets") == 1
        # the server goes away (every socket closed from its side) and comes back
        restartable.stop()
        page.wait_for_timeout(500)
        restartable.start()
        missed = "While the board was away"
        request(helper, rep, missed)
        expect(page.locator("[data-card-link]").filter(has_text=missed)).to_be_visible(
            timeout=LIVE_MS + 4_000
        )
        assert page.evaluate("window.__sockets") >= 2, "it reconnected"
        # and it is live again
        after = "After the reconnect"
        request(helper, rep, after)
        expect(page.locator("[data-card-link]").filter(has_text=after)).to_be_visible(
            timeout=LIVE_MS
        )
    finally:
        ctx.close()
    assert errors == []


def request(helper: Server, session: str, title: str) -> None:
    body = helper.gql(
        REQUEST,
        {"input": {"title": title, "contentType": "OTHER", "description": "x"}},
        session=session,
    ).json()
    assert body["data"]["requestContent"]["userErrors"] == [], body
