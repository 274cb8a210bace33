"""Running a reading's plan: the named query (or two) with its values, its rows folded into answers, and
the sentence that says them."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from kg.engine import KnowledgeGraph
from kg.qa.answers import Answer, absorb, is_iri, merge, place_hedges
from kg.qa.lexicon import Lexicon
from kg.qa.plans import NO_CUE, Plan, Reading, expand
from kg.qa.vocab import DESCRIBE, MODALITY_CURIE
from kg.qa.wording import Blank, join, named
from kg.terms import QueryResult, Row


@dataclass(frozen=True)
class Run:
    name: str
    params: dict[str, str]
    result: QueryResult


class Runner:
    """Runs plans against one graph version and words their answers."""

    def __init__(self, graph: KnowledgeGraph, lexicon: Lexicon) -> None:
        self.graph = graph
        self.lexicon = lexicon
        self.article_title = ""  # the source's title, for sources built outside a query's rows

    def execute(self, plan: Plan) -> tuple[list[Run], list[Answer]]:
        values = dict(plan.values)
        earlier: list[Run] = []
        if plan.feeds and plan.feed_param:
            earlier, fed = self.execute(plan.feeds)
            values[plan.feed_param] = [a["iri"] for a in fed]
            if not fed:
                return earlier, []
        runs = [
            Run(plan.query.name, params, self.graph.run(plan.query.name, params))
            for params in _combinations(values)
        ]
        answers_per_run = [self._answers(plan, run) for run in runs]
        intersect = plan.every or any(
            len(values.get(p.name, [])) > 1 for p in plan.query.params if p.combine == "all"
        )
        merged = merge(answers_per_run, intersect)
        for answer in merged:
            place_hedges(answer)
        return earlier + runs, merged

    def _answers(self, plan: Plan, run: Run) -> list[Answer]:
        key = plan.query.answer or run.result.vars[0]
        given = [self.lexicon.name(v) for v in run.params.values() if is_iri(v)]
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

    def narrow(self, answers: list[Answer], plan: Plan, reading: Reading) -> list[Answer]:
        """Things of the answer's kind that the question names but no parameter took narrow the answers:
        "does acupuncture help sciatica" keeps acupuncture, "can a physio do it" keeps physical therapists."""
        named = self.narrowing(plan, reading)
        if any(_only(reading.tokens, m.start) for m in reading.entities if named & set(m.iris)):
            return answers  # "can only physical therapists do it": every one, to show it is not only them
        if "who" in reading.tokens[:2] and all(any(a["iri"] == i for a in answers) for i in named):
            return answers  # "who can do it, a chiropractor?": everyone who can, the one guessed among them
        return [a for a in answers if a["iri"] in named] if named else answers

    def narrowing(self, plan: Plan, reading: Reading) -> set[str]:
        # the kind it answers with: its header's, or the default of the kind it may be asked for
        kinds = [
            next(iter(plan.values.get(p.name, [])), p.default)
            for p in plan.query.params
            if p.rdf_class == "owl:Class"
        ]
        answer_class = expand(plan.query.answer_class or next((k for k in kinds if k), None))
        if not answer_class:
            return set()
        # "Our residents bruise easily. What side effects does it list?": the sentence that asks names the
        # kind, so a thing of that kind told in the story before it is the setting, not a narrowing
        start = reading.asking_from
        listed = start and any(m.start >= start and answer_class in m.iris for m in reading.classes)
        return {
            iri
            for m in reading.entities
            if m not in plan.consumed and not (listed and m.end <= start)
            for iri in m.iris
            if self.lexicon.has_type(iri, answer_class)
        }

    def add_costs(self, answers: list[Answer], reading: Reading) -> None:
        """A question about cost gets the cost on every answer that has a price."""
        if not reading.cue_scores.get("cost_of_modality") or all("cost" in a for a in answers):
            return
        prices = {a["iri"]: a for a in self.answers_of("cost_of_modality")}
        for answer in answers:
            if "cost" not in answer and answer["iri"] in prices and "cost" in prices[answer["iri"]]:
                answer["cost"] = prices[answer["iri"]]["cost"]

    def answers_of(self, name: str) -> list[Answer]:
        query = self.graph.query(name)
        run = Run(name, {}, self.graph.run(name, {}))
        return self._answers(Plan(query, {}, frozenset(), NO_CUE), run)

    def asides(self, plan: Plan, found: list[Answer]) -> str:
        """What the query's wording says beside its answers (the template's optional parts) that the rows
        found hold: "It also says what it addresses: a wide range of conditions ..."."""
        if not found:
            return ""
        fields = _detail_fields(found[0])
        parts = [_kept(match.group(1), fields) for match in _OPTIONAL.finditer(plan.query.say or "")]
        return "".join(part.format_map(Blank(fields)) for part in parts).strip()

    def sentence(self, plan: Plan, runs: list[Run], answers: list[Answer]) -> str:
        template = plan.query.say or "{answers}."
        names = [named(a, self.lexicon) for a in answers]
        fields: dict[str, str] = {
            "answers": self._by_relation(answers) or join(names),
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
                fields[param.name] = join([self.lexicon.name(v) for v in given])
            elif param.rdf_class == MODALITY_CURIE:  # open: the one every answer is about, else each
                about = {f for a in answers for f in a.get("_for") or [""]}
                fields[param.name] = about.pop() if len(about) == 1 and "" not in about else "each modality"
            else:  # another open value drops its optional wording
                fields[param.name] = ""
        for name, value in _detail_fields(answers[0]).items():
            fields.setdefault(name, value)
        text = _OPTIONAL.sub(lambda m: _kept(m.group(1), fields), template).format_map(Blank(fields))
        return text[0].upper() + text[1:]

    def sentences(self, plan: Plan, runs: list[Run], answers: list[Answer]) -> str:
        """The answer in words; a query that says what a thing is says it of each thing asked about."""
        if plan.query.name != DESCRIBE or len(answers) < 2:
            return self.sentence(plan, runs, answers)
        return " ".join(self.sentence(plan, runs, [a]) for a in answers)

    def _by_relation(self, answers: list[Answer]) -> str | None:
        """Answers whose rows say which statement they are (?relation) and of what: grouped, each item with
        its own hedge: "acupuncture works by X (the source says “aims to”); targets Y and Z"."""
        if not answers or not all("relation" in a.get("details", {}) for a in answers):
            return None
        groups: dict[str, dict[str, list[str]]] = {}
        for answer in answers:
            relation = answer["details"]["relation"][0]
            label = self.lexicon.sentence_case(answer["label"])
            for about in answer.get("_for") or [""]:
                hedge = answer.get("hedge") or next(
                    (h.get("hedge") for h in answer.get("hedges", []) if h.get("for") == about), None
                )
                shown = f"{label.rstrip('.')} (the source says “{hedge}”)" if hedge else label
                groups.setdefault(about, {}).setdefault(relation, []).append(shown)
        return "; ".join(
            f"{about} " + "; ".join(f"{relation} {join(items)}" for relation, items in relations.items())
            for about, relations in groups.items()
        ).strip()

    def _fed_answers(self, runs: list[Run], plan: Plan) -> list[dict[str, str]]:
        assert plan.feed_param is not None
        # in the order the runs took them (the first step's answers), not a set's, which the hash seed changes
        fed = dict.fromkeys(run.params.get(plan.feed_param) for run in runs if run.name == plan.query.name)
        return [{"label": self.lexicon.label(iri)} for iri in fed if iri]

    def nothing_fits(self, plan: Plan, found: list[Answer], reading: Reading) -> str:
        asked = ", ".join(
            f"{k}: {self.lexicon.label(v[0]) if v[0].startswith('http') else v[0]}"
            for k, v in plan.values.items()
        )
        where = f"“{plan.query.title.lower()}” ({asked})" if asked else f"“{plan.query.title.lower()}”"
        if not found:
            return f"the source names nothing for {where}."
        narrowing = self.narrowing(plan, reading)
        denied = [i for m in reading.entities for i in m.iris if i in narrowing]  # the question's order
        named = join([self.lexicon.name(i) for i in dict.fromkeys(denied)])
        others = join([self.lexicon.sentence_case(a["label"]) for a in found])
        return f"for {where} the source does not name {named}; it names {others}."


# A part of a `# say:` template in [brackets] is said only when every field in it has a value.
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_FIELD = re.compile(r"\{(\w+)\}")


def _detail_fields(answer: Answer) -> dict[str, str]:
    """An answer's details as words a query's wording can hold: "{assessment}", "{scope}"."""
    return {name: join([str(v) for v in values]) for name, values in answer.get("details", {}).items()}


def _kept(part: str, fields: dict[str, str]) -> str:
    return part if all(fields.get(name) for name in _FIELD.findall(part)) else ""


def _combinations(values: dict[str, list[str]]) -> list[dict[str, str]]:
    names = list(values)
    return [
        dict(zip(names, combo, strict=True)) for combo in itertools.product(*(values[n] for n in names))
    ] or [{}]


def _only(tokens: list[str], start: int) -> bool:
    """Whether the name at `start` follows "only" or "just": "can only physical therapists do it"."""
    return any(t in ("only", "just", "exclusively", "solely") for t in tokens[max(0, start - 2) : start])
