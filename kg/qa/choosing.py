"""The article's advice on choosing between the modalities, in general or for a condition, and what eases
a broad complaint ("stress"): each statement with its own hedge."""

from __future__ import annotations

from kg.qa.answers import Answer, also_named
from kg.qa.composed import Composed
from kg.qa.fit import fit_statements, modality_answers
from kg.qa.lexicon import Lexicon
from kg.qa.named import Run, Runner
from kg.qa.plans import NO_CUE, Plan, Reading
from kg.qa.vocab import BENEFIT, CATEGORY, CHOOSE, FIT, PERFORMER, PRACTITIONERS, WHICH
from kg.qa.wording import capital, fit_statement, hedged, join, with_hedge


class Choices:
    def __init__(self, runner: Runner, lexicon: Lexicon, modalities: list[str]) -> None:
        self.runner = runner
        self.lexicon = lexicon
        self.modalities = modalities
        self.named_after = lexicon.named_after(CATEGORY, BENEFIT)  # "stress": "stress reduction"

    def choose(self, condition: str | None, named: frozenset[str] = frozenset()) -> Composed | None:
        """The article's advice on choosing; what the question names that the article says a modality may
        suit ("trigger points", "an evidence-based focus") picks that modality, and is said first."""
        values = {"condition": [condition]} if condition else {}
        graph = self.runner.graph
        given = {"condition": condition} if condition else {}
        fit_run = Run(FIT, given, graph.run(FIT, given))
        runs, factors = self.runner.execute(Plan(graph.query(CHOOSE), values, frozenset(), NO_CUE))
        statements = fit_statements(fit_run)
        sentences = []
        if condition:
            sentences.append(self._for_condition(condition, statements))
        general = [s for s in statements if s["relation"] in ("may suit", "suits people who prefer")]
        picked = [s for s in general if s["value"] in named]
        general = picked + [s for s in general if s not in picked]
        offered, said, offer_runs = self._offered_by(named) if not picked else (set(), "", [])
        sentences += [said, *(fit_statement(s, self.lexicon) for s in general)]
        runs += offer_runs
        if factors:
            sentences.append(
                "The article says the choice depends on "
                + join([with_hedge(f, "", self.lexicon) for f in factors])
            )
        advice = {a for f in factors for a in f.get("details", {}).get("advice", [])}
        sentences += sorted(advice)
        sentences += [fit_statement(s, self.lexicon) for s in statements if s["relation"] == "advice"]
        if condition:  # the modalities the article names for the condition, not the others
            treating = {
                s["modality"] for s in statements if s["relation"] == "treats" and s["value"] == condition
            }
            treating |= {s["modality"] for s in picked}
            statements = [s for s in statements if s["modality"] in treating or not s["modality"]]
        chosen = {p["modality"] for p in picked} or offered
        if chosen and len(chosen) < len(self.modalities):
            statements = [s for s in statements if s["modality"] in chosen]
        answers = modality_answers(statements, condition, self.lexicon, self.runner.article_title)
        if condition and not answers:  # "for stress": the modalities whose benefits are named after it
            linked = self.benefits_named_after(condition)
            if linked is not None:
                sentences.insert(0, linked.text)
                answers, runs = linked.answers, runs + linked.runs
        text = " ".join(capital(s.rstrip(".")) + "." for s in sentences if s)
        return Composed(CHOOSE, text, answers + factors, [fit_run, *runs])

    def _offered_by(self, named: frozenset[str]) -> tuple[set[str], str, list[Run]]:
        """ "I'd rather see a physio, which one": the modality the practitioners named may offer, when that is
        one of the two, and the source's statement of what each named may offer."""
        performers = {i for i in named if self.lexicon.has_type(i, PERFORMER)}
        if not performers:
            return set(), "", []
        offered: dict[str, tuple[Plan, list[Run], list[Answer]]] = {}
        for modality in self.modalities:
            plan = Plan(self.runner.graph.query(PRACTITIONERS), {"modality": [modality]}, frozenset(), NO_CUE)
            runs, found = self.runner.execute(plan)
            if mine := [a for a in found if a["iri"] in performers]:
                offered[modality] = (plan, runs, mine)
        said = " ".join(self.runner.sentence(plan, runs, found) for plan, runs, found in offered.values())
        runs = [r for _, found_runs, _ in offered.values() for r in found_runs]
        return (
            (set(offered) if len(offered) == 1 else set()),
            said,
            runs,
        )  # "a chiro or an acupuncturist": each

    def benefits_named_after(self, condition: str) -> Composed | None:
        """What the source links to the benefits named after a broad complaint, and to whom."""
        query = self.runner.graph.query(WHICH)
        said: list[str] = []
        answers: list[Answer] = []
        runs: list[Run] = []
        for benefit in sorted(self.named_after.get(condition, ()), key=self.lexicon.label):
            plan = Plan(query, {"value": [benefit]}, frozenset(), NO_CUE)
            found_runs, found = self.runner.execute(plan)
            if found:
                said.append(self.runner.sentence(plan, found_runs, found))
                answers += [a for a in found if a["iri"] not in {b["iri"] for b in answers}]
                runs += found_runs
        if not answers:
            return None
        return Composed(WHICH, " ".join(said), answers, runs)

    def _for_condition(self, condition: str, statements: list[dict[str, str]]) -> str:
        name = self.lexicon.name(condition)
        treats = [s for s in statements if s["relation"] == "treats" and s["value"] == condition]
        favoured = [s for s in statements if s["relation"] == "is favoured for"]
        parts = []
        if treats:
            named = [hedged(self.lexicon.name(s["modality"]), s["hedge"]) for s in treats]
            parts.append(f"for {name}, the article names {join(named)}")
        missing = [m for m in self.modalities if m not in {s["modality"] for s in treats}]
        if missing and treats:
            parts.append(f"it names no {join([self.lexicon.name(m) for m in missing])} treatment for {name}")
        if favoured:
            parts.append(
                "of the two it favours "
                + join([hedged(self.lexicon.name(s["modality"]), s["hedge"]) for s in favoured])
            )
        combined = [s for s in statements if s["relation"] == "combining the two may give"]
        parts += [fit_statement(s, self.lexicon) for s in combined]
        return "; ".join(parts)

    def eased(self, reading: Reading) -> Composed | None:
        """ "Acupuncture stress": a broad complaint named with a modality the source links to a benefit
        named after it (stress reduction) is answered with that benefit, not with a "no"."""
        named = reading.entities
        modalities = {i for m in named for i in m.iris if i in self.modalities}
        if len(named) - len(modalities) != 1:
            return None  # only the complaint beside the modality: "acupuncture stress"
        for mention in named:
            if not self.lexicon.has_type(mention.iris[0], CATEGORY):
                continue
            if {"only", "just"} & set(reading.tokens[max(0, mention.start - 2) : mention.start]):
                continue  # "is acupuncture only for pain": what else, not the benefit named after it
            eased = self.benefits_named_after(mention.iris[0])
            if eased is not None and modalities and modalities <= {a["iri"] for a in eased.answers}:
                benefits = sorted(self.named_after.get(mention.iris[0], frozenset()))
                eased.answers = [a for a in eased.answers if a["iri"] in modalities] + also_named(
                    benefits, self.lexicon.label, eased.answers
                )
                return eased
        return None
