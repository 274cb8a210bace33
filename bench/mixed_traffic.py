"""The traffic of a mixed-load run: the kinds of request a normal client sends, in a seeded weighted mix
whose numbers change so no cache can answer them all, and the abuser's query that only a deadline ends."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from bench.mixed_figures import ABUSER
from bench.servers import QUESTION, sciatica_select

REQUEST_TIMEOUT_S = 10.0
HANG_MARGIN_S = 5.0
WEIGHTS = {"ask": 3, "named": 3, "sparql": 2, "page": 2}
SPARQL_JSON = "application/sparql-results+json"
CARTESIAN_4 = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
PREFIXES = "PREFIX schema: <http://schema.org/> PREFIX nkg: <https://needling-kg.example.org/kg/> "
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "

# (question, answered?): the refusals must come back 200 with answered false, never an error.
QUESTIONS: tuple[tuple[str, bool], ...] = (
    (QUESTION, True),
    ("how much is dry needling", True),
    ("how much does acupuncture cost", True),
    ("what are the benefits of dry needling", True),
    ("what are the risks of acupuncture", True),
    ("who performs dry needling", True),
    ("where does acupuncture come from", True),
    ("which needling treatment is the most affordable", True),
    ("how do I choose between dry needling and acupuncture", True),
    ("what does the source say about sciatica", True),
    ("how does dry needling compare to acupuncture", True),
    ("what treats back pain under 60 dollars", True),
    ("what conditions does acupuncture treat", True),
    ("what is the weather in paris", False),
    ("who won the world cup", False),
    ("tell me about quantum chromodynamics", False),
)
# (path and query string, Accept, a fragment the body must contain)
NAMED: tuple[tuple[str, str, bytes], ...] = (
    ("cost_of_modality?modality=dry-needling", "application/json", b'"minPrice":50'),
    ("cost_of_modality?modality=acupuncture", "application/json", b'"minPrice":70'),
    ("treatments_for_condition?condition=sciatica", "application/json", b"acupuncture"),
    ("treatments_for_condition?condition=back-pain", "application/json", b"dry-needling"),
    ("treatments_for_condition?condition=plantar-fasciitis", "application/json", b'"rows"'),
    ("label_search?text=needl", "application/json", b"needl"),
    ("label_search?text=acu", "application/json", b'"rows"'),
    ("list_entities?type=schema:MedicalCondition", "application/json", b"sciatica"),
    ("compare_modalities", "application/json", b'"rows"'),
    ("cheapest_modality", "application/json", b"dry-needling"),
    ("claims_about?resource=sciatica", "application/json", b'"rows"'),
    ("describe_resource?resource=qi", "application/json", b'"rows"'),
    ("modalities_with_property?value=trigger-points", "application/json", b'"rows"'),
    ("risks_of_modality?modality=dry-needling", "application/json", b'"rows"'),
    ("conditions_of_modality?modality=acupuncture", "application/json", b"sciatica"),
    ("resource_graph?resource=dry-needling", "text/turtle", b"dry-needling"),
    ("treatments_for_condition?condition=sciatica", "text/csv", b"acupuncture"),
)
PAGES: tuple[tuple[str, bytes], ...] = (
    ("/", b"<html"),
    ("/ask?" + urlencode({"q": QUESTION}), b"<html"),
    ("/ask?" + urlencode({"q": "how much is dry needling"}), b"<html"),
    ("/compare", b"<html"),
    ("/resource/dry-needling", b"<html"),
    ("/queries/cost_of_modality", b"<html"),
)


@dataclass(frozen=True)
class Call:
    """One request to send and what a correct answer looks like."""

    kind: str
    path: str
    accept: str
    status: int = 200
    expect: bytes = b""
    """A fragment the body must contain (empty: any body)."""
    timeout_s: float = REQUEST_TIMEOUT_S


class Mix:
    """The normal traffic: a seeded, weighted choice of calls; numbers change so caches cannot answer all."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.counter = itertools.count(1)
        self.sciatica = sciatica_select()
        self.kinds = [kind for kind, weight in WEIGHTS.items() for _ in range(weight)]

    def next_call(self) -> Call:
        kind = self.random.choice(self.kinds)
        return getattr(self, f"_{kind}")()

    def _probe(self, accept: str) -> str:
        """Half the time, an Accept parameter no one sent before: the response cache keys by Accept."""
        if self.random.random() < 0.5:
            return f"{accept}; probe={next(self.counter)}"
        return accept

    def _ask(self) -> Call:
        question, answered = self.random.choice(QUESTIONS)
        expect = b'"answered":true' if answered else b'"answered":false'
        path = "/api/ask?" + urlencode({"q": question})
        return Call("ask", path, self._probe("application/json"), expect=expect)

    def _named(self) -> Call:
        if self.random.random() < 0.2:  # a price ceiling that changes: a new URL most times
            price = f"{self.random.randint(40, 200)}.{self.random.randint(0, 99):02d}"
            path = "/api/queries/treatments_under_price?" + urlencode({"max_price": price})
            return Call("named", path, "application/json", expect=b'"rows"')
        tail, accept, expect = self.random.choice(NAMED)
        return Call("named", "/api/queries/" + tail, self._probe(accept), expect=expect)

    def _sparql(self) -> Call:
        limit = 1000 + next(self.counter)  # a new text every time: every one runs in a worker
        choice = self.random.randrange(3)
        if choice == 0:
            query, expect = self.sciatica + f"LIMIT {limit}\n", b"acupuncture"
        elif choice == 1:
            price = "nkg:dry-needling schema:offers/schema:priceSpecification/schema:minPrice ?min"
            query, expect = PREFIXES + f"SELECT ?min WHERE {{ {price} }} LIMIT {limit}", b'"50"'
        else:
            query = SKOS + f"SELECT ?s ?label WHERE {{ ?s skos:prefLabel ?label }} LIMIT {limit % 50 + 1}"
            expect = b'"bindings"'
        return Call("sparql", "/sparql?query=" + quote(query, safe=""), SPARQL_JSON, expect=expect)

    def _page(self) -> Call:
        path, expect = self.random.choice(PAGES)
        return Call("page", path, "text/html", expect=expect)


def abuser_call(deadline_s: float) -> Call:
    return Call(
        ABUSER,
        "/sparql?query=" + quote(CARTESIAN_4, safe=""),
        SPARQL_JSON,
        status=503,
        expect=b'"code":"timeout"',
        timeout_s=deadline_s + HANG_MARGIN_S,
    )
