"""The markdown summary: one table per part, the ranking rule applied, and what each candidate got wrong."""

from __future__ import annotations

from typing import Any

Run = dict[str, Any]
TIE = 0.01  # accuracies closer than one point count as equal, and latency decides


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _us(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _cost(run: Run) -> str:
    return f"{run['load_s']:.2f} | {run['rss_delta_mb']:.1f}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(r) + " |" for r in rows
    ]


def spelling_score(run: Run) -> float:
    """One figure to rank by: the mean of (a) and (b) accuracy and of the unchanged rates of (c) and (d)."""
    r = run["result"]
    return (r["a_accuracy"] + r["b_accuracy"] + (1 - r["c_changed"]) + (1 - r["d_changed"])) / 4


def best(runs: list[Run], accuracy: Any, latency: Any) -> tuple[Run, list[Run]]:
    """Accuracy first (within TIE), then latency, then memory."""
    top = max(accuracy(run) for run in runs)
    close = [run for run in runs if accuracy(run) >= top - TIE]
    ordered = sorted(close, key=lambda run: (latency(run), run["rss_delta_mb"]))
    return ordered[0], ordered


def _choice(runs: list[Run], accuracy: Any, latency: Any, what: str) -> str:
    if not runs:
        return "No candidate ran."
    winner, close = best(runs, accuracy, latency)
    others = ", ".join(f"`{r['name']}` ({_pct(accuracy(r))}, {_us(latency(r))} µs)" for r in close[1:])
    tie = f"; within one point of it: {others}, slower or larger" if others else ""
    return (
        f"**Ranked first: `{winner['name']}`** by {what} {_pct(accuracy(winner))}, median "
        f"{_us(latency(winner))} µs, {winner['rss_delta_mb']:.1f} MB{tie}."
    )


def spelling(runs: list[Run], work: dict[str, Any]) -> list[str]:
    rows = []
    for run in runs:
        r = run["result"]
        rows.append([
            f"`{run['name']}`", _pct(r["a_accuracy"]), _pct(r["a_question_exact"]), _pct(r["b_accuracy"]),
            _pct(r["b2_accuracy"]), _pct(r["c_changed"]), _pct(r["d_changed"]), _pct(spelling_score(run)),
            _us(r["typo_latency"]["median_us"]), _us(r["typo_latency"]["p99_us"]),
            _us(r["known_latency"]["median_us"]), _us(r["question_latency"]["median_us"]), _cost(run),
        ])  # fmt: skip
    first = runs[0]["result"] if runs else {}
    lines = [
        "## 1. Spelling",
        "",
        f"(a) {first.get('a_words', 0)} misspelt words of {first.get('a_questions', 0)} dev questions "
        f'(`bench/data/typos.tsv`; "questions" = every word of the question right after correction); '
        f"(b) {len(work['generated_typos'])} generated one-edit typos (seed {work['seed']}; "
        f"{work['generated_redrawn']} drawn again because the typo was itself a dictionary word); "
        f"(b2) {len(work['two_edit_typos'])} typos of two edits, not in the brief and not in the score: "
        "what distance 2 buys; "
        f"(c) {len(work['correct_words'])} correct words that must not change (ours and common English); "
        f"(d) the {len(work['other_question_words'])} distinct words of the other dev questions, which must not "
        "change either. Latency per call: on a typo, on a known word, and on a whole question.",
        "",
    ]
    lines += table(
        ["candidate", "(a) words", "(a) questions", "(b) typos", "(b2) 2 edits", "(c) changed", "(d) changed", "score",
         "µs/typo p50", "µs/typo p99", "µs/known p50", "µs/question p50", "load s", "RSS MB"],
        rows,
    )  # fmt: skip
    lines += ["", "Score: the mean of (a), (b), 1 − (c) and 1 − (d); (b2) is shown apart.", ""]
    lines.append(_choice(runs, spelling_score, lambda r: r["result"]["typo_latency"]["median_us"], "score"))
    lines += ["", "What each got wrong:", ""]
    for run in runs:
        r = run["result"]
        lines.append(
            f"- `{run['name']}`: (a) {', '.join(r['a_errors']) or 'none'}; "
            f"(d) {', '.join(r['d_examples']) or 'none'}; (c) {', '.join(r['c_examples']) or 'none'}; "
            f"(b) {len(r['b_errors'])} misses, e.g. {', '.join(r['b_errors'][:6]) or 'none'}"
        )
    return lines


def lemmas(runs: list[Run]) -> list[str]:
    rows = [
        [f"`{run['name']}`", run["label"], _pct(run["result"]["accuracy"]),
         _us(run["result"]["latency"]["median_us"]), _us(run["result"]["latency"]["p99_us"]), _cost(run)]
        for run in runs
    ]  # fmt: skip
    words = runs[0]["result"]["words"] if runs else 0
    lines = ["## 2. Lemmas", "", f"{words} hand-written word → lemma pairs (`bench/data/lemmas.tsv`).", ""]
    lines += table(["candidate", "how", "accuracy", "µs p50", "µs p99", "load s", "RSS MB"], rows)
    usable = [run for run in runs if run["name"] != "lemminflect-gold-pos"]
    lines += [
        "",
        "`lemminflect-gold-pos` needs a tagger the service does not have: a ceiling, not ranked. The load and "
        "memory of `crude-stem` are those of importing `kg.qa` (rdflib, rapidfuzz, the catalogue), which the "
        "service has loaded anyway: the function itself adds nothing.",
        "",
    ]
    lines.append(
        _choice(
            usable,
            lambda r: r["result"]["accuracy"],
            lambda r: r["result"]["latency"]["median_us"],
            "accuracy",
        )
    )
    lines += ["", "Errors:", ""]
    lines += [f"- `{run['name']}`: {', '.join(run['result']['errors']) or 'none'}" for run in runs]
    return lines


def meaning(runs: list[Run]) -> list[str]:
    rows = []
    for run in runs:
        r = run["result"]
        embed = r.get("embed_latency", {}).get("median_us")
        rows.append([
            f"`{run['name']}`", run["label"], _pct(r["top1"]), _pct(r["top3"]), _pct(r["with_none"]),
            _us(r["latency"]["median_us"]), _us(r["latency"]["p99_us"]), _us(embed) if embed else "–", _cost(run),
        ])  # fmt: skip
    r0 = runs[0]["result"] if runs else {"questions": 0, "answerable": 0}
    lines = [
        "## 3. Meaning: intent by nearest query document",
        "",
        f"{r0['questions']} labelled dev questions (`bench/data/intents.tsv`), {r0['answerable']} with a named "
        "query; documents are the title, description and example lines of every `queries/*.rq`. Top-1/top-3 "
        'over the questions with a query; "with none" over all, reading a question as `none` below a cut-off '
        "fit on these same questions (optimistic: for comparing candidates only).",
        "",
    ]
    lines += table(
        ["candidate", "how", "top-1", "top-3", "with none", "µs/question p50", "µs p99", "embed µs p50",
         "load s", "RSS MB"],
        rows,
    )  # fmt: skip
    lines += [
        "",
        _choice(runs, lambda r: r["result"]["top1"], lambda r: r["result"]["latency"]["median_us"], "top-1"),
    ]
    lines += ["", "Misread questions:", ""]
    lines += [f"- `{run['name']}`: {'; '.join(run['result']['errors']) or 'none'}" for run in runs]
    return lines


def markdown(runs: list[Run], work: dict[str, Any], environment: dict[str, Any]) -> str:
    by_part = {
        part: [run for run in runs if run["part"] == part] for part in ("spelling", "lemmas", "meaning")
    }
    versions = ", ".join(f"{name} {version}" for name, version in environment["versions"].items())
    lines = [
        "# Question-reading libraries, measured",
        "",
        f"`python -m bench.qa_libraries` at {environment['when']} (commit {environment['commit']}), Python "
        f"{environment['python']}, {versions}. Each candidate ran alone in a fresh process "
        f"({environment['isolation']}), {environment['rounds']} times, interleaved; `load s` and `RSS MB` are "
        "what importing and loading it added to that process (least load time, median memory), and each "
        f"latency is the round with the least median, over {environment['repeat']} timed passes. Network attempts from Python, all refused: "
        f"{sum(len(run['network_attempts']) for run in runs)}. Load average {environment['load_average']} "
        f"before, {environment['load_average_after']} after (2 cores; above ~0.5 latencies are noisy). "
        f"Rankings: accuracy first, accuracies within {100 * TIE:.0f} point counting as equal, then median "
        "latency, then memory.",
        "",
    ]
    if by_part["spelling"]:
        lines += [*spelling(by_part["spelling"], work), ""]
    if by_part["lemmas"]:
        lines += [*lemmas(by_part["lemmas"]), ""]
    if by_part["meaning"]:
        lines += [*meaning(by_part["meaning"]), ""]
    return "\n".join(lines)
