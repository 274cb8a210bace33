"""Denials: "which one is not holistic", "the origin of the therapy that doesn't use meridians" — the
source's answer for the thing denied, turned to the other modality (the explainer's base)."""

from __future__ import annotations

from kg.catalogue import NamedQuery
from kg.qa.answers import Answer
from kg.qa.composed import Composed
from kg.qa.plans import NO_CUE, Plan, Reading
from kg.qa.pricing import Pricing
from kg.qa.vocab import CONDITION, MODALITY_CURIE, TREATMENTS, WHICH
from kg.qa.wording import join


class Turning(Pricing):
    which: NamedQuery

    def turned(self, composed: Composed, reading: Reading) -> Composed:
        """ "Which one is not holistic": the source's answer to which one is, turned to the other."""
        if not reading.negated:
            return composed
        if (chained := self._turned_first_step(composed, reading)) is not None:
            return chained
        denied_iri = reading.negated[0].iris[0]
        condition = self.lexicon.has_type(denied_iri, CONDITION)  # "which is not for plantar fasciitis"
        # answered of another thing ("relaxing, not for sore muscles"): not the denied one's answer to turn
        foreign = denied_iri not in {v for r in composed.runs for v in r.params.values()}
        if composed.intent not in (WHICH, TREATMENTS) or foreign or (composed.intent == WHICH and condition):
            if {i for m in reading.entities for i in m.iris} != {m.iris[0] for m in reading.negated}:
                return composed  # other things asked about: the denial is no choice of modality
            # "I don't buy the whole Qi idea, what's my option": which one has it (treats it), turned
            plan = (
                self._asking(TREATMENTS, {"condition": [denied_iri]})
                if condition
                else Plan(self.which, {"value": [denied_iri]}, frozenset(), NO_CUE)
            )
            runs, found = self.runner.execute(plan)
            composed = Composed(WHICH, "", found, runs)
        linked = [a["iri"] for a in composed.answers if a["iri"] in self.modalities]
        runs = [r for r in composed.runs if r.name in (WHICH, TREATMENTS)] or composed.runs  # what answered
        others = sorted(self.modalities - set(linked), key=self.lexicon.label)
        denied = join([self.lexicon.name(m.iris[0]) for m in reading.negated])
        said = join([self.lexicon.name(i) for i in linked]) or "neither"
        if not others:
            both = [a for a in composed.answers if a["iri"] in self.modalities]
            return Composed(WHICH, f"The source links both to {denied}.", both, runs)
        names = join([self.lexicon.name(i) for i in others])
        text = f"The one the source does not link to {denied} is {names}; it links {said} to it."
        answers: list[Answer] = [{"iri": i, "label": self.lexicon.label(i), "sources": []} for i in others]
        return Composed(WHICH, text, answers, runs)

    def _turned_first_step(self, composed: Composed, reading: Reading) -> Composed | None:
        """ "The origin of the therapy that doesn't use meridians": the first step turned to the other
        modality, and the question's own query asked of that one."""
        plan = composed.plan
        denied = {m.iris[0] for m in reading.negated}
        if plan is None or plan.query.name in (WHICH, TREATMENTS) or "which" in reading.tokens:
            return None  # "which of them does not work on the meridians": the one is the answer
        if plan.feeds is not None and plan.feed_param:
            first, param = plan.feeds, plan.feed_param
            if not denied & {i for values in first.values.values() for i in values}:
                return None
        else:  # "what does the one that isn't holistic cost": the modality left open is the one turned
            open_ = [
                p.name
                for p in plan.query.params
                if p.rdf_class == MODALITY_CURIE and p.name not in plan.values
            ]
            if not open_ or reading.entities:
                return None
            first, param = Plan(self.which, {"value": sorted(denied)}, frozenset(), NO_CUE), open_[0]
        _, linked = self.runner.execute(first)
        others = sorted(self.modalities - {a["iri"] for a in linked}, key=self.lexicon.label)
        if not others or len(others) == len(self.modalities):
            return None
        asked = Plan(plan.query, {**plan.values, param: others}, frozenset(), plan.cue)
        runs, answers = self.runner.execute(asked)
        if not answers:
            return None
        names = join([self.lexicon.name(i) for i in others])
        said = join([self.lexicon.name(i) for i in denied])
        text = f"The one the source does not link to {said} is {names}. {self.runner.sentence(asked, runs, answers)}"
        turned = Composed(plan.query.name, text, answers, runs)
        turned.plan = asked
        return turned
