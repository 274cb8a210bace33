"""Every page on a 390 px phone: no sideways scrolling, and every form field has a label."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TITLE = re.compile(r"\S.* · needling-kg$")  # every page names itself before the site
PAGES = {
    "home": "/",
    "answer": "/ask?q=what+treats+sciatica%2C+and+at+what+cost",
    "answer-unanswered": "/ask?q=what+treats+asthma",
    "resource": "/resource/dry-needling",
    "resource-condition": "/resource/sciatica",
    "compare": "/compare",
    "queries": "/queries",
    "query-form": "/queries/treatments_under_price?max_price=60&condition=sciatica&run=1",
    "docs": "/docs",
    "sparql": "/sparql",
    "sparql-results": "/sparql?query=SELECT+%3Fs+%3Fp+%3Fo+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D+LIMIT+20",
}
# Fields with no label: a <label> pointing at them (or around them), aria-label or aria-labelledby.
UNLABELLED = """() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter(e => e.type !== "hidden")
  .filter(e => !(e.labels && e.labels.length)
            && !(e.getAttribute("aria-label") || "").trim()
            && !(e.getAttribute("aria-labelledby") || "").split(/\\s+/).some(id => id && document.getElementById(id)))
  .map(e => e.outerHTML.slice(0, 160))"""
# Words of prose and table heads split across lines without a hyphen ("Aspe|ct", "m|od|ali|ty").
BROKEN_WORDS = r"""() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("pre, code, svg, .iri, .swagger-ui")) continue;
    if (/^\s*\S+:\S+\s*$/.test(node.data)) continue;  // an IRI or prefixed name may break anywhere
    for (const match of node.data.matchAll(/[A-Za-z]{2,15}/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(`${match[0]} in <${node.parentElement.tagName.toLowerCase()}>`);
    }
  }
  return broken;
}"""
WORD_PAGES = [pytest.param(path, id=name) for name, path in PAGES.items()]


@pytest.mark.parametrize("path", list(PAGES.values()), ids=list(PAGES))
def test_page_fits_a_phone_and_labels_every_field(page: Page, server, path: str) -> None:
    page.set_viewport_size(PHONE)
    response = page.goto(server.url(path))
    assert response is not None and response.status == 200
    if path == "/docs":
        expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => Array.from(document.querySelectorAll("body *"))
          .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .filter(e => !e.closest("figure, .table-wrap, pre"))
          .slice(0, 5).map(e => e.tagName.toLowerCase() + "." + (e.getAttribute("class") || ""))"""
    )
    assert width <= PHONE["width"], f"{path} scrolls sideways: scrollWidth {width} px; too wide: {wide}"
    unlabelled = page.evaluate(UNLABELLED)
    assert not unlabelled, f"{path} has form fields without a label: {unlabelled}"
    expect(page).to_have_title(TITLE)


@pytest.mark.parametrize("path", WORD_PAGES)
def test_page_keeps_words_whole_on_a_phone(page: Page, server, path: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(server.url(path))
    page.wait_for_load_state("load")
    broken = page.evaluate(BROKEN_WORDS)
    assert not broken, f"{path} breaks words mid-word at 390 px: {broken[:10]}"
