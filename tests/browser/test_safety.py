"""Hostile data and hostile questions: markup shows as text, a javascript: IRI is never a link, nothing runs.

The `hostile_server` fixture serves a copy of the graph with `nkg:xss-test` appended: a label holding a
<script>, a definition holding an <img onerror>, and a skos:closeMatch to a javascript: IRI.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, Response, expect

pytestmark = pytest.mark.browser

Shoot = Callable[[Page, str], None]
SCRIPT = "<script>window.__pwned=1</script>"
EVIL_LABEL = SCRIPT + "Evil"
EVIL_DEFINITION = "<img src=x onerror=window.__pwned=1>"
# Any attribute that could carry a javascript: URL, anywhere in the document (SVG included).
SCRIPT_URLS = """() => Array.from(document.querySelectorAll("*")).flatMap(e => Array.from(e.attributes)
  .filter(a => ["href", "xlink:href", "src", "action", "formaction"].includes(a.name))
  .filter(a => a.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase().startsWith("javascript:"))
  .map(a => e.tagName + " " + a.name + "=" + a.value))"""


def assert_nothing_ran(page: Page, response: Response | None) -> None:
    assert response is not None and response.status == 200
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy, policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0], policy
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate(SCRIPT_URLS) == []
    expect(page.locator('a[href^="javascript:" i]')).to_have_count(0)
    # no inline script: the one script a page may load is our own file (the neighbourhood walk)
    expect(page.locator("script:not([src='/static/walk.js'])")).to_have_count(0)
    expect(page.locator("main img")).to_have_count(0)


def test_hostile_resource_page_shows_markup_as_text(page: Page, hostile_server, shoot: Shoot) -> None:
    response = page.goto(hostile_server.url("/resource/xss-test"))
    assert_nothing_ran(page, response)
    expect(page.get_by_role("heading", level=1)).to_have_text(EVIL_LABEL)
    expect(page.locator(".definition")).to_have_text(EVIL_DEFINITION)
    identifier = page.locator("#identifiers").get_by_text("javascript:window.__pwned=1", exact=True)
    expect(identifier).to_be_visible()
    assert identifier.evaluate("e => e.closest('a')") is None, "the javascript: IRI is a link"
    assert EVIL_LABEL in page.title()
    shoot(page, "hostile-resource")


def test_script_in_a_question_is_echoed_as_text(page: Page, hostile_server, shoot: Shoot) -> None:
    question = SCRIPT + " sciatica"
    response = page.goto(hostile_server.url("/ask?q=" + quote(question)))
    assert_nothing_ran(page, response)
    expect(page.get_by_label("Ask about dry needling or acupuncture")).to_have_value(question)
    assert page.title().startswith(question)
    shoot(page, "hostile-question")


def test_question_naming_the_hostile_resource_answers_without_running_it(
    page: Page, hostile_server, shoot: Shoot
) -> None:
    page.goto(hostile_server.url("/"))
    box = page.get_by_label("Ask about dry needling or acupuncture")
    box.fill("what treats " + EVIL_LABEL)
    with page.expect_navigation() as navigation:
        box.press("Enter")
    assert_nothing_ran(page, navigation.value)
    how = page.locator("details.how")
    if not how.evaluate("e => e.open"):  # an unanswered question opens it already
        how.get_by_text("How this was answered").click()
    recognised = page.locator("details.how").get_by_role("link", name=EVIL_LABEL, exact=True)
    expect(recognised).to_have_attribute("href", "/resource/xss-test")
    expect(page.locator(".answer-text")).to_contain_text(EVIL_LABEL)
    shoot(page, "hostile-answer")
    recognised.click()
    page.wait_for_url("**/resource/xss-test")
    assert page.evaluate("typeof window.__pwned") == "undefined"
