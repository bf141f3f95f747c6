"""Candidates (and jobs) as arrays, built once and ranked against any number of jobs (candidates).

Ranking 100,000 candidates for one job must not be a Python loop per candidate: every
component is computed over whole columns. Build a :class:`CandidateMatrix` from profiles
once (the expensive part: text features are Python), keep it (a worker, a benchmark), and
pass it to ``provider.rank(job, matrix)`` as often as needed.

Columns:

* ``text`` — TF-IDF rows (``hotgigs.ai.text``), CSC so a job reads only its own columns;
* ``skills`` — CSC, one column per canonical skill seen, holding the candidate's level 1–4;
* ``years``, ``open_to_remote`` — one value per row;
* ``city`` / ``places`` — interned location parts: the first comma-separated part is the
  city, all parts (city, region, country) are places; -1 where unknown;
* ``bm25f`` — the candidates' saturated BM25F term weights over their fields
  (``hotgigs.ai.fields``: headline, skills / experience / education sections, other), CSC;
* ``dense`` — the LSA vectors (``hotgigs.ai.embeddings``), one L2-normalized row each;
  vectors of another encoder (the optional sentence model) are computed on first use and
  kept in ``dense_by_encoder``.

:class:`JobMatrix` is the mirror for one candidate against many jobs: the jobs' TF-IDF
rows, their required and preferred skill levels, minimum years, places and remote policy,
their BM25F query weights (``bm25f``, CSC) and LSA vectors (``dense``), so ``LocalProvider.rank_jobs`` scores every job with array operations, to the same
numbers as ranking each job on its own (up to float rounding in the last digit).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hotgigs.ai import embeddings, fields, related, scoring, text
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
    bm25f: "sparse.csc_matrix"
    dense: "np.ndarray[Any, Any]"
    dense_by_encoder: "dict[str, np.ndarray[Any, Any]]" = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.profiles)

    def dense_vectors(self, encoder: str) -> "np.ndarray[Any, Any]":
        """The rows' vectors from ``encoder`` (``lsa`` is built with the matrix; others on first use)."""
        if encoder == "lsa":
            return self.dense
        if encoder not in self.dense_by_encoder:
            self.dense_by_encoder[encoder] = embeddings.encoder(encoder).encode([p.text for p in self.profiles])
        return self.dense_by_encoder[encoder]

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
            bm25f=fields.rows([fields.saturated(fields.candidate_fields(p)) for p in profiles], csc=True),
            dense=embeddings.encoder("lsa").encode([p.lexical_text for p in profiles]),
        )

    # Components, each one float32 array over the rows -----------------------------------

    def skill_coverage(self, job: JobProfile, *, required: bool) -> "np.ndarray[Any, Any]":
        """Mean skill credit over the job's required (or preferred) skills; 0 when it lists none.

        A skill the candidate lacks earns ``related.RELATED_CREDIT`` times the credit of its
        best related skill the candidate has (``hotgigs.ai.related``).
        """
        import numpy as np

        wanted = [s for s in job.skills if s.required == required]
        n = len(self)
        total = np.zeros(n, dtype=np.float32)
        if not wanted:
            return total
        for skill in wanted:
            column = self.skill_index.get(skill.key)
            have = self.skills[:, column].toarray().ravel() if column is not None else np.zeros(n, dtype=np.float32)
            near_cols = [self.skill_index[k] for k in related.related_to(skill.key) if k in self.skill_index]
            near = (
                self.skills[:, near_cols].max(axis=1).toarray().ravel() if near_cols else np.zeros(n, dtype=np.float32)
            )
            total += np.where(
                have > 0,
                scoring.credit_array(skill.level, have),
                np.where(near > 0, related.RELATED_CREDIT * scoring.credit_array(skill.level, near), 0.0),
            ).astype(np.float32)
        return (total / len(wanted)).astype(np.float32)

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

    def bm25f_score(self, job: JobProfile) -> "np.ndarray[Any, Any]":
        """The job's BM25F score against every row's fields, in [0, 1)."""
        return fields.scores_against(fields.query(job.lexical_text), self.bm25f)

    def dense_similarity(self, job: JobProfile, encoder: str = "lsa") -> "np.ndarray[Any, Any]":
        """Cosine of the job's dense vector with every row (clipped at 0)."""
        import numpy as np

        source = job.lexical_text if encoder == "lsa" else job.text
        vector = embeddings.encoder(encoder).encode([source])[0]
        return np.clip(self.dense_vectors(encoder) @ vector, 0.0, 1.0).astype(np.float32)


_POLICY_CODES = {"onsite": 0, "hybrid": 1, "remote": 2}


@dataclass
class JobMatrix:
    """The jobs of one ranking batch as arrays (see the module docstring)."""

    profiles: Sequence[JobProfile]
    text: "sparse.csc_matrix"
    required: "sparse.csr_matrix"
    preferred: "sparse.csr_matrix"
    skill_index: dict[str, int]
    min_years: "np.ndarray[Any, Any]"
    city: "np.ndarray[Any, Any]"
    places: "np.ndarray[Any, Any]"
    place_index: dict[str, int]
    policy: "np.ndarray[Any, Any]"
    bm25f: "sparse.csc_matrix"
    dense: "np.ndarray[Any, Any]"
    dense_by_encoder: "dict[str, np.ndarray[Any, Any]]" = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.profiles)

    def dense_vectors(self, encoder: str) -> "np.ndarray[Any, Any]":
        """The jobs' vectors from ``encoder`` (``lsa`` is built with the matrix; others on first use)."""
        if encoder == "lsa":
            return self.dense
        if encoder not in self.dense_by_encoder:
            self.dense_by_encoder[encoder] = embeddings.encoder(encoder).encode([p.text for p in self.profiles])
        return self.dense_by_encoder[encoder]

    @classmethod
    def from_profiles(cls, profiles: Sequence[JobProfile]) -> "JobMatrix":
        import numpy as np
        from scipy import sparse

        profiles = list(profiles)
        n = len(profiles)
        skill_index: dict[str, int] = {}
        entries: dict[bool, tuple[list[int], list[int], list[float]]] = {True: ([], [], []), False: ([], [], [])}
        place_index: dict[str, int] = {}
        city = np.full(n, -1, dtype=np.int32)
        places = np.full((n, MAX_PLACES), -1, dtype=np.int32)
        for row, profile in enumerate(profiles):
            for skill in profile.skills:
                rows, cols, levels = entries[skill.required]
                rows.append(row)
                cols.append(skill_index.setdefault(skill.key, len(skill_index)))
                levels.append(skill.level)
            for position, part in enumerate(location_parts(profile.location)):
                code = place_index.setdefault(part, len(place_index))
                places[row, position] = code
                if position == 0:
                    city[row] = code
        shape = (n, max(1, len(skill_index)))

        def levels_matrix(required: bool) -> "sparse.csr_matrix":
            rows, cols, levels = entries[required]
            return sparse.csr_matrix(
                (np.asarray(levels, dtype=np.float32), (np.asarray(rows, dtype=np.int64), np.asarray(cols))),
                shape=shape,
            )

        return cls(
            profiles=profiles,
            text=text.matrix(p.lexical_text for p in profiles),
            required=levels_matrix(True),
            preferred=levels_matrix(False),
            skill_index=skill_index,
            min_years=np.asarray([p.min_years for p in profiles], dtype=np.float32),
            city=city,
            places=places,
            place_index=place_index,
            policy=np.asarray([_POLICY_CODES[p.remote_policy] for p in profiles], dtype=np.int8),
            bm25f=fields.rows([fields.query(p.lexical_text) for p in profiles], csc=True),
            dense=embeddings.encoder("lsa").encode([p.lexical_text for p in profiles]),
        )

    # Components of one candidate against every job row --------------------------------

    def skill_coverage(self, candidate: CandidateProfile, *, required: bool) -> "np.ndarray[Any, Any]":
        """Per job, the mean credit over its required (or preferred) skills; 0 where it lists none."""
        import numpy as np

        asked = self.required if required else self.preferred
        have_by_column = np.zeros(asked.shape[1], dtype=np.float32)
        near_by_column = np.zeros(asked.shape[1], dtype=np.float32)
        for key, level in candidate.skills.items():
            column = self.skill_index.get(key)
            if column is not None:
                have_by_column[column] = level
            # Relations are symmetric: the job skills this one is related to.
            for other in related.related_to(key):
                column = self.skill_index.get(other)
                if column is not None:
                    near_by_column[column] = max(near_by_column[column], level)
        have = have_by_column[asked.indices]
        near = near_by_column[asked.indices]
        credit = np.where(
            have > 0,
            scoring.credit_array(asked.data, have),
            np.where(near > 0, related.RELATED_CREDIT * scoring.credit_array(asked.data, near), 0.0),
        )
        counts = np.diff(asked.indptr)
        rows = np.repeat(np.arange(len(self)), counts)
        sums = np.bincount(rows, weights=credit, minlength=len(self))
        return np.where(counts > 0, sums / np.maximum(counts, 1), 0.0).astype(np.float32)

    def experience_fit(self, candidate: CandidateProfile) -> "np.ndarray[Any, Any]":
        import numpy as np

        ramp = np.minimum(1.0, (np.float32(candidate.years) + np.float32(1.0)) / (self.min_years + np.float32(1.0)))
        return np.where(self.min_years <= 0, np.float32(1.0), ramp).astype(np.float32)

    def location_fit(self, candidate: CandidateProfile) -> "np.ndarray[Any, Any]":
        import numpy as np

        n = len(self)
        parts = location_parts(candidate.location)
        job_known = self.city >= 0
        if not parts:
            place = np.full(n, scoring.UNKNOWN_PLACE, dtype=np.float32)
        else:
            codes = np.asarray([self.place_index.get(part, -2) for part in parts], dtype=np.int32)
            same_city = self.city == codes[0]
            same_region = np.isin(self.places, codes[codes >= 0]).any(axis=1)
            place = np.where(
                same_city,
                scoring.SAME_CITY,
                np.where(same_region, scoring.SAME_REGION, scoring.ELSEWHERE),
            ).astype(np.float32)
            place[~job_known] = scoring.UNKNOWN_PLACE
        remote, hybrid = self.policy == _POLICY_CODES["remote"], self.policy == _POLICY_CODES["hybrid"]
        if candidate.open_to_remote:
            return np.where(
                remote, np.float32(1.0), np.where(hybrid, np.maximum(place, scoring.HYBRID_OPEN_TO_REMOTE), place)
            ).astype(np.float32)
        return np.where(remote, np.maximum(place, scoring.REMOTE_NOT_OPTED_IN), place).astype(np.float32)

    def text_similarity(self, candidate: CandidateProfile) -> "np.ndarray[Any, Any]":
        """Cosine of the candidate's TF-IDF vector with every job row."""
        return text.similarities(text.weights(candidate.lexical_text), self.text)

    def bm25f_score(self, candidate: CandidateProfile) -> "np.ndarray[Any, Any]":
        """Each job's BM25F score against the candidate's fields, in [0, 1)."""
        return fields.scores_against(fields.saturated(fields.candidate_fields(candidate)), self.bm25f)

    def dense_similarity(self, candidate: CandidateProfile, encoder: str = "lsa") -> "np.ndarray[Any, Any]":
        """Cosine of the candidate's dense vector with every job row (clipped at 0)."""
        import numpy as np

        source = candidate.lexical_text if encoder == "lsa" else candidate.text
        vector = embeddings.encoder(encoder).encode([source])[0]
        return np.clip(self.dense_vectors(encoder) @ vector, 0.0, 1.0).astype(np.float32)

    # Row edits, for a matrix kept warm and refreshed as jobs change --------------------------

    def take(self, rows: "Sequence[int] | np.ndarray[Any, Any]") -> "JobMatrix":
        """The matrix of the given rows only, in that order (indexes keep their columns)."""
        import numpy as np

        rows = np.asarray(rows, dtype=np.int64)
        return JobMatrix(
            profiles=[self.profiles[int(row)] for row in rows],
            text=self.text[rows, :].tocsc() if len(rows) else self.text[:0, :].tocsc(),
            required=self.required[rows, :].tocsr(),
            preferred=self.preferred[rows, :].tocsr(),
            skill_index=self.skill_index,
            min_years=self.min_years[rows],
            city=self.city[rows],
            places=self.places[rows],
            place_index=self.place_index,
            policy=self.policy[rows],
            bm25f=self.bm25f[rows, :].tocsc(),
            dense=self.dense[rows],
            dense_by_encoder={name: vectors[rows] for name, vectors in self.dense_by_encoder.items()},
        )

    @classmethod
    def concat(cls, parts: "Sequence[JobMatrix]") -> "JobMatrix":
        """One matrix of the rows of ``parts``, in order: the same scores row for row.

        The skill and place indexes are merged and keep only the columns and places some
        row uses, so a matrix refreshed many times (``take`` the kept rows, ``concat`` the
        new ones) stays as compact as one built :meth:`from_profiles`. Every field of the
        dataclass must be handled here (``tests/ai/test_job_matrix_cache.py`` checks it).
        """
        import numpy as np
        from scipy import sparse

        parts = list(parts)
        if not parts:
            return cls.from_profiles([])
        if len(parts) == 1 and not len(parts[0]):
            return parts[0]
        n = sum(len(part) for part in parts)

        # Skills: each part's columns to one index, then only the used columns.
        skill_index: dict[str, int] = {}
        skill_maps = []
        for part in parts:
            mapping = np.zeros(max(1, len(part.skill_index)), dtype=np.int64)
            for key, column in part.skill_index.items():
                mapping[column] = skill_index.setdefault(key, len(skill_index))
            skill_maps.append(mapping)

        def stacked(attr: str) -> "sparse.csr_matrix":
            matrices = [getattr(part, attr).tocsr() for part in parts]
            indices = np.concatenate([mapping[m.indices] for mapping, m in zip(skill_maps, matrices, strict=True)])
            data = np.concatenate([m.data for m in matrices]).astype(np.float32)
            counts = np.concatenate([np.diff(m.indptr) for m in matrices])
            indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
            return sparse.csr_matrix((data, indices, indptr), shape=(n, max(1, len(skill_index))))

        required, preferred = stacked("required"), stacked("preferred")
        used = np.unique(np.concatenate([required.indices, preferred.indices]))
        compact = np.full(max(1, len(skill_index)), -1, dtype=np.int64)
        compact[used] = np.arange(len(used))
        names = list(skill_index)
        skill_index = {names[int(column)]: position for position, column in enumerate(used)}
        width = max(1, len(skill_index))
        required = sparse.csr_matrix((required.data, compact[required.indices], required.indptr), shape=(n, width))
        preferred = sparse.csr_matrix((preferred.data, compact[preferred.indices], preferred.indptr), shape=(n, width))

        # Places: each part's codes to one index (-1 stays unknown), then only the used places.
        place_index: dict[str, int] = {}
        cities, places = [], []
        for part in parts:
            mapping = np.full(len(part.place_index) + 1, -1, dtype=np.int32)  # the last entry: code -1
            for place, code in part.place_index.items():
                mapping[code] = place_index.setdefault(place, len(place_index))
            cities.append(mapping[part.city])
            places.append(mapping[part.places])
        city, place_codes = np.concatenate(cities), np.concatenate(places)
        used_places = np.unique(place_codes[place_codes >= 0])
        recode = np.full(len(place_index) + 1, -1, dtype=np.int32)
        recode[used_places] = np.arange(len(used_places), dtype=np.int32)
        place_names = list(place_index)
        return cls(
            profiles=[profile for part in parts for profile in part.profiles],
            text=sparse.vstack([part.text for part in parts], format="csc"),
            required=required,
            preferred=preferred,
            skill_index=skill_index,
            min_years=np.concatenate([part.min_years for part in parts]),
            city=recode[city],
            places=recode[place_codes],
            place_index={place_names[int(code)]: position for position, code in enumerate(used_places)},
            policy=np.concatenate([part.policy for part in parts]),
            bm25f=sparse.vstack([part.bm25f for part in parts], format="csc"),
            dense=np.concatenate([part.dense for part in parts]),
            # A lazily encoded set of vectors is kept only where every part has it.
            dense_by_encoder={
                name: np.concatenate([part.dense_by_encoder[name] for part in parts])
                for name in parts[0].dense_by_encoder
                if all(name in part.dense_by_encoder for part in parts)
            },
        )
