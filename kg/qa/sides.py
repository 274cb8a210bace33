"""Answers to questions about both modalities: side by side on an aspect, in general, what they share, and
the article's advice on choosing. Every hedge stays with its own statement."""

from __future__ import annotations

from kg.catalogue import NamedQuery
from kg.qa.answers import Answer
from kg.qa.choosing import Choices
from kg.qa.composed import Composed
from kg.qa.frames import EACH, THINGS, Frame
from kg.qa.lexicon import Lexicon, Mention
from kg.qa.named import Run, Runner
from kg.qa.plans import NO_CUE, Plan
from kg.qa.vocab import (
    CHEAPEST,
    CHOOSE,
    COMMON,
    COMPARE,
    CONDITION,
    COST,
    DESCRIBE,
    MODALITY,
    MODALITY_CURIE,
    TREATMENTS,
    WHICH,
)
from kg.qa.wording import capital, hedged, join, said_by_both, severity_note, with_hedge

IN_THE_ANSWERS = (
    " Their techniques, practitioners, prices, benefits and risks are side by side in the answers."
)
# The aspects of the general comparison that tell the two apart, in the order they are said.
_TELLING = ("origin", "approach", "target")


class Sides:
    def __init__(self, runner: Runner, lexicon: Lexicon) -> None:
        self.runner = runner
        self.lexicon = lexicon
        self.modalities = sorted(
            (i for i, kinds in lexicon.types.items() if MODALITY in kinds), key=lexicon.label
        )
        self.choices = Choices(runner, lexicon, self.modalities)
        self.benefits_named_after = self.choices.benefits_named_after
        self.treating = runner.graph.query(TREATMENTS)

    def answer(self, frame: Frame, comparative: bool) -> Composed | None:
        if frame.kind == THINGS:
            return self._things(frame)
        if frame.kind == EACH:
            return self._each(frame)
        if frame.value is not None:
            which = self._which(frame)
            if (
                which is not None
                and frame.kind == CHOOSE
                and (choice := self.choices.choose(None)) is not None
            ):
                which.text += " " + choice.text
                which.runs += choice.runs
            return which
        if frame.kind == CHOOSE:
            return self.choices.choose(frame.condition, frame.named)
        if frame.kind == COMMON:
            return self._common()
        if frame.aspect is not None and frame.aspect.name == CHEAPEST:
            return self.cheapest(frame.aspect, every_answer=not frame.picks)
        if frame.aspect is not None:
            return self._aspect(frame.aspect, comparative, frame.shared, frame.condition)
        return self._general()

    # --- side by side --------------------------------------------------------------------------------

    def _aspect(
        self, query: NamedQuery, comparative: bool, shared_only: bool = False, condition: str | None = None
    ) -> Composed | None:
        param = next((p for p in query.params if p.rdf_class == MODALITY_CURIE), None)
        values = {param.name: self.modalities} if param is not None and param.required else {}
        if condition and any(p.name == "condition" for p in query.params):  # "LBP: DN vs acu mechanism"
            values["condition"] = [condition]
        runs, answers = self.runner.execute(Plan(query, values, frozenset(), NO_CUE))
        if not answers:
            return None
        parts = []
        for modality in self.modalities:
            name = self.lexicon.name(modality)
            mine = [a for a in answers if name in self._owners(a) or a["iri"] == modality]
            if mine:
                parts.append(f"for {name}, {join([with_hedge(a, name, self.lexicon) for a in mine])}")
        what = query.title[:1].lower() + query.title[1:]
        text = f"Side by side, {what}: " + "; ".join(parts) + "."
        shared = [self.lexicon.sentence_case(a["label"]) for a in answers if len(self._owners(a)) > 1]
        if 0 < len(shared) < len(answers):  # "which conditions do they both treat"
            text += f" Named for both: {join(shared)}."
            if shared_only:
                answers = [a for a in answers if len(self._owners(a)) > 1]
                text = f"Named for both: {join(shared)}. {text.rsplit(' Named for both', 1)[0]}"
        elif shared_only and not shared:
            text += " The article names none of these for both."
        answers = answers + self._sides(answers, what)
        for answer in answers:  # how the source rates a cost, where it does
            for rating in answer.get("details", {}).get("assessment", []):
                text += f" On {self.lexicon.sentence_case(answer['label'])}'s cost the source says: {rating}."
        for modality in self.modalities:  # what the source says one of them addresses beyond its list
            name = self.lexicon.name(modality)
            own = [a for a in answers if a.get("_for") == [name]]
            said = [x for a in own for x in a.get("details", {}).get("scope", [])]
            scope = dict.fromkeys(x[:1].lower() + x[1:] for x in said)
            if scope:
                text += f" Of {name} the source also says it addresses {join(list(scope))}."
        text += severity_note([row for run in runs for row in run.result.rows])
        if comparative and query.name != COST:
            text += " The article gives each its own and does not rank the two on this."
        return Composed(COMPARE, capital(text), answers, runs)

    def _sides(self, answers: list[Answer], what: str) -> list[Answer]:
        """Each modality as an answer, its side of the comparison as facts with that modality's hedges."""
        sides = []
        for modality in self.modalities:
            name = self.lexicon.name(modality)
            facts = []
            for answer in answers:
                if name not in self._owners(answer):
                    continue
                fact: Answer = {"aspect": what, "label": answer["label"], "iri": answer["iri"]}
                hedge = answer.get("hedge") or next(
                    (h.get("hedge") for h in answer.get("hedges", []) if h.get("for") == name), None
                )
                if hedge:
                    fact["hedge"] = hedge
                fact["sources"] = answer.get("sources", [])
                facts.append(fact)
            if facts:
                label = self.lexicon.label(modality)
                sides.append({"iri": modality, "label": label, "facts": facts, "sources": []})
        return sides

    def cheapest(self, query: NamedQuery, every_answer: bool = True) -> Composed | None:
        """ "Is dry needling cheaper than acupuncture": the cheapest, then every price (as answers too if asked)."""
        plan = Plan(query, {}, frozenset(), NO_CUE)
        runs, cheapest = self.runner.execute(plan)
        side = self._aspect(self.runner.graph.query(COST), False)
        if not cheapest or side is None:
            return None
        first = {a["iri"] for a in cheapest}
        answers = cheapest + [a for a in side.answers if a["iri"] not in first and every_answer]
        said = self.runner.sentence(plan, runs, cheapest)
        prices = side.text.split(" On ")[0] if "rates its cost" in said else side.text  # said once
        return Composed(CHEAPEST, f"{said} {prices}", answers, side.runs + runs)

    def _general(self) -> Composed | None:
        runs, answers = self.runner.execute(Plan(self.runner.graph.query(COMPARE), {}, frozenset(), NO_CUE))
        if not answers:
            return None
        said = []
        for answer in answers:
            facts = answer.get("facts", [])
            parts = []
            for aspect in _TELLING:
                values = [
                    hedged(self.lexicon.sentence_case(f["label"]), f.get("hedge"))
                    for f in facts
                    if f["aspect"] == aspect
                ]
                if values:
                    parts.append(f"{aspect}: {join(values)}")
            if parts:
                said.append(f"{self.lexicon.sentence_case(answer['label'])} ({'; '.join(parts)})")
        text = (
            "They differ most in where they come from and what they work on: "
            + "; ".join(said)
            + "."
            + IN_THE_ANSWERS
        )
        return Composed(COMPARE, text, answers, runs)

    def _common(self) -> Composed | None:
        runs, shared = self.runner.execute(Plan(self.runner.graph.query(COMMON), {}, frozenset(), NO_CUE))
        if not shared:
            return None
        similar = [a for a in shared if a["iri"] in self.modalities]
        things = [a for a in shared if a["iri"] not in self.modalities]
        by_kind: dict[str, list[str]] = {}
        for answer in things:
            kind = (answer.get("details", {}).get("sharedAs") or ["other"])[0]
            by_kind.setdefault(kind, []).append(said_by_both(answer, self.lexicon))
        listed = "; ".join(f"{kind}: {join(values)}" for kind, values in by_kind.items())
        opening = "The article says the two hold many similarities. " if similar else ""
        text = f"{opening}What the article gives both: {listed}."
        origin = self._general()
        if origin is not None:
            text += " " + origin.text.replace(IN_THE_ANSWERS, "")
            runs += origin.runs
        both = [{"iri": m, "label": self.lexicon.label(m), "sources": []} for m in self.modalities]
        return Composed(
            COMMON, text, both + (things or shared), runs
        )  # the two compared, then what they share

    def _things(self, frame: Frame) -> Composed | None:
        """ "Superficial vs deep dry needling": what the source says each is, one after the other."""
        describe = self.runner.graph.query(DESCRIBE)
        answers: list[Answer] = []
        said: list[str] = []
        runs: list[Run] = []
        for thing in frame.things:
            plan = Plan(describe, {"resource": [thing.iris[0]]}, frozenset([thing]), NO_CUE)
            found_runs, found = self.runner.execute(plan)
            if found:
                answers += found
                said.append(self.runner.sentence(plan, found_runs, found))
                runs += found_runs
        if len(answers) < 2:
            return None
        # "trigger points vs meridians": when each is the other modality's, whose each is
        linked = self._each(frame)
        owners = [frozenset(self._linked(thing)) for thing in frame.things]
        if linked is not None and all(owners) and len(set(owners)) == len(owners):
            said.append(linked.text)
            answers += [a for a in linked.answers if a["iri"] not in {b["iri"] for b in answers}]
            runs += linked.runs
        return Composed(DESCRIBE, " ".join(said), answers, runs)

    def _linked(self, thing: Mention) -> list[str]:
        """The modalities the source links a thing to."""
        plan = Plan(self.runner.graph.query(WHICH), {"value": [thing.iris[0]]}, frozenset([thing]), NO_CUE)
        return [a["iri"] for a in self.runner.execute(plan)[1] if a["iri"] in self.modalities]

    def _which(self, frame: Frame) -> Composed | None:  # "which one is more holistic"
        assert frame.value is not None
        query = self.runner.graph.query(WHICH)
        plan = Plan(query, {"value": [frame.value.iris[0]]}, frozenset([frame.value]), NO_CUE)
        runs, answers = self.runner.execute(plan)
        if not answers:
            return None
        text = self.runner.sentence(plan, runs, answers)
        silent = [m for m in self.modalities if m not in {a["iri"] for a in answers}]
        if silent:  # "endorphins: dry needling vs acupuncture": the other side is not made to say it
            text += f" It says nothing of the kind about {join([self.lexicon.name(m) for m in silent])}."
        # the aspect side by side; with none, and the two named, how they differ in general
        beside = (
            self._aspect(frame.aspect, False)
            if frame.aspect is not None
            else self._general()
            if frame.both_named
            else None
        )
        if beside is not None:
            text += " " + beside.text
            runs += beside.runs
            known = {a["iri"] for a in answers}
            if known >= set(self.modalities) or frame.both_named:  # the side by side is the answer too
                # of the side not linked to the value, nothing is an answer ("A vs B for muscle knots")
                mine = {self.lexicon.name(i) for i in known}
                answers = answers + [
                    a
                    for a in beside.answers
                    if a["iri"] not in {*known, *silent}
                    and (not silent or not frame.choosing or not a.get("_for") or mine & self._owners(a))
                ]
        return Composed(WHICH, text, answers, runs)

    def _each(self, frame: Frame) -> Composed | None:
        """ "Mental clarity vs flexibility, which gives which": for each value, the modality linked to it."""
        query = self.runner.graph.query(WHICH)
        answers: list[Answer] = []
        said: list[str] = []
        runs: list[Run] = []
        for value in frame.things:
            plan = Plan(query, {"value": [value.iris[0]]}, frozenset([value]), NO_CUE)
            found_runs, found = self.runner.execute(plan)
            if not found and self.lexicon.has_type(value.iris[0], CONDITION):  # what the source names for it
                plan = Plan(self.treating, {"condition": [value.iris[0]]}, frozenset([value]), NO_CUE)
                found_runs, found = self.runner.execute(plan)
            if not found and (named_after := self.benefits_named_after(value.iris[0])):  # "stress"
                said.append(named_after.text)
                found_runs, found = named_after.runs, named_after.answers
            elif found:
                said.append(self.runner.sentence(plan, found_runs, found))
            if found:
                answers += [a for a in found if a["iri"] not in {b["iri"] for b in answers}]
                runs += found_runs
            else:
                said.append(f"The source links neither modality to {self.lexicon.name(value.iris[0])}.")
        if not answers:
            return None
        paired: list[Answer] = [
            {"iri": v.iris[0], "label": self.lexicon.name(v.iris[0])} for v in frame.things
        ]
        return Composed(WHICH, " ".join(said), answers + paired, runs)  # the things paired are answers too

    def _owners(self, answer: Answer) -> set[str]:
        """The modalities a statement behind an answer is about: itself, or applied to a condition."""
        said = answer.get("_for", ())
        return {
            m
            for m in map(self.lexicon.name, self.modalities)
            if any(f == m or f.startswith(m + " for ") for f in said)
        }
