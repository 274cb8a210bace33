"""How each thing a question names stands in it: asked about, or set aside ("besides the needles"), an
example of what is asked ("side effects like bruising"), who said something ("my PT mentioned"), denied
("the one that isn't holistic"), taken for granted ("since it comes from China"), who the asker is ("I'm a
nurse"), a complaint of the asker's ("my heel hurts"), or a modality named by description ("the Chinese
one"). The grammar words these rules rest on are here; the names and their kinds come from the graph."""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise

from kg.qa.lexicon import NOT_IN_SOURCE, Lexicon, Mention
from kg.qa.plans import Reading
from kg.qa.stopwords import STOPWORDS
from kg.qa.vocab import APPROACH, ASKER_ROLE, COUNTS, MEDICINE_SYSTEM, MODALITY, PERFORMER, RELATED

# Words of English grammar that set the next thing named aside: "besides the needles", "other than pain".
_ASIDE = frozenset(["besides", "except", "excluding", "apart", "aside", "beyond"])
_DETERMINERS = frozenset(["the", "a", "an", "from", "my", "your", "its", "their", "our"])


_IS_NOT = frozenset(["isnt", "arent", "wasnt", "not"])
_THAT = frozenset(["that", "which", "it", "its", "this"])


def set_aside(tokens: list[str], start: int) -> bool:
    """Whether the name at `start` is set aside: "besides the needles", "other than pain", "not my whole
    body" (a "not" counts only before a determiner: "does it not help sciatica" asks about sciatica)."""
    before = start - 1
    while before >= 0 and tokens[before] in _DETERMINERS:
        before -= 1
    if before >= 0 and tokens[before] in _ASIDE:
        return True
    modified = before - 1  # one word may describe it: "apart from a rare infection", "besides the odd bruise"
    while modified >= 0 and tokens[modified] in _DETERMINERS:
        modified -= 1
    if modified >= 0 and tokens[modified] in _ASIDE and modified < before - 1:
        return True
    if before >= 0 and tokens[before] == "not" and before < start - 1:
        return True
    # "a problem that isn't musculoskeletal" (but "isn't acupuncture better" asks about acupuncture)
    if before >= 1 and tokens[before] in _IS_NOT and tokens[before - 1] in _THAT:
        return True
    return before >= 1 and tokens[before] == "than" and tokens[before - 1] == "other"


# Words for how someone feels, and the words that make it their own complaint ("my heel and arch hurt"),
# not a question about what a treatment does to them ("does it hurt").
_FEELING = frozenset(["hurt", "hurts", "hurting", "ache", "aches", "aching", "sore", "painful"])
_OWNERS = frozenset(["my", "his", "her", "our", "their"])
_VERBS = frozenset("do does did will would can could might is it that this".split())


def aside(tokens: list[str], mention: Mention, asked: set[int], modal: bool) -> bool:
    """Whether the thing named is not what the question asks about: set aside ("besides the needles"), an
    example of what is asked ("side effects like bruising"), or, when a modality is named (`modal`), who said
    something ("my PT mentioned ..."; alone, "my acupuncturist talks about qi" stands for acupuncture)."""
    told = modal and reporter(tokens, mention)
    return set_aside(tokens, mention.start) or example(tokens, mention, asked) or told


# Words for telling: the one named right before them reports; what they say is the question's subject.
_TELLING = frozenset(
    "said says say mentioned mentions suggested suggests recommended recommends told tells wants thinks "
    "reckons swears insists claims keeps talked talks".split()
)


def reporter(tokens: list[str], mention: Mention) -> bool:
    """ "My PT mentioned a shallow kind ...", "my GP said acupuncture calms ...": who said it is context."""
    before, after = mention.start - 1, mention.end
    return before >= 0 and tokens[before] in _OWNERS and after < len(tokens) and tokens[after] in _TELLING


_EXAMPLES = frozenset(["like", "including", "eg", "incl"])
_LISTING = frozenset(["and", "or", "the", "a", "an"])
_BEFORE_FILLER = frozenset(["with", "for", "about", "on", "to", "at", "of"])  # "help with like flexibility"


def example(tokens: list[str], mention: Mention, asked: set[int]) -> bool:
    """ "Side effects like bruising and infection": things named after "like" right after the words that ask
    are examples of what is asked, not a narrowing of it ("I'd like acupuncture" is no example, nor is a
    "like" said as filler after a preposition: "does it help with like flexibility")."""
    for index in range(max(0, mention.start - 4), mention.start):
        if (
            tokens[index] in _EXAMPLES
            and index - 1 in asked
            and index not in asked  # "I would like an evidence-based one": "like" is the asking words' own
            and tokens[index - 1] not in _BEFORE_FILLER
        ):
            between = tokens[index + 1 : mention.start]  # other examples, not a clause ("like I'm five")
            return all(t in _LISTING or t not in STOPWORDS for t in between) and not asked & set(
                range(index + 1, mention.start)
            )
    return False


def complaints(tokens: list[str]) -> set[int]:
    """The places of words that tell what the asker (or someone) feels: "my back hurts", "my heel and arch
    are sore". A feeling after "my ..." with no verb between is a complaint, never a cue for risks."""
    found = set()
    for index, token in enumerate(tokens):
        if token not in _FEELING:
            continue
        for before in range(index - 1, max(-1, index - 6), -1):
            if tokens[before] in _VERBS:
                break
            if tokens[before] in _OWNERS:
                found.add(index)
                break
    return found


# Words that deny what follows ("not holistic", "doesn't use meridians", "isn't acupuncture"), and the
# words that may stand between the denial and the thing denied.
_DENY = frozenset(["not", "isnt", "doesnt", "dont", "arent", "without", "non", "never", "wasnt", "none"])
_BETWEEN = frozenset(
    "the a an use uses used have has target targets involve involves work works on with based from rooted in "
    "about into at go goes focus focused whole believe buy trust like want need care much bother deal do of "
    "for mentioned named listed recommended suggested meant".split()
)


def negated(tokens: list[str], start: int) -> bool:
    """Whether the thing named at `start` is denied: "which one is not holistic", "the one that doesn't use
    meridians" ("does it not help sciatica", "isn't acupuncture Chinese" ask about what they name)."""
    before = start - 1
    while before >= 0 and tokens[before] in _BETWEEN:
        before -= 1
    if before > 0 and tokens[before] not in _DENY | STOPWORDS:  # one word describing it: "the body's energy"
        before -= 1
        while before >= 0 and tokens[before] in _BETWEEN:
            before -= 1
    if before < 0 or tokens[before] not in _DENY or before == 0:  # "isn't acupuncture ...?" asks
        return False
    if tokens[before] == "not" and tokens[before - 1] == "or":  # "whether or not dry needling helps"
        return False
    # "does it not help sciatica" asks; "which one does not help it" denies
    asks = ("does", "do", "can", "will")
    return not (tokens[before] == "not" and before >= 2 and tokens[before - 2] in asks)


_SELF = (("im", "a"), ("im", "an"), ("i", "am", "a"), ("i", "am", "an"), ("as", "a"), ("as", "an"))


def self_described(tokens: list[str], mention: Mention, lexicon: Lexicon) -> bool:
    """ "I'm a nurse", "as a massage therapist", "runner here": the asker saying who they are, in a role
    people describe themselves by."""
    if not lexicon.has_type(mention.iris[0], ASKER_ROLE):
        return False
    before = tuple(tokens[max(0, mention.start - 3) : mention.start])
    return any(before[-len(p) :] == p for p in _SELF) or tokens[mention.end : mention.end + 1] == ["here"]


_AGE = re.compile(r"^(\d{1,2})(?:yo|yr|yrs)?$")
_ADULT = 18


def young(tokens: list[str]) -> list[tuple[int, int]]:
    """Where the question gives an age under 18 ("my 9 year old", "a 15yo", "16 years old")."""
    found = []
    for index, token in enumerate(tokens):
        age = _AGE.match(token)
        if age is None or int(age.group(1)) >= _ADULT:
            continue
        said = tokens[index + 1 : index + 3]
        if token[-1].isalpha() or said in (["year", "old"], ["years", "old"], ["yr", "old"]):
            found.append((index, index + (1 if token[-1].isalpha() else 3)))
    return found


def silent_around_names(reading: Reading, lexicon: Lexicon) -> None:
    """ "How many dry needling sessions": an uncovered topic's name with a name of the graph inside it is the
    topic, found in the question's words with the names taken out. An age under 18 names the young."""
    for start, end in young(reading.tokens):
        for found in lexicon.link_exact(["children"]):
            if any(lexicon.has_type(i, NOT_IN_SOURCE) for i in found.iris):
                reading.silent.append(
                    replace(found, text=" ".join(reading.tokens[start:end]), start=start, end=end)
                )
    for mention in reading.entities:  # "how many acupuncture points": a count of a thing named
        if mention.start >= 2 and reading.tokens[mention.start - 2 : mention.start] == ["how", "many"]:
            reading.silent.append(replace(mention, text=f"how many {mention.text}", iris=(COUNTS,)))
    named = {i for m in reading.entities for i in range(m.start, m.end)}
    kept = [i for i in range(len(reading.tokens)) if i not in named]
    for found in lexicon.link_exact([reading.tokens[i] for i in kept]):
        start, end = kept[found.start], kept[found.end - 1] + 1
        spans_a_name = any(i in named for i in range(start, end))
        if spans_a_name and any(lexicon.has_type(i, NOT_IN_SOURCE) for i in found.iris):
            reading.silent.append(replace(found, start=start, end=end))


# A question that opens with a premise ("since dry needling comes from China, who may do it"): the premise
# runs from one of these words to the first word that starts the question itself.
_PREMISE = frozenset(["since", "because", "given", "seeing"])
_ASKING = frozenset(
    "who what which how why where when does do did is are can could should would will".split()
)


def premise(tokens: list[str]) -> set[int]:
    """The places of an opening premise's words: what the asker takes for granted, not what they ask."""
    if not tokens or tokens[0] not in _PREMISE:
        return set()
    end = next((i for i in range(3, len(tokens)) if tokens[i] in _ASKING), None)
    return set(range(end)) if end is not None else set()


def the_other_one(reading: Reading, lexicon: Lexicon, modalities: list[str]) -> None:
    """ "The one that isn't acupuncture": with one modality set aside and none asked about, the question is
    about the other."""
    aside = {i for m in reading.excluded for i in m.iris if lexicon.has_type(i, MODALITY)}
    if not aside or any(lexicon.has_type(m.iris[0], MODALITY) for m in reading.entities):
        return
    others = [i for i in modalities if i not in aside]
    if len(others) == 1:
        first = next(m for m in reading.excluded if m.iris[0] in aside)
        reading.entities.append(replace(first, iris=(others[0],)))


_ONE = frozenset(["one", "ones", "kind", "type", "version", "option"])


def one_that(tokens: list[str]) -> bool:
    """ "The one that releases endorphins", "the one rooted in ...", "the one for plantar fasciitis": "one"
    with a clause after it stands for a modality."""
    return any(
        a in ("one", "ones", "option")
        and (b in ("that", "which", "who", "for", "with") or b.endswith(("ed", "ing")))
        for a, b in pairwise(tokens)
    )


_IS = frozenset(["is", "was", "s", "isnt", "wasnt"])
_FILLING = frozenset(["needle", "needles", "needling", "therapy", "treatment"])


def described(reading: Reading, lexicon: Lexicon, neighbours: dict[str, set[str]]) -> None:
    """ "The Chinese needle one", "the Western one": a thing of one modality's, said before "one", names that
    modality."""
    tokens = reading.tokens
    pairs = tokens.count("which") >= 2
    if (pairs and len(reading.entities) >= 2) or (
        not pairs and not reading.cue_strengths and len(reading.entities) == 1
    ):
        return  # "which is the X one and which the Y one", "the holistic one, which is it": the thing asked
    for index, mention in enumerate(reading.entities):
        after = mention.end
        while after < len(tokens) and tokens[after] in _FILLING | _ONE:
            after += 1
        said = set(tokens[mention.end : after])
        if not said & (_ONE | {"therapy", "treatment"}) or mention.start == 0:
            continue
        if tokens[mention.start - 1] not in ("the", "that", "this"):
            continue
        if (
            mention.start > 1
            and tokens[mention.start - 2] in _IS
            and any(lexicon.has_type(m.iris[0], MODALITY) for m in reading.entities[:index])
        ):
            continue  # "so acupuncture is the Western one?": said of the one named, a premise to check
        linked = {i for i in neighbours.get(mention.iris[0], ()) if lexicon.has_type(i, MODALITY)}
        if len(linked) == 1 and not lexicon.has_type(mention.iris[0], MODALITY):
            reading.entities[index] = replace(mention, iris=(linked.pop(),))


_KIND_OF = frozenset(["style", "based", "type", "kind"])
_MODIFIERS = (MEDICINE_SYSTEM, APPROACH, PERFORMER, RELATED)


def modifiers(reading: Reading, lexicon: Lexicon, neighbours: dict[str, set[str]]) -> None:
    """ "TCM acupuncture - how much", "PT-style DN": a modality's origin said right before its name, or its
    approach, practice or practitioner with "-style" or "-based", is part of the name, not asked about."""
    tokens = reading.tokens
    for mention, named in pairwise(list(reading.entities)):
        if not lexicon.has_type(named.iris[0], MODALITY) or lexicon.has_type(mention.iris[0], MODALITY):
            continue
        if not set(tokens[mention.end : named.start]) <= _KIND_OF:
            continue
        kinds = lexicon.types.get(mention.iris[0], frozenset())
        styled = bool(set(tokens[mention.end : named.start]))  # "PT-style": a practice or practitioner too
        allowed = _MODIFIERS if styled else (MEDICINE_SYSTEM,)
        if not reading.cue_strengths or not any(k in kinds for k in allowed):
            continue  # "chiropractor dry needling?", "evidence-based dry needling?": the thing asked about
        if named.iris[0] in neighbours.get(mention.iris[0], ()):
            reading.entities.remove(mention)
            reading.excluded.append(mention)


def story_context(reading: Reading, lexicon: Lexicon) -> None:
    """ "We tried massage and PT for his back. Does needling help back pain?": the practices of a story told
    before the sentence that asks are its setting, when that sentence names things of its own and points
    back at nothing ("which one can she offer", "is that acupuncture" ask about the story)."""
    start = reading.asking_from
    asking = reading.tokens[start:]
    if not start or _BACK & set(asking) or not any(m.start >= start for m in reading.entities):
        return
    told = [m for m in reading.entities if m.end <= start and lexicon.has_type(m.iris[0], RELATED)]
    if any(
        m.start >= start and lexicon.has_type(m.iris[0], k)
        for m in reading.entities
        for k in (RELATED, PERFORMER)
    ):
        return  # "I tried physio. Is dry needling just more physio?": the story's practice is asked about
    reading.entities = [m for m in reading.entities if m not in told]
    reading.excluded += told


_BACK = frozenset("she he her him they them that this those these".split())


def asked_for(tokens: list[str], mention: Mention) -> bool:
    """ "Which practitioner", "what kind of practitioner": a class named as the kind of answer asked for."""
    before = tokens[max(0, mention.start - 3) : mention.start]
    if before[-2:] in (["kind", "of"], ["type", "of"], ["sort", "of"]):
        before = before[:-2]
    return bool(before) and before[-1] in ("which", "what")
