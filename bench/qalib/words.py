"""The words the bench reads with: our graph's vocabulary, the dev questions, the hand-written gold files.

Only `tests/qa/dev.json` is read; the held-out questions are never opened here.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from bench import ONTOLOGY, QUERIES, ROOT

DEV = ROOT / "tests" / "qa" / "dev.json"
DATA = ROOT / "bench" / "data"
TYPOS = DATA / "typos.tsv"
LEMMAS = DATA / "lemmas.tsv"
INTENTS = DATA / "intents.tsv"

WORD = re.compile(r"[a-z]+")
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
APOSTROPHE_S = re.compile(r"'s\b")
HEADER = re.compile(r"^#\s*(cue|description|title):(.*)$", re.MULTILINE)
DOCUMENT = re.compile(r"^#\s*(title|description|example):(.*)$", re.MULTILINE)
LETTERS = "abcdefghijklmnopqrstuvwxyz"

# Words people type in questions to us, beside the graph's own (the generated typos start from these too).
QUESTION_WORDS = """what which who where when why how does treatment treatments benefits benefit difference
between side effects complications techniques technique needles needle cheaper cheapest safer safest
similar pregnant expensive price prices cost costs session sessions practitioner practitioners therapist
therapy therapies condition conditions muscles muscle trigger points pain back sciatica plantar fasciitis
acupuncture acupuncturist needling chiropractor physical infection soreness bruising risks risky risk
compare comparison better worse about should could would choose choosing decide option options help helps
relief relieve work works working origin come from chinese western medicine holistic energy balance
meridians flexibility tension circulation blood flow healing recommended insurance covered appointment
after before during normal common rare evidence based effective effectiveness similarity similarities
target targets involved explain difference differences versus anyone doctor""".split()


def words_of(text: str) -> list[str]:
    """Lower-case runs of letters, the unit every candidate is asked about. As the service reads questions,
    a possessive or contracted 's goes and other apostrophes join their word (aren't -> arent, i'm -> im);
    camelCase names in query headers (MedicalCondition) are two words."""
    text = APOSTROPHE_S.sub("", CAMEL.sub(" ", text).lower().replace("\u2019", "'"))
    return WORD.findall(text.replace("'", ""))


def graph_vocabulary(ontology: Path = ONTOLOGY, queries: Path = QUERIES) -> list[str]:
    """The words of every skos:prefLabel and skos:altLabel, and of the cue, description and title lines of
    every named query; one-letter tokens (the s of "'s") are left out, as they are no words."""
    import rdflib
    from rdflib.namespace import SKOS

    graph = rdflib.Graph()
    graph.parse(ontology)
    texts = [str(label) for prop in (SKOS.prefLabel, SKOS.altLabel) for label in graph.objects(None, prop)]
    for path in sorted(queries.glob("*.rq")):
        texts += [match.group(2) for match in HEADER.finditer(path.read_text(encoding="utf-8"))]
    return sorted({word for text in texts for word in words_of(text) if len(word) > 1})


def query_documents(queries: Path = QUERIES) -> list[tuple[str, str]]:
    """(query name, text) for every title, description and example line of every named query."""
    docs = []
    for path in sorted(queries.glob("*.rq")):
        for match in DOCUMENT.finditer(path.read_text(encoding="utf-8")):
            docs.append((path.stem, match.group(2).strip()))
    return docs


def dev_cases() -> list[dict[str, object]]:
    return list(json.loads(DEV.read_text(encoding="utf-8")))


def read_tsv(path: Path) -> list[list[str]]:
    """Rows of a tab-separated file; lines starting with # and blank lines are comments."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            cells = line.split("\t")
            if len(cells) < 2:
                raise ValueError(f"{path}:{number}: expected tab-separated cells, got {line!r}")
            rows.append([cell.strip() for cell in cells])
    return rows


def one_edit(word: str, rng: random.Random) -> str:
    """The word with one random insertion, deletion, substitution or transposition of neighbours."""
    kind = rng.choice(("insert", "delete", "substitute", "transpose"))
    at = rng.randrange(len(word))
    if kind == "insert":
        return word[:at] + rng.choice(LETTERS) + word[at:]
    if kind == "delete":
        return word[:at] + word[at + 1 :]
    if kind == "substitute":
        return word[:at] + rng.choice(LETTERS.replace(word[at], "")) + word[at + 1 :]
    at = min(at, len(word) - 2)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def generated_typos(
    sources: list[str], known: set[str], size: int, seed: int, edits: int = 1
) -> tuple[list[tuple[str, str]], int]:
    """(typo, original) pairs from words of four letters or more (six or more for two edits), `edits`
    random edits each. A typo that is itself a word of either dictionary is drawn again (no per-word
    checker could know it was meant otherwise); the number drawn again is returned beside the pairs."""
    rng = random.Random(seed * 10 + edits)
    pool = sorted({word for word in sources if len(word) >= 2 + 2 * edits})
    pairs: list[tuple[str, str]] = []
    redrawn = 0
    while len(pairs) < size:
        word = typo = rng.choice(pool)
        for _ in range(edits):
            typo = one_edit(typo, rng)
        if typo in known or typo == word:
            redrawn += 1
            continue
        pairs.append((typo, word))
    return pairs, redrawn


def common_english(count: int) -> list[str]:
    """The most frequent English words of wordfreq's own (bundled) lists, letters only, three or more."""
    from wordfreq import top_n_list

    return [word for word in top_n_list("en", count * 2) if WORD.fullmatch(word) and len(word) >= 3][:count]


def correct_words(vocabulary: list[str], size: int, seed: int) -> list[str]:
    """Correctly spelt words that must come back unchanged: half ours, half common English."""
    rng = random.Random(seed + 1)
    ours = rng.sample(sorted({w for w in vocabulary + QUESTION_WORDS if len(w) >= 3}), size // 2)
    english = [word for word in common_english(3000) if word not in ours]
    return ours + rng.sample(english, size - len(ours))
