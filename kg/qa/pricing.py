"""Prices in answers: an amount a question quotes set against the source's range, and a modality's price
beside an answer that names it when the question asks one (the explainer's base)."""

from __future__ import annotations

from kg.qa.answers import Answer
from kg.qa.comparatives import every_price
from kg.qa.composed import Composed
from kg.qa.lexicon import Lexicon
from kg.qa.named import Runner
from kg.qa.plans import NO_CUE, Plan, Reading
from kg.qa.vocab import CHEAPEST, COST, FACTORS, MODALITY, TREATMENTS
from kg.qa.wording import capital, join, number, price


class Pricing:
    runner: Runner
    lexicon: Lexicon
    modalities: set[str]
    stands_for: dict[str, frozenset[str]]
    ranges: dict[str, tuple[float, float]]

    def _asking(self, name: str, values: dict[str, list[str]]) -> Plan:
        """A plan of the answerer's own: the named query with these values, no words of the question asking."""
        return Plan(self.runner.graph.query(name), values, frozenset(), NO_CUE)

    def _modalities(self, reading: Reading) -> list[str]:
        return [i for m in reading.entities for i in m.iris if self.lexicon.has_type(i, MODALITY)]

    def priced(self, reading: Reading) -> Composed | None:
        """ "My chiro charges $45 for dry needling, is that normal": an amount and a modality, and no words
        asking for anything but the cost, ask what the source says it costs; the answer says where the
        amount lies."""
        if not reading.amounts or any(p.cue.strength and p.query.name != COST for p in reading.plans):
            return None
        modalities = self._modalities(reading)
        # "my acupuncturist quoted $90": a practitioner stands for what they practise
        modalities = modalities or sorted(
            {i for m in reading.entities for i in self.stands_for.get(m.iris[0], ()) if i in self.modalities}
        )
        if not modalities:
            return None
        plan = self._asking(COST, {"modality": modalities})
        runs, answers = self.runner.execute(plan)
        if not answers:
            return None
        amount = float(reading.amounts[0])
        said = self._range_quoted(reading, answers)
        for answer in [] if said else answers:
            cost = answer.get("cost")
            if not cost or cost.get("min") is None or cost.get("max") is None:
                continue
            where = "below" if amount < cost["min"] else "above" if amount > cost["max"] else "within"
            name = self.lexicon.sentence_case(answer["label"])
            said.append(f"${number(amount)} is {where} the range it gives for {name} ({price(cost)})")
        text = self.runner.sentence(plan, runs, answers)
        if said:
            text += " " + capital("; ".join(said)) + "."
        composed = Composed(COST, text, answers, runs)
        composed.plan = plan
        return composed

    def _range_quoted(self, reading: Reading, answers: list[Answer]) -> list[str]:
        """ "Dry needling is $70 to $150, right?": a range quoted for a modality is set against the source's
        range for it, and named as the other modality's when it is that one's."""
        if len(reading.amounts) < 2:
            return []
        low, high = sorted(float(a) for a in reading.amounts[:2])
        said = []
        for answer in answers:
            cost = answer.get("cost") or {}
            if cost.get("min") is None or cost.get("max") is None:
                continue
            name = self.lexicon.sentence_case(answer["label"])
            if (low, high) == (float(cost["min"]), float(cost["max"])):
                said.append(f"${number(low)}–{number(high)} is the range the source gives for {name}")
                continue
            said.append(f"${number(low)}–{number(high)} is not the range the source gives for {name}")
            said += [
                f"it is the range it gives for {self.lexicon.name(iri)}"
                for iri, quoted in self.ranges.items()
                if quoted == (low, high) and iri != answer["iri"]
            ]
        return said

    def with_price(self, composed: Composed, reading: Reading) -> None:
        """What a price depends on comes with the price ("is $70-150 a fixed rate"); a modality found in a first
        step comes with its price when the question asks one ("the one for trigger points, what's it cost")."""
        unpriced = [a for a in composed.answers if a["iri"] in self.modalities and "cost" not in a]
        self.runner.add_costs(unpriced, reading)
        if priced := [a for a in unpriced if "cost" in a]:
            named = join([f"{self.lexicon.sentence_case(a['label'])} ({price(a['cost'])})" for a in priced])
            composed.text += f" Price of a session: {named}."
        modalities = self._modalities(reading)
        if composed.intent in (COST, TREATMENTS) and not modalities and reading.cue_strengths.get(CHEAPEST):
            self._lowest_first(composed, reading)
        if composed.intent != FACTORS or not modalities:
            return
        plan = self._asking(COST, {"modality": modalities})
        runs, answers = self.runner.execute(plan)
        if answers:
            composed.text += " " + self.runner.sentence(plan, runs, answers)
            composed.answers += answers
            composed.runs[:0] = runs  # the reply's query stays the one asked (the last run)

    def _lowest_first(self, composed: Composed, reading: Reading) -> None:
        """ "Lowest-priced needling option for my back": of the prices found, the one starting lowest is the
        answer, said first (the others stay in the text); "for each", "by how much" keep every price."""
        priced = [a for a in composed.answers if a.get("cost") and a["iri"] in self.modalities]
        if len(priced) < 2 or every_price(reading.tokens):
            return
        starts = sorted(priced, key=lambda a: (float(a["cost"]["min"]), float(a["cost"]["max"])))
        if starts[0]["cost"]["min"] == starts[1]["cost"]["min"]:
            return  # no one starts lowest
        lowest = starts[0]
        name = self.lexicon.sentence_case(lowest["label"])
        composed.text = (
            f"Of these, {name} has the lowest starting price ({price(lowest['cost'])}). {composed.text}"
        )
        composed.answers = [lowest] + [a for a in composed.answers if a not in priced]
