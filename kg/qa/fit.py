"""The article's statements on which modality fits whom (the `modality_fit` query's rows), as plain records,
and the answers they make: one per modality, each statement a fact with its own hedge and sections."""

from __future__ import annotations

from kg.qa.answers import Answer
from kg.qa.lexicon import Lexicon
from kg.qa.named import Run


def fit_statements(run: Run) -> list[dict[str, str]]:
    """Each row as relation, modality, value, its label, hedge and sections (empty when unbound)."""
    return [
        {
            "relation": row["relation"].value,
            "modality": row["modality"].value if "modality" in row else "",
            "value": row["value"].value,
            "valueLabel": row["valueLabel"].value,
            "hedge": row["hedge"].value if "hedge" in row else "",
            "sections": row["sections"].value if "sections" in row else "",
        }
        for row in run.result.rows
    ]


def modality_answers(
    statements: list[dict[str, str]], condition: str | None, lexicon: Lexicon, title: str
) -> list[Answer]:
    """One answer per modality named in the statements; the hedge of the statement that it treats the
    condition asked becomes the answer's own."""
    answers: dict[str, Answer] = {}
    for s in statements:
        if not s["modality"]:
            continue
        answer = answers.setdefault(
            s["modality"], {"iri": s["modality"], "label": lexicon.label(s["modality"]), "sources": []}
        )
        fact: Answer = {"aspect": s["relation"], "label": s["valueLabel"], "iri": s["value"]}
        if s["hedge"]:
            fact["hedge"] = s["hedge"]
        sources = [{"title": title, "section": x} for x in s["sections"].split("; ") if x]
        fact["sources"] = sources
        answer.setdefault("facts", []).append(fact)
        answer["sources"] += [x for x in sources if x not in answer["sources"]]
        if s["relation"] == "treats" and s["value"] == condition and s["hedge"]:
            answer["hedge"] = s["hedge"]
    return list(answers.values())
