"""What an answer gains when the question asks how or why: how a modality works for the condition named,
and what the article ties the things named to."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from kg.catalogue import NamedQuery
from kg.qa.answers import also_named
from kg.qa.composed import Composed
from kg.qa.evidence import linked, statement, where
from kg.qa.lexicon import Lexicon
from kg.qa.named import Runner
from kg.qa.plans import NO_CUE, Plan, Reading
from kg.qa.retrieval import DEFINITION, Claim, ClaimIndex
from kg.qa.several import which_of
from kg.qa.sides import Sides
from kg.qa.turning import Turning
from kg.qa.vocab import (
    CONDITION,
    CONDITIONS,
    COST,
    DESCRIBE,
    HOW,
    MODALITY,
    PERFORMER,
    RISKS,
    TECHNIQUE,
    TECHNIQUES,
    TREATMENTS,
    WHICH,
)
from kg.qa.wording import capital, hedge_words, hedged, join

_OFTEN = frozenset("common rare rarely often frequent frequently usual usually likely happen".split())
# "how" before these asks for a way ("how would it help", "how come"); before other words, for an amount or
# a degree ("how much", "how likely", "how safe")
_WAY = frozenset(
    "does do did is are was were would will can could should might exactly actually come".split()
)
# queries whose answers are no effect of the treatment, so how it works explains nothing of them
_NOT_HOW = frozenset(
    [
        "cost_of_modality",
        "cost_factors",
        "cheapest_modality",
        "practitioners_of_modality",
        "risks_of_modality",
    ]
)


def _asks_how(tokens: list[str]) -> bool:
    """ "how would it help", "why does it work", "how come": a question about the way, not an amount."""
    after = [tokens[i + 1] if i + 1 < len(tokens) else "" for i, t in enumerate(tokens) if t == "how"]
    return "why" in tokens or any(word in _WAY for word in after)


class Explainer(Turning):
    def __init__(self, runner: Runner, lexicon: Lexicon, claims: ClaimIndex, sides: Sides) -> None:
        self.runner = runner
        self.lexicon = lexicon
        self.claims = claims
        self.modalities = set(sides.modalities)
        self.eases = sides.benefits_named_after  # a broad complaint ("stress"): what eases it
        self.which = runner.graph.query(WHICH)
        self.stands_for: dict[str, frozenset[str]] = {}  # a practitioner: the modalities they practise
        # each modality's price range, which a price the question quotes may name ("the $50 one")
        priced = [a for a in runner.execute(self._asking(COST, {}))[1] if a.get("cost")]
        self.ranges = {a["iri"]: (float(a["cost"]["min"]), float(a["cost"]["max"])) for a in priced}

    def how_there(self, composed: Composed, reading: Reading, plan: Plan) -> None:
        """A question naming a modality and a condition ("acupuncture for sciatica") also gets what the
        source says of that modality for that condition, unless that is what was answered. A question
        asking how or why ("how is dry needling supposed to make me more flexible", "how would they help
        sciatica") gets how the modality named, or answered, works."""
        if plan.query.name == HOW:
            return self._how_sure(composed, plan)
        modalities = self._modalities(reading)
        conditions = [i for m in reading.entities for i in m.iris if self.lexicon.has_type(i, CONDITION)]
        conditions = [c for c in conditions if c not in modalities]
        asks_how = _asks_how(reading.tokens) and plan.query.name not in _NOT_HOW
        if asks_how and not modalities:
            modalities = [a["iri"] for a in composed.answers if a["iri"] in self.modalities]
        if not modalities or not (conditions or asks_how):
            return
        how = self.runner.graph.query(HOW)
        values = {"modality": modalities, **({"condition": conditions} if conditions else {})}
        there = Plan(how, values, frozenset(), plan.cue)
        runs, answers = self.runner.execute(there)
        if answers:
            composed.text += " " + self.runner.sentence(there, runs, answers)
            composed.runs[:0] = runs  # the reply's query stays the one asked (the last run)

    def _how_sure(self, composed: Composed, plan: Plan) -> None:
        """ "How does dry needling help sciatica": how it works there, after how surely the source names it
        a treatment for it ("can be")."""
        conditions, modalities = plan.values.get("condition", []), set(plan.values.get("modality", []))
        if len(conditions) != 1 or not modalities:
            return
        treating = self._asking(TREATMENTS, {"condition": conditions})
        _, answers = self.runner.execute(treating)
        if answers := [a for a in answers if a["iri"] in modalities]:
            named = join([hedged(self.lexicon.sentence_case(a["label"]), a.get("hedge")) for a in answers])
            treats = f"a possible treatment for {self.lexicon.label(conditions[0]).lower()}"
            composed.text = f"The source names {named} {treats}. {composed.text}"

    def what_it_is(self, composed: Composed, reading: Reading) -> None:
        """ "Acupuncture meridians": an answer that is a thing the question named (a yes) also says what the
        article says that thing is, when it says so ("believed to correspond to the flow of Qi")."""
        if "why" in reading.tokens:
            return  # a why has its own: what the article ties the things named to
        named = {i for m in reading.entities for i in m.iris if i not in self.modalities}
        confirmed = [a["iri"] for a in composed.answers if a["iri"] in named]
        if composed.intent == WHICH:  # "which one works on meridians": what meridians are, too
            confirmed = sorted(named)
            asked = {i for m in reading.entities for i in m.iris if i in self.modalities}
            if asked and asked <= {
                a["iri"] for a in composed.answers
            }:  # "does acupuncture release endorphins"
                present = {a["iri"] for a in composed.answers}
                fresh = [i for i in confirmed if i not in present]
                composed.answers += also_named(fresh, self.lexicon.label, composed.answers)
        plan = composed.plan  # "what does superficial dry needling target": the technique is answered of
        if plan is not None and (techniques := plan.values.get("technique")):
            composed.answers[:0] = also_named(techniques, self.lexicon.label, composed.answers)
        definitions = [
            c
            for iri in confirmed[:2]
            for c in self.claims.about(iri)
            if c.subject == iri and c.predicate == DEFINITION
        ]
        said = composed.text.lower()
        for claim in definitions:
            if claim.object_label.lower().rstrip(".") not in said:
                said_here = statement(claim, self.lexicon)
                composed.text += f" {said_here[:1].upper()}{said_here[1:]} ({where(claim)})."

    def why(self, composed: Composed, reading: Reading) -> None:
        """ "Why along the meridians": an answer to why also gets what the article says the things named
        (other than modalities and their practitioners) are or do, its reasons as far as it gives them."""
        if "why" not in reading.tokens:
            return
        things = [
            m.iris[0]
            for m in reading.entities
            if not any(self.lexicon.has_type(m.iris[0], k) for k in (MODALITY, PERFORMER))
        ]
        # what the thing itself is or does; what a modality does with it is the named query's to say
        claims = [
            c
            for t in things[:2]
            for c in self.claims.about(t)
            if c.subject == t and c.predicate == DEFINITION
        ]
        # ... and what a modality applied to it does there ("why is dry needling favoured for plantar
        # fasciitis": its targeted approach, the foot and calf muscles it targets)
        claims += [
            c
            for t in things[:2]
            for c in self.claims.linking(t, 10)
            if c.subject == t or _applied(c, t, self.lexicon)
        ]
        # ... and how surely the source links it to the modality asked about ("can be" a treatment for sciatica)
        asked = {i for m in reading.entities for i in m.iris if i in self.modalities}
        known = composed.text.lower()  # what the answer says already is not said again
        claims = [c for c in claims if c.object_label.lower().rstrip(".") not in known]
        said = linked([c for c in claims if c.object not in self.modalities - asked][:4], self.lexicon)
        if said:
            composed.text += " " + said

    def yes_or_no(self, reading: Reading, aspects: dict[str, NamedQuery]) -> list[Plan]:
        """ "Does dry needling release endorphins": one modality and a thing of a kind some per-modality
        query answers with (a mechanism, a benefit, a target) read as that query for the modality, which
        the thing narrows: yes, or the source does not say so and what it names instead."""
        modalities = [m for m in reading.entities if any(self.lexicon.has_type(i, MODALITY) for i in m.iris)]
        techniques = [m for m in reading.entities if self.lexicon.has_type(m.iris[0], TECHNIQUE)]
        if not modalities and len(techniques) == 1 and len(reading.entities) == 2:
            # "does deep dry needling stay at the skin": the techniques linked to the thing, narrowed
            thing = next(m for m in reading.entities if m is not techniques[0])
            values = {"value": [thing.iris[0]], "type": [TECHNIQUE]}
            return [Plan(self.which, values, frozenset([thing]), NO_CUE)]
        if len(modalities) != 1:
            return []
        plans = []
        for mention in reading.entities:
            if mention is modalities[0]:
                continue
            kinds = [k for i in mention.iris for k in self.lexicon.types.get(i, ()) if k in aspects]
            if kinds:  # the modality's own list of that kind, narrowed to the thing
                values = {"modality": [modalities[0].iris[0]]}
                plans.append(Plan(aspects[kinds[0]], values, frozenset(modalities), NO_CUE))
            elif not self.lexicon.has_type(mention.iris[0], CONDITION):
                # no list of its kind: the modalities linked to the thing, which the modality narrows
                value = {"value": [mention.iris[0]]}
                plans.append(Plan(self.which, value, frozenset([mention]), NO_CUE))
        return plans[:1]

    def what_instead(self, composed: Composed, reading: Reading) -> Composed:
        """ "Is dry needling holistic": no, it is the other one's; and what the source says the modality
        asked about is, in its own words."""
        if composed.plan is None or composed.plan.query.name != WHICH:
            return composed
        for mention in reading.entities:
            iri = mention.iris[0]
            if iri in self.modalities:
                definition = [
                    c for c in self.claims.about(iri) if c.subject == iri and c.predicate == DEFINITION
                ]
                composed.text += "".join(
                    f" {capital(statement(c, self.lexicon))} ({where(c)})." for c in definition
                )
        return composed

    def whose_instead(self, composed: Composed, reading: Reading, asked: set[str]) -> None:
        """ "Does dry needling bring mental clarity": no; and which modality the source does link the thing
        to, when another ("mental clarity" is acupuncture's)."""
        named = {i for m in reading.entities for i in m.iris if i in self.modalities}
        for iri in sorted(asked - self.modalities):
            plan = Plan(self.which, {"value": [iri]}, frozenset(), NO_CUE)
            runs, found = self.runner.execute(plan)
            others = [a for a in found if a["iri"] in self.modalities and a["iri"] not in named]
            if named and others:
                composed.text += " " + self.runner.sentence(plan, runs, others)
                composed.runs[:0] = runs  # the reply's query stays the one asked (the last run)
            elif named:
                self._by_technique(composed, iri, named)
            eased = self.eases(iri) if named else None  # "is acupuncture for stress": stress reduction is
            if eased is not None and named & {a["iri"] for a in eased.answers}:
                composed.text += " " + eased.text

    def _by_technique(self, composed: Composed, iri: str, named: set[str]) -> None:
        """ "Does dry needling only go into the skin": not the modality but one of its techniques is linked to
        the thing; its techniques, and what each is, in the source's words."""
        values = {"value": [iri], "type": [TECHNIQUE]}
        runs, found = self.runner.execute(Plan(self.which, values, frozenset(), NO_CUE))
        if not found:
            return
        plan = self._asking(TECHNIQUES, {"modality": sorted(named)})
        technique_runs, techniques = self.runner.execute(plan)
        if not {a["iri"] for a in found} & {a["iri"] for a in techniques}:
            return
        said = [c for a in techniques for c in self.claims.about(a["iri"]) if c.predicate == DEFINITION]
        composed.text += " " + self.runner.sentence(plan, technique_runs, techniques)
        composed.text += "".join(f" {capital(statement(c, self.lexicon))} ({where(c)})." for c in said)
        composed.answers += techniques
        composed.runs[:0] = runs + technique_runs

    def premise_check(self, reading: Reading, aspects: dict[str, NamedQuery]) -> str:
        """ "Since dry needling comes from China, ...": what the source says instead of a premise it does not
        share, in words; empty when it shares it or says nothing either way."""
        if not reading.premised:
            return ""
        modalities = [m for m in reading.entities if m.iris[0] in self.modalities]
        taken = replace(reading, entities=modalities[:1] + reading.premised)
        for plan in self.yes_or_no(taken, aspects):
            found = self.runner.execute(plan)[1]
            if found and not self.runner.narrow(found, plan, taken):
                return "The source does not share the question's premise: " + self.runner.nothing_fits(
                    plan, found, taken
                )
        return ""

    def treated(self, composed: Composed, reading: Reading) -> None:
        """A condition named alone ("plantar fasciitis"): what the source names to treat it, before what it is;
        another thing named alone ("meridians?"): the modality the source links it to, after what it is.
        "Does dry needling work for sciatica", "is it used for both": the modality is the answer to the yes,
        beside how it works there or the conditions it treats."""
        named = [m.iris[0] for m in reading.entities]
        modalities = [i for i in named if i in self.modalities]
        conditions = [i for i in named if self.lexicon.has_type(i, CONDITION) and i not in self.modalities]
        if (
            composed.intent in (TREATMENTS, CONDITIONS) and len(set(modalities)) == 1
        ):  # "does it treat A or B"
            which_of(self.runner, composed, modalities[0], conditions)
        if composed.intent == TREATMENTS and len(set(modalities)) == 1:
            return
        if composed.intent in (HOW, CONDITIONS) and len(set(modalities)) == 1 and conditions:
            if not any(a["iri"] == modalities[0] for a in composed.answers):
                _, answers = self.runner.execute(self._asking(TREATMENTS, {"condition": conditions}))
                composed.answers[:0] = [a for a in answers if a["iri"] == modalities[0]]
            return
        if (
            len(set(modalities)) == 1
            and not conditions
            and _asks_yes_or_no(
                reading.tokens, [m.start for m in reading.entities if m.iris[0] in self.modalities]
            )
        ):
            # "would dry needling do anything for me", "is that what dry needling goes after": it is the yes
            if composed.intent in _ASPECTS and not any(a["iri"] == modalities[0] for a in composed.answers):
                composed.answers[:0] = also_named(modalities[:1], self.lexicon.label, composed.answers)
            return
        if composed.intent != DESCRIBE or reading.cue_scores or len(named) != 1 or modalities:
            return
        if not self.lexicon.has_type(named[0], CONDITION):  # "meridians?": whose they are, after what
            plan = Plan(self.which, {"value": named}, frozenset(), NO_CUE)
            runs, answers = self.runner.execute(plan)
            if answers := [a for a in answers if a["iri"] in self.modalities]:
                composed.text += " " + self.runner.sentence(plan, runs, answers)
                composed.answers[:0] = answers
            return
        plan = self._asking(TREATMENTS, {"condition": named})
        runs, answers = self.runner.execute(plan)
        if answers:
            self.runner.add_costs(answers, reading)
            composed.text = f"{self.runner.sentence(plan, runs, answers)} {composed.text}"
            composed.answers[:0] = answers
            composed.runs[:0] = runs

    def how_often(self, composed: Composed, reading: Reading) -> None:
        """ "How common is bruising", "are soreness and bruising described as rare": the risks the source
        gives a frequency for come beside the ones asked about, each with its own words."""
        if composed.intent != RISKS or composed.plan is None or not _OFTEN & set(reading.lemmas):
            return
        _, found = self.runner.execute(composed.plan)
        shown = {a["iri"] for a in composed.answers}
        rare = [a for a in found if "rare" in hedge_words(a) and a["iri"] not in shown]
        if rare:
            said = join([f"{self.lexicon.sentence_case(a['label'])} ({hedge_words(a)})" for a in rare])
            composed.text += f" The one it calls rare is {said}; for the others it gives no frequency."
            composed.answers += rare


# The per-modality answers a yes or no about one modality may come as: the modality is the yes's subject.
# (not its risks: "is acupuncture safe" is answered by the risks alone)
_ASPECTS = frozenset(["benefits_of_modality", "targets_of_modality", HOW, "techniques_of_modality"])
_AUXILIARIES = frozenset("is does do would will can could should are".split())


def _asks_yes_or_no(tokens: list[str], starts: list[int]) -> bool:
    """ "Would dry needling do anything for me", "is that what it goes after": an auxiliary right before the
    modality named, or "is that"."""
    return any(i > 0 and tokens[i - 1] in _AUXILIARIES for i in starts) or any(
        a == "is" and b == "that" for a, b in pairwise(tokens)
    )


def _applied(claim: Claim, thing: str, lexicon: Lexicon) -> bool:
    """Whether the claim is said of a modality applied to the thing ("dry needling for plantar fasciitis")."""
    return claim.subject_label.lower().endswith(" for " + lexicon.label(thing).lower())
