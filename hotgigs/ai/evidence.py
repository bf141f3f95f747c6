"""Evidence for a score receipt: where the candidate's text shows each skill the job asks for.

For every skill of the job (required and preferred), :func:`skill_evidence` says whether the
candidate has it and, when they do, the first sentence of their text that names it (or one
of its spellings in ``hotgigs.ai.vocabulary``: "JS" shows JavaScript) — from the resume first,
then the summary, then the headline. A skill the candidate lists on their profile but whose
name no sentence shows has ``source: "profile"`` and no sentence; a skill they lack has
``found: false``.

The sentences come from the profile the engine scored, so they are already redacted
(``hotgigs.ai.redaction``): a receipt holds no name, email or phone. Each is cut to
:data:`MAX_SENTENCE_CHARS` around the skill. Pure Python; called for the rows that are kept.
"""

import re
from typing import Any

from hotgigs.ai import vocabulary
from hotgigs.ai.profiles import CandidateProfile, JobProfile

MAX_SENTENCE_CHARS = 200
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+|\s+[•·▪‣◦]\s+|^\s*[•·▪‣◦\-*]\s+", re.M)
_CLAUSE_END = re.compile(r"(?<=[,:])\s+|\s+[–—|]\s+")


def sentences(text: str) -> list[str]:
    """The sentences (and list items, lines) of ``text``, trimmed, empty ones dropped."""
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text or "") if part and part.strip()]


def _shorten(sentence: str, key: str) -> str:
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return sentence
    # A long sentence: the clauses around the first one that names the skill.
    clauses = [c for c in _CLAUSE_END.split(sentence) if c.strip()]
    for index, clause in enumerate(clauses):
        if key in vocabulary.skills_in_text(clause):
            window = clause
            for neighbour in clauses[index + 1 :]:
                if len(window) + len(neighbour) + 1 > MAX_SENTENCE_CHARS:
                    break
                window = f"{window} {neighbour}"
            return window if len(window) <= MAX_SENTENCE_CHARS else window[: MAX_SENTENCE_CHARS - 1].rstrip() + "…"
    return sentence[: MAX_SENTENCE_CHARS - 1].rstrip() + "…"


def _sentences_by_skill(candidate: CandidateProfile, keys: set[str]) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for source, text in (
        ("resume", candidate.resume_text),
        ("summary", candidate.summary),
        ("headline", candidate.headline),
    ):
        for sentence in sentences(text):
            if len(found) == len(keys):
                return found
            for key in vocabulary.skills_in_text(sentence):
                if key in keys and key not in found:
                    found[key] = (source, _shorten(sentence, key))
    return found


def skill_evidence(job: JobProfile, candidate: CandidateProfile) -> list[dict[str, Any]]:
    """One entry per skill of ``job``, required ones first: ``{skill, required, found, source, sentence}``.

    ``found`` is whether the candidate has the skill (listed or mentioned); ``source`` is
    ``"resume"``, ``"summary"``, ``"headline"`` or ``"profile"`` (listed, named in no sentence),
    null when not found; ``sentence`` is the text that shows it, null when none does.
    """
    have = {skill.key for skill in job.skills if skill.key in candidate.skills}
    shown = _sentences_by_skill(candidate, have)
    entries: list[dict[str, Any]] = []
    for skill in sorted(job.skills, key=lambda s: not s.required):
        found = skill.key in have
        source, sentence = shown.get(skill.key, ("profile" if found else None, None))
        entries.append(
            {"skill": skill.name, "required": skill.required, "found": found, "source": source, "sentence": sentence}
        )
    return entries
