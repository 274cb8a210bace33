"""The pages a person reads: home, answers, the side-by-side comparison."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.answer_graph import answer_picture
from api.state import get_runtime
from api.templating import render
from kg.engine import KnowledgeGraph
from kg.qa import answer_question

router = APIRouter(include_in_schema=False)

ASPECTS = (
    ("origin", "Origin"),
    ("approach", "Approach"),
    ("target", "Targets"),
    ("technique", "Techniques"),
    ("practitioner", "Who may perform it"),
    ("cost", "Cost per session"),
    ("benefit", "Benefits"),
    ("risk", "Risks"),
    ("condition", "Conditions it may treat"),
)


def entities(graph: KnowledgeGraph, rdf_type: str) -> list[dict[str, str]]:
    result = graph.run("list_entities", {"type": rdf_type})
    return [
        {
            "iri": r["entity"].value,
            "label": r["label"].value,
            "definition": r["definition"].value if "definition" in r else "",
        }
        for r in result.rows
    ]


def cited_sections(graph: KnowledgeGraph) -> dict[tuple[str, str], str]:
    """The article's sections as answers cite them, (article title, section label), to their IRIs."""
    rows = graph.run("source_sections").rows
    return {(r["articleTitle"].value, r["sectionLabel"].value): r["section"].value for r in rows}


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    graph = get_runtime(request).snapshot.graph
    sections = graph.run("source_sections").rows
    examples = [e for q in graph.catalogue if q.cues for e in q.examples[:1]]
    return render(
        "home.html",
        examples=examples[:8],
        modalities=entities(graph, "nkg:Modality"),
        conditions=entities(graph, "schema:MedicalCondition"),
        triples=graph.store.triples,
        article=sections[0]["articleTitle"].value if sections else "",
        sections=[r["sectionLabel"].value for r in sections],
    )


@router.get("/ask", response_class=HTMLResponse)
def ask_page(request: Request, q: Annotated[str, Query(max_length=2000)] = "") -> Response:
    runtime = get_runtime(request)
    question = q.strip()[: runtime.settings.max_question_chars]
    if not question:
        return RedirectResponse("/", status_code=303)
    graph = runtime.snapshot.graph
    answer = answer_question(graph, question)
    named = graph.catalogue.get(answer["interpretation"].get("intent") or "")
    query_info = {"name": named.name, "title": named.title} if named else None
    picture = answer_picture(answer, cited_sections(graph)) if answer["answered"] else None
    return render("answer.html", answer=answer, query_info=query_info, picture=picture)


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request) -> Response:
    graph = get_runtime(request).snapshot.graph
    rows = graph.run("compare_modalities").plain_rows()
    modalities: dict[str, dict[str, Any]] = {}
    cells: dict[str, dict[str, list[dict[str, Any]]]] = {key: {} for key, _ in ASPECTS}
    for row in rows:
        modality = str(row["modality"])
        modalities.setdefault(modality, {"iri": row["modality"], "label": row["modalityLabel"]})
        cell: dict[str, Any] = {
            "iri": row["value"],
            "label": row["valueLabel"],
            "hedge": row.get("hedge"),
            "sections": row.get("sections"),
        }
        if row["aspect"] == "cost":
            # the hedge of a price row is the price's ("averages around"): it is shown with the price
            cell["cost"] = {
                "min": row["minPrice"],
                "max": row["maxPrice"],
                "currency": row["currency"],
                "hedge": cell.pop("hedge"),
            }
        cells.setdefault(str(row["aspect"]), {}).setdefault(modality, []).append(cell)
    aspects = [{"key": key, "title": title, "cells": cells.get(key, {})} for key, title in ASPECTS]
    ordered = sorted(modalities.values(), key=lambda m: m["label"] != "Dry needling")
    return render("compare.html", modalities=ordered, aspects=aspects)
