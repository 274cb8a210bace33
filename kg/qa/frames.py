"""Questions about both modalities at once: side by side on the aspect asked, what they share, and which
to choose, in general or for a condition.

A question is about both when it names both, or points at them together ("they", "the two", "which one"),
or asks "which" with a comparative ("which is riskier"). What it asks of them comes from the catalogue's
cue phrases, as for any question: the side-by-side, common-ground and choice queries have cues of their
own, and the aspect of a comparison is the per-modality query the question's words fit best ("riskier"
is risks, "cheaper" is cost).
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.catalogue.params import KNOWN_PREFIXES
from kg.qa.lexicon import Lexicon, Mention
from kg.qa.plans import Plan, Reading
from kg.qa.words import lemma

MODALITY = KNOWN_PREFIXES["nkg"] + "Modality"
CONDITION = "http://schema.org/MedicalCondition"
COMPARE = "compare_modalities"
COMMON = "common_ground"
CHOOSE = "choice_factors"
FIT = "modality_fit"
WHICH = "modalities_with_property"
COST = "cost_of_modality"
CHEAPEST = "cheapest_modality"
_FRAMES = (COMPARE, COMMON, CHOOSE)
# Words of English grammar that point at both modalities together, and the words that make a comparative.
_BOTH = frozenset("they them their both two either each ones other which".split())
_COMPARATIVE = frozenset("more less most least".split())


@dataclass(frozen=True)
class Frame:
    """A question about both modalities: what it asks (compare, common, choose) and of what."""

    kind: str
    aspect: Plan | None = None  # compare: the per-modality query of the aspect asked
    condition: str | None = None  # choose: the condition the choice is for
    value: Mention | None = None  # "which one is more holistic": the property asked about


def frame_of(reading: Reading, lexicon: Lexicon) -> Frame | None:
    """The frame of a question about both modalities, or None when it is about one thing."""
    modalities = {i for m in reading.entities for i in m.iris if lexicon.has_type(i, MODALITY)}
    conditions = [m for m in reading.entities if _is(m, CONDITION, lexicon) and not _is(m, MODALITY, lexicon)]
    values = [m for m in reading.entities if not _is(m, MODALITY, lexicon) and m not in conditions]
    together = len(modalities) >= 2 or any(t in _BOTH for t in reading.tokens)
    comparative = any(_comparative(t) for t in reading.tokens)
    scores = {name: reading.cue_scores.get(name, 0) for name in _FRAMES}
    condition = conditions[0].iris[0] if len(conditions) == 1 else None
    if scores[CHOOSE] and scores[CHOOSE] >= max(scores[COMPARE], scores[COMMON]):
        if values and not condition:
            return Frame(CHOOSE, value=values[0])
        if together or condition:
            return Frame(CHOOSE, condition=condition)
    if not together:
        return None
    if scores[COMMON] and scores[COMMON] >= scores[COMPARE] and not comparative:
        return Frame(COMMON)
    aspect = _aspect(reading)
    if not (scores[COMPARE] or comparative or scores[COMMON]):
        return None
    if aspect is not None and aspect.query.name == CHEAPEST and len(modalities) < 2:
        return None  # "which is the most affordable": the cheapest, not both prices
    if values and not aspect and len(modalities) < 2:
        return Frame(COMPARE, value=values[0])
    if conditions and not aspect:
        return Frame(CHOOSE, condition=condition)
    return Frame(COMPARE, aspect=aspect)


def _aspect(reading: Reading) -> Plan | None:
    """The per-modality query the question's own words ask for: the best plan whose query takes a
    modality, found by a content cue ("risks", "cheaper"), other than the frames themselves."""
    for plan in reading.plans:
        if plan.query.name in _FRAMES or not plan.cue.strength or plan.feeds:
            continue
        if any(p.rdf_class == "nkg:Modality" for p in plan.query.params):
            return plan
        if plan.query.name == CHEAPEST:
            return plan
    return None


def compares(reading: Reading) -> bool:
    """Whether the question uses a comparative: "riskier", "more holistic", "cheaper than"."""
    return any(_comparative(t) for t in reading.tokens)


def _comparative(token: str) -> bool:
    """ "riskier", "safer", "cheaper", "more": a word that compares."""
    if token in _COMPARATIVE:
        return True
    return token.endswith(("er", "ier")) and len(token) > 4 and lemma(token) != token


def _is(mention: Mention, rdf_class: str, lexicon: Lexicon) -> bool:
    return any(lexicon.has_type(i, rdf_class) for i in mention.iris)
