"""Browser fixtures: the real service in a subprocess, one headless Debian Chromium, guarded pages.

Every page a test opens is watched: a console error, an uncaught page error or a request to any origin
but our own servers fails the test (outside requests are also aborted, so nothing leaves the machine).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Route, sync_playwright

from kg import DEFAULT_ONTOLOGY

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
START_TIMEOUT_S = 60.0

# Appended to a copy of the graph: markup in literals and a javascript: IRI that must never run.
HOSTILE_TURTLE = """
nkg:xss-test a <http://schema.org/MedicalCondition> ;
    skos:prefLabel "<script>window.__pwned=1</script>Evil"@en ;
    skos:definition "<img src=x onerror=window.__pwned=1>"@en ;
    skos:closeMatch <javascript:window.__pwned=1> .
"""
EVIL_LABEL = "<script>window.__pwned=1</script>Evil"
EVIL_DEFINITION = "<img src=x onerror=window.__pwned=1>"


@dataclass
class Server:
    """A service process on 127.0.0.1 and the URL it answers on."""

    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def origin(self) -> str:
        return self.base_url

    def url(self, path: str) -> str:
        return self.base_url + path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


HUB_OFFERS = 450


def start_server(log: Path, **env: str) -> Server:
    """`python -m uvicorn api.app:create_app --factory` on a free port; returns once /healthz says 200."""
    port = _free_port()
    environment = {**os.environ, "NEEDLING_WATCH": "false", **env}
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"the service exited with {process.returncode} before it was ready:\n{log.read_text()}"
            )
        if _healthy(server.url("/healthz")):
            return server
        time.sleep(0.1)
    stop_server(server)
    pytest.fail(f"the service was not ready within {START_TIMEOUT_S:.0f} s:\n{log.read_text()}")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real service on the real graph."""
    running = start_server(tmp_path_factory.mktemp("server") / "service.log")
    yield running
    stop_server(running)


def server_on_edited_graph(folder: Path, appended_turtle: str) -> Server:
    """The service on a copy of the real graph with some Turtle appended (the real named queries)."""
    ontology = folder / "needling.ttl"
    shutil.copy(DEFAULT_ONTOLOGY, ontology)
    with ontology.open("a", encoding="utf-8") as turtle:
        turtle.write(appended_turtle)
    return start_server(folder / "service.log", NEEDLING_ONTOLOGY=str(ontology))


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service on a copy of the graph with markup and a javascript: IRI appended."""
    running = server_on_edited_graph(tmp_path_factory.mktemp("hostile"), HOSTILE_TURTLE)
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service on a copy of the graph where 450 synthetic offers point at dry needling: three pages."""
    offer = "https://needling-kg.example.org/kg/synthetic/offer-"
    offers = "".join(
        f"<{offer}{n}> <http://schema.org/itemOffered> <https://needling-kg.example.org/kg/dry-needling> ;"
        f' <http://www.w3.org/2004/02/skos/core#prefLabel> "Synthetic offer {n}"@en .\n'
        for n in range(HUB_OFFERS)
    )
    running = server_on_edited_graph(tmp_path_factory.mktemp("hub"), offers)
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """One Debian Chromium for the whole session; it is never downloaded."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. Install it with "
            "`sudo apt-get install chromium` (the README's `make test` does this), never `playwright install`."
        )
    chromium = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    yield chromium
    chromium.close()


@dataclass
class Guards:
    """What went wrong in the browser during one test, checked after it."""

    local_origins: set[str]
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    expected_console: list[re.Pattern[str]] = field(default_factory=list)

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        return f"{parts.scheme}://{parts.netloc}" in self.local_origins

    def expect_console_error(self, pattern: str) -> None:
        """A console error this test provokes on purpose (Chromium logs a 404 document as one)."""
        self.expected_console.append(re.compile(pattern))

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = f"{message.text} (at {message.location.get('url', '?')})"
        if not any(p.search(message.text) for p in self.expected_console):
            self.console_errors.append(text)

    def on_request(self, url: str) -> None:
        if not self.is_local(url):
            self.outside_requests.append(url)

    def route(self, route: Route) -> None:
        if self.is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def problems(self) -> list[str]:
        return (
            [f"console error: {e}" for e in self.console_errors]
            + [f"page error: {e}" for e in self.page_errors]
            + [f"request to another origin: {u}" for u in self.outside_requests]
        )


@pytest.fixture
def guards(request: pytest.FixtureRequest) -> Guards:
    servers = [request.getfixturevalue("server")]
    servers += [
        request.getfixturevalue(name)
        for name in ("hostile_server", "hub_server")
        if name in request.fixturenames
    ]
    return Guards({s.origin for s in servers})


@pytest.fixture
def page(browser: Browser, guards: Guards) -> Iterator[Page]:
    """A fresh context per test, watched for console errors, page errors and outside requests."""
    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    context.set_default_timeout(10_000)
    context.route("**/*", guards.route)
    context.on("console", guards.on_console)
    context.on("weberror", lambda error: guards.page_errors.append(str(error.error)))
    context.on("request", lambda req: guards.on_request(req.url))
    tab = context.new_page()
    yield tab
    context.close()
    problems = guards.problems()
    assert not problems, "the browser saw problems:\n" + "\n".join(problems)


def _screenshot(page: Page, name: str) -> None:
    """The page as it is now, full length, at 1280 px and at 390 px wide: screenshots/{name}-{width}.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    original = page.viewport_size or DESKTOP
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"{name}-{size['width']}.png", full_page=True)
    page.set_viewport_size(original)


@pytest.fixture
def shoot() -> Callable[[Page, str], None]:
    """Takes the screenshots a reviewer looks at; a fixture so test modules need not import conftest."""
    return _screenshot
