"""A word index of the graph's labels, so a text search narrows to the labels that can match before the
store runs the query, instead of testing CONTAINS on every label (Oxigraph has no text index).

A named query opts in with a header line `# search: VAR contains PARAM`: VAR is only ever bound to a
skos:prefLabel, skos:altLabel or skos:hiddenLabel value, and the query keeps its own `FILTER(CONTAINS(LCASE(...)))`. The
engine then adds `VALUES ?VAR { ... }` holding every label whose lower case contains the lower-cased PARAM.
That is a superset of what the FILTER keeps, so the answer is the same as without the index, only sooner.

Text with no white space can only occur inside one white-space-separated token of a label, so the index
looks the text up in the distinct tokens (one string, searched with `str.find`) and maps the tokens it
finds to their labels. Text with spaces is looked up by its longest piece, then checked against each label.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.terms import Term, TermKind

if TYPE_CHECKING:
    from kg.store import SelectRows

LABEL_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#hiddenLabel",
)
MAX_CANDIDATES = 2_000
"""More labels than this contain the text (a letter, "synthetic"): the store's own scan is no slower."""

_SEPARATOR = "\x00"
_LABELS_QUERY = (
    "SELECT DISTINCT ?label WHERE { VALUES ?p { "
    + " ".join(f"<{p}>" for p in LABEL_PREDICATES)
    + " } ?s ?p ?label FILTER (!isBlank(?label)) }"
)


@dataclass(frozen=True)
class LabelIndex:
    """Flat arrays rather than a Python object per label: under 30 MB for the 219,000 labels of a
    million-triple graph, where tuples of terms and sets took about 100 MB."""

    values: str
    """Every label's STR() value, one after the other."""
    ends: array[int]
    """Where each label's value ends in `values`; it starts where the one before it ends."""
    shapes: array[int]
    """For each label, its position in `forms`."""
    forms: tuple[tuple[TermKind, str | None, str | None], ...]
    """The distinct (kind, datatype, language) of the labels: a handful, such as a literal in English."""
    tokens: str
    """The distinct white-space-separated tokens of the lower-cased labels, joined by NUL, for `str.find`."""
    token_starts: array[int]
    """Where each token starts in `tokens`, for mapping a hit back to its token."""
    posting_ends: array[int]
    """Where each token's labels end in `postings`; they start where the previous token's end."""
    postings: array[int]
    """The label numbers of each token in turn."""

    @classmethod
    def from_terms(cls, terms: Iterable[Term]) -> LabelIndex:
        values: list[str] = []
        ends, shapes = array("L"), array("L")
        forms: dict[tuple[TermKind, str | None, str | None], int] = {}
        by_token: dict[str, list[int]] = {}
        end = 0
        for number, term in enumerate(terms):
            values.append(term.value)
            end += len(term.value)
            ends.append(end)
            shapes.append(forms.setdefault((term.kind, term.datatype, term.lang), len(forms)))
            for token in set(term.value.lower().replace(_SEPARATOR, " ").split()):  # a search never holds NUL
                by_token.setdefault(token, []).append(number)
        token_starts, posting_ends, postings = array("L"), array("L"), array("L")
        offset = 0
        for token, numbers in by_token.items():
            token_starts.append(offset)
            offset += len(token) + 1
            postings.extend(numbers)
            posting_ends.append(len(postings))
        return cls(
            values="".join(values),
            ends=ends,
            shapes=shapes,
            forms=tuple(forms),
            tokens=_SEPARATOR.join(by_token),
            token_starts=token_starts,
            posting_ends=posting_ends,
            postings=postings,
        )

    @classmethod
    def build(cls, select: Callable[[str], SelectRows]) -> LabelIndex:
        """Read every label value from a store through its `select(sparql)`."""
        return cls.from_terms(row["label"] for row in select(_LABELS_QUERY).rows)

    def __len__(self) -> int:
        return len(self.ends)

    def value(self, number: int) -> str:
        return self.values[self.ends[number - 1] if number else 0 : self.ends[number]]

    def term(self, number: int) -> Term:
        kind, datatype, lang = self.forms[self.shapes[number]]
        return Term(kind, self.value(number), datatype, lang)

    def containing(self, text: str, limit: int = MAX_CANDIDATES) -> list[str] | None:
        """The labels (N-Triples) whose lower case contains the lower-cased text, or None when more than
        `limit` do or the text has nothing to look up (the caller then lets the store scan)."""
        needle = text.lower()
        pieces = needle.split()
        if not pieces or _SEPARATOR in needle:
            return None
        piece = max(pieces, key=len)
        found: set[int] = set()
        position = self.tokens.find(piece)
        while position != -1:
            token = bisect.bisect_right(self.token_starts, position) - 1
            found.update(
                self.postings[self.posting_ends[token - 1] if token else 0 : self.posting_ends[token]]
            )
            if len(found) > limit:
                return None
            following = (
                self.token_starts[token + 1] if token + 1 < len(self.token_starts) else len(self.tokens)
            )
            position = self.tokens.find(piece, following)
        return [self.term(n).n3() for n in sorted(found) if needle in self.value(n).lower()]
