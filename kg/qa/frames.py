"""Questions about both modalities at once: side by side on the aspect asked, what they share, and which
to choose, in general or for a condition.

A question is about both when it names both, or points at them together ("they", "the two", "which one"),
or asks "which" with a comparative ("which is riskier"). What it asks of them comes from the catalogue's
cue phrases, as for any question: the side-by-side, common-ground and choice queries have cues of their
own, and the aspect of a comparison is the per-modality query the question's words fit best ("riskier"
is risks, "cheaper" is cost).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise

from kg.catalogue import NamedQuery
from kg.qa.amounts import than_amount
from kg.qa.comparatives import COMPARATIVE, comparative, every_price
from kg.qa.lexicon import Lexicon, Mention
from kg.qa.plans import Reading, expand
from kg.qa.stopwords import STOPWORDS
from kg.qa.vocab import (
    CATEGORY,
    CHEAPEST,
    CHOOSE,
    CLAIMS,
    COMMON,
    COMPARE,
    CONDITION,
    COST,
    MODALITY,
    MODALITY_CURIE,
    PERFORMER,
    WHICH,
)
from kg.qa.words import lemma

THINGS = "things"
EACH = "each"  # several values, each with the modality linked to it ("stress vs tight muscles")  # two things of one kind side by side ("superficial vs deep dry needling")
_FRAMES = (COMPARE, COMMON, CHOOSE)
# Words of English grammar that point at both modalities together, and the words that make a comparative.
_BOTH = frozenset("they them their both two either each ones other".split())
_EACH = frozenset(["each", "both", "either"])
_PRONOUNS = frozenset(["they", "them", "their"])


_JOINS = frozenset(["vs", "versus", "or", "and"])
_PREFER = frozenset(["prefer", "rather", "want", "like"])
_CONTRASTED = frozenset(["vs", "versus", "instead", "rather", "than", "over"])


@dataclass(frozen=True)
class Frame:
    """A question about both modalities: what it asks (compare, common, choose) and of what."""

    kind: str
    aspect: NamedQuery | None = None  # the per-modality query of the aspect asked
    condition: str | None = None  # choose: the condition the choice is for
    value: Mention | None = None  # "which one is more holistic": the property asked about
    unasked: tuple[str, ...] = ()  # comparatives the graph cannot answer ("which is older")
    things: tuple[Mention, ...] = ()  # two things of one kind, each said what it is
    both_named: bool = False  # the question names the two modalities: both sides are answers
    picks: bool = False  # "which one is cheaper": the one is the answer, not both sides
    # choose: what the question names ("trigger points"), which may pick one of the two
    named: frozenset[str] = frozenset()
    shared: bool = False  # compare: only what both have is asked for
    choosing: bool = False  # "A or B", "A vs B", "which": one of the two is sought, not a premise checked


@dataclass(frozen=True)
class Framing:
    """What frame detection needs from the graph and the catalogue, built once per graph version."""

    lexicon: Lexicon
    aspects: dict[str, NamedQuery]  # answer class → the per-modality query answering with it
    specificity: Callable[[str], int]  # how much the source says of a resource
    known: Callable[[str], bool]  # whether a word is one the catalogue or the graph uses


def frame_of(reading: Reading, framing: Framing) -> Frame | None:
    """The frame of a question about both modalities, or None when it is about one thing."""
    lexicon = framing.lexicon
    modalities = {i for m in reading.entities for i in m.iris if lexicon.has_type(i, MODALITY)}
    conditions = [m for m in reading.entities if _is(m, CONDITION, lexicon) and not _is(m, MODALITY, lexicon)]
    # a practitioner stands for what they practise ("my physio or an acupuncturist"): no value
    performers = [m for m in reading.entities if _is(m, PERFORMER, lexicon)]
    values = [
        m
        for m in reading.entities
        if not _is(m, MODALITY, lexicon) and m not in conditions and m not in performers
    ]
    named = {i for m in reading.mentions for i in range(m.start, m.end)}  # "lower back pain" compares nothing
    limits = {i for i in range(len(reading.tokens)) if than_amount(reading.tokens, i)}  # "less than 60"
    comparatives = [t for i, t in enumerate(reading.tokens) if i not in named | limits and comparative(t)]
    crosswise = reading.tokens.count("which") >= 2  # "which gives which": each value to its modality
    together = (
        crosswise
        or len(modalities) >= 2
        or (not modalities and len(performers) >= 2)
        or any(t in _BOTH for t in reading.tokens)
        or ("which" in reading.tokens and bool(comparatives) and not modalities)  # "which is riskier"
    )
    scores = {name: reading.cue_scores.get(name, 0) for name in _FRAMES}
    # "which one is cheaper", "A or B?": the one is the answer ("by how much", "the $70 one": both)
    either = any(t == "or" and n not in ("no", "not") for t, n in pairwise([*reading.tokens, ""]))
    picks = ("which" in reading.tokens or either) and not (every_price(reading.tokens) or reading.amounts)
    # the condition the question is about: of several ("heel pain from plantar fasciitis"), the one the
    # source says most of
    ranked = sorted((i for m in conditions for i in m.iris), key=framing.specificity, reverse=True)
    condition = ranked[0] if ranked else None
    aspect = _setting(cued := _aspect(reading), reading, condition)
    if aspect is not None and aspect.name == COST and picks:  # "A vs B, which one is cheaper per session"
        aspect = next((p.query for p in reading.plans if p.query.name == CHEAPEST and p.cue.strength), aspect)
    setting = cued is not None and aspect is None  # the condition is what the words asked about
    # a practitioner asked about or preferred ("I'd rather see a physio") may pick what they offer
    preferred = [
        m
        for m in performers
        if (m.start >= reading.asking_from or _PREFER & set(reading.tokens[max(0, m.start - 5) : m.start]))
        and "than" not in reading.tokens[max(0, m.start - 2) : m.start]
    ]
    told = frozenset(i for m in values + conditions + preferred for i in m.iris)
    kinds = [frozenset(k for i in m.iris for k in lexicon.types.get(i, ())) for m in values]
    between = reading.tokens[values[0].end : values[1].start] if len(values) >= 2 else []
    joins = (
        _JOINS if scores[COMPARE] else _JOINS - {"and"}
    )  # "pain relief and less stress" are not two choices
    asked = any(n not in _FRAMES and n != CLAIMS for n in reading.cue_strengths)
    contrasted = any(t in _CONTRASTED for t in between)  # "deep dry needling instead of superficial"
    shared = ((scores[COMPARE] or scores[CHOOSE]) and any(t in joins for t in between)) or contrasted
    shared = shared and not asked
    shared = shared and bool(frozenset.intersection(*kinds))
    if shared and not reading.negated and not modalities - {i for m in values for i in m.iris}:
        return Frame(THINGS, things=tuple(values))  # "superficial vs deep dry needling": what each is
    first = reading.plans[0] if reading.plans else None
    if (
        first is not None
        and first.cue.strength
        and first.query.about
        and first.query.name not in (*_FRAMES, CHEAPEST, WHICH)
        and _no_aspect(first.query)
    ):
        return None  # "dry needling alongside acupuncture": a query of its own about both, no aspect
    # "qi imbalance vs muscle tension, which therapy for which": conditions are the values to pair when
    # nothing else is named (beside a value, a condition is the setting: "for sciatica, which ... which")
    paired = conditions if crosswise and not values else values
    joined = sorted(conditions + values, key=lambda m: m.start)
    each_of = any(t in _EACH for t in reading.tokens)  # "stress vs tight muscles, for each"
    versus = (
        crosswise
        and all(  # "qi imbalance vs trigger points, which for which"
            0 < len(gap := reading.tokens[a.end : b.start]) <= 2 and set(gap) <= _JOINS | _CONTRASTED
            for a, b in pairwise(joined)
        )
    )
    # "tight quads and stress, which for which": a broad complaint pairs too ("for sciatica, which ... which" not)
    complaints = crosswise and all(_is(m, CATEGORY, lexicon) for m in conditions)
    # "plantar fasciitis, heel and calf both aching": one named condition beside complaints is the setting
    setting_only = (
        sum(not _is(m, CATEGORY, lexicon) for m in conditions) == 1 < len(conditions) and not values
    )
    if len(paired) < 2 and (each_of or versus or complaints) and not setting_only:
        paired = joined
    # "acupuncture targets trigger points and dry needling meridians, right?": both named, two of a kind
    swapped = len(modalities) >= 2 and len(values) == 2 and bool(frozenset.intersection(*kinds))
    one_each = len(paired) >= 2 and (crosswise or swapped or any(t in _EACH for t in reading.tokens))
    # "if I only had $60, which one could I get": what the budget allows, not how to choose
    budget = first is not None and any(
        p.type == "decimal" and p.name in first.values for p in first.query.params
    )
    # "side effects of the treatment people say gives them mental clarity": two steps ("them" is the people)
    pointed = crosswise or any(scores.values()) or set(reading.tokens) & (_BOTH - _PRONOUNS)
    if first is not None and first.feeds is not None and first.cue.strength and not (modalities or pointed):
        return None
    if budget and not comparatives:
        return None  # "which one can I get for under $60, A or B": what the budget allows
    if (
        scores[CHOOSE]
        and scores[CHOOSE] >= max(scores[COMPARE], scores[COMMON])
        and not one_each
        and not budget
    ):
        if values and not condition:  # "I want relaxation, which one": what each is linked to, and choosing
            return Frame(CHOOSE, value=values[0], aspect=_value_aspect(values[0], framing))
        outweighs = aspect is not None and reading.cue_strengths.get(
            aspect.name, 0
        ) > reading.cue_strengths.get(CHOOSE, 0)
        choosing = reading.cue_strengths.get(CHOOSE, 0)
        if performers and not together and any(v > choosing for v in reading.cue_strengths.values()):
            return None  # "how does an acupuncturist decide where the needles go": what they practise, asked
        if aspect is not None and outweighs and (together or not modalities):  # "budget is tight, which one"
            return Frame(COMPARE, aspect=aspect, unasked=_unasked(reading, named, framing), picks=picks)
        if together or condition or not modalities:
            return Frame(CHOOSE, condition=condition, unasked=_unasked(reading, named, framing), named=told)
    if not together:
        return None
    if one_each and ((first and first.every) or (len(modalities) == 1 and set(paired) <= set(conditions))):
        return None  # "one therapy for both", "can acupuncture help both A and B": the plan's own answer
    if one_each:
        return Frame(EACH, things=tuple(paired))  # "mental clarity vs flexibility, which gives which"
    aspect = aspect or _setting(_cued_aspect(reading, framing), reading, condition)
    if values and scores[COMMON] and len(modalities) >= 2:  # "do they use the same kind of needles"
        return Frame(COMPARE, value=values[0], aspect=_value_aspect(values[0], framing), both_named=True)
    if scores[COMMON] and scores[COMMON] >= scores[COMPARE] and not comparatives and aspect is None:
        return Frame(COMMON)
    each = aspect is not None and any(t in _EACH for t in reading.tokens)  # "what does each one target"
    if not (scores[COMPARE] or comparatives or scores[COMMON] or values or each or setting):
        return None
    if aspect is not None and aspect.name == CHEAPEST and len(modalities) < 2:
        return None  # "which is the most affordable": the cheapest, not both prices
    asks_other = any(n not in _FRAMES and n != CLAIMS for n in reading.cue_strengths)
    if (
        conditions
        and aspect is None
        and (reading.cue_strengths.get(COMPARE) or comparatives or not asks_other or setting)
    ):
        return Frame(CHOOSE, condition=condition, named=told)  # "dry needling or acupuncture for sciatica?"
    if len(values) >= 2 and scores[COMPARE]:
        return Frame(EACH, things=tuple(values))  # "mental clarity vs flexibility: how do they differ"
    if values:  # "which one is more holistic", "do they cause a twitch response": who is linked to it
        return Frame(
            COMPARE,
            value=values[0],
            aspect=aspect or _value_aspect(values[0], framing),
            both_named=len(modalities) >= 2 or "other" in reading.tokens,  # "... so where is the other from"
            choosing=picks or bool({"vs", "versus"} & set(reading.tokens)),
        )
    # "which conditions do both cover", "what risks do they share": what the two have both
    shared = bool(scores[COMMON] or "both" in reading.tokens) and aspect is not None and aspect.name != COST
    unasked = _unasked(reading, named, framing)
    return Frame(COMPARE, aspect=aspect, unasked=unasked, picks=picks, shared=shared, condition=condition)


def aspects_of(catalogue: Iterable[NamedQuery]) -> dict[str, NamedQuery]:
    """Each per-modality query by the kind of thing it answers with: an origin, a target, a risk..."""
    found: dict[str, NamedQuery] = {}
    for query in catalogue:
        kind = expand(query.answer_class)
        if kind and query.cues and any(p.rdf_class == MODALITY_CURIE for p in query.params):
            found.setdefault(kind, query)
    return found


def _no_aspect(query: NamedQuery) -> bool:
    return not any(p.rdf_class == MODALITY_CURIE for p in query.params)


def _aspect(reading: Reading) -> NamedQuery | None:
    """The per-modality query the question's own words ask for: the best plan whose query takes a
    modality, found by a content cue ("risks", "cheaper") or else by any cue ("who can do it"), other than
    the frames themselves."""
    for strong in (True, False):
        for plan in reading.plans:
            if plan.query.name in _FRAMES or plan.feeds or not plan.cue.score:
                continue
            if strong and not plan.cue.strength:
                continue
            if plan.query.name == CHEAPEST or any(p.rdf_class == MODALITY_CURIE for p in plan.query.params):
                return plan.query
    return None


def _setting(aspect: NamedQuery | None, reading: Reading, condition: str | None) -> NamedQuery | None:
    """The aspect, unless with a condition named it asks nothing of its own: "does A or B work better for
    sciatica" asks which one for it, not how each works; in "my issue is muscle tension: A or B?" the
    condition is the setting, not the conditions each treats."""
    if aspect is None or not condition:
        return aspect
    kind = expand(aspect.answer_class)
    # "what conditions does each treat": the kind is asked for, by a class name or a "what" before its cue
    tokens = reading.tokens
    asked = any(kind in m.iris for m in reading.classes) or any(
        i > 0 and tokens[i - 1] in ("what", "which") for i in reading.cue_positions.get(aspect.name, ())
    )
    if reading.asks_if_it_works(aspect.name) or (kind == CONDITION and not asked):
        return None
    return aspect


def second_aspect(reading: Reading, first: NamedQuery | None) -> NamedQuery | None:
    """Another per-modality query the question's own words ask for beside the first, by cue words of its
    own ("dry needling vs acupuncture cost risks", "compare the risks and the prices")."""
    if first is None:
        return None
    taken = {i for p in reading.plans if p.query.name == first.name for i in p.cue.positions}
    said = (CHEAPEST, COST) if first.name == CHEAPEST else (CHEAPEST, first.name)  # the cheapest says prices
    for plan in reading.plans:
        if plan.query.name in (*_FRAMES, *said) or plan.feeds or not plan.cue.strength:
            continue
        if not plan.cue.positions & taken and any(p.rdf_class == MODALITY_CURIE for p in plan.query.params):
            return plan.query
    return None


def _cued_aspect(reading: Reading, framing: Framing) -> NamedQuery | None:
    """A per-modality query whose content cue the question has, though no reading of it accounts for all
    the question names ("Sciatica: what does each one target")."""
    cued = [q for q in framing.aspects.values() if reading.cue_strengths.get(q.name)]
    return max(cued, key=lambda q: reading.cue_strengths[q.name], default=None)


def _value_aspect(value: Mention, framing: Framing) -> NamedQuery | None:
    """The per-modality query whose answers are of the value's kind: "Western medicine" is an origin."""
    kinds = {k for i in value.iris for k in framing.lexicon.types.get(i, ())}
    return next((q for kind, q in framing.aspects.items() if kind in kinds), None)


def unranked(frame: Frame, reading: Reading) -> tuple[str, ...]:
    """ "Which is safer", "which hurts less": a ranking the source does not make, though it gives each side
    of the aspect asked (not a price, which ranks itself)."""
    if frame.kind != COMPARE or frame.aspect is None or frame.aspect.name in (CHEAPEST, COST):
        return frame.unasked
    tokens, found = reading.tokens, list(frame.unasked)
    named = {i for m in reading.mentions for i in range(m.start, m.end)}
    # a price comparative ("the cheaper of the two") is the source's to answer, whatever the aspect
    named |= {i for q in (CHEAPEST, COST) for i in reading.cue_positions.get(q, ())}
    for i, token in enumerate(tokens):
        if i in named or not comparative(token) or any(token in w.split() for w in found):
            continue
        if token not in COMPARATIVE:
            found.append(token)  # "safer", "riskier"
        elif i + 1 < len(tokens) and tokens[i + 1] not in STOPWORDS and i + 1 not in named:
            found.append(f"{token} {tokens[i + 1]}")  # "more painful" (not "more side effects")
        elif i > 0 and tokens[i - 1] not in STOPWORDS:
            after = tokens[i + 1 : i + 2] if i + 1 < len(tokens) and tokens[i + 1] not in STOPWORDS else []
            found.append(" ".join([tokens[i - 1], token, *after]))  # "hurts less", "carries more risk"
    return tuple(found)


def _unasked(reading: Reading, named: set[int], framing: Framing) -> tuple[str, ...]:
    """The comparisons asked that neither the catalogue nor the graph has words for: "faster", "more
    scientific" (a "more" or "less" goes with the word after it)."""
    tokens = reading.tokens
    found = []
    for i, token in enumerate(tokens):
        if i in named or not comparative(token):
            continue
        if token in COMPARATIVE:
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            if following.isalpha() and following not in STOPWORDS and not framing.known(lemma(following)):
                found.append(f"{token} {following}")
        elif not framing.known(lemma(token)):
            found.append(token)
    return tuple(found)


def _is(mention: Mention, rdf_class: str, lexicon: Lexicon) -> bool:
    return any(lexicon.has_type(i, rdf_class) for i in mention.iris)
