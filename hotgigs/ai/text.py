"""Text features and TF-IDF vectors for the text-similarity part of the match score.

A document's features are its words (stop words and numbers dropped, one-word skill
spellings folded to their canonical key, so "JS" and "JavaScript" are the same feature)
plus one ``skill:<key>`` feature per skill of the vocabulary it mentions. Vectors are
sublinear TF (``1 + ln tf``) times a **fixed** IDF (``data/text_idf.json``, computed over
O*NET occupations), hashed into ``N_FEATURES`` columns with CRC-32 and L2-normalized, so
the cosine of two vectors is their dot product.

The IDF is fixed, not fitted on the batch being ranked, so a pair's similarity depends
on the pair alone: the input hash of a score receipt then covers everything that decides
the score, and ranking 10 or 100,000 candidates gives each the same number.

numpy and scipy are imported inside the functions that need them.
"""

import functools
import json
import math
import zlib
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from hotgigs.ai import vocabulary

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

IDF_FILE = vocabulary.DATA_DIR / "text_idf.json"
N_FEATURES = 1 << 18
SKILL_PREFIX = "skill:"
# One-letter words kept as features: the languages C and R.
ONE_LETTER_SKILLS = frozenset({"c", "r"})

# A small English stop list (articles, pronouns, auxiliaries, prepositions) plus the
# filler words of job ads and resumes.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "etc",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "per",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "via",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "able",
        "ability",
        "across",
        "including",
        "include",
        "includes",
        "including",
        "strong",
        "good",
        "excellent",
        "well",
        "using",
        "use",
        "used",
        "work",
        "working",
        "worked",
        "year",
        "years",
        "month",
        "months",
        "experience",
        "experienced",
        "team",
        "teams",
        "company",
        "role",
        "job",
        "candidate",
        "responsibilities",
        "responsible",
        "requirements",
        "required",
        "preferred",
        "plus",
        "new",
        "e.g",
        "i.e",
    ]
)


def features(text: str) -> list[str]:
    """The features of ``text`` (see the module docstring), in order, with repeats."""
    vocab = vocabulary.load()
    tokens = vocabulary.tokenize(text)
    words = [
        vocab.token_synonyms.get(token, token)
        for token in tokens
        if token not in STOP_WORDS and (len(token) > 1 or token in ONE_LETTER_SKILLS) and not token.isdigit()
    ]
    return words + [SKILL_PREFIX + key for key in vocab.find_in_tokens(tokens)]


def column(feature: str) -> int:
    """The hashed column of a feature (stable across processes and versions)."""
    return zlib.crc32(feature.encode("utf-8")) & (N_FEATURES - 1)


@functools.cache
def load_idf() -> tuple[dict[str, float], float]:
    """The bundled IDF table and the IDF of a feature it does not list."""
    with IDF_FILE.open(encoding="utf-8") as handle:
        raw = json.load(handle)
    return {str(k): float(v) for k, v in raw["idf"].items()}, float(raw["unknown_idf"])


def weights(text: str) -> dict[int, float]:
    """The L2-normalized TF-IDF weights of ``text`` by column (empty for empty text)."""
    idf, unknown = load_idf()
    counts = Counter(features(text))
    by_column: dict[int, float] = {}
    for feature, count in counts.items():
        col = column(feature)
        by_column[col] = by_column.get(col, 0.0) + (1.0 + math.log(count)) * idf.get(feature, unknown)
    norm = math.sqrt(sum(value * value for value in by_column.values()))
    if norm == 0.0:
        return {}
    return {col: value / norm for col, value in by_column.items()}


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    """Cosine of two weight maps from :func:`weights` (both are unit vectors)."""
    if len(a) > len(b):
        a, b = b, a
    return max(0.0, min(1.0, sum(value * b.get(col, 0.0) for col, value in a.items())))


def matrix(texts: Iterable[str]) -> "sparse.csc_matrix":
    """The TF-IDF rows of ``texts`` as a CSC matrix (float32, ``len(texts)`` × ``N_FEATURES``).

    CSC because ranking reads a few columns (the job's features) of every row.
    """
    import numpy as np
    from scipy import sparse

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for text in texts:
        row = weights(text)
        indices.extend(row.keys())
        data.extend(row.values())
        indptr.append(len(indices))
    csr = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
        shape=(len(indptr) - 1, N_FEATURES),
    )
    return csr.tocsc()


def similarities(query: dict[int, float], rows: "sparse.csc_matrix") -> "np.ndarray[Any, Any]":
    """Cosine of ``query`` (from :func:`weights`) with every row: one float32 per row."""
    import numpy as np

    if not query:
        return np.zeros(rows.shape[0], dtype=np.float32)
    cols = np.fromiter(query.keys(), dtype=np.int64, count=len(query))
    values = np.fromiter(query.values(), dtype=np.float32, count=len(query))
    result = rows[:, cols] @ values
    return np.clip(np.asarray(result, dtype=np.float32).ravel(), 0.0, 1.0)
