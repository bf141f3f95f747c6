"""Candidates as arrays, built once and ranked against any number of jobs.

Ranking 100,000 candidates for one job must not be a Python loop per candidate: every
component is computed over whole columns. Build a :class:`CandidateMatrix` from profiles
once (the expensive part: text features are Python), keep it (a worker, a benchmark), and
pass it to ``provider.rank(job, matrix)`` as often as needed.

Columns:

* ``text`` — TF-IDF rows (``hotgigs.ai.text``), CSC so a job reads only its own columns;
* ``skills`` — CSC, one column per canonical skill seen, holding the candidate's level 1–4;
* ``years``, ``open_to_remote`` — one value per row;
* ``city`` / ``places`` — interned location parts: the first comma-separated part is the
  city, all parts (city, region, country) are places; -1 where unknown.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hotgigs.ai import scoring, text
from hotgigs.ai.profiles import CandidateProfile, JobProfile

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

MAX_PLACES = 4
_NOWHERE = frozenset({"", "remote", "anywhere", "worldwide", "n/a", "-"})


def location_parts(location: str) -> list[str]:
    """Lower-cased comma-separated parts, city first; empty when the text names no place."""
    parts = [" ".join(part.lower().split()) for part in location.split(",")]
    parts = [part for part in parts if part]
    if not parts or parts[0] in _NOWHERE:
        return []
    return parts[:MAX_PLACES]


@dataclass
class CandidateMatrix:
    """The candidates of one ranking batch as arrays (see the module docstring)."""

    profiles: Sequence[CandidateProfile]
    text: "sparse.csc_matrix"
    skills: "sparse.csc_matrix"
    skill_index: dict[str, int]
    years: "np.ndarray[Any, Any]"
    open_to_remote: "np.ndarray[Any, Any]"
    city: "np.ndarray[Any, Any]"
    places: "np.ndarray[Any, Any]"
    place_index: dict[str, int]

    def __len__(self) -> int:
        return len(self.profiles)

    @classmethod
    def from_profiles(cls, profiles: Sequence[CandidateProfile]) -> "CandidateMatrix":
        import numpy as np
        from scipy import sparse

        profiles = list(profiles)
        n = len(profiles)
        skill_index: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        levels: list[float] = []
        place_index: dict[str, int] = {}
        city = np.full(n, -1, dtype=np.int32)
        places = np.full((n, MAX_PLACES), -1, dtype=np.int32)
        for row, profile in enumerate(profiles):
            for key, level in profile.skills.items():
                rows.append(row)
                cols.append(skill_index.setdefault(key, len(skill_index)))
                levels.append(level)
            for position, part in enumerate(location_parts(profile.location)):
                code = place_index.setdefault(part, len(place_index))
                places[row, position] = code
                if position == 0:
                    city[row] = code
        skills = sparse.csc_matrix(
            (
                np.asarray(levels, dtype=np.float32),
                (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)),
            ),
            shape=(n, max(1, len(skill_index))),
        )
        return cls(
            profiles=profiles,
            text=text.matrix(p.lexical_text for p in profiles),
            skills=skills,
            skill_index=skill_index,
            years=np.asarray([p.years for p in profiles], dtype=np.float32),
            open_to_remote=np.asarray([p.open_to_remote for p in profiles], dtype=bool),
            city=city,
            places=places,
            place_index=place_index,
        )

    # Components, each one float32 array over the rows -----------------------------------

    def skill_coverage(self, job: JobProfile, *, required: bool) -> "np.ndarray[Any, Any]":
        """Mean skill credit over the job's required (or preferred) skills; 0 when it lists none."""
        import numpy as np

        wanted = [s for s in job.skills if s.required == required]
        n = len(self)
        if not wanted:
            return np.zeros(n, dtype=np.float32)
        known = [s for s in wanted if s.key in self.skill_index]
        if not known:
            return np.zeros(n, dtype=np.float32)
        cols = np.asarray([self.skill_index[s.key] for s in known], dtype=np.int64)
        job_levels = np.asarray([s.level for s in known], dtype=np.float32)
        have = self.skills[:, cols].toarray()
        short = np.clip(job_levels[None, :] - have, 0.0, None)
        credit = np.where(have > 0, 1.0 - scoring.LEVEL_STEP_PENALTY * short, 0.0)
        return (credit.sum(axis=1) / len(wanted)).astype(np.float32)

    def experience_fit(self, job: JobProfile) -> "np.ndarray[Any, Any]":
        import numpy as np

        if job.min_years <= 0:
            return np.ones(len(self), dtype=np.float32)
        return np.minimum(1.0, (self.years + 1.0) / (job.min_years + 1.0)).astype(np.float32)

    def location_fit(self, job: JobProfile) -> "np.ndarray[Any, Any]":
        import numpy as np

        n = len(self)
        parts = location_parts(job.location)
        if not parts:
            place = np.full(n, scoring.UNKNOWN_PLACE, dtype=np.float32)
        else:
            job_codes = [self.place_index.get(part, -2) for part in parts]
            same_city = self.city == job_codes[0]
            same_region = np.zeros(n, dtype=bool)
            for code in set(job_codes):
                if code >= 0:
                    same_region |= (self.places == code).any(axis=1)
            place = np.where(
                same_city,
                scoring.SAME_CITY,
                np.where(same_region, scoring.SAME_REGION, scoring.ELSEWHERE),
            ).astype(np.float32)
            place[self.city < 0] = scoring.UNKNOWN_PLACE
        if job.remote_policy == "remote":
            return np.where(self.open_to_remote, 1.0, np.maximum(place, scoring.REMOTE_NOT_OPTED_IN)).astype(np.float32)
        if job.remote_policy == "hybrid":
            return np.where(self.open_to_remote, np.maximum(place, scoring.HYBRID_OPEN_TO_REMOTE), place).astype(
                np.float32
            )
        return place

    def text_similarity(self, job: JobProfile) -> "np.ndarray[Any, Any]":
        """Cosine of the job's TF-IDF vector with every row."""
        return text.similarities(text.weights(job.lexical_text), self.text)
