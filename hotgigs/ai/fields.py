"""Section-aware resume reading and BM25F over a candidate's fields.

**Sections.** :func:`split_sections` cuts a resume into ``skills``, ``experience``,
``education`` and ``other`` at its headings ("Skill Details", "Technical Skills",
"Company Details", "Work Experience", "Education Details", "Academic Qualifications", …).
A heading counts at the start of a line, after a bullet or sentence end, or glued to the
previous word the way text extracted from PDFs often is ("…monthsCompany Details"); a
one-word heading ("Skills", "Education") only at the start of a line and followed by a
colon or the end of the line, so prose that says "experience" does not open a section.

**BM25F.** A candidate has five fields with fixed weights (set by principle, not fitted):
the headline names the role (3.0), the skills section and listed skills are claims of
skill (2.0), the experience section shows them used (1.5), the summary and anything
outside a known section count once (1.0), education says little about fit (0.5). A
term's pseudo-frequency is ``Σ_f w_f · tf_f / (1 − b + b · len_f / AVG_LEN_f)`` and its
saturated weight ``tf̃ / (K1 + tf̃)`` in [0, 1). The job is the query: its TF-IDF weights
(``text.weights`` of ``JobProfile.lexical_text``, title counted three times) rescaled to
sum to 1. The score is ``Σ_t q_t · sat_t`` in [0, 1): the share of the job's (IDF-weighted)
terms the candidate's fields carry, each term saturating, so a resume that repeats one
word forty times gains little over one that says it three times.

The average field lengths are fixed constants too, so a pair's score depends on that pair
alone (as every score receipt promises), and ranking 10 or 100,000 candidates gives each
the same number. Both sides are hashed into ``text.N_FEATURES`` columns, as the TF-IDF
vectors are, so a ranking is one sparse product.
"""

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from hotgigs.ai import text

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

    from hotgigs.ai.profiles import CandidateProfile

SECTIONS = ("skills", "experience", "education", "other")

K1 = 1.2
B = 0.75
FIELD_WEIGHTS: dict[str, float] = {
    "headline": 3.0,
    "skills": 2.0,
    "experience": 1.5,
    "other": 1.0,
    "education": 0.5,
}
# Typical lengths in features (words that are not stop words, plus skill features).
AVG_LENGTH: dict[str, float] = {
    "headline": 4.0,
    "skills": 40.0,
    "experience": 200.0,
    "other": 120.0,
    "education": 30.0,
}

# Multi-word headings, matched wherever they stand (even glued to the word before).
_HEADINGS: dict[str, tuple[str, ...]] = {
    "skills": (
        "skill details",
        "technical skills",
        "technical skill set",
        "key skills",
        "core skills",
        "it skills",
        "software skills",
        "skill set",
        "core competencies",
        "areas of expertise",
        "technical proficiency",
        "technologies known",
    ),
    "experience": (
        "company details",
        "work experience",
        "professional experience",
        "employment history",
        "work history",
        "career history",
        "project details",
        "projects undertaken",
        "professional summary",
        "experience details",
    ),
    "education": (
        "education details",
        "educational details",
        "educational qualification",
        "educational qualifications",
        "academic qualification",
        "academic qualifications",
        "academic details",
        "academic profile",
        "academic credentials",
        "certifications",
    ),
}
# One-word headings: only alone at the start of a line (optionally with a colon).
_SINGLE: dict[str, str] = {
    "skills": "skills",
    "expertise": "skills",
    "experience": "experience",
    "employment": "experience",
    "projects": "experience",
    "education": "education",
    "qualifications": "education",
    "qualification": "education",
}


def _heading_pattern() -> "re.Pattern[str]":
    multi = sorted(
        ((phrase, section) for section, phrases in _HEADINGS.items() for phrase in phrases),
        key=lambda item: -len(item[0]),
    )
    alternatives = [r"\s+".join(map(re.escape, phrase.split())) for phrase, _ in multi]
    single = "|".join(map(re.escape, _SINGLE))
    return re.compile(
        rf"(?P<multi>{'|'.join(alternatives)})(?![a-z])|(?:^|\n)[ \t•*\-]*(?P<single>{single})[ \t]*(?::|\n|$)",
        re.IGNORECASE,
    )


_PATTERN = _heading_pattern()
_SECTION_OF = {phrase: section for section, phrases in _HEADINGS.items() for phrase in phrases}


def split_sections(resume: str) -> dict[str, str]:
    """The resume's text per section (``SECTIONS``); text before any heading is ``other``."""
    parts: dict[str, list[str]] = {name: [] for name in SECTIONS}
    current, start = "other", 0
    for match in _PATTERN.finditer(resume):
        if match.group("multi"):
            section = _SECTION_OF[" ".join(match.group("multi").lower().split())]
        else:
            section = _SINGLE[match.group("single").lower()]
        parts[current].append(resume[start : match.start()])
        current, start = section, match.end()
    parts[current].append(resume[start:])
    return {name: "\n".join(p.strip() for p in chunks if p.strip()) for name, chunks in parts.items()}


def candidate_fields(candidate: "CandidateProfile") -> dict[str, str]:
    """The BM25F fields of a candidate: headline, skills, experience, other, education."""
    sections = split_sections(candidate.resume_text)
    listed = ", ".join(candidate.names.get(k, k) for k in sorted(candidate.skills) if k not in candidate.inferred)
    return {
        "headline": candidate.headline,
        "skills": "\n".join(p for p in (listed, sections["skills"]) if p),
        "experience": sections["experience"],
        "other": "\n".join(p for p in (candidate.summary, sections["other"]) if p),
        "education": sections["education"],
    }


def saturated(fields: dict[str, str]) -> dict[int, float]:
    """A candidate's saturated BM25F term weights by hashed column (see the module docstring)."""
    pseudo: dict[int, float] = {}
    for name, value in fields.items():
        if not value:
            continue
        counts = Counter(text.features(value))
        length = sum(counts.values())
        norm = FIELD_WEIGHTS[name] / (1.0 - B + B * length / AVG_LENGTH[name])
        for feature, count in counts.items():
            col = text.column(feature)
            pseudo[col] = pseudo.get(col, 0.0) + count * norm
    return {col: tf / (K1 + tf) for col, tf in pseudo.items()}


def query(job_lexical_text: str) -> dict[int, float]:
    """A job's BM25F query weights: its TF-IDF weights rescaled to sum to 1."""
    weights = text.weights(job_lexical_text)
    total = sum(weights.values())
    return {col: value / total for col, value in weights.items()} if total else {}


def score(query_weights: dict[int, float], candidate_weights: dict[int, float]) -> float:
    """The BM25F score of one pair, in [0, 1)."""
    return sum(value * candidate_weights.get(col, 0.0) for col, value in query_weights.items())


def rows(weight_maps: "list[dict[int, float]]", *, csc: bool) -> "sparse.spmatrix":
    """Weight maps as a float32 sparse matrix (one row each, ``text.N_FEATURES`` columns)."""
    import numpy as np
    from scipy import sparse

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for row in weight_maps:
        indices.extend(row.keys())
        data.extend(row.values())
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
        shape=(len(indptr) - 1, text.N_FEATURES),
    )
    return matrix.tocsc() if csc else matrix


def scores_against(weights: dict[int, float], matrix: "sparse.spmatrix") -> "np.ndarray[Any, Any]":
    """``weights`` (a query or a candidate) dotted with every row of ``matrix``: float32 per row."""
    import numpy as np

    if not weights:
        return np.zeros(matrix.shape[0], dtype=np.float32)
    cols = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
    values = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
    result = matrix[:, cols] @ values
    return np.clip(np.asarray(result, dtype=np.float32).ravel(), 0.0, 1.0)
