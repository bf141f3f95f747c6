"""JobMatrix.take / concat: a matrix refreshed row by row scores as one built from scratch."""

import dataclasses
import random

import numpy as np
import pytest

from hotgigs.ai import CandidateProfile, JobMatrix, JobProfile, input_hash, input_hashes
from hotgigs.ai.providers.local import LocalProvider

CITIES = ["Berlin, Germany", "Munich, Germany", "Paris, France", "Remote", "", "Austin, Texas, United States"]
SKILLS = ["python", "django", "postgresql", "kubernetes", "react", "java", "excel", "go", "rust", "sql"]
LEVELS = ["beginner", "intermediate", "advanced", "expert"]


def _jobs(n, rng, start=0):
    return [
        JobProfile.build(
            id=start + i,
            title=f"{rng.choice(SKILLS)} engineer",
            description=" ".join(rng.choices([*SKILLS, "services", "data", "teams"], k=20)),
            skills=[(s, rng.choice(LEVELS), rng.random() < 0.6) for s in rng.sample(SKILLS, rng.randint(0, 5))],
            min_years=rng.randint(0, 6),
            location=rng.choice(CITIES),
            remote_policy=rng.choice(["onsite", "hybrid", "remote"]),
        )
        for i in range(n)
    ]


def _candidates(rng):
    return [
        CandidateProfile.build(
            skills=[(s, rng.choice(LEVELS)) for s in rng.sample(SKILLS, k)],
            years=rng.randint(0, 10),
            location=rng.choice(CITIES),
            open_to_remote=rng.random() < 0.5,
            headline=f"{rng.choice(SKILLS)} developer",
            summary=" ".join(rng.choices(SKILLS, k=8)),
        )
        for k in (0, 1, 3, 6)
    ]


def _by_id(matrix, candidate):
    ranking = LocalProvider().rank_jobs(candidate, matrix)
    return {
        profile.id: (float(ranking.scores[row]), {k: float(v[row]) for k, v in ranking.components.items()})
        for row, profile in enumerate(matrix.profiles)
    }


def test_rows_taken_and_concatenated_score_as_a_matrix_built_from_the_same_profiles():
    rng = random.Random(18)
    jobs = _jobs(40, rng)
    warm = JobMatrix.from_profiles(jobs)
    # Drop every third job, rebuild five others as edited and add new ones: what a refresh does.
    kept = [row for row in range(40) if row % 3 and row not in (4, 5, 7, 8, 10)]
    edited = _jobs(5, random.Random(99), start=0)
    edited = [dataclasses.replace(job, id=jobs[row].id) for job, row in zip(edited, (4, 5, 7, 8, 10), strict=True)]
    added = _jobs(6, rng, start=100)
    refreshed = JobMatrix.concat([warm.take(kept), JobMatrix.from_profiles(edited + added)])
    scratch = JobMatrix.from_profiles([jobs[row] for row in kept] + edited + added)

    assert [p.id for p in refreshed.profiles] == [p.id for p in scratch.profiles]
    for candidate in _candidates(rng):
        assert _by_id(refreshed, candidate) == _by_id(scratch, candidate)
    # The text columns weighted 0 by default (BM25F, the dense vectors) are carried row for row too.
    assert (refreshed.bm25f != scratch.bm25f).nnz == 0
    assert refreshed.dense.tolist() == scratch.dense.tolist()
    # Only the skills and places some row still uses stay in the indexes.
    assert set(refreshed.skill_index) == set(scratch.skill_index)
    assert set(refreshed.place_index) == set(scratch.place_index)


def test_concat_and_take_handle_every_field_of_the_matrix():
    """A column added to JobMatrix must be taken and concatenated too (else refreshed matrices lose it)."""
    handled = {
        "profiles",
        "text",
        "required",
        "preferred",
        "skill_index",
        "min_years",
        "city",
        "places",
        "place_index",
        "policy",
        "bm25f",
        "dense",
        "dense_by_encoder",
    }

    assert {f.name for f in dataclasses.fields(JobMatrix)} == handled


def test_empty_parts_and_an_empty_take_give_empty_matrices():
    rng = random.Random(3)
    matrix = JobMatrix.from_profiles(_jobs(5, rng))
    empty = matrix.take([])
    both = JobMatrix.concat([empty, JobMatrix.from_profiles(_jobs(2, rng, start=10))])

    assert len(empty) == 0
    assert [p.id for p in both.profiles] == [10, 11]
    assert len(JobMatrix.concat([])) == 0
    assert np.array_equal(matrix.take(np.arange(5)).text.toarray(), matrix.text.toarray())


@pytest.mark.parametrize("count", [0, 1, 7])
def test_input_hashes_are_the_input_hash_of_each_job(count):
    rng = random.Random(count)
    jobs = _jobs(count, rng)
    candidate = _candidates(rng)[2]

    assert input_hashes(jobs, candidate, provider="local", model_version="v") == [
        input_hash(job, candidate, provider="local", model_version="v") for job in jobs
    ]
