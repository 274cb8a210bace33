"""The journeys of the HTML browser, walked in a real Chromium: what a person sees and can click."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.editor_support import set_query

pytestmark = pytest.mark.browser

Shoot = Callable[[Page, str], None]
QUESTION = "what treats sciatica, and at what cost"


def column_of(page: Page, table: str, heading: str) -> int:
    """The 0-based index of the column whose head reads `heading` (the row heads are column 0)."""
    heads = page.locator(f"{table} thead th").all_inner_texts()
    return [h.strip() for h in heads].index(heading)


def test_ask_from_home_shows_both_modalities_with_costs_and_sources(page: Page, server, shoot: Shoot) -> None:
    page.goto(server.url("/"))
    box = page.get_by_label("Ask about dry needling or acupuncture")
    expect(box).to_be_visible()
    expect(box).to_be_editable()
    box.focus()
    expect(box).to_be_focused()
    shoot(page, "home")

    box.fill(QUESTION)
    box.press("Enter")
    page.wait_for_url("**/ask?q=*")
    assert urlsplit(page.url).path == "/ask"
    assert parse_qs(urlsplit(page.url).query)["q"] == [QUESTION]

    cards = page.locator("article.answer-card")
    dry = cards.filter(has=page.get_by_role("heading", name="Dry needling", exact=True))
    acupuncture = cards.filter(has=page.get_by_role("heading", name="Acupuncture", exact=True))
    expect(dry).to_have_count(1)
    expect(acupuncture).to_have_count(1)
    expect(dry).to_contain_text("$50–150 per session")
    # the article's hedge on acupuncture's price, next to the price, and its hedges on the treatments
    expect(acupuncture).to_contain_text("“averages around” $70–150 per session")
    expect(dry).to_contain_text("“can be”")
    expect(acupuncture).to_contain_text("“can also offer”")
    expect(dry.locator(".sources")).to_contain_text("the paragraphs on sciatica")
    expect(acupuncture.locator(".sources")).to_contain_text("the paragraphs on sciatica")
    expect(page.get_by_role("note")).to_contain_text("not medical advice")
    shoot(page, "answer")

    page.get_by_text("How this was answered").click()
    expect(page.locator("details.how pre")).to_contain_text("possibleTreatment")
    link = page.get_by_role("link", name="Open it in the query page")
    expect(link).to_be_visible()
    with page.expect_response(lambda r: urlsplit(r.url).path == "/sparql") as opened:
        link.click()
    response = opened.value
    assert response.status == 200
    assert "possibleTreatment" in parse_qs(urlsplit(response.url).query)["query"][0]
    page.wait_for_url("**/sparql?query=*")
    expect(page.locator("textarea[name=query]")).to_have_value(re.compile("possibleTreatment"))
    expect(page.locator("section#results table")).to_contain_text("Dry needling")


def test_unanswered_question_says_what_is_covered_and_suggests_questions(
    page: Page, server, shoot: Shoot
) -> None:
    page.goto(server.url("/ask?q=what+treats+asthma"))
    coverage = page.locator(".answer.unanswered .answer-text")
    expect(coverage).to_contain_text("asthma")
    expect(coverage).to_contain_text("It covers acupuncture and dry needling")
    expect(page.locator("article.answer-card")).to_have_count(0)
    expect(page.locator("figure.answer-graph")).to_have_count(0)  # nothing answered, nothing to draw
    suggestions = page.locator(".suggestions a")
    assert suggestions.count() >= 3
    for href in [suggestions.nth(i).get_attribute("href") or "" for i in range(suggestions.count())]:
        assert href.startswith("/ask?q="), href
    shoot(page, "answer-unanswered")

    first = suggestions.first.inner_text()
    suggestions.first.click()
    page.wait_for_url("**/ask?q=*")
    assert parse_qs(urlsplit(page.url).query)["q"] == [first]
    expect(page.locator(".answer.answered")).to_be_visible()


def test_modality_page_shows_its_neighbourhood_and_nodes_lead_to_their_pages(
    page: Page, server, shoot: Shoot
) -> None:
    page.goto(server.url("/"))
    page.locator(".entry-points").get_by_role("link", name="Dry needling", exact=True).click()
    page.wait_for_url("**/resource/dry-needling")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dry needling")
    picture = page.locator("figure.neighbourhood").get_by_role("group", name="Neighbourhood of Dry needling")
    expect(picture).to_be_visible()
    nodes = picture.locator("a")
    assert nodes.count() >= 5, f"only {nodes.count()} linked nodes in the picture"
    shoot(page, "resource")

    named = nodes.filter(has_text="Sciatica")
    node = named.first if named.count() else nodes.filter(has_text="Back pain").first
    if not node.count():
        node = nodes.first
    href = node.get_attribute("href") or ""
    label = (node.get_attribute("aria-label") or "").strip()
    assert href.startswith("/resource/"), href
    node.locator("circle").click()
    page.wait_for_url(server.url(href))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_be_visible()
    assert heading.inner_text() == label, (heading.inner_text(), label)
    assert heading.inner_text() != "Dry needling"
    shoot(page, "resource-node")


def test_a_resource_with_hundreds_of_links_shows_them_a_page_at_a_time(
    page: Page, hub_server, shoot: Shoot
) -> None:
    def offers() -> set[str]:
        return set(
            page.locator("#incoming")
            .get_by_role("link", name=re.compile(r"^Synthetic offer"))
            .all_inner_texts()
        )

    page.goto(hub_server.url("/resource/dry-needling"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dry needling")
    pager = page.get_by_role("navigation", name="Pages of links")
    expect(pager).to_contain_text("Links 1–200; this resource has more.")
    shoot(page, "resource-pages")
    pages = [offers()]

    pager.get_by_role("link", name="More links").click()
    page.wait_for_url("**/resource/dry-needling?offset=200")
    expect(pager).to_contain_text("Links 201–400; this resource has more.")
    expect(page.locator("#outgoing")).to_have_count(0)  # its own links came first, on the first page
    pages.append(offers())

    pager.get_by_role("link", name="More links").click()
    page.wait_for_url("**/resource/dry-needling?offset=400")
    expect(pager).not_to_contain_text("has more")
    expect(pager.get_by_role("link", name="More links")).to_have_count(0)
    pages.append(offers())

    assert [len(p) > 0 for p in pages] == [True, True, True]
    assert sum(len(p) for p in pages) == len(set().union(*pages)) == 450, "links lost or shown twice"
    pager.get_by_role("link", name="First links").click()
    page.wait_for_url("**/resource/dry-needling?offset=0")
    expect(pager).to_contain_text("Links 1–200")


def test_compare_page_puts_both_modalities_side_by_side(page: Page, server, shoot: Shoot) -> None:
    page.goto(server.url("/compare"))
    table = "table.compare"
    dry = column_of(page, table, "Dry needling")
    acupuncture = column_of(page, table, "Acupuncture")
    expect(page.locator(f"{table} thead th a", has_text="Dry needling")).to_have_attribute(
        "href", "/resource/dry-needling"
    )

    def cells(aspect: str):  # type: ignore[no-untyped-def]
        row = page.locator(f"{table} tbody tr").filter(has=page.locator("th", has_text=aspect))
        expect(row).to_have_count(1)
        return row.locator("th, td")

    origin = cells("Origin")
    expect(origin.nth(dry)).to_contain_text("Western conventional medicine")
    expect(origin.nth(acupuncture)).to_contain_text("Traditional Chinese Medicine")
    cost = cells("Cost per session")
    expect(cost.nth(dry)).to_contain_text("$50–150")
    expect(cost.nth(acupuncture)).to_contain_text("“averages around” $70–150")
    for row in (origin, cost):
        for column in (dry, acupuncture):
            link = row.nth(column).locator("a").first
            expect(link).to_have_attribute("href", re.compile(r"^(/resource/|https?://)"))
    shoot(page, "compare")


def test_named_query_form_runs_and_offers_downloads(page: Page, server, shoot: Shoot) -> None:
    page.goto(server.url("/queries"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Named queries")
    assert page.locator(".query-list li").count() >= 5
    shoot(page, "queries")

    page.get_by_role("link", name="Treatments that can cost less than a price").click()
    page.wait_for_url("**/queries/treatments_under_price")
    page.get_by_label("max_price").fill("60")
    condition = page.get_by_label("condition")
    assert condition.evaluate("e => e.tagName") == "SELECT"
    condition.select_option(label="Sciatica")
    shoot(page, "query-form")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url("**/queries/treatments_under_price?*")

    results = page.locator(".table-wrap table")
    expect(results).to_be_visible()
    labels = results.locator(
        f"tbody td:nth-child({column_of(page, '.table-wrap table', 'modalityLabel') + 1})"
    )
    expect(labels).to_have_text(["Dry needling"])
    expect(results.locator("tbody a[href='/resource/dry-needling']")).to_be_visible()
    expect(results.locator("tbody a[href='/resource/acupuncture']")).to_have_count(0)
    shoot(page, "query-results")

    csv_link = page.locator(".downloads").get_by_role("link", name="CSV")
    json_link = page.locator(".downloads").get_by_role("link", name="JSON")
    csv = page.request.get(server.url(csv_link.get_attribute("href") or ""))
    assert csv.status == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "Dry needling" in csv.text() and "/acupuncture" not in csv.text()
    data = page.request.get(server.url(json_link.get_attribute("href") or ""))
    assert data.status == 200
    assert data.headers["content-type"].startswith("application/json")
    rows = json.loads(data.text())["rows"]
    assert [row["modalityLabel"] for row in rows] == ["Dry needling"]


def test_docs_render_the_openapi_ui_from_this_server(page: Page, server, shoot: Shoot) -> None:
    page.goto(server.url("/docs"))
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.locator(".swagger-ui .opblock").count() >= 5
    expect(page.locator('.swagger-ui .opblock-summary-path[data-path="/api/ask"]')).to_be_visible()
    shoot(page, "docs")

    # "You can try each one here": the call goes to this server, under its Content-Security-Policy.
    ask = page.locator(".opblock").filter(has=page.locator('[data-path="/api/ask"]'))
    ask.locator(".opblock-summary").click()
    ask.get_by_role("button", name="Try it out").click()
    ask.locator("input[placeholder=q]").fill(QUESTION)
    with page.expect_response(lambda r: urlsplit(r.url).path == "/api/ask") as called:
        ask.get_by_role("button", name="Execute").click()
    assert called.value.status == 200
    expect(ask.locator(".live-responses-table")).to_contain_text("Dry needling")


def test_sparql_query_page_runs_a_query_and_shows_errors_plainly(
    page: Page, server, guards, shoot: Shoot
) -> None:
    response = page.goto(server.url("/sparql"))
    assert response is not None and response.status == 200
    editor = page.locator("form textarea#query[name=query]")
    expect(editor).to_have_value(re.compile("PREFIX"))
    expect(page.locator("form").get_by_role("button")).not_to_have_count(0)
    examples = page.locator('main a[href*="query="], main a[href^="/queries/"]')
    assert examples.count() >= 1, "no named-query examples as links"
    shoot(page, "sparql")

    set_query(
        page,
        "PREFIX nkg: <https://needling-kg.example.org/kg/>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?modality ?label WHERE { ?modality a nkg:Modality ; skos:prefLabel ?label } ORDER BY ?label",
    )
    page.locator("form").get_by_role("button").first.click()
    results = page.locator("section#results table")
    expect(results).to_be_visible()
    assert "query=" in page.url, "the query is not kept in a shareable URL"
    expect(results).to_contain_text("Dry needling")
    expect(results.locator('a[href="/resource/dry-needling"]')).not_to_have_count(0)
    shoot(page, "sparql-results")
    for name, media in (("CSV", "text/csv"), ("JSON", "json")):
        link = page.locator("section#results").get_by_role("link", name=name, exact=False).first
        download = page.request.get(server.url(link.get_attribute("href") or ""))
        assert download.status == 200, name
        assert media in download.headers["content-type"], download.headers["content-type"]

    broken = "SELECT ?x WHERE { ?x ?y "
    set_query(page, broken)
    guards.expect_console_error(r"status of 400")  # a syntax error may come back as a 400 page
    page.locator("form").get_by_role("button").first.click()
    page.wait_for_load_state()
    expect(page.locator(".error-message, [role=alert]").first).to_be_visible()
    expect(page.locator("textarea#query")).to_have_value(broken)
    shoot(page, "sparql-error")


def test_keyboard_reaches_the_question_box_and_enter_submits(page: Page, server) -> None:
    page.goto(server.url("/"))
    # Start where a person starts: at the top of the page, nothing focused.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.mouse.click(2, 2)
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    else:
        pytest.fail("Tab never reached the question box")
    box = page.locator("#q")
    expect(box).to_be_focused()
    assert box.evaluate("e => getComputedStyle(e).outlineStyle") != "none", "no visible focus ring"
    page.keyboard.type("what does acupuncture cost")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Ask")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/ask?q=*")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["what does acupuncture cost"]
    expect(page.locator("article.answer-card")).not_to_have_count(0)


@pytest.mark.parametrize(("path", "name"), [("/resource/no-such-thing", "404-resource"), ("/nowhere", "404")])
def test_not_found_is_a_page_with_a_heading_and_links_back(
    page: Page, server, guards, shoot: Shoot, path: str, name: str
) -> None:
    guards.expect_console_error(r"status of 404")  # Chromium logs every 404 document this way
    response = page.goto(server.url(path))
    assert response is not None and response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.locator(".error-message")).not_to_be_empty()
    expect(page.locator("main a[href='/']")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).not_to_have_count(0)
    shoot(page, name)
    page.locator("main").get_by_role("link", name="home page").click()
    page.wait_for_url(server.url("/"))
    expect(page.get_by_label("Ask about dry needling or acupuncture")).to_be_visible()
