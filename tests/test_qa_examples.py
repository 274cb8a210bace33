"""Every example question in a cue-bearing `.rq` header is answered by that query, and the sample file scores 100%.

The cases are read from the files themselves, so a new `.rq` with `# cue:` and `# example:` lines is
covered without touching this module.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kg import DEFAULT_QUERIES
from kg.engine import KnowledgeGraph
from kg.qa import answer_question

QUESTIONS_FILE = Path(__file__).resolve().parents[2] / "shared" / "qa" / "questions.json"
SCORE_SCRIPT = QUESTIONS_FILE.with_name("score.py")
_HEADER_LINE = re.compile(r"^#\s*(\w+):\s*(.*)$")


def _header(path: Path) -> dict[str, list[str]]:
    """The leading `# key: value` lines of a query file (the header ends at the first other line)."""
    header: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER_LINE.match(stripped)
        if match:
            header.setdefault(match.group(1), []).append(match.group(2).strip())
    return header


def _example_cases() -> list[Any]:
    cases = []
    for path in sorted(DEFAULT_QUERIES.glob("*.rq")):
        header = _header(path)
        if not header.get("cue"):
            continue
        for example in header.get("example", []):
            cases.append(pytest.param(path.stem, example, id=f"{path.stem}: {example}"))
    return cases


EXAMPLE_CASES = _example_cases()


def test_every_cue_bearing_query_has_examples() -> None:
    assert EXAMPLE_CASES, "no .rq file has both cue and example lines"
    names = {case.values[0] for case in EXAMPLE_CASES}
    for path in DEFAULT_QUERIES.glob("*.rq"):
        if _header(path).get("cue"):
            assert path.stem in names, f"{path.name} has cues but no example question"


@pytest.mark.parametrize(("name", "example"), EXAMPLE_CASES)
def test_header_example_is_answered_by_its_query(graph: KnowledgeGraph, name: str, example: str) -> None:
    reply = answer_question(graph, example)
    assert reply["answered"] is True, reply["text"]
    assert reply["answers"]
    assert reply["interpretation"]["intent"] == name


def _load_check() -> Callable[[dict[str, Any], dict[str, Any]], list[str]]:
    spec = importlib.util.spec_from_file_location("qa_score", SCORE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.check


@pytest.mark.skipif(not QUESTIONS_FILE.exists(), reason=f"{QUESTIONS_FILE} is absent")
def test_sample_questions_score_100_percent(graph: KnowledgeGraph) -> None:
    check = _load_check()
    cases = json.loads(QUESTIONS_FILE.read_text(encoding="utf-8"))
    failures = []
    for case in cases:
        reply = answer_question(graph, case["q"])
        problems = check(case, reply)
        if problems:
            failures.append(f"{case['q']!r}: {'; '.join(problems)}")
    for failure in failures:
        print("FAIL", failure)
    passed = len(cases) - len(failures)
    print(f"accuracy: {passed}/{len(cases)}")
    assert not failures, f"{len(failures)} of {len(cases)} sample questions fail:\n" + "\n".join(failures)
