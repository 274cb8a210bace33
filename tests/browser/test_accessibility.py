"""axe-core on every page, at 1280 and 390 px, in the light and the dark scheme: no serious or critical
violation. Screenshots of each land in screenshots/{page}-{scheme}-{width}.png.

axe comes from npm (`axe-core`, installed by `make editor` with the editor's packages). It is added as an
init script: a <script> tag with its text in it would be inline script, which the pages' CSP refuses.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
MODALITIES = (
    "PREFIX nkg: <https://needling-kg.example.org/kg/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "SELECT ?modality ?label WHERE { ?modality a nkg:Modality ; skos:prefLabel ?label }"
)
PAGES = {
    "home": "/",
    "answer": "/ask?q=what+treats+sciatica%2C+and+at+what+cost",
    "compare": "/compare",
    "queries": "/queries",
    "query-form": "/queries/treatments_under_price?max_price=60&run=1",
    "resource": "/resource/dry-needling",
    "sparql": "/sparql",
    "sparql-results": "/sparql?" + urlencode({"query": MODALITIES}),
    "sparql-error": "/sparql?" + urlencode({"query": "SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTR(?s)\n}"}),
    "docs": "/docs",
    "not-found": "/resource/no-such-resource",
}
EXPECTED_STATUS = {"sparql-error": 400, "not-found": 404}
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def axe_source() -> Path:
    if not AXE.is_file():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed, so axe-core (node_modules/axe-core) is not there")
        pytest.fail(f"{AXE} is missing though npm is installed: run `make editor` (npm ci)")
    return AXE


def violations(page: Page) -> list[dict]:
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in SERIOUS]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_passes_axe_in_both_schemes_and_widths(
    page: Page, server, guards, axe_source: Path, name: str, scheme: str
) -> None:
    if name in EXPECTED_STATUS:
        guards.expect_console_error(f"status of {EXPECTED_STATUS[name]}")
    page.add_init_script(path=str(axe_source))
    page.emulate_media(color_scheme=scheme)
    response = page.goto(server.url(PAGES[name]))
    assert response is not None and response.status == EXPECTED_STATUS.get(name, 200)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    SCREENSHOTS.mkdir(exist_ok=True)
    problems = {}
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"{name}-{scheme}-{size['width']}.png", full_page=True)
        found = violations(page)
        if found:
            problems[size["width"]] = found
    assert not problems, f"axe on {PAGES[name]} ({scheme}):\n" + json.dumps(problems, indent=1)
