"""`needling eval FILE`: score the question answering, in-process or a running service, against a question file."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import NeedlingError
from kg.settings import Settings

if TYPE_CHECKING:  # imported when the command runs, so that every other command starts without them
    import httpx

    from kg.qa.evaluation import Ask

PROGRESS_EVERY = 50  # questions between two progress counts on a terminal
TERM_CHECKS = ("all", "none", "text", "none_text")


def eval_options(parser: argparse.ArgumentParser) -> None:
    """The options of its own; main.py adds the graph options beside them."""
    parser.add_argument("file", type=Path, help="a JSON list of cases, as tests/qa/dev.json")
    parser.add_argument("--base-url", help="ask a running service (GET BASE/api/ask?q=) instead of the graph")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for one reply (--base-url)"
    )
    parser.add_argument(
        "--min", type=_fraction, metavar="FRACTION", help="exit 1 when the accuracy is below this (0 to 1)"
    )
    parser.add_argument("--kind", help="only the cases of this kind")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from kg.qa.evaluation import evaluate, render

    cases = load_cases(args.file)
    if args.kind:
        kinds = sorted({str(case.get("kind")) for case in cases if case.get("kind")})
        cases = [case for case in cases if case.get("kind") == args.kind]
        if not cases:
            raise NeedlingError(
                f"{args.file}: no case of kind {args.kind!r} (kinds: {', '.join(kinds) or 'none'})",
                "bad_request",
            )
    progress = _progress if sys.stderr.isatty() else None
    with _asker(args, settings) as ask:
        evaluation = evaluate(cases, ask, progress)
    below = args.min is not None and evaluation.accuracy < args.min
    if args.json:
        report: dict[str, Any] = {
            "file": str(args.file),
            "asked": args.base_url or "in-process",
            "kind": args.kind,
        }
        report |= evaluation.as_json()
        report |= {"min": args.min, "ok": not below}
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(render(evaluation, f"{args.file.name}{f' [{args.kind}]' if args.kind else ''}"))
        if below:
            print(f"accuracy {evaluation.accuracy:.1%} is below the minimum {args.min:.1%}")
    return 1 if below else 0


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The cases of a question file, each checked for shape; a bad file is wrong input (exit code 2)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NeedlingError(f"{path}: {exc.strerror or exc}", "bad_request") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NeedlingError(f"{path}: not a JSON file: {exc}", "bad_request") from None
    if not isinstance(data, list) or not data:
        raise NeedlingError(f"{path}: expected a non-empty JSON list of cases", "bad_request")
    for number, case in enumerate(data, 1):
        if problem := _shape_problem(case):
            raise NeedlingError(f"{path}: case {number}: {problem}", "bad_request")
    return data


def _shape_problem(case: object) -> str | None:
    if not isinstance(case, dict):
        return "expected an object with the question in 'q'"
    if not isinstance(case.get("q"), str) or not case["q"].strip():
        return "'q' must be the question, a non-empty string"
    for key in TERM_CHECKS:
        terms = case.get(key)
        if terms is not None and not (isinstance(terms, list) and all(isinstance(t, str) for t in terms)):
            return f"{case['q']!r}: {key!r} must be a list of strings"
    costs = case.get("cost")
    if costs is not None and not (isinstance(costs, dict) and all(map(_is_price_range, costs.values()))):
        return f"{case['q']!r}: 'cost' must map a label to [min, max]"
    return None


def _is_price_range(pair: object) -> bool:
    return isinstance(pair, list) and len(pair) == 2 and all(type(n) in (int, float) for n in pair)


@contextlib.contextmanager
def _asker(args: argparse.Namespace, settings: Settings) -> Iterator[Ask]:
    if args.base_url is None:
        yield _in_process(settings)
        return
    if any(getattr(args, name, None) for name in ("ontology", "queries", "store")):
        raise NeedlingError(
            "--ontology, --queries and --store are for in-process runs, not --base-url", "bad_request"
        )
    if not args.base_url.startswith(("http://", "https://")):
        raise NeedlingError(f"--base-url must be an http(s) URL, got {args.base_url!r}", "bad_request")
    import httpx

    with httpx.Client(timeout=args.timeout, follow_redirects=False) as client:
        yield lambda question: _ask_remote(client, args.base_url.rstrip("/"), question)


def _in_process(settings: Settings) -> Ask:
    """answer_question on the graph, its answerer built first so that no question's time includes it."""
    from kg.engine import open_graph
    from kg.qa import answer_question, answerer_for

    graph = open_graph(settings)
    answerer_for(graph)
    return lambda question: answer_question(graph, question)


def _ask_remote(client: httpx.Client, base: str, question: str) -> dict[str, Any]:
    """One GET /api/ask. A service that cannot be reached ends the run; a bad reply fails its question."""
    import httpx

    url = f"{base}/api/ask"
    try:
        response = client.get(url, params={"q": question})
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise NeedlingError(f"cannot reach {base}: {exc}", "unavailable") from None
    except httpx.TimeoutException:
        raise TimeoutError(f"no reply within {client.timeout.read} s") from None
    if response.status_code == 404:  # /api/ask answers every question it is given: a wrong URL
        raise NeedlingError(f"{url} answers 404: is {base} a needling service?", "not_found")
    if response.status_code != 200:
        raise ValueError(f"HTTP {response.status_code}: {_error_message(response)}")
    try:
        reply = response.json()
    except ValueError:
        raise ValueError("the reply is not JSON") from None
    if not isinstance(reply, dict):
        raise ValueError("the reply is not a JSON object")
    return reply


def _error_message(response: httpx.Response) -> str:
    """The service's own message ({"error": {"message": ...}}), else the start of the body."""
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        return str(response.json()["error"]["message"])
    return response.text.strip()[:200]


def _progress(done: int, total: int) -> None:
    if done % PROGRESS_EVERY == 0 or done == total:
        print(f"\r{done}/{total} questions", end="\n" if done == total else "", file=sys.stderr, flush=True)


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction from 0 to 1, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a fraction from 0 to 1, got {text!r}")
    return value
