"""Validation: the SHACL shapes, every fact sourced, and the named queries run against the graph."""

from __future__ import annotations

from pathlib import Path

from kg.validation.catalogue_checks import check_catalogue
from kg.validation.report import Problem, ValidationReport
from kg.validation.shacl import validate_files, validate_graph

__all__ = [
    "Problem",
    "ValidationReport",
    "check_catalogue",
    "validate_all",
    "validate_files",
    "validate_graph",
]


def validate_all(ontology: Path, shapes: Path, queries: Path) -> ValidationReport:
    """The SHACL shapes on the graph, then the query catalogue against the same graph."""
    report = validate_files(ontology, shapes)
    catalogue_problems, checked = check_catalogue(ontology, queries)
    return ValidationReport(
        report.problems + catalogue_problems, triples=report.triples, shapes=report.shapes, queries=checked
    )
