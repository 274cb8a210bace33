"""Readings in two steps: "the origin of the treatment for plantar fasciitis" runs the treatments first and
feeds what they find to the origin query. A value tied to "the therapy", or a practitioner, stands for the
modalities it is linked to; a query its words ask for may take its one open resource from that first step."""

from __future__ import annotations

from kg.catalogue import NamedQuery, Param
from kg.qa.lexicon import Lexicon, Mention
from kg.qa.plans import CueMatch, Plan, Reading, expand
from kg.qa.standing import one_that
from kg.qa.vocab import CONDITION, MODALITY, MODALITY_CURIE, PERFORMER, TREATMENTS, WHICH

OWL_CLASS_CURIE = "owl:Class"
_BOTH = frozenset(["two", "both", "they", "them", "each", "either"])
_AUX = frozenset("does do did can could will would is are".split())


class Steps:
    """The two-step part of reading a question (the interpreter's base)."""

    lexicon: Lexicon
    queries: list[NamedQuery]

    def _plan_kind(self, plan: Plan) -> str | None:
        """What the plan answers with: the class a question chose ("which technique"), else the query's."""
        chosen = [
            plan.values[p.name][0]
            for p in plan.query.params
            if p.rdf_class == OWL_CLASS_CURIE and plan.values.get(p.name)
        ]
        return expand(chosen[0]) if chosen else self._answer_kind(plan.query)

    def _implicit(self, reading: Reading) -> list[Plan]:
        """A first step without words: a practitioner, or a value tied to "the therapy", stands for modalities."""
        if (linked := next((q for q in self.queries if q.name == WHICH), None)) is None:
            return []
        # "the therapy rooted in Chinese medicine": a value after a name for the modalities stands for them too
        therapy = any(MODALITY in m.iris for m in reading.classes) or one_that(reading.tokens)
        # a condition alone stands for its treatments when nothing else asks for them ("sciatica cost")
        named_modality = (
            any(self.lexicon.has_type(m.iris[0], MODALITY) for m in reading.entities)
            or bool(reading.cue_strengths.get(TREATMENTS))
            or bool(_BOTH & set(reading.tokens))  # "how do the two approach sciatica": both, side by side
        )
        whole = CueMatch(0, len(reading.tokens), frozenset())
        treating = next(q for q in self.queries if q.name == TREATMENTS)  # "the plantar fasciitis therapy"
        return [
            Plan(treating, {"condition": [m.iris[0]]}, frozenset([m]), whole)
            if self.lexicon.has_type(m.iris[0], CONDITION)
            else Plan(linked, {"value": [m.iris[0]]}, frozenset([m]), whole)
            for m in reading.entities
            if not any(self.lexicon.has_type(i, MODALITY) for i in m.iris)
            and (
                therapy
                or any(self.lexicon.has_type(i, PERFORMER) for i in m.iris)
                # "plantar fasciitis price": a condition named with a modality's aspect and no modality
                or (self.lexicon.has_type(m.iris[0], CONDITION) and not named_modality)
            )
        ]

    def _open(self, query: NamedQuery, reading: Reading, cue: CueMatch) -> Plan | None:
        """A query its words ask for ("what conditions") with its one required resource open for a first step."""
        missing = [p for p in query.params if p.required]
        if (
            not cue.strength and cue.score and cue.first == 0 and reading.tokens[0] == "who"
        ):  # "who can do the one that targets tight bands"
            missing = missing or [
                p for p in query.params if p.type == "iri" and p.rdf_class == MODALITY_CURIE
            ]
        elif not cue.strength:
            return None
        if len(missing) != 1 or missing[0].type != "iri" or not missing[0].rdf_class:
            return None
        if missing[0].rdf_class == OWL_CLASS_CURIE or self._entities_for(
            missing[0], reading.entities, set(), self._answer_kind(query)
        ):
            return None
        return Plan(query, {}, frozenset(), cue)

    def _answer_kind(self, query: NamedQuery) -> str | None:
        """The kind of thing a query answers with; a question's value of that kind is no parameter value."""
        kind = query.answer_class or next(
            (p.default for p in query.params if p.rdf_class == OWL_CLASS_CURIE and p.default), None
        )
        return expand(kind)

    def _entities_for(
        self, param: Param, entities: list[Mention], taken: set[Mention], excluded: str | None
    ) -> list[tuple[Mention, str]]:
        wanted = expand(param.rdf_class)
        fitting = []
        for mention in entities:
            if mention in taken:
                continue
            iris = [i for i in mention.iris if not self.lexicon.is_class(i)]
            if wanted:
                iris = [i for i in iris if self.lexicon.has_type(i, wanted)]
            elif excluded:
                iris = [i for i in iris if not self.lexicon.has_type(i, excluded)]
            if iris:
                fitting.append((mention, iris[0]))
        return fitting

    def _chain(self, outer: Plan, inner: Plan, reading: Reading) -> Plan | None:
        """ "The origin of the treatment for plantar fasciitis": run `inner`, feed its answers to `outer`."""
        if outer is inner or outer.cue.score == 0 or inner.feeds or outer.consumed or not inner.consumed:
            return None
        kind = self._plan_kind(inner)
        if outer.cue.positions & inner.cue.positions or not kind:
            return None
        if all(any(0 < m.start - p <= 2 for m in inner.consumed) for p in outer.cue.positions):
            return (
                None  # "which is the one aimed at tight muscles": its cue only links the first step's value
            )
        # "which modality works on trigger points" asks for the modality: the first step is the answer
        if any(m.iris[0] == kind for m in self.asked_classes(reading)):
            return None
        # "what else does acu help with": the name is the subject of the asking verb, no first step
        tokens = reading.tokens
        if inner.cue.score and any(  # (a first step no words asked for has no asking verb)
            m.end == inner.cue.first and m.start and tokens[m.start - 1] in _AUX for m in inner.consumed
        ):
            return None
        # "what treats X and what does it cost" is two questions, not the cost of what treats X
        low, high = sorted((inner.cue.first, outer.cue.first))
        if outer.cue.first > inner.cue.first and "and" in reading.tokens[low:high]:
            return None
        # circular: the outer query answers with the kind of thing the inner one was given ("which therapy
        # is rooted in Western medicine" is not the origin of the therapy rooted in it)
        answers = self._answer_kind(outer.query)
        if answers and any(self.lexicon.has_type(i, answers) for m in inner.consumed for i in m.iris):
            return None
        free = [
            p
            for p in outer.query.params
            if p.type == "iri" and p.name not in outer.values and expand(p.rdf_class) == kind
        ]
        if not free:
            return None
        chained = Plan(outer.query, dict(outer.values), inner.consumed, outer.cue, outer.bonus + 2)
        chained.feeds, chained.feed_param = inner, free[0].name
        return chained

    def asked_classes(self, reading: Reading) -> list[Mention]:
        """The classes a question asks for by name: "which modality", "what therapy"."""
        return [
            m for m in reading.classes if m.start > 0 and reading.tokens[m.start - 1] in ("which", "what")
        ]
