"""Answer plain questions: read the question, choose how to answer it (both modalities side by side, a
named query, or the claims that fit it best), and compose a sourced answer that says what it left out."""

from __future__ import annotations

from kg.engine import KnowledgeGraph
from kg.qa.amounts import read_prices
from kg.qa.answers import Answer, public
from kg.qa.beside import beside, on_the_point, which_on_the_point, with_prices
from kg.qa.comparatives import compares, every_price
from kg.qa.composed import Composed
from kg.qa.context import context_in_answers, named_alone, named_part_answered, unlinked_comparisons
from kg.qa.evidence import RETRIEVED, Evidence, retrieved
from kg.qa.explaining import Explainer
from kg.qa.frames import Frame, Framing, aspects_of, frame_of, second_aspect, unranked
from kg.qa.lexicon import NOT_IN_SOURCE, Lexicon
from kg.qa.linked import linked_otherwise, not_given_for
from kg.qa.named import Run, Runner
from kg.qa.parts import answer_other_parts
from kg.qa.plans import Plan, Reading
from kg.qa.reading import Interpreter
from kg.qa.replies import coverage, interpretation, query_info, say_what_is_broader, topic_names
from kg.qa.retrieval import ClaimIndex
from kg.qa.sides import Sides
from kg.qa.standing import set_aside
from kg.qa.vocab import (
    CATEGORY,
    CHEAPEST,
    CHOOSE,
    CLAIMS,
    COMPARE,
    CONDITION,
    COST,
    DESCRIBE,
    MODALITY,
    WHICH,
)
from kg.qa.wording import join, not_for_certain, ranking
from kg.qa.words import normalize, warm

_ASKS_YES_OR_NO = frozenset(["is", "isnt", "are", "was", "would"])
NOTE = "General information from one article, not medical advice: ask a licensed professional about your own case."


class QuestionAnswerer:
    """Built once per graph version: the lexicon, the cue tables, the speller and the claim index are read
    from the graph and the catalogue."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        warm()  # once per process: the English word list and the lemma tables
        self.graph = graph
        self.lexicon = Lexicon.from_rows(graph.stream("lexicon"))  # every word, past the row cap
        self.claims = ClaimIndex.from_rows(graph.stream("claim_index")).naming(self._names_in)
        said = {t for claim in self.claims.claims for t in claim.terms if t.isalpha()}
        self.interpreter = Interpreter(graph.catalogue, self.lexicon, said)
        self.interpreter.neighbours = self.claims.neighbours()
        self.runner = Runner(graph, self.lexicon)
        self.runner.article_title = next((c.title for c in self.claims.claims if c.title), "")
        self.sides = Sides(self.runner, self.lexicon)
        self.framing = Framing(
            self.lexicon,
            aspects_of(graph.catalogue),
            self.claims.count,
            self.interpreter.cues.words.__contains__,
        )
        self.coverage = coverage(self.lexicon, MODALITY, CONDITION, CATEGORY)
        self.evidence = Evidence(self.claims, self.lexicon, self.interpreter)
        self.explainer = Explainer(self.runner, self.lexicon, self.claims, self.sides)
        self.explainer.stands_for = self.evidence.within
        self.suggestions = [q.examples[0] for q in graph.catalogue if q.cues and q.examples][:6]

    def answer(self, question: str) -> Answer:
        reading = read_prices(
            self.interpreter.read(question), self.interpreter.read, self.explainer.ranges, self.lexicon
        )
        uncovered = self._uncovered(reading)
        composed, reason = self._compose(reading)
        composed = composed and self.explainer.turned(composed, reading)  # "which one is not holistic"
        if composed is not None and composed.intent not in (RETRIEVED, CLAIMS):
            self.evidence.left_over(reading, composed)
            self.explainer.what_it_is(composed, reading)
            if composed.plan is None:  # a frame's answer: "why is acupuncture called holistic, unlike DN"
                self.explainer.why(composed, reading)
            self.explainer.with_price(composed, reading)
            self.explainer.how_often(composed, reading)
            self.explainer.treated(composed, reading)
        if composed is not None and (premise := self.explainer.premise_check(reading, self.framing.aspects)):
            composed.text = f"{premise} {composed.text}"
        if composed is not None and (unsure := not_for_certain(reading.tokens, composed.answers)):
            composed.text = f"{unsure} {composed.text}"  # "does it definitely ...": the source's own hedges
        aside = {i for m in reading.excluded for i in m.iris if set_aside(reading.tokens, m.start)}
        if composed is not None and aside and any(a["iri"] not in aside for a in composed.answers):
            composed.answers = [a for a in composed.answers if a["iri"] not in aside]  # "besides sciatica"
        answered = composed is not None and named_part_answered(reading, self.lexicon, composed.answers)
        if composed is not None and uncovered and not (composed.general or answered):
            composed, reason = None, ""
        if composed is None:
            if uncovered:
                reason = f"the article does not discuss {join(uncovered)}."
            return self._refuse(question, reading, reason, uncovered)
        reply: Answer = {
            "question": question,
            "answered": True,
            "text": composed.text,
            "answers": [public(a) for a in composed.answers],
            "note": NOTE,
            "interpretation": interpretation(self.lexicon, reading, composed.intent, composed.plan),
        }
        if composed.runs:
            reply["query"] = query_info(composed.runs[-1])
        if composed.also:
            reply["interpretation"]["also"] = composed.also
        if composed.unasked:
            reply["not_in_source"] = list(composed.unasked)
            said = join([f"which of the two {ranking(w)}" for w in composed.unasked])
            reply["text"] = f"The article does not say {said}. What it does say: {reply['text']}"
        if uncovered:
            reply["not_in_source"] = reply.get("not_in_source", []) + uncovered
            reply["text"] = f"The article does not discuss {join(uncovered)}. In general: {reply['text']}"
        say_what_is_broader(reply, reading, self.lexicon)
        return reply

    def _compose(self, reading: Reading) -> tuple[Composed | None, str]:
        """The best way to answer, or None with the reason there is none.

        In order: a question about both modalities; the named query the question's words ask for; a bare
        name ("qi?", "can a physio do dry needling"), read as what the source says of it; and last the
        claims nearest the question. A named query that finds things, none of them the one the question
        named ("does acupuncture help plantar fasciitis"), is a "no", and claims do not overrule it.
        """
        frame = frame_of(reading, self.framing)
        if frame is not None:
            composed = self.sides.answer(frame, compares(reading))
            if composed is not None:
                composed.unasked = list(unranked(frame, reading))  # "which is safer": no ranking said
                if frame.kind == COMPARE and frame.aspect is None and frame.value is None:
                    on_the_point(self.evidence, composed, reading, frame.picks, self.sides.modalities)
                if composed.intent == CHOOSE and reading.cue_strengths.get(COST):
                    with_prices(self.sides, composed, reading)  # "price is the deciding factor"
                elif frame.kind == COMPARE and (other := second_aspect(reading, frame.aspect)) is not None:
                    beside(self.sides, composed, other, reading)  # "cost and risks"
                return composed, ""
        if (composed := self.explainer.priced(reading)) is not None:
            return composed, ""
        plan = reading.plans[0] if reading.plans else None
        if composed := which_on_the_point(self.evidence, reading, plan, self.sides.modalities):
            return composed, ""  # "which practice is called widely accepted"
        if (composed := self._cheapest_of_all(reading, plan)) is not None:
            return composed, ""
        if plan is not None and plan.query.name == CHOOSE and plan.cue.score:
            condition = next(iter(plan.values.get("condition", [])), None)
            if (composed := self.sides.answer(Frame(CHOOSE, condition=condition), False)) is not None:
                return composed, ""
        if plan is not None and plan.query.name == CLAIMS:
            # "what does the source say about X": the claims about X nearest the question's other words
            words, _ = self.evidence.terms(reading)
            about = [frozenset([r]) for r in plan.values.get("resource", [])]
            if claims := self.claims.best(words, about):
                composed = retrieved(claims, self.lexicon)
                composed.intent, composed.general = CLAIMS, False
                return composed, ""
        bare = plan is not None and not plan.cue.score
        plans = reading.plans if bare else reading.plans[:1]
        if not bare and not any(
            p.cue.positions for p in reading.plans
        ):  # only a kind named: "sciatica needles"
            plans = [p for p in reading.plans if p.query.name not in (DESCRIBE, CLAIMS)]
        if bare and len(reading.entities) > 1:
            # several names and no words asking for anything: a yes/no question ("can a physio do dry
            # needling") is a reading that one name narrows; else the claims that link them
            narrowing = [p for p in reading.plans if self.runner.narrowing(p, reading)]
            for asked in [] if narrowing else self.explainer.yes_or_no(reading, self.framing.aspects):
                composed, _, found = self._run(reading, asked)
                if composed is None and found:  # "does dry needling release endorphins": a definite no
                    return self.explainer.what_instead(self._not_that(reading, asked), reading), ""
                if (
                    composed is not None
                    and len(reading.entities) == 2
                    and self.runner.narrowing(asked, reading)
                ):
                    return composed, ""  # "is acupuncture from China": yes, in the source's words
            if not narrowing and (claims := self.claims.best(*self.evidence.terms(reading))):
                composed = retrieved(claims, self.lexicon)
                composed.general = False
                return composed, ""
            plans = narrowing or reading.plans
        only_names = all(w in self.interpreter.name_words for w in reading.ignored)
        if plan is not None and (plan.cue.score or only_names or plans is not reading.plans):
            composed, reason, definite = self._first_answer(reading, plans)
            if composed is not None:
                composed.general = composed.general and not bare
                return composed, ""
            if definite:
                return None, reason
        else:
            reason = ""
        if not reading.cue_strengths and (named_after := self.sides.choices.eased(reading)):
            return named_after, ""  # "acupuncture for stress?": the benefit named after the complaint
        if claims := self.evidence.nearest(reading):
            composed = retrieved(claims, self.lexicon)
            composed.general = False  # claims near a question are no general answer to an uncovered one
            return composed, ""
        eased = [c for i in named_alone(plan, reading) if (c := self.sides.benefits_named_after(i))]
        if eased:  # "what treats stress": what eases it
            return eased[0], ""
        if not reason:
            named = [self.lexicon.label(m.iris[0]) for m in reading.entities]
            reason = (
                f"the source gives no answer of that kind about {join(named)}."
                if named
                else "I could not find anything the graph knows in the question."
            )
        return None, reason

    def _cheapest_of_all(self, reading: Reading, plan: Plan | None) -> Composed | None:
        """ "Which is cheaper": the cheapest, every price beside it; "the cheapest acupuncture gets": its price."""
        if plan is None or plan.query.name != CHEAPEST or not plan.cue.strength:
            return None
        yes_or_no = bool(reading.tokens) and reading.tokens[0] in _ASKS_YES_OR_NO  # "is it the cheapest"
        if not reading.entities:  # "lowest price for each", "by how much", "is one cheaper": every price
            return self.sides.cheapest(plan.query, every_answer=yes_or_no or every_price(reading.tokens))
        named = [m for m in reading.entities if m.iris[0] in self.sides.modalities]
        if len(named) >= 2 and every_price(reading.tokens):  # "the gap between the cheapest A and B"
            return self.sides.cheapest(plan.query, every_answer=True)
        if len(named) != 1 or len(reading.entities) > 1 or reading.cue_strengths.get(COMPARE) or yes_or_no:
            return None
        cost = Plan(self.graph.query(COST), {"modality": [named[0].iris[0]]}, frozenset(named), plan.cue)
        return self._run(reading, cost)[0]

    def _first_answer(self, reading: Reading, plans: list[Plan]) -> tuple[Composed | None, str, bool]:
        """The first of the plans that answers (a bare name's, past answers that are only our own
        explanation); else the first one's reason, and whether it is a definite "no"."""
        reason, definite = "", False
        one = len(reading.entities) == 1
        bare = one and not any(p.cue.score for p in plans)
        tied: Composed | None = None  # a bare name's own answer: what it is, what the article ties it to
        said = self.evidence.ties(reading.entities[0].iris[0]) if one else ""
        for plan in plans:
            if tied is not None and not any(p.required for p in plan.query.params if p.name in plan.values):
                continue  # a query that answers in general, whatever the name ("stress": choosing in general)
            composed, why, found = self._run(reading, plan)
            telling = composed is not None and composed.intent == DESCRIBE and (bare or _only_ours(composed))
            if said and composed is not None and telling:
                # a bare name, or one the article does not define ("what are trigger points"): what the
                # article ties it to as well
                composed.text = f"{composed.text} {said}"
                tied = composed
            if composed is not None and (len(plans) == 1 or not _only_ours(composed)):
                return composed, "", False
            if composed is None and found and self.runner.narrowing(plan, reading):
                # the source answers, naming other things than the one asked of: that is the answer
                return self._not_that(reading, plan), "", True
            if not reason:
                reason, definite = why, found
        if tied is not None:
            return tied, "", False
        return None, reason, definite

    def _not_that(self, reading: Reading, plan: Plan) -> Composed:
        """ "Does acupuncture target trigger points?": the source does not say so; what it does name. No "no"
        when a benefit is named after a complaint ("acupuncture stress") or the source links the two otherwise."""
        if not reading.cue_strengths and (named_after := self.sides.choices.eased(reading)):
            return named_after
        if otherwise := linked_otherwise(self.runner, plan, reading, set(self.sides.modalities)):
            return otherwise  # "does acupuncture offer pain relief": it aims for it
        runs, found = self.runner.execute(plan)
        reason = self.runner.nothing_fits(plan, found, reading)
        said = f"The source does not say so: {reason} {self.runner.asides(plan, found)}".strip()
        composed = Composed(plan.query.name, said, found, runs)
        composed.plan, composed.general = plan, False
        if plan.query.name != WHICH:  # whose it is, when another modality's
            self.explainer.whose_instead(composed, reading, self.runner.narrowing(plan, reading))
        return composed

    def _run(self, reading: Reading, plan: Plan) -> tuple[Composed | None, str, bool]:
        """The plan's answer; else why not, and whether the source answered with other things (a "no")."""
        if plan.context:
            plan = context_in_answers(reading, plan, self.graph, self.runner)
        runs, found = self.runner.execute(plan)
        answers = self.runner.narrow(found, plan, reading)
        if not answers:
            plan, runs, found, answers = self._another_reading(reading, plan, runs, found)
        if not answers:
            return None, self.runner.nothing_fits(plan, found, reading), bool(found)
        self.runner.add_costs(answers, reading)
        composed = Composed(plan.query.name, self.runner.sentences(plan, runs, answers), answers, runs)
        composed.plan = plan
        answer_other_parts(self.runner, composed, reading, plan)
        self.explainer.how_there(composed, reading, plan)
        self.explainer.why(composed, reading)
        conditions = [self.lexicon.name(c) for c in not_given_for(self.runner, plan, answers)]
        if conditions:
            composed.text += f" The article does not give this for {join(conditions)} in particular."
        return composed, "", True

    def _names_in(self, text: str) -> set[str]:
        """The resources a text names, classes and uncovered topics aside."""
        found = {i for m in self.lexicon.link_exact(normalize(text).split()) for i in m.iris}
        return {i for i in found if not (self.lexicon.is_class(i) or self.lexicon.has_type(i, NOT_IN_SOURCE))}

    def _uncovered(self, reading: Reading) -> list[str]:
        """The topics of the question the article does not cover: those the graph records as such, and
        words that name a topic the graph does not know."""
        topics = topic_names(reading.silent, self.lexicon)
        compared = unlinked_comparisons(reading, self.lexicon, self.interpreter.neighbours)
        return list(dict.fromkeys(topics + compared + reading.unknown))

    def _another_reading(
        self, reading: Reading, first: Plan, runs: list[Run], found: list[Answer]
    ) -> tuple[Plan, list[Run], list[Answer], list[Answer]]:
        """The first other reading of the same things that finds answers; else the first reading as it was."""
        for other in self.interpreter.alternatives(reading, first):
            other_runs, other_found = self.runner.execute(other)
            if answers := self.runner.narrow(other_found, other, reading):
                return other, other_runs, other_found, answers
        return first, runs, found, []

    def _refuse(self, question: str, reading: Reading, reason: str, uncovered: list[str]) -> Answer:
        body: Answer = {
            "question": question,
            "answered": False,
            "text": f"I can't answer that from this graph: {reason} It covers {self.coverage}.",
            "answers": [],
            "suggestions": self.suggestions,
            "interpretation": interpretation(self.lexicon, reading, None, None),
        }
        if uncovered:
            body["not_in_source"] = uncovered
        return body


def _only_ours(composed: Composed) -> bool:
    """An answer that holds our explanation of a term and nothing the source says of it."""
    return all("our_explanation" in a and "definition" not in a.get("details", {}) for a in composed.answers)


def answerer_for(graph: KnowledgeGraph) -> QuestionAnswerer:
    """The answerer of this graph version, built once (its lexicon comes from the graph's labels)."""
    answerer = graph.derived.get("answerer")
    if not isinstance(answerer, QuestionAnswerer):
        answerer = graph.derived["answerer"] = QuestionAnswerer(graph)
    return answerer


def answer_question(graph: KnowledgeGraph, question: str) -> Answer:
    return answerer_for(graph).answer(question)
