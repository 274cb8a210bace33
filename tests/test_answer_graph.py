"""The answer's subgraph, built from real replies of the real graph: hedges on the edges they qualify,
nodes linked to their pages, the cap kept, labels wrapped and escaped."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.answer_graph import KINDS, WIDTH, Subgraph, answer_picture, draw, subgraph
from api.neighbourhood import wrap
from api.routes.pages import cited_sections
from api.templating import environment
from kg.engine import KnowledgeGraph
from kg.qa import answer_question
from kg.terms import NKG

SCIATICA = "what treats sciatica, and at what cost"


def reply(graph: KnowledgeGraph, question: str) -> dict[str, Any]:
    return answer_question(graph, question)


def built(graph: KnowledgeGraph, question: str, cap: int = 20) -> Subgraph:
    return subgraph(reply(graph, question), cited_sections(graph), cap)


def node(graph: Subgraph, label: str) -> Any:
    found = [n for n in graph.nodes if n.label == label]
    assert len(found) == 1, (label, [n.label for n in graph.nodes])
    return found[0]


def hedge_on(graph: Subgraph, one: str, other: str) -> str | None:
    keys = {node(graph, one).key, node(graph, other).key}
    edges = [e for e in graph.edges if {e.source, e.target} == keys]
    assert len(edges) == 1, (one, other, edges)
    return edges[0].hedge


def test_what_treats_sciatica_draws_the_question_the_answers_their_prices_and_section(
    graph: KnowledgeGraph,
) -> None:
    drawn = built(graph, SCIATICA)
    assert node(graph=drawn, label="Sciatica").kind == "asked"
    assert node(drawn, "Sciatica").href == "/resource/sciatica"
    for label, name in (("Dry needling", "dry-needling"), ("Acupuncture", "acupuncture")):
        assert node(drawn, label).kind == "answer"
        assert node(drawn, label).href == f"/resource/{name}"
    section = node(drawn, "the paragraphs on sciatica")
    assert (section.kind, section.href) == ("section", "/resource/section-sciatica-paragraphs")
    # the article's hedges sit on the statements they qualify, the price's on the price
    assert hedge_on(drawn, "Sciatica", "Dry needling") == "can be"
    assert hedge_on(drawn, "Sciatica", "Acupuncture") == "can also offer"
    assert hedge_on(drawn, "Acupuncture", "$70–150 per session") == "averages around"
    assert hedge_on(drawn, "Dry needling", "$50–150 per session") is None
    assert hedge_on(drawn, "Dry needling", "the paragraphs on sciatica") is None
    assert drawn.left_out == 0


def test_each_modality_gets_its_own_hedge_on_a_shared_risk(graph: KnowledgeGraph) -> None:
    drawn = built(graph, "compare the risks of dry needling and acupuncture")
    assert hedge_on(drawn, "Dry needling", "Infection") == "in rare cases"
    assert hedge_on(drawn, "Acupuncture", "Infection") == "in rare instances"
    assert hedge_on(drawn, "Acupuncture", "Bruising") == "potential"
    # the two modalities were asked about: they are not drawn again as answers, nor linked to each other
    assert node(drawn, "Dry needling").kind == node(drawn, "Acupuncture").kind == "asked"
    modalities = {node(drawn, "Dry needling").key, node(drawn, "Acupuncture").key}
    assert not [e for e in drawn.edges if {e.source, e.target} == modalities]


def test_choice_facts_hang_from_their_modality_with_their_hedges(graph: KnowledgeGraph) -> None:
    drawn = built(graph, "which should I pick for back pain")
    assert hedge_on(drawn, "Dry needling", "Trigger points") == "may be"
    trigger = node(drawn, "Trigger points")
    assert (trigger.kind, trigger.href) == ("fact", "/resource/trigger-points")


def test_a_two_step_question_draws_what_the_first_step_found_between(graph: KnowledgeGraph) -> None:
    drawn = built(graph, "who performs the treatment for back pain")
    assert node(drawn, "Dry needling").kind == node(drawn, "Acupuncture").kind == "step"
    assert node(drawn, "Acupuncture").href == "/resource/acupuncture"
    links = {(e.source, e.target) for e in drawn.edges}
    # each practitioner hangs from the modality that the article says they may perform, not from the other
    chiropractor, acupuncturist = node(drawn, "Licensed chiropractor").key, node(drawn, "Acupuncturist").key
    assert (node(drawn, "Dry needling").key, chiropractor) in links
    assert (node(drawn, "Acupuncture").key, chiropractor) not in links
    assert (node(drawn, "Acupuncture").key, acupuncturist) in links
    back_pain = node(drawn, "Back pain").key
    assert (back_pain, chiropractor) not in links and (back_pain, node(drawn, "Dry needling").key) in links


def test_the_cap_keeps_the_question_and_answers_first_and_counts_the_rest(graph: KnowledgeGraph) -> None:
    whole = built(graph, "which should I pick for back pain")
    assert len(whole.nodes) > 8
    capped = built(graph, "which should I pick for back pain", cap=8)
    assert len(capped.nodes) == 8
    assert capped.left_out == len(whole.nodes) - 8
    kinds = [n.kind for n in capped.nodes]
    assert kinds[0] == "asked" and "fact" not in kinds, kinds
    kept = {n.key for n in capped.nodes}
    assert all(e.source in kept and e.target in kept for e in capped.edges)


def test_a_refused_question_has_no_picture(graph: KnowledgeGraph) -> None:
    refused = reply(graph, "what treats asthma")
    assert not refused["answered"]
    assert subgraph(refused).nodes == ()
    assert answer_picture(refused) is None


def test_the_picture_stays_inside_its_frame_with_wrapped_labels(graph: KnowledgeGraph) -> None:
    picture = draw(built(graph, "which should I pick for back pain"))
    assert {n.node.kind for n in picture.nodes} == set(KINDS) - {"step"}
    for placed in picture.nodes:
        assert 0 < placed.x < WIDTH and 0 < placed.y < picture.height
        assert all(len(line) <= 20 for line in placed.lines), placed.lines
    long = next(n for n in picture.nodes if n.node.label.startswith("Qi imbalance"))
    assert " ".join(long.lines) == long.node.label  # wrapped, not cut
    assert all(e.label_lines for e in picture.edges if e.edge.hedge)


def test_wrap_keeps_every_word_and_marks_a_cut() -> None:
    text = "Myofascial trigger point release (as the article names it)"
    assert " ".join(wrap(text, 16)) == text
    assert all(len(line) <= 16 for line in wrap(text, 16))
    cut = wrap(text, 16, 2)
    assert len(cut) == 2 and cut[-1].endswith("…")
    assert wrap("x" * 40, 16)[0] == "x" * 15 + "-"


def test_labels_are_escaped_in_the_picture() -> None:
    evil = "<script>alert(1)</script>"
    hostile = {
        "answered": True,
        "answers": [{"iri": NKG + "xss-test", "label": evil, "hedge": '"><b>may', "sources": []}],
        "interpretation": {"entities": [{"text": "x", "iri": NKG + "sciatica", "label": "Sciatica"}]},
    }
    picture = answer_picture(hostile)
    assert picture is not None
    html = environment().get_template("_answer_graph.html").module.answer_graph(picture, "q")  # type: ignore[attr-defined]
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="/resource/xss-test"' in html


@pytest.mark.parametrize(
    ("question", "drawn"),
    [(SCIATICA, True), ("what treats asthma", False), ("what are the risks of acupuncture", True)],
)
def test_the_answer_page_draws_the_subgraph_only_for_an_answer(
    client: TestClient, question: str, drawn: bool
) -> None:
    page = client.get("/ask", params={"q": question})
    assert page.status_code == 200
    assert ('class="answer-graph"' in page.text) is drawn
    if drawn:
        assert 'role="group"' in page.text and "The part of the graph behind this answer" in page.text
        assert "the article's own hedge on that link" in page.text
