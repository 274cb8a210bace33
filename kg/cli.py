"""The `needling` command: serve, ask, query, sparql, validate, export."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES, DEFAULT_SHAPES

if TYPE_CHECKING:
    from kg.engine import KnowledgeGraph

EXPORT_FORMATS = {"turtle": "text/turtle", "json-ld": "application/ld+json", "nt": "application/n-triples"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "query":  # key=value pairs may come after options such as --format
        args.params += [item for item in extra if "=" in item and not item.startswith("-")]
        extra = [item for item in extra if item not in args.params]
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `| head`); nothing left to say
        sys.stderr.close()
        return 0
    except Exception as exc:  # every failure the user can cause ends as one readable line
        from kg.errors import describe

        print(f"needling: error: {describe(exc)}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="needling", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default=os.environ.get("NEEDLING_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("NEEDLING_PORT", "8000")))
    serve.add_argument(
        "--fd",
        type=int,
        default=None,
        help="serve on this inherited listening socket (socket activation, tests)",
    )
    _graph_options(serve)
    serve.set_defaults(handler=_serve)

    ask = sub.add_parser("ask", help="answer a question in plain words")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the JSON answer")
    _graph_options(ask)
    ask.set_defaults(handler=_ask)

    query = sub.add_parser("query", help="run a named query: needling query NAME key=value ...")
    query.add_argument("name", nargs="?", help="the query's name; leave out to list the catalogue")
    query.add_argument("params", nargs="*", metavar="key=value")
    query.add_argument("--format", choices=("table", "json", "csv"), default="table")
    _graph_options(query)
    query.set_defaults(handler=_query)

    sparql = sub.add_parser("sparql", help="run a read-only SPARQL query")
    sparql.add_argument("text", help="the query text, or @FILE to read it from a file")
    sparql.add_argument("--format", choices=("table", "json", "csv"), default="table")
    _graph_options(sparql)
    sparql.set_defaults(handler=_sparql)

    validate = sub.add_parser(
        "validate", help="check the graph against its SHACL shapes and the query catalogue"
    )
    validate.add_argument(
        "--shapes", type=Path, default=Path(os.environ.get("NEEDLING_SHAPES", DEFAULT_SHAPES))
    )
    _graph_options(validate, store=False)
    validate.set_defaults(handler=_validate)

    export = sub.add_parser("export", help="write the whole graph to standard output")
    export.add_argument("--format", choices=tuple(EXPORT_FORMATS), default="turtle")
    _graph_options(export, store=False)
    export.set_defaults(handler=_export)
    return parser


def _graph_options(parser: argparse.ArgumentParser, *, store: bool = True) -> None:
    env = os.environ
    parser.add_argument("--ontology", type=Path, default=Path(env.get("NEEDLING_ONTOLOGY", DEFAULT_ONTOLOGY)))
    parser.add_argument("--queries", type=Path, default=Path(env.get("NEEDLING_QUERIES", DEFAULT_QUERIES)))
    if store:
        parser.add_argument(
            "--store", default=env.get("NEEDLING_STORE") or None, help="URL of a SPARQL 1.1 endpoint to query"
        )


def _open(args: argparse.Namespace) -> KnowledgeGraph:
    from kg.credentials import read_credentials
    from kg.engine import open_graph

    store = getattr(args, "store", None)
    env = os.environ
    secret_file = env.get("NEEDLING_STORE_PASSWORD_FILE")
    auth = read_credentials(
        env.get("NEEDLING_STORE_USER"),
        env.get("NEEDLING_STORE_PASSWORD"),
        Path(secret_file) if secret_file else None,
    )
    return open_graph(args.ontology, args.queries, store_url=store, store_auth=auth if store else None)


def _serve(args: argparse.Namespace) -> int:
    from kg.server import serve

    return serve(args)


def _ask(args: argparse.Namespace) -> int:
    import json

    from kg.qa import answer_question
    from kg.wording import render_answer

    graph = _open(args)
    answer = answer_question(graph, args.question)
    print(json.dumps(answer, indent=2, ensure_ascii=False) if args.json else render_answer(answer))
    return 0 if answer["answered"] else 1


def _query(args: argparse.Namespace) -> int:
    from kg.render import RENDERERS

    graph = _open(args)
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


def _sparql(args: argparse.Namespace) -> int:
    from kg.adhoc import run_adhoc
    from kg.render import RENDERERS

    text = Path(args.text[1:]).read_text(encoding="utf-8") if args.text.startswith("@") else args.text
    outcome = run_adhoc(_open(args).store, text)
    if isinstance(outcome, bytes):
        sys.stdout.write(outcome.decode("utf-8"))
    elif isinstance(outcome, bool):
        print("true" if outcome else "false")
    else:
        print(RENDERERS[args.format](outcome), end="" if args.format == "csv" else "\n")  # CSV ends its rows
    return 0


def _validate(args: argparse.Namespace) -> int:
    from kg.validate import validate_all

    report = validate_all(args.ontology, args.shapes, args.queries)
    print(report.render(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def _export(args: argparse.Namespace) -> int:
    from kg.store import EmbeddedStore

    store = EmbeddedStore.load(args.ontology)
    sys.stdout.buffer.write(
        store.graph("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", EXPORT_FORMATS[args.format])
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
