"""Check the graph against the SHACL shapes and turn pyshacl's results into readable problems."""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD, NamespaceManager
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from kg.terms import PREFIXES
from kg.validation.report import Problem, ValidationReport
from kg.validation.sourcing import unsourced

# The project's prefix table, fixed here so a report reads the same whatever prefixes the files happen
# to declare (rdflib's own defaults bind "schema" to https://schema.org/, not the graph's namespace).
_PREFIXES: dict[str, Namespace] = {
    **{prefix: Namespace(iri) for prefix, iri in PREFIXES.items()},
    "sh": Namespace(str(SH)),
}
_PLAIN_DATATYPES = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean}
_SYNTAX_REASON = re.compile(r"Bad syntax \((?P<why>.*?)\) at \^", re.DOTALL)
_PATH_FORMS = (
    (SH.inversePath, "^{}"),
    (SH.zeroOrMorePath, "{}*"),
    (SH.oneOrMorePath, "{}+"),
    (SH.zeroOrOnePath, "{}?"),
)


def validate_graph(data: Graph, shapes: Graph) -> ValidationReport:
    """Validate a parsed graph against parsed shapes (no inference: the graph must say it explicitly)."""
    names = _namespace_manager(data)
    shape_count = len(set(shapes.subjects(RDF.type, SH.NodeShape)))
    try:
        conforms, results, text = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False
        )
    except ReportableRuntimeError as error:
        return ValidationReport((Problem("shapes", f"The shapes could not be used: {error.message}"),))
    problems = _problems_from_results(results, names)
    if not conforms and not problems:
        problems = (Problem("graph", f"The graph does not conform, but pyshacl gave no details: {text}"),)
    return ValidationReport(
        problems + _unsourced_problems(data, names), triples=len(data), shapes=shape_count
    )


def _unsourced_problems(data: Graph, names: NamespaceManager) -> tuple[Problem, ...]:
    return tuple(
        Problem(
            _show(subject, names),
            f"The statement {_show(predicate, names)} {_show(value, names)} has no claim node citing a part "
            "of the article: add a nkg:Claim with rdf:subject, rdf:predicate, rdf:object and dcterms:source, "
            "or leave the statement out.",
        )
        for subject, predicate, value in unsourced(data)
    )


def validate_files(ontology: Path, shapes: Path) -> ValidationReport:
    """Parse both Turtle files (shapes once) and validate; an unreadable file becomes a problem."""
    loaded = [_load_turtle(ontology), _load_turtle(shapes)]
    problems = tuple(item for item in loaded if isinstance(item, Problem))
    if problems:
        return ValidationReport(problems)
    data, shape_graph = (item for item in loaded if isinstance(item, Graph))
    return validate_graph(data, shape_graph)


def _load_turtle(path: Path) -> Graph | Problem:
    graph = Graph(bind_namespaces="none")
    try:
        with path.open("rb") as source:
            graph.parse(source, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as error:
        reason = _SYNTAX_REASON.search(str(error))
        why = reason.group("why") if reason else "the text is not valid Turtle"
        return Problem(str(path), f"Turtle syntax error on line {error.lines + 1}: {why}.")
    except OSError as error:
        return Problem(str(path), f"The file could not be read: {error.strerror or error}.")
    except (ValueError, UnicodeDecodeError) as error:
        return Problem(str(path), f"The file is not valid Turtle: {error}.")
    return graph


def _namespace_manager(data: Graph) -> NamespaceManager:
    names = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    for prefix, namespace in _PREFIXES.items():
        names.bind(prefix, namespace)
    ours = {str(namespace) for namespace in _PREFIXES.values()}
    for prefix, declared in data.namespaces():
        if prefix and prefix not in _PREFIXES and str(declared) not in ours:
            names.bind(prefix, declared, override=False)
    return names


def _problems_from_results(results: Graph, names: NamespaceManager) -> tuple[Problem, ...]:
    found: dict[Problem, None] = {}  # ordered and without repeats
    for result in results.objects(None, SH.result):
        focus = results.value(result, SH.focusNode)
        where = _show(focus, names) if focus is not None else "graph"
        found[Problem(where, _describe(results, result, names))] = None
    return tuple(sorted(found, key=lambda problem: (problem.where, problem.what)))


def _describe(results: Graph, result: Node, names: NamespaceManager) -> str:
    message = _message(results, result)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    severity = results.value(result, SH.resultSeverity)
    if severity is not None and severity != SH.Violation:
        message = f"{_show(severity, names).removeprefix('sh:')}: {message}"
    # The path is left out when the message already names it, so a line does not repeat itself.
    shown_path = _show_path(results, path, names) if path is not None else ""
    if shown_path in message:
        shown_path = ""
    if value is not None:
        detail = f"{shown_path} = {_show(value, names)}" if shown_path else f"found {_show(value, names)}"
    elif shown_path:
        detail = shown_path
    else:
        return message
    return f"{message.rstrip('. ')} ({detail})."


def _message(results: Graph, result: Node) -> str:
    messages = [m for m in results.objects(result, SH.resultMessage) if isinstance(m, Literal)]
    english = [m for m in messages if m.language in (None, "en")]
    if english or messages:
        return str((english or messages)[0])
    component = results.value(result, SH.sourceConstraintComponent)
    name = str(component).rsplit("#", 1)[-1] if component is not None else "a shape"
    return f"Breaks {name}."


def _show_path(results: Graph, path: Node, names: NamespaceManager) -> str:
    """A property path written the way SPARQL writes it: a/b, ^a, a|b, a*, a+, a?."""
    if isinstance(path, URIRef):
        return _show(path, names)
    if results.value(path, RDF.first) is not None:
        return "/".join(_show_path(results, step, names) for step in Collection(results, path))
    choices = results.value(path, SH.alternativePath)
    if choices is not None:
        return "(" + "|".join(_show_path(results, step, names) for step in Collection(results, choices)) + ")"
    for predicate, template in _PATH_FORMS:
        inner = results.value(path, predicate)
        if inner is not None:
            return template.format(_show_path(results, inner, names))
    return _show(path, names)


def _show(node: Node, names: NamespaceManager) -> str:
    """A node as short Turtle: prefixed names, plain numbers, quoted strings with their language."""
    if isinstance(node, Literal):
        if node.language:
            return f'"{node}"@{node.language}'
        if node.datatype in _PLAIN_DATATYPES:
            return str(node)
        if node.datatype is None or node.datatype == XSD.string:
            return f'"{node}"'
        return f'"{node}"^^{_show(node.datatype, names)}'
    if isinstance(node, BNode):
        return "a blank node"
    if isinstance(node, URIRef):
        return node.n3(names)
    return str(node)
