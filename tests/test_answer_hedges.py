"""Each hedge of the article next to the statement it qualifies, and our notes shown as ours, in the
JSON answer, the answer page and the command line."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kg import PROJECT_ROOT
from kg.engine import KnowledgeGraph
from kg.qa import answer_question
from kg.qa.wording import render_answer

HTML = {"accept": "text/html"}
COMPARE = "how does dry needling compare with acupuncture"


def ask(graph: KnowledgeGraph, question: str) -> dict[str, Any]:
    return answer_question(graph, question)


def by_label(reply: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["label"]: a for a in reply["answers"]}


def facts(answer: dict[str, Any], aspect: str) -> dict[str, str | None]:
    return {f["label"]: f.get("hedge") for f in answer["facts"] if f["aspect"] == aspect}


def test_a_comparison_puts_each_hedge_on_its_own_fact(graph: KnowledgeGraph) -> None:
    reply = ask(graph, COMPARE)
    answers = by_label(reply)
    assert set(answers) == {"Dry needling", "Acupuncture"}
    # no hedge of some other statement lands on the modality, or next to its price
    assert all("hedge" not in a and "hedges" not in a for a in answers.values())
    assert "per session; the source says" not in reply["text"]
    dry, acupuncture = answers["Dry needling"], answers["Acupuncture"]
    assert acupuncture["cost"]["hedge"] == "averages around"
    assert "hedge" not in dry["cost"], "the article gives dry needling's range plainly"
    assert facts(dry, "risk") == {
        "Bruising": "potential",
        "Infection": "in rare cases",
        "Soreness": "potential",
    }
    assert facts(acupuncture, "risk")["Infection"] == "in rare instances"
    assert facts(dry, "condition")["Plantar fasciitis"] == "often considered"
    assert facts(dry, "condition")["Back pain"] is None
    assert facts(dry, "benefit")["Improved flexibility"] == "potential"
    assert all(f["sources"] for a in answers.values() for f in a["facts"])


def test_a_risk_of_each_modality_keeps_each_modalitys_hedge(graph: KnowledgeGraph) -> None:
    infection = by_label(ask(graph, "what are the risks"))["Infection"]
    assert "hedge" not in infection
    assert {(h["for"], h["hedge"]) for h in infection["hedges"]} == {
        ("acupuncture", "in rare instances"),
        ("dry needling", "in rare cases"),
    }


def test_no_frequency_the_article_never_gives(graph: KnowledgeGraph) -> None:
    for question in ("what are the risks of acupuncture", "is dry needling safe", COMPARE):
        reply = ask(graph, question)
        assert not re.search(r"\bcommon(ly)?\b", reply["text"], re.IGNORECASE), reply["text"]
        for answer in reply["answers"]:
            assert "common" not in str(answer.get("details", {})), answer


def test_a_treatment_and_its_price_keep_their_own_hedges(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what treats sciatica, and at what cost")
    acupuncture = by_label(reply)["Acupuncture"]
    assert (acupuncture["hedge"], acupuncture["cost"]["hedge"]) == ("can also offer", "averages around")
    assert (
        "acupuncture (the source says “can also offer”; “averages around” $70–150 per session)"
        in reply["text"]
    )


def test_an_aim_is_not_offered_as_a_benefit(graph: KnowledgeGraph) -> None:
    benefits = [a["label"] for a in ask(graph, "what are the benefits of dry needling")["answers"]]
    assert "Pain relief" not in benefits
    assert "Relief of musculoskeletal pain and dysfunction" not in benefits


def test_what_x_is_says_when_the_explanation_is_ours(graph: KnowledgeGraph) -> None:
    sciatica = ask(graph, "what is sciatica")
    assert sciatica["answered"]
    assert "the article does not define it; our explanation, not from the article" in sciatica["text"]
    assert "sciatic nerve" in sciatica["answers"][0]["our_explanation"]
    assert sciatica["answers"][0]["sources"] == [], "our explanation cites no part of the article"
    qi = ask(graph, "what is qi")
    assert qi["text"].startswith("Qi: The body's vital energy.")
    assert "Our explanation, not from the article" in qi["text"]
    assert {s["section"] for s in qi["answers"][0]["sources"]} == {"the “Back Pain” section"}


def test_qi_imbalance_keeps_the_tcm_framing(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what should I choose for a Qi imbalance")
    assert "as Traditional Chinese Medicine views it" in reply["text"]
    assert by_label(reply)["Acupuncture"]["hedge"] == "might be"


@pytest.mark.parametrize("word", ["scientific", "science-based"])
def test_evidence_based_is_not_scientific(graph: KnowledgeGraph, word: str) -> None:
    """The article calls dry needling's focus evidence-based; it never calls it scientific."""
    reply = ask(graph, f"is dry needling {word}")
    labels = [e["label"] for e in reply["interpretation"]["entities"]]
    assert "Evidence-based focus" not in labels


def test_the_answer_page_shows_hedges_by_their_statements_and_our_notes_as_ours(client: TestClient) -> None:
    compare = client.get("/ask", params={"q": COMPARE}, headers=HTML).text
    assert "“averages around” $70–150 per session" in compare
    assert re.search(r"Infection</a> <span class=\"hedge\">“in rare cases”</span>", compare)
    sciatica = client.get("/ask", params={"q": "what is sciatica"}, headers=HTML).text
    assert '<p class="ours"><span class="label">Our explanation, not from the article</span>' in sciatica


def test_the_command_line_shows_hedges_by_their_statements_and_our_notes_as_ours() -> None:
    def run(question: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "kg", "ask", question],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout

    compare = run(COMPARE)
    assert "Acupuncture — “averages around” $70–150 per session" in compare
    assert "Infection (“in rare cases”)" in compare and "Infection (“in rare instances”)" in compare
    assert "Our explanation, not from the article: Pain along" in run("what is sciatica")


def test_render_answer_puts_the_hedge_before_the_price(graph: KnowledgeGraph) -> None:
    text = render_answer(ask(graph, "what treats sciatica"))
    assert (
        "  • Acupuncture (the source says “can also offer”) — “averages around” $70–150 per session" in text
    )
