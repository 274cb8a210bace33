"""What a validation run found: problems located at a node or a file, and the report that renders them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One way the graph breaks a rule, located at a node (or a file)."""

    where: str
    what: str


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of one validation run: no problems means the graph conforms."""

    problems: tuple[Problem, ...]
    triples: int = 0
    shapes: int = 0
    queries: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        """Readable text: one OK line, or the problems grouped under the node they concern."""
        if self.ok:
            checked = f"; {self.queries} named queries run with their examples" if self.queries else ""
            return f"OK: {self.triples} triples conform to {self.shapes} shapes{checked}"
        groups: dict[str, list[str]] = {}
        for problem in self.problems:
            groups.setdefault(problem.where, []).append(problem.what)
        lines = [f"FAILED: {_count(len(self.problems), 'problem')} in {_count(len(groups), 'place')}"]
        for where, whats in groups.items():
            lines.append(where)
            lines.extend(f"  - {what}" for what in whats)
        return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
