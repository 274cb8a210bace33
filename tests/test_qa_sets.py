"""The project's own question sets, scored in-process as `needling eval` scores them: a change to the
reading that loses ground on questions people type fails here, with every failure listed.

The floors sit a little under the scores measured when they were set (tests/qa/README.md), so that a
real loss fails and a change of one borderline case does not. The held-out set is not scored here: it is
measured, never tuned against.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.engine import KnowledgeGraph
from kg.qa import answer_question
from kg.qa.evaluation import evaluate, render

SETS = Path(__file__).parent / "qa"
FLOORS = {
    "dev.json": 0.95,
    "dev2.json": 0.94,
    "dev3.json": 0.93,
    "dev4.json": 0.9,
    "dev5.json": 0.92,
    "dev6.json": 0.95,
    "dev7.json": 0.92,
    "dev8.json": 0.91,
    "dev9.json": 0.92,
    "dev10.json": 0.96,
    "dev11.json": 0.95,
    "dev12.json": 0.97,
    "dev13.json": 0.89,
    "dev14.json": 0.93,
    "dev15.json": 0.93,
    "dev16.json": 0.95,
    "dev17.json": 0.94,
    "dev18.json": 0.91,  # kept blind: measured, never read
    "dev19.json": 0.92,
    "dev20.json": 0.9,  # kept blind: measured, never read
    "dev21.json": 0.96,
    "dev22.json": 0.93,
    "dev23.json": 0.9,  # kept blind: measured, never read
    "dev24.json": 0.93,
    "dev25.json": 0.92,
    "dev26.json": 0.91,
    "dev27.json": 0.9,  # kept blind: measured, never read
    "dev28.json": 0.93,
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_a_question_set_scores_at_least_its_floor(graph: KnowledgeGraph, name: str) -> None:
    cases = json.loads((SETS / name).read_text())
    result = evaluate(cases, lambda question: answer_question(graph, question))
    assert result.accuracy >= FLOORS[name], render(result, name)
