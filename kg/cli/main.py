"""The needling command's own commands (ask, eval, query, sparql, validate, export), read from one Settings.

The web service adds `serve` to these (api/cli.py): the command line of the core knows nothing of HTTP.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.cli.evaluate import eval_options, run_eval
from kg.errors import describe, outcome_of
from kg.settings import Settings, settings_with

Handler = Callable[[argparse.Namespace, Settings], int]


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, its help line, its own options and what it does."""

    name: str
    help: str
    options: Callable[[argparse.ArgumentParser], None]
    run: Handler


def main(argv: Sequence[str] | None = None, commands: Sequence[Command] | None = None) -> int:
    """Parse, read the settings (options over NEEDLING_* variables), run; a failure is one line on
    standard error and the exit code of its error code (kg/errors.py)."""
    parser = _parser(commands or COMMANDS)
    args, extra = parser.parse_known_args(argv)
    if args.command == "query":  # key=value pairs may come after options such as --format
        args.params += [item for item in extra if "=" in item and not item.startswith("-")]
        extra = [item for item in extra if item not in args.params]
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        settings = settings_with(
            ontology=getattr(args, "ontology", None),
            queries=getattr(args, "queries", None),
            shapes=getattr(args, "shapes", None),
            store=getattr(args, "store", None),
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
        )
        return int(args.handler(args, settings) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `| head`); nothing left to say
        sys.stderr.close()
        return 0
    except Exception as exc:  # every failure ends as one readable line and its mapped exit code
        print(f"needling: error: {describe(exc)}", file=sys.stderr)
        return outcome_of(exc).exit


def _parser(commands: Sequence[Command]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="needling", description="Ask, query and check the needling-kg graph."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands:
        options = sub.add_parser(command.name, help=command.help)
        command.options(options)
        options.set_defaults(handler=command.run)
    return parser


def graph_options(parser: argparse.ArgumentParser, *, store: bool = True) -> None:
    """--ontology, --queries and --store; left out, the NEEDLING_* settings (or their defaults) apply."""
    parser.add_argument("--ontology", type=Path, help="the Turtle graph (NEEDLING_ONTOLOGY)")
    parser.add_argument("--queries", type=Path, help="the folder of named queries (NEEDLING_QUERIES)")
    if store:
        parser.add_argument("--store", help="URL of a SPARQL 1.1 endpoint to query (NEEDLING_STORE)")


def _ask_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("question")
    parser.add_argument("--json", action="store_true", help="print the JSON answer")
    graph_options(parser)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from kg.engine import open_graph
    from kg.qa import answer_question
    from kg.qa.wording import render_answer

    answer = answer_question(open_graph(settings), args.question)
    print(json.dumps(answer, indent=2, ensure_ascii=False) if args.json else render_answer(answer))
    return 0 if answer["answered"] else 1


def _eval_options(parser: argparse.ArgumentParser) -> None:
    eval_options(parser)
    graph_options(parser)


def _query_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="the query's name; leave out to list the catalogue")
    parser.add_argument("params", nargs="*", metavar="key=value")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    graph_options(parser)


def _query(args: argparse.Namespace, settings: Settings) -> int:
    from kg.cli.render import RENDERERS
    from kg.engine import open_graph

    graph = open_graph(settings)
    if not args.name:
        for named in graph.catalogue:
            params = " ".join(f"{p.name}={'<' + p.type + '>'}" for p in named.params)
            print(f"{named.name} {params}\n    {named.title}")
        return 0
    values: dict[str, object] = {}
    for item in args.params:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"expected key=value, got {item!r}")
        values[key] = value
    if graph.query(args.name).form != "SELECT":  # a CONSTRUCT answers with triples, as Turtle
        sys.stdout.write(graph.construct(args.name, values, "text/turtle").body.decode("utf-8"))
        return 0
    print(RENDERERS[args.format](graph.run(args.name, values)), end="" if args.format == "csv" else "\n")
    return 0


def _sparql_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", help="the query text, or @FILE to read it from a file")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    graph_options(parser)


def _sparql(args: argparse.Namespace, settings: Settings) -> int:
    from kg.adhoc import run_adhoc
    from kg.cli.render import RENDERERS
    from kg.engine import open_graph

    text = Path(args.text[1:]).read_text(encoding="utf-8") if args.text.startswith("@") else args.text
    outcome = run_adhoc(open_graph(settings).store, text, settings)
    if isinstance(outcome, bytes):
        sys.stdout.write(outcome.decode("utf-8"))
    elif isinstance(outcome, bool):
        print("true" if outcome else "false")
    else:
        print(RENDERERS[args.format](outcome), end="" if args.format == "csv" else "\n")  # CSV ends its rows
    return 0


def _validate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shapes", type=Path, help="the SHACL shapes (NEEDLING_SHAPES)")
    graph_options(parser, store=False)


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    from kg.validation import validate_all

    report = validate_all(settings.ontology, settings.shapes, settings.queries)
    print(report.render(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


EXPORT_FORMATS = ("turtle", "json-ld", "nt")


def _export_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=EXPORT_FORMATS, default="turtle")
    graph_options(parser, store=False)


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from kg.adhoc.formats import ALIASES, GRAPH_FORMATS
    from kg.store import EmbeddedStore

    media_type = GRAPH_FORMATS[ALIASES.get(args.format, args.format)]
    store = EmbeddedStore.load(settings.ontology)
    sys.stdout.buffer.write(store.graph("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", media_type))
    return 0


COMMANDS: tuple[Command, ...] = (
    Command("ask", "answer a question in plain words", _ask_options, _ask),
    Command("eval", "score the question answering against a file of questions", _eval_options, run_eval),
    Command("query", "run a named query: needling query NAME key=value ...", _query_options, _query),
    Command("sparql", "run a read-only SPARQL query", _sparql_options, _sparql),
    Command(
        "validate",
        "check the graph against its SHACL shapes and the query catalogue",
        _validate_options,
        _validate,
    ),
    Command("export", "write the whole graph to standard output", _export_options, _export),
)
