"""Answer plain questions: read the question, run the named query (or two), compose a sourced answer."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from kg.catalogue.params import KNOWN_PREFIXES
from kg.engine import KnowledgeGraph
from kg.qa.answers import Answer, absorb, is_iri, merge, place_hedges
from kg.qa.lexicon import Lexicon, stems
from kg.qa.plans import CueMatch, Plan, Reading, expand
from kg.qa.reading import MODALITY, Interpreter
from kg.qa.wording import Blank, join, named
from kg.terms import QueryResult, Row

NOTE = "General information from one article, not medical advice: ask a licensed professional about your own case."
CONDITION = "http://schema.org/MedicalCondition"
CATEGORY = KNOWN_PREFIXES["nkg"] + "ConditionCategory"


@dataclass(frozen=True)
class Run:
    name: str
    params: dict[str, str]
    result: QueryResult


class QuestionAnswerer:
    """Built once per graph version: the lexicon and the cue tables are read from the graph and catalogue."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        self.graph = graph
        self.lexicon = Lexicon.from_rows(graph.stream("lexicon"))  # every word, past the row cap
        self.interpreter = Interpreter(graph.catalogue, self.lexicon)
        self.coverage = self._coverage()
        self.suggestions = [q.examples[0] for q in graph.catalogue if q.cues and q.examples][:6]

    def answer(self, question: str) -> Answer:
        reading = self.interpreter.read(question)
        if reading.silent:
            iri = reading.silent[0].iris[0]
            reason = self.lexicon.silences.get(iri) or self._silent_text(iri)
            return self._refuse(question, reading, reason[:1].lower() + reason[1:])
        if reading.unknown:
            words = ", ".join(f"'{w}'" for w in reading.unknown)
            return self._refuse(question, reading, f"the source says nothing about {words}.")
        if not reading.plans:
            named = [self.lexicon.label(m.iris[0]) for m in reading.entities]
            reason = (
                f"the source gives no answer of that kind about {join(named)}."
                if named
                else "I could not find anything the graph knows in the question."
            )
            return self._refuse(question, reading, reason)
        plan = reading.plans[0]
        runs, found = self._execute(plan)
        answers = self._narrow(found, plan, reading)
        if not answers:
            plan, runs, found, answers = self._another_reading(reading, plan, runs, found)
        if not answers:
            return self._refuse(question, reading, self._nothing_fits(plan, found, reading), plan, runs)
        self._add_costs(answers, reading)
        reply = {
            "question": question,
            "answered": True,
            "text": self._sentence(plan, runs, answers),
            "answers": answers,
            "note": NOTE,
            "interpretation": self._interpretation(reading, plan),
            "query": _query_info(runs[-1]),
        }
        self._answer_second_part(reply, reading, plan)
        self._say_what_is_broader(reply, reading)
        return reply

    def _say_what_is_broader(self, reply: Answer, reading: Reading) -> None:
        """A narrower topic than the article's ("lower back pain") was answered as its broader one: say so
        first, and list the narrower topic as not in the source."""
        pairs = [
            (topic, self.lexicon.sentence_case(self.lexicon.label(m.iris[0])))
            for m in reading.entities
            if (topic := self.lexicon.narrower.get(stems(m.text)))
        ]
        if not pairs:
            return
        narrower = [self.lexicon.sentence_case(topic) for topic, _ in pairs]
        broader = list(dict.fromkeys(b for _, b in pairs))
        reply["not_in_source"] = [n.lower() for n in narrower]
        reply["text"] = (
            f"The article speaks of {join(broader)} in general and does not single out {join(narrower)}. "
            + reply["text"]
        )

    def _another_reading(
        self, reading: Reading, first: Plan, runs: list[Run], found: list[Answer]
    ) -> tuple[Plan, list[Run], list[Answer], list[Answer]]:
        """The first other reading of the same things that finds answers; else the first reading as it was."""
        for other in self.interpreter.alternatives(reading, first):
            other_runs, other_found = self._execute(other)
            if answers := self._narrow(other_found, other, reading):
                return other, other_runs, other_found, answers
        return first, runs, found, []

    def _answer_second_part(self, reply: Answer, reading: Reading, first: Plan) -> None:
        """ "The risks and benefits of acupuncture": the second part is answered too, after the first."""
        second = self.interpreter.second_part(reading, first)
        if second is None:
            return
        runs, found = self._execute(second)
        answers = self._narrow(found, second, reading)
        if not answers:
            return
        known = {a["iri"] for a in reply["answers"]}
        reply["answers"] += [a for a in answers if a["iri"] not in known]
        reply["text"] += " " + self._sentence(second, runs, answers)
        reply["interpretation"]["also"] = {"intent": second.query.name, "query": _query_info(runs[-1])}

    # --- running ---------------------------------------------------------------------------------

    def _execute(self, plan: Plan) -> tuple[list[Run], list[Answer]]:
        values = dict(plan.values)
        earlier: list[Run] = []
        if plan.feeds and plan.feed_param:
            earlier, fed = self._execute(plan.feeds)
            values[plan.feed_param] = [a["iri"] for a in fed]
            if not fed:
                return earlier, []
        runs = [
            Run(plan.query.name, params, self.graph.run(plan.query.name, params))
            for params in _combinations(values)
        ]
        answers_per_run = [self._answers(plan, run) for run in runs]
        intersect = any(len(values.get(p.name, [])) > 1 for p in plan.query.params if p.combine == "all")
        merged = merge(answers_per_run, intersect)
        for answer in merged:
            place_hedges(answer)
        return earlier + runs, merged

    def _answers(self, plan: Plan, run: Run) -> list[Answer]:
        key = plan.query.answer or run.result.vars[0]
        given = [self.lexicon.sentence_case(self.lexicon.label(v)) for v in run.params.values() if is_iri(v)]
        grouped: dict[str, Answer] = {}
        for row in run.result.rows:
            if key not in row:
                continue
            iri = row[key].value
            answer = grouped.setdefault(iri, {"iri": iri, "label": self._label(row, key, iri), "sources": []})
            absorb(answer, row, key, self._about(row, key) or join(given))
        return list(grouped.values())

    def _about(self, row: Row, key: str) -> str:
        """What else the row's statement is about besides the answer (the modality of a risk, say): the
        label of its first other resource, which tells one statement of an answer from another."""
        for name, term in row.items():
            if term.kind == "iri" and name != key and name + "Label" in row:
                return self.lexicon.sentence_case(row[name + "Label"].value)
        return ""

    def _label(self, row: Row, key: str, iri: str) -> str:
        """The row's label of the answer (`?xLabel`; a title `?xTitle` is quoted, as titles are), else the
        graph's."""
        term = row.get(key + "Label")
        if term is None and (title := row.get(key + "Title")) is not None:
            return f"“{title.value}”"
        return term.value if term is not None else self.lexicon.label(iri)

    def _narrow(self, answers: list[Answer], plan: Plan, reading: Reading) -> list[Answer]:
        """Things of the answer's kind that the question names but no parameter took narrow the answers:
        "does acupuncture help sciatica" keeps acupuncture, "can a physio do it" keeps physical therapists."""
        named = self._narrowing(plan, reading)
        return [a for a in answers if a["iri"] in named] if named else answers

    def _narrowing(self, plan: Plan, reading: Reading) -> set[str]:
        answer_class = expand(plan.query.answer_class)
        if not answer_class:
            return set()
        return {
            iri
            for m in reading.entities
            if m not in plan.consumed
            for iri in m.iris
            if self.lexicon.has_type(iri, answer_class)
        }

    def _add_costs(self, answers: list[Answer], reading: Reading) -> None:
        """A question about cost gets the cost on every answer that has a price."""
        if not reading.cue_scores.get("cost_of_modality") or all("cost" in a for a in answers):
            return
        prices = {a["iri"]: a for a in self._answers_of("cost_of_modality")}
        for answer in answers:
            if "cost" not in answer and answer["iri"] in prices and "cost" in prices[answer["iri"]]:
                answer["cost"] = prices[answer["iri"]]["cost"]

    def _answers_of(self, name: str) -> list[Answer]:
        query = self.graph.query(name)
        run = Run(name, {}, self.graph.run(name, {}))
        return self._answers(Plan(query, {}, frozenset(), _NO_CUE), run)

    # --- wording -----------------------------------------------------------------------------------

    def _sentence(self, plan: Plan, runs: list[Run], answers: list[Answer]) -> str:
        template = plan.query.say or "{answers}."
        names = [named(a, self.lexicon) for a in answers]
        fields: dict[str, str] = {
            "answers": join(names),
            "are": "are" if len(answers) > 1 else "is",
            "is": "are" if len(answers) > 1 else "is",
            "has": "have" if len(answers) > 1 else "has",
        }
        for param in plan.query.params:
            given = plan.values.get(param.name)
            if param.name == plan.feed_param and plan.feeds:
                fields[param.name] = join(
                    [self.lexicon.sentence_case(a["label"]) for a in self._fed_answers(runs, plan)]
                )
            elif given and param.type == "decimal":
                fields[param.name] = f"${given[0]}"
            elif given:
                fields[param.name] = join([self.lexicon.sentence_case(self.lexicon.label(v)) for v in given])
            else:
                fields[param.name] = "each modality"
        for name, values in answers[0].get("details", {}).items():
            fields.setdefault(name, join([str(v) for v in values]))
        text = template.format_map(Blank(fields))
        return text[0].upper() + text[1:]

    def _fed_answers(self, runs: list[Run], plan: Plan) -> list[dict[str, str]]:
        assert plan.feed_param is not None
        fed = {run.params.get(plan.feed_param) for run in runs if run.name == plan.query.name}
        return [{"label": self.lexicon.label(iri)} for iri in fed if iri]

    def _refuse(
        self,
        question: str,
        reading: Reading,
        reason: str,
        plan: Plan | None = None,
        runs: list[Run] | None = None,
    ) -> Answer:
        body: Answer = {
            "question": question,
            "answered": False,
            "text": f"I can't answer that from this graph: {reason} It covers {self.coverage}.",
            "answers": [],
            "suggestions": self.suggestions,
            "interpretation": self._interpretation(reading, plan),
        }
        if runs:
            body["query"] = _query_info(runs[-1])
        return body

    def _nothing_fits(self, plan: Plan, found: list[Answer], reading: Reading) -> str:
        asked = ", ".join(
            f"{k}: {self.lexicon.label(v[0]) if v[0].startswith('http') else v[0]}"
            for k, v in plan.values.items()
        )
        where = f"“{plan.query.title.lower()}” ({asked})" if asked else f"“{plan.query.title.lower()}”"
        if not found:
            return f"the source names nothing for {where}."
        named = join(
            [self.lexicon.sentence_case(self.lexicon.label(i)) for i in self._narrowing(plan, reading)]
        )
        others = join([self.lexicon.sentence_case(a["label"]) for a in found])
        return f"for {where} the source does not name {named}; it names {others}."

    def _silent_text(self, iri: str) -> str:
        return f"the source does not speak of {self.lexicon.sentence_case(self.lexicon.label(iri))}."

    def _coverage(self) -> str:
        types = self.lexicon.types
        modalities = sorted(
            self.lexicon.sentence_case(self.lexicon.label(i)) for i, t in types.items() if MODALITY in t
        )
        conditions = sorted(
            self.lexicon.sentence_case(self.lexicon.label(i))
            for i, t in types.items()
            if CONDITION in t and CATEGORY not in t
        )
        return (
            f"{join(modalities)}: their origins, techniques, targets, benefits, risks, practitioners and "
            f"session costs, and the conditions {join(conditions)}"
        )

    def _interpretation(self, reading: Reading, plan: Plan | None) -> dict[str, Any]:
        info: dict[str, Any] = {
            "intent": plan.query.name if plan else None,
            "entities": [
                {"text": m.text, "iri": m.iris[0], "label": self.lexicon.label(m.iris[0]), "score": m.score}
                for m in reading.entities + reading.silent
            ],
            "classes": [{"text": m.text, "iri": m.iris[0]} for m in reading.classes],
        }
        if reading.amounts:
            info["amounts"] = [float(a) for a in reading.amounts]
        if reading.unknown:
            info["unknown"] = reading.unknown
        if plan and plan.feeds:
            info["steps"] = [plan.feeds.query.name, plan.query.name]
        return info


_NO_CUE = CueMatch(0, 0, frozenset())


def _combinations(values: dict[str, list[str]]) -> list[dict[str, str]]:
    names = list(values)
    return [
        dict(zip(names, combo, strict=True)) for combo in itertools.product(*(values[n] for n in names))
    ] or [{}]


def _query_info(run: Run) -> dict[str, Any]:
    return {"name": run.name, "params": run.result.params, "sparql": run.result.sparql}


def answerer_for(graph: KnowledgeGraph) -> QuestionAnswerer:
    """The answerer of this graph version, built once (its lexicon comes from the graph's labels)."""
    answerer = graph.derived.get("answerer")
    if not isinstance(answerer, QuestionAnswerer):
        answerer = graph.derived["answerer"] = QuestionAnswerer(graph)
    return answerer


def answer_question(graph: KnowledgeGraph, question: str) -> Answer:
    return answerer_for(graph).answer(question)
