"""The answer's own subgraph: what was asked about, the answers, the facts used and the article's sections
they come from, read from an /api/ask reply and laid out in columns as SVG on the server."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from api.neighbourhood import wrap
from api.templating import href
from kg.qa.wording import price

MAX_NODES = 20
WIDTH = 860
MARGIN_X = 90
TOP = 50
ROW = 84
LABEL_LINES = 4
LABEL_WIDTH = 20
LABEL_TOP = 26  # from a node's centre to its label's first line
LABEL_LEADING = 15
EDGE_LINE = 22
# one column per kind, left to right: the question's own names lead to the answers, then what they rest on
KINDS = ("asked", "step", "answer", "fact", "section")
COLOURS = {
    "asked": "#5b4b8a",
    "step": "#2b6cb0",
    "answer": "#0b6e69",
    "fact": "#8a5a00",
    "section": "#4a5568",
}
KIND_NAMES = {
    "asked": "named in the question",
    "step": "found on the way",
    "answer": "an answer",
    "fact": "a fact the answer uses",
    "section": "the article's section it comes from",
}

Reply = Mapping[str, Any]


@dataclass(frozen=True)
class GraphNode:
    key: str
    label: str
    kind: str
    href: str | None


@dataclass(frozen=True)
class GraphEdge:
    """A link of the answer; `hedge` is the article's own word on that statement, where it hedges it."""

    source: str
    target: str
    label: str
    hedge: str | None
    kind: str  # "answer", "fact" or "source"


@dataclass(frozen=True)
class Subgraph:
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    left_out: int


class _Collect:
    """Nodes up to the cap, first come first kept; edges only between kept nodes, one per pair, a hedge
    never lost to a plain duplicate."""

    def __init__(self, cap: int, sections: Sections) -> None:
        self.cap = cap
        self.sections = sections
        self.nodes: dict[str, GraphNode] = {}
        self.edges: dict[tuple[str, str], GraphEdge] = {}
        self.dropped: set[str] = set()

    def node(self, key: str, label: str, kind: str, link: str | None) -> None:
        if key in self.nodes or key in self.dropped:
            return
        if len(self.nodes) >= self.cap:
            self.dropped.add(key)
            return
        self.nodes[key] = GraphNode(key, label, kind, link)

    def edge(self, source: str, target: str, label: str, hedge: str | None, kind: str) -> None:
        if source == target or source not in self.nodes or target not in self.nodes:
            return
        pair = (source, target) if (target, source) not in self.edges else (target, source)
        old = self.edges.get(pair)
        if old is None:
            self.edges[pair] = GraphEdge(source, target, label, hedge, kind)
        elif (hedge and not old.hedge) or (label and not old.label):
            self.edges[pair] = replace(old, hedge=old.hedge or hedge, label=old.label or label)


Sections = Mapping[tuple[str, str], str]  # (article title, section as cited) -> the section's IRI


def subgraph(reply: Reply, sections: Sections | None = None, cap: int = MAX_NODES) -> Subgraph:
    """The nodes and edges that produced a reply; a refused question has none. Kept in order of weight
    under the cap: the question's names, the answers, their sections, then their facts. `sections` names
    the sections' IRIs (the reply cites them by words), so that they link to their pages too."""
    if not reply.get("answered"):
        return Subgraph((), (), 0)
    answers = [a for a in reply.get("answers") or [] if a.get("iri")]
    entities = [e for e in (reply.get("interpretation") or {}).get("entities") or [] if e.get("iri")]
    graph = _Collect(cap, sections or {})
    for entity in entities:
        graph.node(entity["iri"], entity.get("label") or entity["text"], "asked", href(entity["iri"]))
    steps = _steps(graph, reply, entities, answers)
    for answer in answers:
        graph.node(answer["iri"], answer["label"], "answer", href(answer["iri"]))
    for answer in answers:
        if not any(e["iri"] == answer["iri"] for e in entities):
            _asked_edges(graph, answer, steps or entities)
        _source_edges(graph, answer["iri"], answer.get("sources") or [])
    for answer in answers:
        _fact_edges(graph, answer)
    return Subgraph(tuple(graph.nodes.values()), tuple(graph.edges.values()), len(graph.dropped))


def _steps(graph: _Collect, reply: Reply, entities: list[Reply], answers: list[Reply]) -> list[Reply]:
    """A two-step question ("the origin of the treatment for plantar fasciitis") ran its last query on
    what the first found. Those things stand between the question's names and the answers: the answers'
    details name them under the query's parameter ("modality": "Dry needling"); a parameter's IRI whose
    words are such a name gives it its link (the reply holds no IRI for the others)."""
    interpretation = reply.get("interpretation") or {}
    if len(interpretation.get("steps") or []) < 2:
        return []
    known = {e["iri"] for e in entities} | {a["iri"] for a in answers}
    params = {k: v for k, v in ((reply.get("query") or {}).get("params") or {}).items() if isinstance(v, str)}
    iris = {_words(v).lower(): v for v in params.values() if href(v) and v not in known}
    said = [
        v for a in answers for k in params for v in (a.get("details") or {}).get(k, []) if isinstance(v, str)
    ]
    labels = list(dict.fromkeys(said)) or [_words(iri) for iri in iris.values()]
    first = str(interpretation["steps"][0]).replace("_", " ")
    found: list[Reply] = []
    for label in labels:
        iri = iris.get(label.lower())
        found.append({"iri": iri or f"step:{label}", "label": label})
        graph.node(iri or f"step:{label}", label, "step", href(iri) if iri else None)
        for entity in entities:
            graph.edge(entity["iri"], iri or f"step:{label}", first, None, "answer")
    return found


def _words(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")


def _asked_edges(graph: _Collect, answer: Reply, entities: list[Reply]) -> None:
    """From the names in the question to the answer. An answer with one hedge per statement ("in rare
    cases" for dry needling) puts each on the edge from the thing it is about."""
    per_statement = {str(h["for"]).lower(): h.get("hedge") for h in answer.get("hedges") or []}
    mentioned = {str(v).lower() for values in (answer.get("details") or {}).values() for v in values}
    names = {e["iri"]: str(e.get("label") or e["text"]).lower() for e in entities}
    linked = [iri for iri, name in names.items() if name in per_statement or name in mentioned]
    unmatched = "; ".join(f"{k}: {v or 'stated plainly'}" for k, v in per_statement.items())
    for iri in linked or list(names):
        own = per_statement.get(names[iri]) or answer.get("hedge")
        hedge = own or (None if linked else unmatched or None)  # a hedge not matched to a name: say whose
        graph.edge(iri, answer["iri"], "", hedge, "answer")


def _source_edges(graph: _Collect, key: str, sources: Iterable[Reply]) -> None:
    for source in sources:
        iri = graph.sections.get((source.get("title", ""), source["section"]))
        section = iri or f"section:{source.get('title', '')}|{source['section']}"
        graph.node(section, source["section"], "section", href(iri) if iri else None)
        graph.edge(key, section, "", None, "source")


def _fact_edges(graph: _Collect, answer: Reply) -> None:
    """The price, the facts and, for a retrieved claim, its statement: each an edge from the answer."""
    iri = answer["iri"]
    if cost := answer.get("cost"):
        key = f"cost:{iri}"
        graph.node(key, price({**cost, "hedge": None}), "fact", None)
        graph.edge(iri, key, "cost", cost.get("hedge"), "fact")
    for fact in answer.get("facts") or []:
        key = fact.get("iri") or f"fact:{fact['aspect']}|{fact['label']}"
        graph.node(key, fact["label"], "fact", href(fact["iri"]) if fact.get("iri") else None)
        graph.edge(iri, key, fact.get("aspect") or "", fact.get("hedge"), "fact")
        _source_edges(graph, key, fact.get("sources") or [])
    if statement := answer.get("statement"):
        for part, label in (("subject", "about"), ("object", statement["predicate"]["label"])):
            named = statement[part]
            key = named.get("iri") or f"value:{named['label']}"
            graph.node(key, named["label"], "fact", href(named["iri"]) if named.get("iri") else None)
            graph.edge(iri, key, label, answer.get("hedge") if part == "object" else None, "fact")


@dataclass(frozen=True)
class PlacedNode:
    node: GraphNode
    x: float
    y: float
    lines: tuple[str, ...]
    colour: str

    @property
    def label_y(self) -> float:
        return self.y + LABEL_TOP

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.node.kind]


@dataclass(frozen=True)
class PlacedEdge:
    edge: GraphEdge
    path: str
    label_x: float
    label_y: float
    label_lines: tuple[tuple[str, bool], ...]  # (text, whether it is the article's hedge)


@dataclass(frozen=True)
class AnswerPicture:
    width: int
    height: int
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    left_out: int
    kinds: tuple[tuple[str, str, str], ...]  # (kind, what it is, colour) for the legend


def draw(graph: Subgraph) -> AnswerPicture:
    """Columns by kind, each centred on the tallest; straight edges between columns, a bow within one."""
    columns = _ordered([[n for n in graph.nodes if n.kind == kind] for kind in KINDS], graph.edges)
    tallest = max((len(c) for c in columns), default=0)
    step = (WIDTH - 2 * MARGIN_X) / max(len(columns) - 1, 1)
    placed: dict[str, PlacedNode] = {}
    for index, column in enumerate(columns):
        x = MARGIN_X + index * step if len(columns) > 1 else WIDTH / 2
        first = TOP + (tallest - len(column)) * ROW / 2
        for row, node in enumerate(column):
            lines = wrap(node.label, LABEL_WIDTH, LABEL_LINES)
            placed[node.key] = PlacedNode(
                node, round(x, 1), round(first + row * ROW, 1), lines, COLOURS[node.kind]
            )
    edges = tuple(_route(e, placed[e.source], placed[e.target]) for e in graph.edges)
    kinds = tuple((k, KIND_NAMES[k], COLOURS[k]) for k in KINDS if any(n.kind == k for n in graph.nodes))
    lowest = max((n.y + LABEL_TOP + LABEL_LEADING * len(n.lines) for n in placed.values()), default=TOP)
    return AnswerPicture(WIDTH, round(lowest), tuple(placed.values()), edges, graph.left_out, kinds)


def _ordered(columns: list[list[GraphNode]], edges: Iterable[GraphEdge]) -> list[list[GraphNode]]:
    """Each column sorted by where its neighbours sit in the columns before it (their mean row), so that
    edges cross less; nodes with no such neighbour (all of the first column) keep their order, last."""
    columns = [c for c in columns if c]
    tallest = max((len(c) for c in columns), default=0)
    row: dict[str, float] = {}  # where each node placed so far sits, in rows, as draw() centres columns
    links: dict[str, list[str]] = {}
    for edge in edges:
        links.setdefault(edge.source, []).append(edge.target)
        links.setdefault(edge.target, []).append(edge.source)
    for column in columns:

        def weight(node: GraphNode) -> float:
            placed = [row[k] for k in links.get(node.key, []) if k in row]
            return sum(placed) / len(placed) if placed else float("inf")

        column.sort(key=weight)  # stable: the first column, with nothing placed before it, keeps its order
        row.update({n.key: i + (tallest - len(column)) / 2 for i, n in enumerate(column)})
    return columns


def _route(edge: GraphEdge, start: PlacedNode, end: PlacedNode) -> PlacedEdge:
    lines = tuple((line, False) for line in (wrap(edge.label, EDGE_LINE, 2) if edge.label else ()))
    if edge.hedge:
        lines += tuple((line, True) for line in wrap(f"“{edge.hedge}”", EDGE_LINE, 2))
    if start.x == end.x:  # same column: bow out to the right so the edge does not run through nodes
        bend = start.x + 70
        middle = (start.y + end.y) / 2
        path = f"M {start.x} {start.y} Q {bend} {middle} {end.x} {end.y}"
        return PlacedEdge(edge, path, round(start.x + 38, 1), round(middle, 1), lines)
    path = f"M {start.x} {start.y} L {end.x} {end.y}"
    t = 0.55  # labels nearer the far end, where edges fanning out of one node have drawn apart
    label_x = start.x + (end.x - start.x) * t
    label_y = start.y + (end.y - start.y) * t - 6 - 14 * (len(lines) - 1)  # its last line just above the edge
    return PlacedEdge(edge, path, round(label_x, 1), round(label_y, 1), lines)


def answer_picture(reply: Reply, sections: Sections | None = None) -> AnswerPicture | None:
    """The picture for the answer page, or None when there is nothing to draw (a refusal)."""
    graph = subgraph(reply, sections)
    return draw(graph) if graph.nodes else None
