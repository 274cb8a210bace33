"""Intent candidates: wordllama embeddings, bm25s, and a TF-IDF cosine of our own, over the same documents
(the title, description and example lines of every named query); and their scoring against hand labels.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

from bench.qalib.probe import latency, timed
from bench.qalib.words import words_of

WORDLLAMA_CONFIG = "l2_supercat"
WORDLLAMA_DIM = 256


def load_wordllama(dim: int = WORDLLAMA_DIM) -> Any:
    """The model the wordllama wheel ships, from the installed package alone. `WordLlama.load` looks for
    the tokenizer in `<package>/tokenizer/` (singular) but the wheel has it in `<package>/tokenizers/`, so
    it goes on to `~/.cache/wordllama` and then downloads. Naming the package folder as the cache makes its
    second look, `<cache_dir>/tokenizers/`, the wheel's own file (the weights are found in the package
    first anyway), and `disable_download` turns any miss into FileNotFoundError instead of a download."""
    from importlib.resources import files

    from wordllama import WordLlama

    package = files("wordllama")
    return WordLlama.load(WORDLLAMA_CONFIG, dim=dim, cache_dir=str(package), disable_download=True)


class Scorer(Protocol):
    def scores(self, question: str) -> list[float]: ...


class WordLlamaScorer:
    """Cosine similarity of the question's embedding to each document's (both normalised)."""

    def __init__(self, documents: list[str]) -> None:
        self.model = load_wordllama()
        self.matrix = self.model.embed(documents, norm=True)

    def embed(self, question: str) -> Any:
        return self.model.embed(question, norm=True)

    def scores(self, question: str) -> list[float]:
        return [float(x) for x in self.matrix @ self.embed(question)[0]]


def lemma_tokens() -> Callable[[str], list[str]]:
    import simplemma

    def tokens(text: str) -> list[str]:
        return [simplemma.lemmatize(word, lang="en") for word in words_of(text)]

    tokens("warm up")
    return tokens


class Bm25Scorer:
    """bm25s (its defaults: Lucene BM25, k1 1.5, b 0.75) over simplemma-lemmatized words."""

    def __init__(self, documents: list[str]) -> None:
        import bm25s

        self.tokens = lemma_tokens()
        self.index = bm25s.BM25()
        self.index.index([self.tokens(doc) for doc in documents], show_progress=False)
        self.size = len(documents)

    def scores(self, question: str) -> list[float]:
        known = [token for token in self.tokens(question) if token in self.index.vocab_dict]
        if not known:
            return [0.0] * self.size
        return [float(x) for x in self.index.get_scores(known)]


class TfIdfScorer:
    """TF-IDF cosine, our own: log-scaled term counts, smoothed idf, unit vectors, the same lemmas."""

    def __init__(self, documents: list[str]) -> None:
        self.tokens = lemma_tokens()
        texts = [self.tokens(doc) for doc in documents]
        frequency = Counter(token for text in texts for token in set(text))
        self.idf = {t: math.log((1 + len(texts)) / (1 + n)) + 1 for t, n in frequency.items()}
        self.vectors = [self.vector(text) for text in texts]

    def vector(self, tokens: list[str]) -> dict[str, float]:
        counts = Counter(token for token in tokens if token in self.idf)
        weights = {t: (1 + math.log(n)) * self.idf[t] for t, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def scores(self, question: str) -> list[float]:
        query = self.vector(self.tokens(question))
        return [sum(w * doc.get(t, 0.0) for t, w in query.items()) for doc in self.vectors]


CANDIDATES: dict[str, tuple[str, Callable[[list[str]], Scorer]]] = {
    "wordllama": (f"wordllama {WORDLLAMA_CONFIG} {WORDLLAMA_DIM}-d, cosine", WordLlamaScorer),
    "bm25s": ("bm25s over simplemma lemmas", Bm25Scorer),
    "tfidf": ("TF-IDF cosine (ours) over simplemma lemmas", TfIdfScorer),
}


def ranked(scores: list[float], names: list[str]) -> list[tuple[str, float]]:
    """Each query once, by the score of its nearest document."""
    best: dict[str, float] = {}
    for name, score in zip(names, scores, strict=True):
        best[name] = max(score, best.get(name, -math.inf))
    return sorted(best.items(), key=lambda item: -item[1])


def _best_threshold(tops: list[tuple[str, float]], accepted: list[set[str]]) -> tuple[float, float]:
    """The cut-off under which a question is read as `none` that scores best on these same questions
    (fit on the test set itself: an optimistic figure, for comparing candidates only)."""
    best = (0.0, -math.inf)
    for cut in sorted({score for _, score in tops} | {-math.inf, math.inf}):
        right = sum(
            ("none" in want) if score < cut else (name in want)
            for (name, score), want in zip(tops, accepted, strict=True)
        )
        best = max(best, (right / max(1, len(tops)), cut))
    return best


def evaluate(scorer: Scorer, work: dict[str, Any], repeat: int) -> dict[str, Any]:
    names = [name for name, _ in work["documents"]]
    labelled = work["intents"]
    rankings, micros = timed(lambda q: ranked(scorer.scores(q), names), [q for q, _ in labelled], repeat)
    accepted = [set(want.split("|")) for _, want in labelled]
    answerable = [i for i, want in enumerate(accepted) if "none" not in want]
    top1 = sum(rankings[i][0][0] in accepted[i] for i in answerable)
    top3 = sum(any(name in accepted[i] for name, _ in rankings[i][:3]) for i in answerable)
    overall, cut = _best_threshold([r[0] for r in rankings], accepted)
    misses = [
        f"{labelled[i][0]} → {rankings[i][0][0]} (want {labelled[i][1]})"
        for i in answerable
        if rankings[i][0][0] not in accepted[i]
    ]
    result = {
        "questions": len(labelled),
        "answerable": len(answerable),
        "top1": top1 / max(1, len(answerable)),
        "top3": top3 / max(1, len(answerable)),
        "with_none": overall,
        "none_cut": cut,
        "errors": misses,
        "latency": latency(micros),
    }
    if isinstance(scorer, WordLlamaScorer):
        result["embed_latency"] = latency(timed(scorer.embed, [q for q, _ in labelled], repeat)[1])
    return result
