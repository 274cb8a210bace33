"""Score question answering against cases: check each reply, sum up, report (text or JSON).

A case is `{"q": question, ...checks}` as in `tests/qa/dev.json`. Its checks (`all`, `none`, `text`,
`none_text`, `cost`, `unanswered`) mean exactly what the shared scorer `/work/shared/qa/score.py` means by
them, and a failure is worded as it words it, so a score here is a score there. A reply is a dict as
`answer_question` returns it or `/api/ask` sends it; only `answered`, `answers`, `text`, `not_in_source`
and `interpretation` are read. Nothing here imports the rest of `kg.qa`, which changes faster than this.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kg.errors import NeedlingError

Case = dict[str, Any]
Reply = dict[str, Any]
Ask = Callable[[str], Reply]
Progress = Callable[[int, int], None]

NO_KIND = "-"  # the row of cases without a `kind`
REFUSED = "refused"  # the column of replies with answered=false, whatever reading they made
NO_REPLY = "error"  # the column of questions that got no reply at all
TEXT_SHOWN = 160  # characters of a failed reply's text in the report


# --------------------------------------------------------------------------- the checks


def problems(case: Case, reply: Reply) -> list[str]:
    """What is wrong with `reply` as an answer to `case`, one phrase a problem; empty when it passes."""
    if case.get("unanswered"):
        return check_unanswered(reply)
    found = [] if reply.get("answered") else ["answered=false"]
    for key, check in CHECKS:
        if case.get(key):
            found += check(case[key], reply)
    return found


def check_all(terms: list[str], reply: Reply) -> list[str]:
    labels = _labels(reply)
    return [f"missing {term!r}" for term in terms if not any(_met(term, label) for label in labels)]


def check_text(terms: list[str], reply: Reply) -> list[str]:
    text = _text(reply)
    return [f"text lacks {term!r}" for term in terms if not _met(term, text)]


def check_none_text(terms: list[str], reply: Reply) -> list[str]:
    text = _text(reply)
    return [f"text has {term!r}" for term in terms if term.lower() in text]


def check_none(terms: list[str], reply: Reply) -> list[str]:
    found = []
    for term in terms:
        if hits := [label for label in _labels(reply) if term.lower() in label]:
            found.append(f"unexpected {term!r} in {hits}")
    return found


def check_cost(costs: dict[str, list[float]], reply: Reply) -> list[str]:
    """The key is looked for as written in the lowercased labels (as the shared scorer does): keys are
    written in lower case."""
    found = []
    for key, (low, high) in costs.items():
        matches = [a for a in _answers(reply) if key in str(a.get("label", "")).lower()]
        if not any(_priced(answer, low, high) for answer in matches):
            found.append(f"cost of {key!r} should be {low}-{high}, got {[a.get('cost') for a in matches]}")
    return found


def check_unanswered(reply: Reply) -> list[str]:
    """A refusal passes; so does an answer about the general topic that names, in its text, the narrower
    one the source does not cover."""
    text = _text(reply)
    uncovered = [str(word).lower() for word in reply.get("not_in_source") or []]
    if any(word and word in text for word in uncovered):
        return []
    if reply.get("answered") and reply.get("answers"):
        return [f"should be unanswered (or name the uncovered topic), got {_labels(reply)}"]
    return []


CHECKS: tuple[tuple[str, Callable[[Any, Reply], list[str]]], ...] = (
    ("all", check_all),
    ("text", check_text),
    ("none_text", check_none_text),
    ("none", check_none),
    ("cost", check_cost),
)


def _met(term: str, text: str) -> bool:
    return any(option.strip().lower() in text for option in term.split("|"))


def _answers(reply: Reply) -> list[dict[str, Any]]:
    return [answer for answer in reply.get("answers") or [] if isinstance(answer, dict)]


def _labels(reply: Reply) -> list[str]:
    return [str(answer.get("label", "")).lower() for answer in _answers(reply)]


def _text(reply: Reply) -> str:
    return str(reply.get("text") or "").lower()


def _priced(answer: dict[str, Any], low: float, high: float) -> bool:
    cost = answer.get("cost")
    return isinstance(cost, dict) and _number(cost.get("min")) == low and _number(cost.get("max")) == high


def _number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Scored:
    """One case, the reply it got (None when the question got no reply), what is wrong, and the time."""

    case: Case
    reply: Reply | None
    problems: list[str]
    ms: float

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def kind(self) -> str:
        return str(self.case.get("kind") or NO_KIND)

    @property
    def intent(self) -> str:
        """What the reading produced: its intent, or "refused" when the reply is not an answer."""
        if self.reply is None:
            return NO_REPLY
        if not self.reply.get("answered"):
            return REFUSED
        return str(_interpretation(self.reply).get("intent") or NO_KIND)


def evaluate(cases: Sequence[Case], ask: Ask, progress: Progress | None = None) -> Evaluation:
    """Ask every case's question and check the reply. A question that fails to get a reply fails its case
    (as the shared scorer has it), but a NeedlingError, a store or service that cannot be reached, ends
    the run: every later case would fail the same way."""
    scored = []
    for number, case in enumerate(cases, 1):
        started = time.perf_counter()
        try:
            reply = ask(case["q"])
        except NeedlingError:
            raise
        except Exception as exc:
            scored.append(Scored(case, None, [f"error: {exc}"], _ms_since(started)))
        else:
            ms = _ms_since(started)  # before the checks: the time of the answer only
            scored.append(Scored(case, reply, problems(case, reply), ms))
        if progress:
            progress(number, len(cases))
    return Evaluation(scored)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `fraction` of the values at or below it."""
    if not values:
        raise ValueError("no values to take a percentile of")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


@dataclass(frozen=True)
class Evaluation:
    scored: list[Scored]

    @property
    def passed(self) -> int:
        return sum(s.passed for s in self.scored)

    @property
    def accuracy(self) -> float:
        return self.passed / len(self.scored) if self.scored else 0.0

    def kinds(self) -> dict[str, tuple[int, int]]:
        """Each kind of case: (cases, passed), kinds in alphabetical order."""
        cases, passed = Counter(s.kind for s in self.scored), Counter(s.kind for s in self.scored if s.passed)
        return {kind: (cases[kind], passed[kind]) for kind in sorted(cases)}

    def confusion(self) -> dict[str, Counter[str]]:
        """Each expected kind: how many of its cases each intent (or refusal) answered."""
        table: dict[str, Counter[str]] = {}
        for s in self.scored:
            table.setdefault(s.kind, Counter())[s.intent] += 1
        return dict(sorted(table.items()))

    def latency(self) -> dict[str, float]:
        times = [s.ms for s in self.scored]
        return {
            "p50": percentile(times, 0.5),
            "p90": percentile(times, 0.9),
            "p99": percentile(times, 0.99),
            "max": max(times),
        }

    def failures(self) -> list[Scored]:
        return [s for s in self.scored if not s.passed]

    def as_json(self) -> dict[str, Any]:
        return {
            "cases": len(self.scored),
            "passed": self.passed,
            "accuracy": round(self.accuracy, 4),
            "kinds": {
                kind: {"cases": n, "passed": passed, "accuracy": round(passed / n, 4)}
                for kind, (n, passed) in self.kinds().items()
            },
            "confusion": {kind: dict(sorted(counts.items())) for kind, counts in self.confusion().items()},
            "failures": [
                {"q": s.case["q"], "kind": s.kind, "problems": s.problems, "reading": reading_of(s.reply)}
                for s in self.failures()
            ],
            "latency_ms": {name: round(value, 3) for name, value in self.latency().items()},
        }


# --------------------------------------------------------------------------- the report


def reading_of(reply: Reply | None) -> dict[str, Any]:
    """What a reply says of how the question was read, for a person looking at a failure."""
    if reply is None:
        return {}
    interpretation = _interpretation(reply)
    text = str(reply.get("text") or "")
    reading: dict[str, Any] = {
        "answered": bool(reply.get("answered")),
        "intent": interpretation.get("intent"),
        "entities": [
            str(e.get("label") or e.get("text"))
            for e in interpretation.get("entities") or []
            if isinstance(e, dict)
        ],
        "not_in_source": list(reply.get("not_in_source") or []),
        "text": text if len(text) <= TEXT_SHOWN else text[: TEXT_SHOWN - 1] + "…",
    }
    for optional in ("corrections", "unknown"):
        if interpretation.get(optional):
            reading[optional] = interpretation[optional]
    return reading


def render(evaluation: Evaluation, title: str) -> str:
    """The plain-text report: accuracy overall and per kind, the confusion table, every failure, latency."""
    lines = [
        f"{title}: {evaluation.passed}/{len(evaluation.scored)} passed, accuracy {evaluation.accuracy:.1%}",
        "",
        _kind_table(evaluation),
        "",
        "expected kind (rows) by the intent the reading produced (columns):",
        _confusion_table(evaluation),
    ]
    failures = evaluation.failures()
    lines += [
        "",
        f"{len(failures)} failure{'' if len(failures) == 1 else 's'}:" if failures else "no failures",
    ]
    lines += [_failure(s) for s in failures]
    latency = "  ".join(f"{name} {value:.2f}" for name, value in evaluation.latency().items())
    lines += ["", f"latency ms: {latency}"]
    return "\n".join(lines)


def _kind_table(evaluation: Evaluation) -> str:
    rows = [(kind, n, passed) for kind, (n, passed) in evaluation.kinds().items()]
    rows.append(("all", len(evaluation.scored), evaluation.passed))
    width = max(len("kind"), *(len(kind) for kind, _, _ in rows))
    lines = [f"{'kind':<{width}}  {'cases':>5}  {'passed':>6}  {'%':>6}"]
    lines += [f"{kind:<{width}}  {n:>5}  {passed:>6}  {passed / n:>6.1%}" for kind, n, passed in rows]
    return "\n".join(lines)


def _confusion_table(evaluation: Evaluation) -> str:
    """Intents are many and their names long, so columns are numbered and named in a legend below."""
    table = evaluation.confusion()
    totals: Counter[str] = sum(table.values(), Counter())
    columns = sorted(totals, key=lambda intent: (intent in (REFUSED, NO_REPLY), -totals[intent], intent))
    width = max(len("kind"), *(len(kind) for kind in table))
    cell = max(3, len(str(len(columns))) + 1, *(len(str(n)) for n in totals.values()))
    lines = [f"{'kind':<{width}}" + "".join(f"  {number:>{cell}}" for number in range(1, len(columns) + 1))]
    for kind, counts in table.items():
        lines.append(f"{kind:<{width}}" + "".join(f"  {counts[c] or '.':>{cell}}" for c in columns))
    lines += [f"  {number:>{cell}}  {intent}" for number, intent in enumerate(columns, 1)]
    return "\n".join(lines)


def _failure(scored: Scored) -> str:
    lines = [f"FAIL [{scored.kind}] {scored.case['q']!r}: {'; '.join(scored.problems)}"]
    if scored.reply is None:
        return lines[0] + "\n    no reply"
    reading = reading_of(scored.reply)
    said = [
        f"intent {reading['intent'] or '-'}" + ("" if reading["answered"] else " (refused)"),
        f"entities {', '.join(reading['entities']) or '-'}",
    ]
    for key in ("not_in_source", "unknown", "corrections"):
        if reading.get(key):
            said.append(f"{key} {_brief(reading[key])}")
    lines.append("    reading: " + "; ".join(said))
    lines.append(f"    text: {reading['text']}")
    return "\n".join(lines)


def _brief(value: object) -> str:
    """A list of words, or of {from: to}-like objects, on one line."""
    if isinstance(value, list):
        return ", ".join(_brief(item) for item in value)
    if isinstance(value, dict):
        return " ".join(f"{key}={item}" for key, item in value.items())
    return str(value)


def _interpretation(reply: Reply) -> dict[str, Any]:
    interpretation = reply.get("interpretation")
    return interpretation if isinstance(interpretation, dict) else {}
