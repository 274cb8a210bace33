"""The `needling` command: ask, eval, query, sparql, validate, export, and their output for a terminal."""

from kg.cli.main import main

__all__ = ["main"]
