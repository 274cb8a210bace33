"""Read a question: which named query answers it, with which parameters, in one step or two.

Everything this module knows about wording comes from the data: cue phrases from the `.rq` headers,
labels and synonyms from the graph (through the lexicon). What stays here is how to weigh them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from rapidfuzz import fuzz

import kg.qa.standing as standing
from kg.catalogue import Catalogue, NamedQuery
from kg.qa.amounts import amounts_in, bare_amounts, money_units, than_amount
from kg.qa.context import all_linked
from kg.qa.cues import Cues
from kg.qa.lexicon import NOT_IN_SOURCE, Lexicon, Mention
from kg.qa.plans import CueMatch, Plan, Reading, expand
from kg.qa.spelling import Speller
from kg.qa.steps import OWL_CLASS_CURIE, Steps
from kg.qa.vocab import (
    CHEAPEST,
    CONDITION,
    CONDITIONS,
    COST,
    HOW,
    MODALITY,
    PERFORMER,
    RELATED,
    TREATMENTS,
    WHICH,
)
from kg.qa.words import Words

_CONTEXT = (PERFORMER, RELATED, CONDITION)


def _given(plan: Plan) -> set[str]:
    """The amounts a plan was given ("under $40")."""
    return {v for p in plan.query.params if p.type == "decimal" for v in plan.values.get(p.name, [])}


def _as_typed(mention: Mention, words: Words) -> Mention:
    """A name read through a spelling correction links with the closeness of what was typed to it."""
    typed = " ".join(dict.fromkeys(words.origin[mention.start : mention.end]))
    if typed == mention.text or mention.score < 1:
        return mention
    return replace(mention, score=round(fuzz.ratio(typed, mention.text) / 100, 3))


class Interpreter(Steps):
    """Turns a question into ranked plans over the catalogue's cue-bearing queries."""

    def __init__(self, catalogue: Catalogue, lexicon: Lexicon, source_words: Iterable[str] = ()) -> None:
        """`source_words`: the words of the source's statements: no unknown topic, and what typos are of."""
        self.lexicon = lexicon
        self.modalities = sorted(i for i, kinds in lexicon.types.items() if MODALITY in kinds)
        self.queries = [q for q in catalogue if q.cues]
        said = sorted(set(source_words))
        self.speller = Speller.of(
            [*lexicon.phrases, *(c for q in self.queries for c in q.cues), *said],
            names=lexicon.phrases,
            covered=[n for i, n in lexicon.labels.items() if not lexicon.has_type(i, NOT_IN_SOURCE)],
        )
        self.cues = Cues(self.queries, self.speller)
        self.cues.source_words = set(said)
        self.name_words = {w for phrase in lexicon.phrases for w in phrase.lower().split()}
        self.neighbours: dict[str, set[str]] = {}  # what the source links each resource to (the answerer's)

    def read(self, question: str) -> Reading:
        words = Words.read(question, self.speller)
        text = " ".join(words.tokens)
        tokens, keyed = words.tokens, words.lemmas
        exact = self.lexicon.link_exact(tokens)
        # Words inside a name are no cues ("evidence-based"); class names are ("which technique").
        named = {
            i
            for m in exact
            if not all(self.lexicon.is_class(x) for x in m.iris)
            for i in range(m.start, m.end)
        }
        named |= money_units(tokens)  # "under 60 dollars": the amount's unit asks for no price
        taken_for_granted = standing.premise(tokens)
        felt = standing.complaints(tokens) | taken_for_granted  # "my heel hurts", "since it is X": no asking
        cue_view = [(index, word) for index, word in enumerate(keyed) if index not in named | felt]
        full_view = [(index, word) for index, word in enumerate(keyed) if index not in felt]
        matches = {q.name: self.cues.match(full_view, cue_view, named, q.name) for q in self.queries}
        protected = set().union(*(m.positions for m in matches.values())) if matches else set()
        covered = protected | {i for m in exact for i in range(m.start, m.end)}
        mentions = sorted(exact + self.lexicon.link_fuzzy(tokens, covered), key=lambda m: m.start)
        mentions = [_as_typed(m, words) for m in mentions]
        amounts = amounts_in(text, tokens)
        reading = Reading(tokens, mentions, amounts=amounts)
        reading.corrections, reading.asking_from = words.corrections, words.asking_from
        reading.lemmas = keyed
        reading.cue_scores = {name: match.score for name, match in matches.items() if match.score}
        reading.cue_strengths = {name: match.strength for name, match in matches.items() if match.strength}
        reading.cue_positions = {name: match.positions for name, match in matches.items() if match.score}
        modal = any(self.lexicon.has_type(i, MODALITY) for m in mentions for i in m.iris)
        for mention in mentions:
            kind = any(self.lexicon.has_type(i, MODALITY) or self.lexicon.is_class(i) for i in mention.iris)
            if (denied := standing.negated(tokens, mention.start)) and not kind:
                reading.negated.append(mention)  # "which one is not holistic": the other one
            if mention.start in taken_for_granted and not kind:
                reading.premised.append(mention)  # checked against the source, not asked about
            elif (denied and kind) or standing.aside(tokens, mention, protected, modal):
                reading.excluded.append(mention)  # "besides the needles": not what the question asks about
            elif any(self.lexicon.has_type(iri, NOT_IN_SOURCE) for iri in mention.iris):
                if not standing.self_described(tokens, mention, self.lexicon):  # "I'm a nurse": who asks
                    reading.silent.append(mention)
            elif all(self.lexicon.is_class(iri) for iri in mention.iris):
                reading.classes.append(mention)
            else:
                reading.entities.append(mention)
        reading.unknown, reading.ignored = self.cues.unknown_words(tokens, keyed, mentions, protected)
        standing.silent_around_names(reading, self.lexicon)  # "how many dry needling sessions"
        standing.described(reading, self.lexicon, self.neighbours)  # "the Chinese one", "the one that isn't"
        standing.modifiers(reading, self.lexicon, self.neighbours)  # "TCM acupuncture": acupuncture
        standing.the_other_one(reading, self.lexicon, self.modalities)
        standing.story_context(reading, self.lexicon)  # "we tried massage. Does needling help back pain?"
        reading.amounts = reading.amounts or bare_amounts(tokens, self.queries, matches)
        reading.plans = self._plans(reading, matches)
        return reading

    def alternatives(self, reading: Reading, first: Plan) -> list[Plan]:
        """Other readings of the same things asking the same kind of answer, best first, tried when the first
        finds nothing ("which therapies help with sciatica?": a property of a therapy, then treatments)."""
        kind = self._plan_kind(first)
        return (
            [
                plan
                for plan in reading.plans[1:]
                if plan.cue.score
                and plan.consumed >= first.consumed
                and self._plan_kind(plan) == kind
                and _given(first) <= _given(plan)  # "treatments under $40" does not give way to every price
            ]
            + [  # "foggy and stressed, which one mentions mental clarity": the one value after the "which"
                Plan(first.query, {**first.values, "value": [after[0].iris[0]]}, frozenset(after), first.cue)
                for after in [[m for m in first.consumed if m.start > first.cue.first]]
                if first.query.name == WHICH and len(first.values.get("value", [])) > 1 and len(after) == 1
            ]
            + [  # "techniques used by the plantar fasciitis therapy": no technique treats it; the therapy's
                plan
                for plan in reading.plans[1:]
                if plan.feeds and plan.cue.strength and plan.consumed >= first.consumed
            ]
            + [  # "plantar fasciitis, which needle thing" (not "what muscles are in it"): which one treats it
                Plan(q, {"condition": first.values["value"]}, first.consumed, first.cue)
                for q in self.queries
                if q.name == TREATMENTS
                and first.query.name == WHICH
                and all(self.lexicon.has_type(i, CONDITION) for i in first.values["value"])
                and (first.values.get("type") == [MODALITY] or not first.cue.strength)
            ]
            + [  # "twitch response for back pain, which therapy": the value alone, with a note that the
                # source does not give it for that condition (the reading with the condition found nothing)
                Plan(first.query, {**first.values, "value": kept}, first.consumed, first.cue, context=where)
                for kept in [
                    [i for i in first.values.get("value", []) if not self.lexicon.has_type(i, CONDITION)]
                ]
                for where in [tuple(m for m in first.consumed if m.iris[0] not in kept)]
                if first.query.name == WHICH
                and 0 < len(kept) < len(first.values.get("value", []))
                and "which" in reading.tokens
                and not any(self.lexicon.has_type(i, PERFORMER) for i in kept)
            ]
        )

    def _plans(self, reading: Reading, matches: dict[str, CueMatch]) -> list[Plan]:
        any_cue = any(m.score for m in matches.values())
        singles = [
            p for q in self.queries if (p := self._fill(q, reading, matches[q.name], any_cue)) is not None
        ]
        inners = singles + self._implicit(reading)
        # a query missing what it is about may take it from a first step ("the Qi-based therapy's conditions")
        outers = singles + [p for q in self.queries if (p := self._open(q, reading, matches[q.name]))]
        chains = [c for a in outers for b in inners if (c := self._chain(a, b, reading)) is not None]
        usable = [p for p in singles + chains if self._accounts_for_all(p, reading)]
        if any_cue and not any(p.cue.strength for p in usable):
            usable += [p for p in singles + chains if p not in usable and self._with_context(p, reading)]
            # a reading the question's own words ask for ("physio dry needling benefits") goes before one
            # found by a name alone (the physio among dry needling's practitioners)
            usable.sort(key=lambda p: bool(p.cue.strength), reverse=True)
        asked = {m.iris[0] for m in reading.classes}
        for plan in usable:
            # "what techniques ...": the reading that answers with the kind named; "I can spend $65": one using it
            plan.bonus += 2 * (expand(plan.query.answer_class) in asked) + bool(_given(plan))
            framing = self._framing(plan)
            plan.bonus += 2 * sum(
                1 for m in reading.entities if m not in plan.consumed and self.narrows(m, framing)
            )
        if not any_cue and len(reading.entities) == 1 and not reading.classes:  # a bare name: what it is
            return sorted(usable, key=lambda p: (p.query.rank, p.score), reverse=True)
        together = bool({"both", "two"} & set(reading.tokens))  # "how might combining both help sciatica"
        only_condition = any(
            self.lexicon.has_type(m.iris[0], CONDITION)
            and {"only", "just"} & set(reading.tokens[max(0, m.start - 2) : m.start])
            for m in reading.entities
        )
        for plan in usable:  # "does dry needling work for sciatica": whether it treats it, then how
            plan.bonus += 4 * (plan.query.name == TREATMENTS and reading.asks_if_it_works(HOW))
            plan.bonus += 2 * (plan.query.name == CONDITIONS and only_condition)  # "only for X?": what else
            plan.bonus += 2 * (together and bool(plan.query.about) and bool(plan.cue.strength))
        ranked = sorted(usable, key=lambda p: (p.score, p.query.rank), reverse=True)
        return _ranking_first(ranked, reading)

    def _with_context(self, plan: Plan, reading: Reading) -> bool:
        """A reading leaving aside only things linked to what it answers about ("my PT mentioned it, risks?")."""
        if not plan.consumed or not plan.cue.strength:
            return False
        accepted = self._framing(plan)
        left = [m for m in reading.entities if m not in plan.consumed and not self.narrows(m, accepted)]
        # only who and where it is for may be left aside: a condition, a practitioner, a related practice
        if not all(any(self.lexicon.has_type(i, k) for i in m.iris for k in _CONTEXT) for m in left):
            return False
        # "My partner wants acupuncture for stress. What's the going rate?": a story's things, when the
        # sentence that asks names none of its own, are its setting even if the source does not link them
        told = reading.asking_from and not any(m.start >= reading.asking_from for m in reading.entities)
        if not told and not all_linked(left, {i for m in plan.consumed for i in m.iris}, self.neighbours):
            return False
        plan.context = tuple(left)
        return True

    def _fill(self, query: NamedQuery, reading: Reading, cue: CueMatch, any_cue: bool) -> Plan | None:
        values: dict[str, list[str]] = {}
        consumed: set[Mention] = set()
        bonus = 0
        value_classes = {t for m in reading.entities for i in m.iris for t in self.lexicon.types.get(i, ())}
        excluded = self._answer_kind(query)
        class_cue = 0
        for param in query.params:
            if param.type == "decimal" and reading.amounts:
                values[param.name] = reading.amounts[:1]
                bonus += 2
            elif param.type == "iri" and param.rdf_class == OWL_CLASS_CURIE:
                # "which technique ...": the class named is what the question asks for, a cue of its own.
                named = [iri for m in reading.classes for iri in m.iris]
                chosen = [iri for iri in named if iri not in value_classes]
                if chosen:
                    values[param.name] = chosen[:1]
                class_cue = 1 if named else 0
            elif param.type == "iri":
                fitting = self._entities_for(param, reading.entities, consumed, excluded)
                if fitting:
                    values[param.name] = list(
                        dict.fromkeys(iri for _, iri in fitting)
                    )  # "bad back, back pain"
                    consumed.update(m for m, _ in fitting)
                    bonus += (2 if param.rdf_class else 0) + (1 if param.required else 0)
        if any(p.required and p.name not in values for p in query.params):
            return None
        # With no cue of its own, a query answers only a bare name ("sciatica") that fills a required
        # parameter or one of a definite class.
        filled = [
            p for p in query.params if p.name in values and p.type == "iri" and (p.required or p.rdf_class)
        ]
        asked = [m for m in reading.classes if standing.asked_for(reading.tokens, m)]  # "what kind of X"
        class_cue = class_cue or int(any(expand(query.answer_class) in m.iris for m in asked))
        if class_cue:
            cue = CueMatch(cue.score + class_cue, cue.first, cue.positions, cue.strength + class_cue)
        if cue.score == 0 and (any_cue or not filled):
            return None
        # Cues made only of function words ("who", "which") need a named thing to work on.
        if cue.score and not cue.strength and not consumed and not reading.amounts:
            return None
        plan = Plan(query, values, frozenset(consumed), cue, bonus)
        # "sciatica and back pain, one therapy for both": what holds for each of them
        starts = {m.start for m in consumed}
        plan.every = any(len(v) > 1 for v in values.values()) and any(
            t == "both" and (i + 1 in starts or i >= max(m.end for m in consumed))
            for i, t in enumerate(reading.tokens)
        )
        return plan

    def _accounts_for_all(self, plan: Plan, reading: Reading) -> bool:
        """Every thing the question names is a parameter, an answer to narrow to, or the query's framing."""
        accepted = self._framing(plan)
        named = sum(self.lexicon.has_type(m.iris[0], MODALITY) for m in reading.entities)
        if _given(plan) and named >= 2:  # "A or B for under $60": the one the budget allows
            accepted.add(expand(plan.query.answer_class) or "")
        return all(
            mention in plan.consumed or self.narrows(mention, accepted) for mention in reading.entities
        )

    def _framing(self, plan: Plan) -> set[str]:
        """Classes whose members a question may name without a parameter taking them. Members of the query's
        `about` class frame the question ("compare dry needling and acupuncture"); members of its answer class
        narrow the answers, but only when the question is about something ("is acupuncture rooted in TCM?"),
        not when the named thing is all there is ("which is rooted in TCM?")."""
        classes = {expand(plan.query.about)}
        if plan.consumed or plan.feeds or not plan.query.params:
            classes.add(expand(plan.query.answer_class))
        return {c for c in classes if c}

    def narrows(self, mention: Mention, classes: set[str]) -> bool:
        return any(self.lexicon.has_type(iri, c) for iri in mention.iris for c in classes if c)


def _ranking_first(plans: list[Plan], reading: Reading) -> list[Plan]:
    """ "Cheapest needle therapy, and what's its price", "which one starts cheaper per session": with nothing
    named, the ranking asked for goes before the plain prices it ranks (its answer says the price); with a
    condition named, the prices found are ranked after the answer (`Pricing`). "Cheaper than $80" ranks
    nothing: it is a budget."""
    cued = reading.cue_positions.get(CHEAPEST, frozenset())
    if cued and all(than_amount(reading.tokens, i) for i in cued):
        return [p for p in plans if p.query.name != CHEAPEST]  # "cheaper than $80": a budget, no ranking
    if not plans or plans[0].query.name != COST or plans[0].values:
        return plans
    if not reading.cue_strengths.get(CHEAPEST):  # the question's own words rank ("cheapest"), not a "they"
        return plans
    ranking = next((p for p in plans if p.query.name == CHEAPEST and p.cue.positions), None)
    if ranking is None or reading.entities:
        return plans
    return [ranking, *(p for p in plans if p is not ranking)]
