"""The answer contract between the `.rq` files and the Python that reads their rows.

A query's header declares the result variables code relies on (`# returns: therapy, therapyLabel, ...`);
loading the catalogue checks that its SELECT gives each of them, and that each query declares every
variable listed here as read by the service. So renaming ?minPrice in a query file fails `needling
validate` and a reload (which then keeps the last good catalogue), naming the file, the line and the
variable, instead of answers silently losing their prices.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kg.catalogue.model import CatalogueError, NamedQuery, blank_comment_lines

PRICE = ("minPrice", "maxPrice", "currency")
"""Where a row has these, its answer gets a cost (kg.qa.answers)."""
STATEMENT = ("hedge", "sections")
"""The article's hedge on the row's statement, and the parts of the article it comes from."""

READS: Mapping[str, tuple[str, ...]] = {
    # question answering: the answer's variable, the price of a treatment, the sentence of a definition
    "treatments_for_condition": ("therapy", "therapyLabel", *PRICE, *STATEMENT, "costHedge"),
    "cost_of_modality": ("modality", "modalityLabel", *PRICE, "costHedge", "sections"),
    "cheapest_modality": ("modality", "modalityLabel", *PRICE, "costHedge"),
    "treatments_under_price": ("modality", "modalityLabel", *PRICE, "costHedge"),
    "risks_of_modality": ("risk", "riskLabel", *STATEMENT),
    "benefits_of_modality": ("benefit", "benefitLabel", *STATEMENT),
    # pages and the question answering's vocabulary
    "compare_modalities": ("aspect", "modality", "modalityLabel", "value", "valueLabel", *PRICE, *STATEMENT),
    "describe_resource": (
        "resource",
        "resourceLabel",
        "definition",
        "ourExplanation",
        "about",
        "otherNames",
        *STATEMENT,
    ),
    "claims_about": (
        "claim",
        "fact",
        "subject",
        "subjectLabel",
        "predicate",
        "predicateLabel",
        "object",
        "objectLabel",
        "section",
        "sectionLabel",
        "article",
        "articleTitle",
        "hedge",
        "frequency",
        "severity",
    ),
    "resource_links": ("direction", "property", "propertyLabel", "other", "otherLabel"),
    "source_sections": ("section", "sectionLabel", "heading", "articleTitle"),
    "list_entities": ("entity", "label", "definition"),
    "lexicon": ("entity", "label", "preferred", "narrower", "topicName", "type", "silence"),
}
"""What the service reads from each query's rows by name: the catalogue holds each query to it."""

_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_MODIFIER = re.compile(r"\s*(?:DISTINCT|REDUCED)\b", re.IGNORECASE)
_END_OF_PROJECTION = re.compile(r"\bWHERE\b|\{", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_ALIAS = re.compile(r"\bAS\s+[?$]([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$", re.IGNORECASE)


def selected_variables(sparql: str) -> tuple[str, ...] | None:
    """The variables the outer SELECT gives, in order; None for `SELECT *` or a query of another form."""
    text = blank_comment_lines(sparql)
    start = _SELECT.search(text)
    if start is None:
        return None
    position = start.end()
    if modifier := _MODIFIER.match(text, position):
        position = modifier.end()
    end = _END_OF_PROJECTION.search(text, position)
    clause = text[position : end.start() if end else len(text)]
    if clause.strip().startswith("*"):
        return None
    names: list[str] = []
    depth, opened = 0, 0
    for index, char in enumerate(clause):
        if char == "(":
            depth += 1
            opened = index if depth == 1 else opened
        elif char == ")":
            depth -= 1
            if depth == 0 and (alias := _ALIAS.search(clause[opened : index + 1])):
                names.append(alias.group(1))
        elif depth == 0 and char in "?$" and (variable := _VARIABLE.match(clause, index)):
            names.append(variable.group(1))
    return tuple(names)


def check_returns(query: NamedQuery) -> None:
    """A SELECT gives every variable its header declares, and the answer's variable."""
    given = selected_variables(query.sparql) if query.form == "SELECT" else None
    if given is None:
        return
    declared = [*query.returns, *([query.answer] if query.answer and query.cues else [])]
    for name in declared:
        if name not in given:
            raise CatalogueError(
                f"{_where(query)}: '# returns:' declares ?{name}, which the query's SELECT does not give "
                f"(it gives {', '.join('?' + g for g in given)})"
            )


def check_reads(queries: Mapping[str, NamedQuery]) -> None:
    """Each query the service reads by variable name declares those variables."""
    for name, needed in READS.items():
        query = queries.get(name)
        if query is None:
            continue
        missing = [variable for variable in needed if variable not in query.returns]
        if missing:
            raise CatalogueError(
                f"{_where(query)}: the service reads ?{missing[0]} from the rows of {name} "
                f"(kg/catalogue/contract.py); the query must give it and declare it in '# returns:'"
            )


def _where(query: NamedQuery) -> str:
    """The file and the line of its `# returns:` header (or the file alone)."""
    if query.path is None:
        return query.name
    for number, line in enumerate(query.sparql.splitlines(), start=1):
        if re.match(r"\s*#\s*returns\s*:", line):
            return f"{query.path}:{number}"
    return str(query.path)
