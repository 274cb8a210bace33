"""The SPARQL editor at /sparql: marks errors where they are, completes names the service knows, runs on
Ctrl+Enter, sorts and pages the results, loads examples, shares the query; the form works without it."""

from __future__ import annotations

import re
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.editor_support import accept_completion, editor_text, replace_query, require_bundle

pytestmark = pytest.mark.browser
needs_editor = pytest.mark.usefixtures("bundle")

PREFIXES = (
    "PREFIX nkg: <https://needling-kg.example.org/kg/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)
MODALITIES = (
    PREFIXES + "SELECT ?modality ?label WHERE {\n  ?modality a nkg:Modality ; skos:prefLabel ?label .\n}"
)


@pytest.fixture(scope="module")
def bundle() -> None:
    require_bundle()


def open_editor(page: Page, server) -> None:
    page.goto(server.url("/sparql"))
    expect(page.locator(".cm-editor")).to_be_visible()
    expect(page.locator("textarea#query")).to_be_hidden()


def run_with_keyboard(page: Page) -> None:
    with page.expect_navigation():
        page.keyboard.press("ControlOrMeta+Enter")


def mark_on_line(page: Page, line: int) -> str:
    """The text the editor marks as wrong, which must be on 1-based line `line` and nowhere else."""
    marks = page.locator(".cm-lintRange-error")
    expect(marks).to_have_count(1)
    expect(page.locator(".cm-line").nth(line - 1).locator(".cm-lintRange-error")).to_have_count(1)
    return marks.inner_text()


@needs_editor
def test_a_typo_is_marked_where_the_guard_found_it(page: Page, server, guards) -> None:
    guards.expect_console_error(r"status of 400")
    open_editor(page, server)
    replace_query(page, "SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTR(?s)\n}")
    run_with_keyboard(page)
    expect(page.get_by_role("alert")).to_contain_text("'FILTR' at line 3, column 3")
    assert mark_on_line(page, 3) == "FILTR"
    assert "FILTR" in editor_text(page), "the broken query is not back in the editor"


@needs_editor
def test_a_parse_error_is_marked_where_the_parser_stopped(page: Page, server, guards) -> None:
    guards.expect_console_error(r"status of 400")
    open_editor(page, server)
    replace_query(page, "SELECT ?s WHERE {\n  ?s ?p ?o\n  ] }")
    run_with_keyboard(page)
    expect(page.get_by_role("alert")).to_contain_text("error at 3:")
    mark_on_line(page, 3)


@needs_editor
def test_prefixes_classes_and_properties_complete_from_the_service(page: Page, server) -> None:
    open_editor(page, server)
    replace_query(page, "")
    page.keyboard.type("PREFIX sch")
    accept_completion(page, page.get_by_role("option", name=re.compile(r"^schema: <http:..schema\.org.>")))
    assert editor_text(page) == "PREFIX schema: <http://schema.org/>"

    page.keyboard.press("Enter")
    page.keyboard.insert_text("SELECT ?t WHERE { ?t ")  # one line: typed as it is
    page.keyboard.type("schema:priceSpec")
    accept_completion(page, page.get_by_role("option", name=re.compile(r"^schema:priceSpecification")))
    assert editor_text(page).endswith("{ ?t schema:priceSpecification")

    # A name whose prefix is not declared yet brings its declaration along.
    page.keyboard.insert_text(" ?spec . ?t a ")
    page.keyboard.type("nkg:Moda")
    accept_completion(page, page.get_by_role("option", name=re.compile(r"^nkg:Modality")))
    lines = editor_text(page).splitlines()
    assert lines[:2] == [
        "PREFIX schema: <http://schema.org/>",
        "PREFIX nkg: <https://needling-kg.example.org/kg/>",
    ]
    assert lines[-1].endswith("?t a nkg:Modality")


@needs_editor
def test_ctrl_enter_runs_the_query_and_the_table_sorts_by_column(page: Page, server) -> None:
    open_editor(page, server)
    replace_query(page, MODALITIES + " ORDER BY DESC(?label)")
    run_with_keyboard(page)
    table = page.locator("#results table")
    expect(table).to_be_visible()
    first_label = table.locator("tbody tr").first.locator("td").nth(1)
    expect(first_label).to_have_text("Dry needling")  # as the query ordered it

    label_head = table.locator("thead th").nth(1)
    expect(label_head).to_have_attribute("aria-sort", "none")
    label_head.get_by_role("button", name="label").click()
    expect(label_head).to_have_attribute("aria-sort", "ascending")
    expect(first_label).to_have_text("Acupuncture")
    label_head.get_by_role("button", name="label").click()
    expect(label_head).to_have_attribute("aria-sort", "descending")
    expect(first_label).to_have_text("Dry needling")


@needs_editor
def test_a_long_result_comes_a_page_at_a_time(page: Page, server) -> None:
    open_editor(page, server)
    replace_query(page, "SELECT ?p (COUNT(*) AS ?uses) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p")
    run_with_keyboard(page)
    rows = page.locator("#results tbody tr")
    total = rows.count()
    assert total > 50, f"expected more than two pages of properties, got {total}"
    status = page.get_by_role("navigation", name="Result pages").get_by_role("status")
    expect(status).to_have_text(f"Rows 1–25 of {total}")
    expect(page.locator("#results tbody tr:visible")).to_have_count(25)
    first_on_page_one = rows.first.inner_text()
    page.get_by_role("button", name="Next rows").click()
    expect(status).to_have_text(f"Rows 26–50 of {total}")
    expect(rows.nth(25)).to_be_visible()
    expect(rows.first).to_be_hidden()
    # sorting by a column starts again at its first page
    page.locator("#results thead").get_by_role("button", name="uses").click()
    expect(status).to_have_text(f"Rows 1–25 of {total}")
    assert rows.first.inner_text() != first_on_page_one or total == 0


@needs_editor
def test_a_named_example_loads_into_the_editor(page: Page, server) -> None:
    open_editor(page, server)
    page.get_by_role("link", name="The source and its parts").click()
    assert urlsplit(page.url).query == "", "the example navigated instead of loading into the editor"
    text = editor_text(page)
    assert "dcterms:hasPart" in text and text.startswith("# title: The source and its parts")
    run_with_keyboard(page)
    expect(page.locator("#results table")).to_contain_text("Dry Needling vs Acupuncture")


@needs_editor
def test_the_shared_link_and_the_curl_command_give_the_same_results(page: Page, server) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_editor(page, server)
    replace_query(page, MODALITIES)
    run_with_keyboard(page)
    link = page.get_by_label("Link to this query")
    expect(link).to_be_visible()
    shared = link.input_value()
    assert shared.startswith(server.url("/sparql?query="))
    # a form sends a textarea's line ends as CRLF
    assert parse_qs(urlsplit(shared).query)["query"] == [MODALITIES.replace("\n", "\r\n")]

    curl = page.locator("#share-curl")
    command = curl.inner_text()
    assert command.startswith("curl ") and server.url("/sparql") in command
    page.get_by_role("button", name="Copy as curl").click()
    expect(page.locator("#copy-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == command
    ran = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30, check=True)
    assert ran.stdout.splitlines()[0] == "modality,label"
    assert {"Acupuncture", "Dry needling"} <= {line.split(",")[-1] for line in ran.stdout.splitlines()[1:]}

    other = page.context.new_page()
    other.goto(shared)
    expect(other.locator(".cm-content")).to_contain_text("SELECT ?modality ?label WHERE {")
    expect(other.locator("#results table")).to_contain_text("Dry needling")
    other.close()


def test_without_javascript_the_plain_form_runs_the_query(browser: Browser, server, guards) -> None:
    context = browser.new_context(java_script_enabled=False)
    context.route("**/*", guards.route)  # nothing from another origin, as on every other page
    context.on("request", lambda request: guards.on_request(request.url))
    try:
        page = context.new_page()
        page.goto(server.url("/sparql"))
        textarea = page.get_by_label("Query")
        expect(textarea).to_be_visible()
        expect(page.locator(".cm-editor")).to_have_count(0)
        textarea.fill(MODALITIES)
        with page.expect_navigation():
            page.get_by_role("button", name="Run query").click()
        expect(page.locator("#results table")).to_contain_text("Acupuncture")
        expect(page.locator("#results").get_by_role("link", name="TSV")).to_be_visible()
        expect(page.locator("#share")).to_be_hidden()  # it needs the page's origin, which only a script knows
    finally:
        context.close()
    assert not guards.problems(), guards.problems()


@needs_editor
def test_tab_leaves_the_editor_for_the_run_button(page: Page, server) -> None:
    open_editor(page, server)
    page.locator(".cm-content").click()
    before = editor_text(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Run query")).to_be_focused()
    assert editor_text(page) == before, "Tab typed into the query instead of moving on"
