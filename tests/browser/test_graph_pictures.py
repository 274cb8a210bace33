"""The pictures of the graph, in a real Chromium: an answer's own subgraph, and a neighbourhood walked node
by node (in place, with Back), by mouse, by keyboard, and as plain links with JavaScript off."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = pytest.mark.browser

Shoot = Callable[[Page, str], None]
QUESTION = "what treats sciatica, and at what cost"
MARKER = "window.__sameDocument"
DESKTOP = {"width": 1280, "height": 900}


def answer_node(page: Page, label: str) -> Locator:
    return page.locator(f'figure.answer-graph a.node-link[aria-label^="{label},"]')


def hedge_between(page: Page, hedge: str) -> Locator:
    return page.locator("figure.answer-graph .edge.hedged .edge-hedge", has_text=f"“{hedge}”")


def centre(page: Page) -> str:
    """The label under the centre of the neighbourhood, its wrapped lines read as one."""
    lines = page.locator("figure.neighbourhood .centre-label tspan").all_text_contents()
    return " ".join(line.strip() for line in lines)


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def test_answer_draws_its_subgraph_with_hedges_on_the_edges(page: Page, server, shoot: Shoot) -> None:
    page.goto(server.url("/ask?q=" + quote(QUESTION)))
    picture = page.locator("figure.answer-graph").get_by_role(
        "group", name="The part of the graph behind this answer"
    )
    expect(picture).to_be_visible()
    # what was asked, the answers, the prices used and the section they come from, each linked
    for label, href in (
        ("Sciatica", "/resource/sciatica"),
        ("Dry needling", "/resource/dry-needling"),
        ("Acupuncture", "/resource/acupuncture"),
        ("the paragraphs on sciatica", "/resource/section-sciatica-paragraphs"),
    ):
        expect(answer_node(page, label)).to_have_attribute("href", href)
    for price in ("$50–150 per session", "$70–150 per session"):
        expect(page.locator("figure.answer-graph .node-fact", has_text=price)).to_be_visible()
    # the article's hedges, on the edges they qualify
    for hedge in ("can be", "can also offer", "averages around"):
        expect(hedge_between(page, hedge)).to_be_visible()
    sciatica = answer_node(page, "Sciatica").locator("circle").bounding_box()
    dry = answer_node(page, "Dry needling").locator("circle").bounding_box()
    can_be = hedge_between(page, "can be").bounding_box()
    assert sciatica and dry and can_be
    assert sciatica["x"] < can_be["x"] < dry["x"], "“can be” is not on the edge from sciatica to dry needling"
    expect(page.locator("figure.answer-graph figcaption")).to_contain_text("the article's own hedge")
    shoot(page, "answer-graph")

    answer_node(page, "Acupuncture").locator("circle").click()
    page.wait_for_url(server.url("/resource/acupuncture"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acupuncture")


def walkable(page: Page, visited: set[str]) -> Locator:
    """A node of the picture that leads to a resource page not seen yet on this walk."""
    links = page.locator("figure.neighbourhood a.node-link")
    for index in range(links.count()):
        link = links.nth(index)
        href = link.get_attribute("href") or ""
        if href.startswith("/resource/") and href not in visited:
            return link
    raise AssertionError(f"no node leads anywhere new from {page.url}")


def test_walk_three_hops_in_place_and_back_again(page: Page, server, shoot: Shoot) -> None:
    page.goto(server.url("/resource/dry-needling"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dry needling")
    page.evaluate(f"{MARKER} = 'still here'")
    trail = [("/resource/dry-needling", "Dry needling")]
    for _hop in range(3):
        node = walkable(page, {path for path, _ in trail})
        href, label = node.get_attribute("href") or "", node.get_attribute("aria-label") or ""
        node.locator("circle").click()
        expect(page).to_have_url(server.url(href))
        expect(page.get_by_role("heading", level=1)).to_have_text(label)
        expect(page.locator("figure.neighbourhood .centre-label")).to_be_visible()
        assert centre(page) == label
        assert page.evaluate(MARKER) == "still here", "the walk reloaded the page"
        trail.append((href, label))
    assert page.title().startswith(trail[-1][1])
    shoot(page, "resource-walk")

    for path, label in reversed(trail[:-1]):
        page.go_back()
        expect(page).to_have_url(server.url(path))
        expect(page.get_by_role("heading", level=1)).to_have_text(label)
        assert centre(page) == label
    assert page.evaluate(MARKER) == "still here", "Back reloaded the page"
    page.go_forward()
    expect(page).to_have_url(server.url(trail[1][0]))
    expect(page.get_by_role("heading", level=1)).to_have_text(trail[1][1])


def test_enter_on_a_focused_node_walks_there(page: Page, server) -> None:
    page.goto(server.url("/resource/dry-needling"))
    page.evaluate(f"{MARKER} = 'still here'")
    node = walkable(page, {"/resource/dry-needling"})
    href, label = node.get_attribute("href") or "", node.get_attribute("aria-label") or ""
    node.focus()
    expect(node).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(server.url(href))
    expect(page.get_by_role("heading", level=1)).to_have_text(label)
    assert page.evaluate(MARKER) == "still here"
    # the keyboard carries on from the new page's heading, not from the top of the document
    expect(page.get_by_role("heading", level=1)).to_be_focused()


def test_a_cut_label_shows_in_full_on_focus_and_hover(page: Page, server) -> None:
    page.goto(server.url("/resource/dry-needling"))
    cut = page.locator("figure.neighbourhood a.node-link:has(.node.cut)")
    assert cut.count(), "no label long enough to be cut on this page"
    node = cut.first
    full = node.get_attribute("aria-label") or ""
    short = node.locator(".label-short").text_content() or ""
    # cut at a word's end, so every word shown is a word of the link's name
    assert short.endswith("…") and len(short) <= 22, short
    assert full.startswith(short[:-1]) and full[len(short) - 1] == " ", (short, full)
    expect(node.locator(".label-full")).to_be_hidden()
    node.focus()
    expect(node.locator(".label-full")).to_be_visible()
    expect(node.locator(".label-short")).to_be_hidden()
    assert " ".join(node.locator(".label-full tspan").all_text_contents()) == full
    node.blur()
    expect(node.locator(".label-full")).to_be_hidden()
    node.locator("circle").hover()
    expect(node.locator(".label-full")).to_be_visible()


@pytest.fixture
def no_script_page(browser: Browser, guards) -> Iterator[Page]:
    """A context with JavaScript off, watched like the others."""
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    context.set_default_timeout(10_000)
    context.route("**/*", guards.route)
    context.on("request", lambda req: guards.on_request(req.url))
    yield context.new_page()
    context.close()
    assert not guards.problems(), guards.problems()


def test_without_javascript_nodes_are_plain_links(no_script_page: Page, server) -> None:
    page = no_script_page
    page.goto(server.url("/resource/dry-needling"))
    node = walkable(page, {"/resource/dry-needling"})
    href, label = node.get_attribute("href") or "", node.get_attribute("aria-label") or ""
    with page.expect_navigation() as navigation:
        node.locator("circle").click()
    response = navigation.value
    assert response is not None and response.status == 200
    assert path_of(page) == href
    expect(page.get_by_role("heading", level=1)).to_have_text(label)

    page.goto(server.url("/ask?q=" + quote(QUESTION)))
    with page.expect_navigation():
        answer_node(page, "Sciatica").locator("circle").click()
    assert path_of(page) == "/resource/sciatica"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sciatica")
