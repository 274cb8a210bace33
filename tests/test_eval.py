"""`needling eval FILE`: each check against hand-made replies, then the command as a person runs it, on the
real graph in-process and against a real server.

The question answering is being rewritten, so no test here depends on how well it answers: the cases that
must pass and fail are built from what the reply to a question actually says, asked once.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import free_port, running_server

from kg import PROJECT_ROOT
from kg.engine import KnowledgeGraph
from kg.errors import NeedlingError
from kg.qa import answer_question
from kg.qa.evaluation import evaluate, percentile, problems, render

QUESTION = "what does dry needling cost"
WRONG = "no such treatment"


def needling(*args: str | Path, module: str = "kg") -> subprocess.CompletedProcess[str]:
    """`python -m kg ARGS` (or `-m api`, the installed `needling`) with no NEEDLING_* settings from outside."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("NEEDLING_")}
    return subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=PROJECT_ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --------------------------------------------------------------------------- the checks, one by one

DRY = {"label": "Dry needling", "cost": {"min": 50, "max": 150, "currency": "USD"}}
ACU = {"label": "Acupuncture", "cost": {"min": 70, "max": 150}}
ANSWER = {
    "answered": True,
    "answers": [DRY, ACU],
    "text": "For sciatica, the source names dry needling and acupuncture.",
}
REFUSAL = {"answered": False, "answers": [], "text": "I can't answer that from this graph."}
BROADER = {
    "answered": True,
    "answers": [DRY],
    "text": "The article speaks of back pain in general and does not single out lower back pain. ...",
    "not_in_source": ["lower back pain"],
}


@pytest.mark.parametrize(
    ("case", "reply", "expected"),
    [
        # all: every term in some label, case-insensitive, "a|b" met by either
        ({"all": ["dry needling", "ACUPUNCTURE"]}, ANSWER, []),
        ({"all": ["cupping|acupunct"]}, ANSWER, []),
        ({"all": ["dry needling", "cupping"]}, ANSWER, ["missing 'cupping'"]),
        # none: no label holds a term
        ({"none": ["cupping"]}, ANSWER, []),
        ({"none": ["Acupuncture"]}, ANSWER, ["unexpected 'Acupuncture' in ['acupuncture']"]),
        ({"none": ["cupping|acupuncture"]}, ANSWER, []),  # no alternatives in `none`: the whole term
        # text: every term in the text, "a|b" met by either
        ({"text": ["Sciatica", "qi|source names"]}, ANSWER, []),
        ({"text": ["meridian|qi"]}, ANSWER, ["text lacks 'meridian|qi'"]),
        # none_text: no term in the text
        ({"none_text": ["cure"]}, ANSWER, []),
        ({"none_text": ["Sciatica"]}, ANSWER, ["text has 'Sciatica'"]),
        ({"none_text": ["cure|sciatica"]}, ANSWER, []),  # nor in `none_text`
        # cost: an answer whose label holds the key carries exactly [min, max]
        ({"cost": {"dry needling": [50, 150], "acupuncture": [70.0, 150]}}, ANSWER, []),
        (
            {"cost": {"acupuncture": [50, 150]}},
            ANSWER,
            ["cost of 'acupuncture' should be 50-150, got [{'min': 70, 'max': 150}]"],
        ),
        ({"cost": {"cupping": [1, 2]}}, ANSWER, ["cost of 'cupping' should be 1-2, got []"]),
        (
            {"cost": {"dry needling": [50, 150]}},
            {"answered": True, "answers": [{**DRY, "cost": {"min": "50", "max": 150.0}}]},
            [],
        ),
        # the key is matched as written against lowercased labels, as the shared scorer does
        ({"cost": {"Dry needling": [50, 150]}}, ANSWER, ["cost of 'Dry needling' should be 50-150, got []"]),
        # a refusal fails every check but `unanswered`, and says so first
        ({"all": ["dry needling"]}, REFUSAL, ["answered=false", "missing 'dry needling'"]),
        ({"none": ["dry needling"]}, REFUSAL, ["answered=false"]),
        # unanswered: a refusal, or no answers, or the uncovered topic named in not_in_source and the text
        ({"unanswered": True}, REFUSAL, []),
        ({"unanswered": True}, {**ANSWER, "answers": []}, []),
        ({"unanswered": True}, BROADER, []),
        (
            {"unanswered": True},
            {**BROADER, "text": "For back pain, the source names dry needling."},
            ["should be unanswered (or name the uncovered topic), got ['dry needling']"],
        ),
        (
            {"unanswered": True},
            ANSWER,
            ["should be unanswered (or name the uncovered topic), got ['dry needling', 'acupuncture']"],
        ),
        ({"unanswered": True, "all": ["dry needling"]}, REFUSAL, []),  # nothing else is checked then
    ],
)
def test_each_check(case: dict[str, Any], reply: dict[str, Any], expected: list[str]) -> None:
    assert problems({"q": "a question", **case}, reply) == expected


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(100, 0, -1)]
    assert [percentile(values, f) for f in (0.5, 0.9, 0.99, 1.0)] == [50.0, 90.0, 99.0, 100.0]
    assert percentile([7.0], 0.99) == 7.0


def test_a_question_without_a_reply_fails_its_case_but_an_unreachable_service_ends_the_run() -> None:
    def broken(question: str) -> dict[str, Any]:
        raise ValueError("HTTP 500: boom")

    failed = evaluate([{"q": "x", "kind": "fact"}], broken)
    assert failed.scored[0].problems == ["error: HTTP 500: boom"]
    assert "FAIL [fact] 'x': error: HTTP 500: boom\n    no reply" in render(failed, "f.json")

    def gone(question: str) -> dict[str, Any]:
        raise NeedlingError("cannot reach http://127.0.0.1:9", "unavailable")

    with pytest.raises(NeedlingError, match="cannot reach"):
        evaluate([{"q": "x"}], gone)


def test_the_confusion_table_counts_each_kind_by_the_intent_it_got() -> None:
    replies = {
        "a": {**ANSWER, "interpretation": {"intent": "treatments_for_condition"}},
        "b": {**ANSWER, "interpretation": {"intent": "cost_of_modality"}},
        "c": {**REFUSAL, "interpretation": {"intent": "cost_of_modality"}},  # refused, whatever it read
    }
    cases = [
        {"q": "a", "kind": "fact"},
        {"q": "a", "kind": "fact"},
        {"q": "b", "kind": "cost"},
        {"q": "c", "kind": "cost", "unanswered": True},
        {"q": "c"},
    ]
    evaluation = evaluate(cases, lambda question: replies[question])
    assert evaluation.confusion() == {
        "-": {"refused": 1},
        "cost": {"cost_of_modality": 1, "refused": 1},
        "fact": {"treatments_for_condition": 2},
    }
    table = render(evaluation, "f.json").split("(columns):\n")[1].split("\n\n")[0].splitlines()
    legend = {line.split()[1]: line.split()[0] for line in table if len(line.split()) == 2}
    assert sorted(legend) == ["cost_of_modality", "refused", "treatments_for_condition"]
    assert legend["refused"] == "3"  # refusals come last
    rows = {line.split()[0]: line.split()[1:] for line in table[1:4]}
    assert rows == {"-": [".", ".", "1"], "cost": [".", "1", "1"], "fact": ["2", ".", "."]}


# --------------------------------------------------------------------------- the command, in-process


@pytest.fixture(scope="module")
def reply(graph: KnowledgeGraph) -> dict[str, Any]:
    return answer_question(graph, QUESTION)


def passing_case(question: str, reply: dict[str, Any]) -> dict[str, Any]:
    """A case that the reply, as it is, passes: its first answer's label and price, and its text."""
    if not reply["answered"] or not reply["answers"]:
        return {"q": question, "unanswered": True, "kind": "built"}
    first = reply["answers"][0]
    case = {"q": question, "all": [first["label"]], "text": [reply["text"][:40]], "kind": "built"}
    if isinstance(first.get("cost"), dict):
        case["cost"] = {first["label"].lower(): [first["cost"]["min"], first["cost"]["max"]]}
    return case


@pytest.fixture
def cases(tmp_path: Path, reply: dict[str, Any]) -> Path:
    """Two cases of kind "built" on one question: one that must pass, one that must fail."""
    path = tmp_path / "cases.json"
    failing = {"q": QUESTION, "all": [WRONG], "kind": "built"}
    path.write_text(json.dumps([passing_case(QUESTION, reply), failing]), encoding="utf-8")
    return path


def test_eval_prints_the_accuracy_and_each_failure_with_its_reading(
    cases: Path, reply: dict[str, Any]
) -> None:
    done = needling("eval", cases)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress when standard error is not a terminal
    lines = done.stdout.splitlines()
    assert lines[0] == "cases.json: 1/2 passed, accuracy 50.0%"
    assert ["built", "2", "1", "50.0%"] in [line.split() for line in lines]
    assert ["all", "2", "1", "50.0%"] in [line.split() for line in lines]
    problem = f"missing {WRONG!r}" if reply["answered"] else f"answered=false; missing {WRONG!r}"
    failure = lines.index(f"FAIL [built] {QUESTION!r}: {problem}")
    intent = reply["interpretation"]["intent"] or "-"
    entities = ", ".join(e["label"] for e in reply["interpretation"]["entities"])
    assert lines[failure + 1].startswith(f"    reading: intent {intent}")
    assert f"entities {entities}" in lines[failure + 1]
    text = reply["text"] if len(reply["text"]) <= 160 else reply["text"][:159] + "…"
    assert lines[failure + 2] == f"    text: {text}"
    assert [line for line in lines if line.startswith("FAIL")] == [lines[failure]]
    assert lines[-1].startswith("latency ms: p50 ")


@pytest.mark.parametrize(("fraction", "code"), [("0.5", 0), ("0.51", 1), ("1", 1), ("0", 0)])
def test_eval_exits_1_below_the_minimum(cases: Path, fraction: str, code: int) -> None:
    done = needling("eval", cases, "--min", fraction)
    assert done.returncode == code, done.stderr
    assert ("is below the minimum" in done.stdout) == bool(code)


def test_eval_as_json(cases: Path, reply: dict[str, Any]) -> None:
    done = needling("eval", cases, "--json", "--min", "0.9")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert {k: report[k] for k in ("asked", "cases", "passed", "accuracy", "min", "ok")} == {
        "asked": "in-process",
        "cases": 2,
        "passed": 1,
        "accuracy": 0.5,
        "min": 0.9,
        "ok": False,
    }
    assert report["kinds"] == {"built": {"cases": 2, "passed": 1, "accuracy": 0.5}}
    column = reply["interpretation"]["intent"] if reply["answered"] else "refused"
    assert report["confusion"] == {"built": {column: 2}}
    [failure] = report["failures"]
    assert failure["q"] == QUESTION and failure["problems"][-1] == f"missing {WRONG!r}"
    assert failure["reading"]["intent"] == reply["interpretation"]["intent"]
    assert failure["reading"]["entities"] == [e["label"] for e in reply["interpretation"]["entities"]]
    latency = report["latency_ms"]
    assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]


def test_eval_of_one_kind(tmp_path: Path, cases: Path) -> None:
    both = json.loads(cases.read_text(encoding="utf-8"))
    both[1]["kind"] = "other"
    cases.write_text(json.dumps(both), encoding="utf-8")
    assert needling("eval", cases, "--kind", "built").stdout.startswith("cases.json [built]: 1/1 passed")
    assert needling("eval", cases, "--kind", "other").stdout.startswith("cases.json [other]: 0/1 passed")
    missing = needling("eval", cases, "--kind", "terse")
    assert missing.returncode == 2
    assert (
        missing.stderr.strip() == f"needling: error: {cases}: no case of kind 'terse' (kinds: built, other)"
    )


def test_the_installed_command_has_eval(cases: Path) -> None:
    done = needling("eval", cases, module="api")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("cases.json: 1/2 passed")


def test_progress_on_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"q": QUESTION}] * 60), encoding="utf-8")
    terminal, other_end = pty.openpty()
    clean = {key: value for key, value in os.environ.items() if not key.startswith("NEEDLING_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "eval", str(path)],
        cwd=PROJECT_ROOT,
        env=clean,
        stdout=subprocess.DEVNULL,
        stderr=other_end,
    )
    os.close(other_end)
    seen = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(terminal)
    assert process.wait(timeout=60) == 0
    shown = seen.replace(b"\r\n", b"\n")  # the terminal turns a newline into \r\n
    assert shown.split(b"\r") == [b"", b"50/60 questions", b"60/60 questions\n"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{}", "expected a non-empty JSON list of cases"),
        ("[]", "expected a non-empty JSON list of cases"),
        ("[{", "not a JSON file"),
        ('[{"q": "x"}, {"all": ["y"]}]', "case 2: 'q' must be the question"),
        ('[{"q": "x", "all": "dry needling"}]', "case 1: 'x': 'all' must be a list of strings"),
        ('[{"q": "x", "cost": {"dry needling": [50]}}]', "'cost' must map a label to [min, max]"),
    ],
)
def test_a_bad_question_file_is_one_line_and_exit_2(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    done = needling("eval", path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(f"needling: error: {path}: ")
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_missing_question_file() -> None:
    done = needling("eval", "/nonexistent/cases.json")
    assert done.returncode == 2
    assert done.stderr.strip() == "needling: error: /nonexistent/cases.json: No such file or directory"


# --------------------------------------------------------------------------- the command, remote


@pytest.mark.server
def test_eval_against_a_running_service_reports_the_same(cases: Path) -> None:
    local = json.loads(needling("eval", cases, "--json").stdout)
    with running_server() as base:
        done = needling("eval", cases, "--json", "--base-url", base + "/")
    assert done.returncode == 0, done.stderr
    remote = json.loads(done.stdout)
    assert remote["asked"] == base + "/"
    for key in ("cases", "passed", "accuracy", "kinds", "confusion", "failures"):
        assert remote[key] == local[key], key
    assert remote["latency_ms"]["p50"] > 0


def test_eval_against_an_unreachable_service() -> None:
    base = f"http://127.0.0.1:{free_port()}"
    done = needling("eval", PROJECT_ROOT / "tests" / "qa" / "dev.json", "--base-url", base)
    assert done.returncode == 3  # unavailable: not now (kg/errors.py)
    assert done.stdout == ""
    assert done.stderr.startswith(f"needling: error: cannot reach {base}: ")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_base_url_must_be_http() -> None:
    done = needling("eval", PROJECT_ROOT / "tests" / "qa" / "dev.json", "--base-url", "file:///etc/passwd")
    assert done.returncode == 2
    assert "--base-url must be an http(s) URL" in done.stderr
