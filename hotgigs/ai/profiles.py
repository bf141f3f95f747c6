"""What the engine scores: plain, immutable descriptions of a job and of a candidate.

The domain apps build these from their rows (``applications.matching``); the engine never
sees a model, so ``hotgigs.ai`` depends on no domain app. Skill names are folded to the
vocabulary's canonical keys here, once, so "JS" on a profile meets "JavaScript" on a job.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hotgigs.ai import vocabulary

# Skill levels, the jobs app's four-step scale, as numbers.
LEVELS = {"beginner": 1, "intermediate": 2, "advanced": 3, "expert": 4}
DEFAULT_LEVEL = 2
# A skill found only in the candidate's text (summary, resume) counts as beginner level.
INFERRED_LEVEL = 1

REMOTE_POLICIES = ("onsite", "hybrid", "remote")
# The local provider's text similarity counts a job's title and a candidate's headline this
# many times (``lexical_text``): they name the role, while a description runs to hundreds of
# words about duties that neighbouring roles share. Field weighting, as BM25F does.
TITLE_WEIGHT = 3


def level_number(level: str | int | None) -> int:
    """1–4 for a level name or number; the default (intermediate) for anything else."""
    if isinstance(level, int) and not isinstance(level, bool):
        return min(4, max(1, level))
    return LEVELS.get(str(level or "").lower(), DEFAULT_LEVEL)


@dataclass(frozen=True)
class SkillRequirement:
    """One skill a job asks for: canonical key, the name as the job wrote it, level 1–4."""

    key: str
    name: str
    level: int
    required: bool


@dataclass(frozen=True)
class JobProfile:
    """A job as the engine scores it."""

    title: str
    description: str = ""
    skills: tuple[SkillRequirement, ...] = ()
    min_years: int = 0
    location: str = ""
    remote_policy: str = "onsite"
    id: int | None = None

    @classmethod
    def build(
        cls,
        *,
        title: str,
        description: str = "",
        skills: Iterable[tuple[str, str | int | None, bool]] = (),
        min_years: int = 0,
        location: str = "",
        remote_policy: str = "onsite",
        id: int | None = None,
    ) -> "JobProfile":
        """A profile from raw fields; ``skills`` are ``(name, level, required)`` triples.

        Names are folded to canonical keys; when two names fold to the same key the first
        wins, and a required mention beats a preferred one.
        """
        by_key: dict[str, SkillRequirement] = {}
        for name, level, required in skills:
            key = vocabulary.canonical_skill(name)
            if not key:
                continue
            current = by_key.get(key)
            if current is None or (required and not current.required):
                by_key[key] = SkillRequirement(key, " ".join(name.split()), level_number(level), bool(required))
        return cls(
            title=title.strip(),
            description=description.strip(),
            skills=tuple(by_key.values()),
            min_years=max(0, int(min_years or 0)),
            location=location.strip(),
            remote_policy=remote_policy if remote_policy in REMOTE_POLICIES else "onsite",
            id=id,
        )

    @property
    def required(self) -> tuple[SkillRequirement, ...]:
        return tuple(s for s in self.skills if s.required)

    @property
    def preferred(self) -> tuple[SkillRequirement, ...]:
        return tuple(s for s in self.skills if not s.required)

    @property
    def text(self) -> str:
        """Title, description and skill names: the job's side of text similarity."""
        return "\n".join([self.title, self.description, ", ".join(s.name for s in self.skills)])

    @property
    def lexical_text(self) -> str:
        """:attr:`text` with the title counted :data:`TITLE_WEIGHT` times (local TF-IDF features)."""
        return "\n".join([*([self.title] * (TITLE_WEIGHT - 1)), self.text])

    def fingerprint(self) -> dict[str, Any]:
        """Every field that affects a score, as plain JSON data (for the input hash)."""
        return {
            "title": self.title,
            "description": self.description,
            "skills": sorted([s.key, s.level, s.required] for s in self.skills),
            "min_years": self.min_years,
            "location": self.location,
            "remote_policy": self.remote_policy,
        }


@dataclass(frozen=True)
class CandidateProfile:
    """A candidate as the engine scores it.

    ``skills`` maps canonical keys to levels 1–4: the listed skills, plus the skills the
    text mentions that are not listed, at :data:`INFERRED_LEVEL` (``inferred`` names those).
    """

    skills: dict[str, int] = field(default_factory=dict)
    years: int = 0
    location: str = ""
    open_to_remote: bool = False
    headline: str = ""
    summary: str = ""
    resume_text: str = ""
    inferred: frozenset[str] = frozenset()
    names: dict[str, str] = field(default_factory=dict)
    id: int | None = None

    @classmethod
    def build(
        cls,
        *,
        skills: Iterable[tuple[str, str | int | None]] = (),
        years: int = 0,
        location: str = "",
        open_to_remote: bool = False,
        headline: str = "",
        summary: str = "",
        resume_text: str = "",
        infer_from_text: bool = True,
        id: int | None = None,
    ) -> "CandidateProfile":
        """A profile from raw fields; ``skills`` are ``(name, level)`` pairs (highest level wins)."""
        levels: dict[str, int] = {}
        names: dict[str, str] = {}
        for name, level in skills:
            key = vocabulary.canonical_skill(name)
            if not key:
                continue
            levels[key] = max(levels.get(key, 0), level_number(level))
            names.setdefault(key, " ".join(name.split()))
        inferred: set[str] = set()
        if infer_from_text:
            for key in vocabulary.skills_in_text("\n".join([headline, summary, resume_text])):
                if key not in levels:
                    levels[key] = INFERRED_LEVEL
                    inferred.add(key)
        return cls(
            skills=levels,
            years=max(0, int(years or 0)),
            location=location.strip(),
            open_to_remote=bool(open_to_remote),
            headline=headline.strip(),
            summary=summary.strip(),
            resume_text=resume_text.strip(),
            inferred=frozenset(inferred),
            names=names,
            id=id,
        )

    @property
    def text(self) -> str:
        """Headline, summary, skill names and resume text: the candidate's side of text similarity."""
        listed = ", ".join(self.names.get(k, k) for k in sorted(self.skills) if k not in self.inferred)
        return "\n".join([self.headline, self.summary, listed, self.resume_text])

    @property
    def lexical_text(self) -> str:
        """:attr:`text` with the headline counted :data:`TITLE_WEIGHT` times (local TF-IDF features)."""
        return "\n".join([*([self.headline] * (TITLE_WEIGHT - 1)), self.text])

    def fingerprint(self) -> dict[str, Any]:
        """Every field that affects a score, as plain JSON data; long text enters as its hash."""
        return {
            "skills": sorted([k, v] for k, v in self.skills.items() if k not in self.inferred),
            "years": self.years,
            "location": self.location,
            "open_to_remote": self.open_to_remote,
            "headline": self.headline,
            "summary_sha256": hashlib.sha256(self.summary.encode("utf-8")).hexdigest(),
            "resume_sha256": hashlib.sha256(self.resume_text.encode("utf-8")).hexdigest(),
        }
