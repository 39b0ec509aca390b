"""Admin → Webhooks in Chromium: create (the secret shown once, copied), the
delivery log filling from a receiver on 127.0.0.1, redeliver, rotate, disable,
enable and delete with confirmation; by keyboard; axe-clean; screenshots.

Its own server runs with ACCORD_WEBHOOK_ALLOW_PRIVATE=1 so the receiver can be
on loopback, the only address these tests ever send to."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.client.conftest import (
    ADMIN,
    SECRET_KEY,
    DemoServer,
    Server,
    _accord,
    _create_user,
    _serve,
    _stop,
)
from tests.client.web import assert_accessible, expect, heading, shot, sign_in

UPSERT = """mutation($input: UpsertLeadsInput!) {
  upsertLeads(input: $input) { results { outcome } userErrors { message } }
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("accord-webhooks")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    env.update(
        ACCORD_DATABASE_URL=f"sqlite://{folder}/db.sqlite",
        ACCORD_SECRET_KEY=SECRET_KEY,
        ACCORD_LOG_LEVEL="WARNING",
        ACCORD_WEBHOOK_ALLOW_PRIVATE="1",
        ACCORD_WEBHOOK_RETRY_BASE_SECONDS="0.2",
        ACCORD_WEBHOOK_TIMEOUT_SECONDS="2",
    )
    _accord(env, ["migrate"])
    _accord(env, _create_user(ADMIN))
    process, url = _serve(env, folder)
    try:
        yield Server(url, folder / "server.log")
    finally:
        _stop(process)


class Receiver:
    """A loopback HTTP receiver answering the scripted statuses, then 204."""

    def __init__(self, script: list[int]) -> None:
        self.script = list(script)
        self.got: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.got.append((dict(self.headers), body))
                status = outer.script.pop(0) if outer.script else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/accord"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver([500])
    yield found
    found.close()


def make_lead(server: Server, n: int) -> None:
    row = {
        "email": f"hook{n}@browser-tests.example",
        "firstName": "Hook",
        "lastName": f"Tester{n}",
        "company": "Probe Logistik GmbH",
    }
    body = server.gql(
        UPSERT, {"input": {"leads": [row]}}, session=server.admin_session()
    ).json()
    assert body["data"]["upsertLeads"]["results"][0]["outcome"] == "CREATED", body


def test_an_admin_manages_a_webhook_and_its_delivery_log(
    page: Any, server: Server, receiver: Receiver, shots: Path
) -> None:
    sign_in(page, ADMIN["email"])
    expect(heading(page)).to_have_text("My account")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Webhooks").click()
    expect(heading(page)).to_have_text("Webhooks")
    expect(page.get_by_text("No webhooks yet")).to_be_visible()
    assert_accessible(page, "the empty webhooks screen")

    # Mistakes are shown beside their fields.
    form = page.locator("form[data-form='create-webhook']")
    form.get_by_role("button", name="Create webhook").click()
    expect(page.locator("#webhook-url-error")).to_contain_text("URL")
    expect(page.locator("#webhook-events-error")).to_contain_text("event kind")
    form.get_by_label("Receiver URL").fill("ftp://nope.example.com")
    form.get_by_label("Lead created").check()
    form.get_by_role("button", name="Create webhook").click()
    expect(page.locator("#webhook-url-error")).to_contain_text("http")
    shot(page, shots, "webhooks-errors")

    # Created by keyboard: the secret is shown once, with a copy button.
    form.get_by_label("Receiver URL").fill(receiver.url)
    form.get_by_role("button", name="Create webhook").focus()
    page.keyboard.press("Enter")
    secret_box = page.get_by_label("Signing secret")
    expect(secret_box).to_be_focused()
    expect(secret_box).to_have_value(re.compile(r"^whsec_\S{30,}$"))
    secret = secret_box.input_value()
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.locator("[data-copy-status]")).to_contain_text("Cop")
    endpoints = page.get_by_role("region", name="Endpoints")
    expect(endpoints.get_by_role("row", name=re.compile("127.0.0.1"))).to_contain_text(
        "enabled"
    )
    assert_accessible(page, "the webhooks screen with a new secret")
    shot(page, shots, "webhooks-secret")
    page.get_by_role("button", name="I have stored it").click()
    expect(secret_box).to_have_count(0)
    assert secret not in page.content()

    # An event: the receiver fails once, then takes it; both signed with the secret.
    make_lead(server, 1)
    for _ in range(100):
        if len(receiver.got) >= 2:
            break
        page.wait_for_timeout(100)
    assert len(receiver.got) == 2
    for headers, body in receiver.got:
        stamp = headers["Accord-Timestamp"]
        mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
        assert headers["Accord-Signature"] == f"v1={mac.hexdigest()}"
    endpoints.get_by_role("button", name=re.compile("^Deliveries of")).click()
    log = page.get_by_role("region", name="Delivery log")
    expect(page.locator("#log-title")).to_be_focused()
    expect(log.get_by_role("row", name=re.compile("Lead created"))).to_contain_text(
        "Delivered after 2 attempts"
    )
    expect(log).to_contain_text("HTTP 204")
    assert_accessible(page, "the delivery log")
    shot(page, shots, "webhooks-log")

    # Redeliver: a new log row, and the receiver gets the same event id again.
    log.get_by_role("button", name=re.compile("^Redeliver event")).first.click()
    expect(page.get_by_role("status").first).to_contain_text("queued")
    for _ in range(100):
        if len(receiver.got) >= 3:
            break
        page.wait_for_timeout(100)
    assert (
        receiver.got[2][0]["Accord-Event-Id"] == receiver.got[0][0]["Accord-Event-Id"]
    )
    expect(log.locator("tbody tr")).to_have_count(2)
    expect(log.get_by_text("redelivery")).to_be_visible()

    # Rotate asks first, then shows the new secret once.
    endpoints.get_by_role("button", name=re.compile("^Rotate secret of")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("keeps signing too")
    assert_accessible(page, "the rotate confirmation")
    dialog.get_by_role("button", name="Rotate secret").click()
    expect(page.get_by_label("Signing secret")).to_have_value(re.compile(r"^whsec_"))
    assert page.get_by_label("Signing secret").input_value() != secret
    expect(endpoints).to_contain_text("old secret signs too until")
    page.get_by_role("button", name="I have stored it").click()

    # Disable (asked first), enable again.
    endpoints.get_by_role("button", name=re.compile("^Disable")).click()
    page.get_by_role("dialog").get_by_role("button", name="Disable webhook").click()
    expect(endpoints.get_by_role("row", name=re.compile("127.0.0.1"))).to_contain_text(
        "disabled"
    )
    shot(page, shots, "webhooks-disabled")
    endpoints.get_by_role("button", name=re.compile("^Enable")).click()
    expect(endpoints.get_by_role("row", name=re.compile("127.0.0.1"))).to_contain_text(
        "enabled"
    )

    # Delete: Escape cancels the confirmation; confirming deletes.
    endpoints.get_by_role("button", name=re.compile("^Delete")).click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(endpoints.locator("tbody tr")).to_have_count(1)
    endpoints.get_by_role("button", name=re.compile("^Delete")).click()
    page.get_by_role("dialog").get_by_role("button", name="Delete webhook").click()
    expect(page.get_by_text("No webhooks yet")).to_be_visible()
    expect(page.get_by_text("No deliveries match")).to_be_visible()


def test_webhooks_are_an_admin_screen_only(page: Any, server: Server) -> None:
    page.goto("/#/admin/webhooks")
    expect(heading(page)).to_have_text("Sign in to Accord")
    server.invite("mo@example.com", "Mo Manager", team="MARKETING", role="MANAGER")
    sign_in(page, "mo@example.com")
    expect(heading(page)).not_to_have_text("Sign in to Accord")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Audit log")).to_be_visible()
    expect(nav.get_by_role("link", name="Webhooks")).to_have_count(0)
    page.goto("/#/admin/webhooks")
    expect(heading(page)).to_have_text("Not available")


def test_the_client_offers_exactly_the_servers_event_kinds() -> None:
    import subprocess

    from server.domain.core.outbox import EventKind
    from tests.client.test_logic import ROOT, _node

    module = (ROOT / "client" / "logic" / "events.js").as_uri()
    printed = subprocess.run(
        [
            _node(),
            "-e",
            f"import('{module}').then((m) => console.log(m.EVENT_KINDS.join(',')))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    assert sorted(printed.split(",")) == sorted(k.value for k in EventKind)


DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_the_demo_admin_reads_the_paused_webhooks_log(
    open_page: Any, demo: DemoServer, shots: Path
) -> None:
    page = open_page(demo.person("LEADERSHIP", "ADMIN"))
    page.goto("/#/admin/webhooks")
    expect(heading(page)).to_have_text("Webhooks")
    endpoints = page.get_by_role("region", name="Endpoints")
    expect(endpoints.locator("tbody tr")).to_have_count(2)
    expect(endpoints).to_contain_text("crm.nordlicht.example")
    expect(endpoints.get_by_text("disabled")).to_have_count(2)
    log = page.get_by_role("region", name="Delivery log")
    expect(log.get_by_text("Gave up after 10 attempts").first).to_be_visible()
    expect(
        log.locator("tbody").get_by_text(re.compile("^Delivered")).first
    ).to_be_visible()
    page.get_by_label("Status").select_option("FAILED")
    expect(log.locator("tbody").get_by_text(re.compile("^Delivered"))).to_have_count(0)
    log.locator("summary").first.click()
    expect(log.get_by_text("Service Unavailable").first).to_be_visible()
    assert_accessible(page, "the demo's webhooks")
    page.get_by_label("Status").select_option("")
    expect(
        log.locator("tbody").get_by_text(re.compile("^Delivered")).first
    ).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#hooks-title").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('#hooks-title').scrollIntoView()")
    shot(page, shots, "webhooks-demo")
    if os.environ.get("ACCORD_DOCS_SCREENSHOTS"):  # refresh docs/events.md's picture
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / "webhooks.png"))
    # a paused webhook's delivery is not sent again until it is enabled
    log.get_by_role("button", name=re.compile("^Redeliver event")).first.click()
    expect(page.get_by_role("status").first).to_contain_text("enable it first")
