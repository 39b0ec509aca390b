"""Browser tests: the real server in a subprocess, driven by Debian's Chromium.

The server runs `accord migrate` and `accord serve` on a fresh SQLite file and a
free port on 127.0.0.1; Chromium is launched through Playwright from
/usr/bin/chromium (Playwright's own browser downloads are never used). Without
Chromium or Playwright the browser tests are skipped, except in CI (CI=true),
where that is a failure.

Screenshots go to $ACCORD_CLIENT_SCREENSHOTS when set, else to a temporary folder.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Nothing but 127.0.0.1 resolves: the tests never reach the network.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple"
SECRET_KEY = "client-browser-tests-secret-key-0123456789"
WAIT_MS = 8_000
# Console errors a page may log on purpose: a signed-out page asks who it is (401).
EXPECTED_CONSOLE = ("status of 401",)

ADMIN = {
    "email": "ada@example.com",
    "name": "Ada Admin",
    "team": "LEADERSHIP",
    "role": "ADMIN",
    "timezone": "UTC",
}
MEMBER = {
    "email": "sam@example.com",
    "name": "Sam Seller",
    "team": "SALES",
    "role": "MEMBER",
    "timezone": "Asia/Tokyo",
}


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}: CI must run the browser tests (.ci/run installs it)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accord(env: dict[str, str], args: list[str]) -> None:
    # One at a time: two concurrent SQLite writers make one fail ("database is
    # locked"), busy timeout or not.
    result = subprocess.run(
        [str(BIN / "accord"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"accord {args[0]} failed:\n{result.stderr}"


def _create_user(user: dict[str, str]) -> list[str]:
    options = {k: user[k] for k in ("email", "name", "team", "role", "timezone")}
    args = ["create-user", "--password", PASSWORD]
    for name, value in options.items():
        args += [f"--{name}", value]
    return args


LOGIN = """mutation Login($input: LoginInput!) {
  login(input: $input) { viewer { id } userErrors { message } } }"""


@dataclass
class Server:
    """The running server and a small GraphQL client for test set-up."""

    url: str
    log: Path
    cookies: dict[str, str] = field(default_factory=dict)

    def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        headers = {"content-type": "application/json"}
        if session:
            headers["cookie"] = f"accord_session={session}"
        if token:
            headers["authorization"] = f"Bearer {token}"
        return httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=10,
        )

    def login(self, email: str, password: str = PASSWORD) -> str:
        """A new session for the user (as a second device would have)."""
        response = self.gql(LOGIN, {"input": {"email": email, "password": password}})
        assert response.json()["data"]["login"]["viewer"], response.text
        return response.cookies["accord_session"]

    def admin_session(self) -> str:
        if "admin" not in self.cookies:
            self.cookies["admin"] = self.login(ADMIN["email"])
        return self.cookies["admin"]

    def create_user(
        self,
        email: str,
        name: str,
        team: str = "SALES",
        role: str = "MEMBER",
        timezone: str = "UTC",
    ) -> str:
        doc = """mutation C($input: CreateUserInput!) {
          createUser(input: $input) { user { id } userErrors { message } } }"""
        input_ = {
            "email": email,
            "name": name,
            "team": team,
            "role": role,
            "timezone": timezone,
        }
        body = self.gql(doc, {"input": input_}, session=self.admin_session()).json()
        user = body["data"]["createUser"]["user"]
        assert user, body
        return str(user["id"])

    def invite(self, email: str, name: str, password: str = PASSWORD, **kw: str) -> str:
        """A user with a password, made the way an admin and the user would."""
        user_id = self.create_user(email, name, **kw)
        link = """mutation L($input: CreateSetPasswordLinkInput!) {
          createSetPasswordLink(input: $input) { url } }"""
        body = self.gql(
            link, {"input": {"userId": user_id}}, session=self.admin_session()
        ).json()
        token = body["data"]["createSetPasswordLink"]["url"].split("token=", 1)[1]
        set_password = """mutation S($input: SetPasswordInput!) {
          setPassword(input: $input) { ok userErrors { message } } }"""
        body = self.gql(
            set_password, {"input": {"token": token, "password": password}}
        ).json()
        assert body["data"]["setPassword"]["ok"], body
        return user_id


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("accord-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    env.update(
        ACCORD_DATABASE_URL=f"sqlite://{folder}/db.sqlite",
        ACCORD_SECRET_KEY=SECRET_KEY,
        ACCORD_LOG_LEVEL="WARNING",
    )
    _accord(env, ["migrate"])
    _accord(env, _create_user(ADMIN))
    _accord(env, _create_user(MEMBER))
    process, url = _serve(env, folder)
    try:
        yield Server(url, folder / "server.log")
    finally:
        _stop(process)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not answer within 30 s:\n{log.read_text()}")


@dataclass(frozen=True)
class DemoLogin:
    """One person of the demo company, as `accord demo-data` printed them."""

    email: str
    password: str
    name: str
    team: str
    role: str


@dataclass
class DemoServer(Server):
    """A server with the demo company loaded (the world `make run` shows)."""

    people: list[DemoLogin] = field(default_factory=list)

    def person(self, team: str, role: str, index: int = 0) -> DemoLogin:
        """The index-th demo person of the team and role, in printed order."""
        found = [p for p in self.people if p.team == team and p.role == role]
        assert len(found) > index, f"no demo {team} {role} #{index}: {self.people}"
        return found[index]

    def session_of(self, who: DemoLogin) -> str:
        if who.email not in self.cookies:
            self.cookies[who.email] = self.login(who.email, who.password)
        return self.cookies[who.email]


DEMO_LEADS = 300
DEMO_LINE = re.compile(
    r"^\s+(?P<email>\S+@\S+)\s+(?P<password>\S+)\s+(?P<name>.+?) — .*"
    r"\((?P<team>[A-Z]+) (?P<role>[A-Z]+)\)$"
)


def _demo_people(printed: str) -> list[DemoLogin]:
    people = []
    for line in printed.splitlines():
        if found := DEMO_LINE.match(line):
            people.append(DemoLogin(**found.groupdict()))
    assert people, f"accord demo-data printed no logins:\n{printed}"
    return people


def _serve(env: dict[str, str], folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    log = folder / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(BIN / "accord"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    _wait_until_up(url, process, log)
    return process, url


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo company on a real server, built once for every browser test that
    asks for it: migrate, `accord demo-data` (its printed logins parsed), serve.
    Tests that change the world make what they need; others read it as is."""
    folder = tmp_path_factory.mktemp("accord-demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    env.update(
        ACCORD_DATABASE_URL=f"sqlite://{folder}/db.sqlite",
        ACCORD_SECRET_KEY=SECRET_KEY,
        ACCORD_LOG_LEVEL="WARNING",
    )
    _accord(env, ["migrate"])
    built = subprocess.run(
        [str(BIN / "accord"), "demo-data", "--leads", str(DEMO_LEADS), "--seed", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, f"accord demo-data failed:\n{built.stderr}"
    process, url = _serve(env, folder)
    try:
        yield DemoServer(url, folder / "server.log", people=_demo_people(built.stdout))
    finally:
        _stop(process)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (make install)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
        )
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("ACCORD_CLIENT_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Console:
    """What a page logged: errors and uncaught exceptions fail the test."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def message(self, msg: Any) -> None:
        if msg.type == "error" and not any(e in msg.text for e in EXPECTED_CONSOLE):
            self.problems.append(f"console error: {msg.text}")

    def exception(self, error: Any) -> None:
        self.problems.append(f"uncaught: {error}")


@pytest.fixture
def context(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh browser profile (no cookies) in a timezone unlike any test user's,
    so times prove they follow the viewer's timezone."""
    ctx = browser.new_context(
        base_url=server.url,
        locale="en-GB",
        timezone_id="America/Los_Angeles",
        viewport={"width": 1280, "height": 900},
    )
    ctx.set_default_timeout(WAIT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def admin(context: Any, server: Server) -> Any:
    """The context signed in as the admin (the session is shared, the UI skipped)."""
    context.add_cookies(
        [{"name": "accord_session", "value": server.admin_session(), "url": server.url}]
    )
    return context


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    console = Console()
    opened = context.new_page()
    opened.on("console", console.message)
    opened.on("pageerror", console.exception)
    yield opened
    assert console.problems == [], "the page logged errors (CSP violations included)"


@pytest.fixture
def open_page(browser: Any, demo: DemoServer) -> Iterator[Any]:
    """Opens pages on the demo server, each in its own browser profile, signed in
    as the demo person given (or signed out). Every page's console is watched:
    an error or an uncaught exception fails the test.

    `open_page(who, width=360)` gives a phone-sized page; `timezone` sets the
    browser's zone (default one unlike any demo person's)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    opened: list[tuple[Any, Console]] = []

    def open_one(
        who: DemoLogin | None = None,
        *,
        width: int = 1280,
        height: int = 900,
        timezone: str = "America/Los_Angeles",
    ) -> Any:
        ctx = browser.new_context(
            base_url=demo.url,
            locale="en-GB",
            timezone_id=timezone,
            viewport={"width": width, "height": height},
        )
        ctx.set_default_timeout(WAIT_MS)
        if who is not None:
            cookie = {"name": "accord_session", "value": demo.session_of(who)}
            ctx.add_cookies([{**cookie, "url": demo.url}])
        console = Console()
        page = ctx.new_page()
        page.on("console", console.message)
        page.on("pageerror", console.exception)
        opened.append((ctx, console))
        return page

    yield open_one
    problems = [p for _, console in opened for p in console.problems]
    for ctx, _ in opened:
        ctx.close()
    assert problems == [], "a page logged errors (CSP violations included)"
