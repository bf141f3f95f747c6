import json
import random

import pytest

from hotgigs.ai import CandidateMatrix, CandidateProfile, JobProfile, input_hash
from hotgigs.ai.providers.local import LocalProvider
from hotgigs.ai.scoring import COMPONENTS, SCORING_VERSION, WEIGHTS, applicable_weights


def job(**overrides):
    fields = {
        "title": "Backend engineer",
        "description": "Build REST APIs in Python and Django on PostgreSQL, deployed on Kubernetes.",
        "skills": [
            ("Python", "advanced", True),
            ("PostgreSQL", "intermediate", True),
            ("Kubernetes", "beginner", False),
        ],
        "min_years": 4,
        "location": "Berlin, Germany",
        "remote_policy": "onsite",
    }
    return JobProfile.build(**{**fields, **overrides})


def candidate(**overrides):
    fields = {
        "skills": [("Python", "advanced"), ("Postgres", "intermediate"), ("K8s", "beginner")],
        "years": 5,
        "location": "Berlin, Germany",
        "open_to_remote": False,
        "headline": "Python backend developer",
        "summary": "Django REST APIs on PostgreSQL, Kubernetes deployments.",
    }
    return CandidateProfile.build(**{**fields, **overrides})


def score(j, c):
    return LocalProvider().rank(j, [c]).result(0)


def test_weights_sum_to_one_and_cover_every_component():
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)
    assert set(WEIGHTS) == set(COMPONENTS)


def test_text_weighs_no_more_than_the_skills_of_a_job_that_lists_both_kinds():
    # The quality bench's tuning half asks for more text; principle caps it at the skills' weight.
    weights = applicable_weights(job())

    assert weights == pytest.approx(WEIGHTS)
    assert weights["text_similarity"] <= weights["required_skills"] + weights["preferred_skills"]
    assert weights["required_skills"] > weights["preferred_skills"]


def test_a_perfect_fit_scores_high_with_a_full_breakdown():
    result = score(job(), candidate())

    assert result.score >= 90
    breakdown = result.breakdown
    assert breakdown["required_skills"]["matched"] == ["Python", "PostgreSQL"]
    assert breakdown["required_skills"]["missing"] == []
    assert breakdown["preferred_skills"]["matched"] == ["Kubernetes"]
    assert set(breakdown["components"]) == set(COMPONENTS)
    assert breakdown["provider"] == "local"
    assert breakdown["fallback"] is None
    assert result.model_version.startswith(f"local-v{SCORING_VERSION}+data-")
    json.dumps(breakdown)  # stored as JSON


def test_synonyms_count_as_the_same_skill():
    j = job(skills=[("JavaScript", "intermediate", True), ("PostgreSQL", "intermediate", True)])
    c = candidate(skills=[("JS", "intermediate"), ("Postgres", "intermediate")])

    assert score(j, c).breakdown["components"]["required_skills"] == 1.0


def test_missing_required_skills_cost_more_than_missing_preferred_ones():
    # One candidate, two jobs that differ only in whether the skill the candidate lacks is
    # required or preferred: the texts (and so the text score) are the same, so only that counts.
    lacks_python = candidate(
        skills=[("PostgreSQL", "intermediate"), ("Kubernetes", "beginner")], headline="", summary=""
    )
    required = job(
        skills=[("Python", "advanced", True), ("PostgreSQL", "intermediate", True), ("Kubernetes", "beginner", False)]
    )
    preferred = job(
        skills=[("Python", "advanced", False), ("PostgreSQL", "intermediate", True), ("Kubernetes", "beginner", True)]
    )

    a, b = score(required, lacks_python), score(preferred, lacks_python)

    assert required.text == preferred.text
    assert a.breakdown["components"]["text_similarity"] == b.breakdown["components"]["text_similarity"]
    assert a.breakdown["required_skills"]["missing"] == ["Python"]
    assert b.breakdown["preferred_skills"]["missing"] == ["Python"]
    assert a.score < b.score


def test_a_skill_below_the_asked_level_earns_partial_credit():
    j = job(skills=[("Python", "expert", True)])

    results = [score(j, candidate(skills=[("Python", level)])) for level in ("expert", "advanced", "beginner")]

    assert [r.breakdown["components"]["required_skills"] for r in results] == [1.0, 0.8, 0.4]
    assert results[1].breakdown["required_skills"]["below_level"] == ["Python"]


def test_a_skill_only_mentioned_in_the_resume_counts_at_beginner_level():
    j = job(skills=[("Python", "beginner", True)])
    c = candidate(skills=[], resume_text="Five years of Python and Django.")

    result = score(j, c)

    assert result.breakdown["required_skills"]["from_text"] == ["Python"]
    assert result.breakdown["components"]["required_skills"] == 1.0


def test_a_job_without_skills_drops_the_skill_weights():
    j = job(skills=[])

    weights = applicable_weights(j)

    assert set(weights) == {"experience", "location", "text_similarity"}
    assert sum(weights.values()) == pytest.approx(1.0)
    assert set(score(j, candidate()).breakdown["components"]) == set(weights)


@pytest.mark.parametrize(("years", "fit"), [(0, 0.2), (2, 0.6), (4, 1.0), (12, 1.0)])
def test_experience_ramps_up_to_the_minimum(years, fit):
    result = score(job(min_years=4), candidate(years=years))

    assert result.breakdown["components"]["experience"] == pytest.approx(fit, abs=1e-4)


def test_no_minimum_means_any_experience_fits():
    assert score(job(min_years=0), candidate(years=0)).breakdown["components"]["experience"] == 1.0


@pytest.mark.parametrize(
    ("policy", "location", "open_to_remote", "fit"),
    [
        ("onsite", "Berlin, Germany", False, 1.0),
        ("onsite", "Munich, Germany", False, 0.6),
        ("onsite", "Lisbon, Portugal", True, 0.2),
        ("onsite", "", False, 0.5),
        ("remote", "Lisbon, Portugal", True, 1.0),
        ("remote", "Lisbon, Portugal", False, 0.8),
        ("hybrid", "Lisbon, Portugal", True, 0.5),
        ("hybrid", "Lisbon, Portugal", False, 0.2),
        ("hybrid", "berlin , germany", False, 1.0),
    ],
)
def test_location_and_remote_fit(policy, location, open_to_remote, fit):
    result = score(job(remote_policy=policy), candidate(location=location, open_to_remote=open_to_remote))

    assert result.breakdown["components"]["location"] == pytest.approx(fit)


def test_text_similarity_orders_related_text_first():
    j = job(skills=[])
    related = candidate(skills=[], headline="Backend engineer", summary="Python, Django, PostgreSQL and REST APIs.")
    unrelated = candidate(skills=[], headline="Pastry chef", summary="Croissants, sourdough and wedding cakes.")

    ranking = LocalProvider().rank(j, [unrelated, related])

    assert ranking.components["text_similarity"][1] > ranking.components["text_similarity"][0]
    assert list(ranking.top()) == [1, 0]


def test_the_title_and_headline_weigh_more_than_the_same_words_in_the_body():
    role = job(title="Data engineer", description="Pipelines, warehouses and reports for the finance team.")
    body = "Built pipelines and warehouses; wrote reports for finance. Data engineer at a bank."
    headline_says_it = candidate(headline="Data engineer", summary=body.replace(" Data engineer at a bank.", ""))
    body_says_it = candidate(headline="", summary=body)

    ranking = LocalProvider().rank(role, [headline_says_it, body_says_it])

    cosines = ranking.raw_text_similarity
    assert cosines is not None
    assert cosines[0] > cosines[1]
    assert role.lexical_text.count("Data engineer") == 3


def test_scores_are_bounded_and_deterministic():
    pool = [
        candidate(),
        candidate(skills=[], years=0, location="", headline="", summary=""),
        candidate(years=40, location="Tokyo, Japan", open_to_remote=True),
    ]

    first = LocalProvider().rank(job(), pool)
    second = LocalProvider().rank(job(), list(pool))

    assert ((first.scores >= 0) & (first.scores <= 100)).all()
    assert first.scores.tolist() == second.scores.tolist()
    assert [first.result(i).breakdown for i in range(3)] == [second.result(i).breakdown for i in range(3)]


def test_a_pair_scores_the_same_alone_or_in_a_batch():
    pool = [candidate(summary=f"Python developer number {i}") for i in range(20)]

    batch = LocalProvider().rank(job(), pool)
    alone = LocalProvider().rank(job(), [pool[7]])

    assert batch.scores[7] == alone.scores[0]


def test_a_prebuilt_matrix_ranks_like_a_list_and_top_breaks_ties_by_order():
    pool = [candidate(), candidate(), candidate(skills=[], summary="")]
    matrix = CandidateMatrix.from_profiles(pool)

    from_matrix = LocalProvider().rank(job(), matrix)
    from_list = LocalProvider().rank(job(), pool)

    assert from_matrix.scores.tolist() == from_list.scores.tolist()
    assert from_matrix.top(2).tolist() == [0, 1]


def test_score_jobs_matches_rank():
    c = candidate()
    jobs = [job(), job(remote_policy="remote"), job(skills=[])]

    results = LocalProvider().score_jobs(c, jobs)

    assert [r.score for r in results] == [LocalProvider().rank(j, [c]).result(0).score for j in jobs]


PLACES = ["Berlin, Germany", "Munich, Germany", "Paris, France", "Remote", ""]
SKILLS = ["Python", "PostgreSQL", "Kubernetes", "JavaScript", "Go", "Terraform", "SQL"]


def varied_jobs(rng: random.Random, n: int) -> list[JobProfile]:
    return [
        job(
            title=rng.choice(["Backend engineer", "Data engineer", "Platform engineer"]),
            skills=[(name, rng.randint(1, 4), rng.random() < 0.5) for name in rng.sample(SKILLS, rng.randint(0, 4))],
            min_years=rng.choice([0, 0, 2, 5, 8]),
            location=rng.choice(PLACES),
            remote_policy=rng.choice(["onsite", "hybrid", "remote"]),
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("seed", range(6))
def test_ranking_jobs_at_once_scores_each_pair_as_ranking_it_alone(seed):
    rng = random.Random(seed)
    jobs = varied_jobs(rng, 40)
    person = candidate(
        skills=[(name, rng.randint(1, 4)) for name in rng.sample(SKILLS, rng.randint(0, 5))],
        years=rng.choice([0, 1, 3, 6, 10]),
        location=rng.choice(PLACES),
        open_to_remote=rng.random() < 0.5,
    )

    at_once = LocalProvider().rank_jobs(person, jobs)
    one_by_one = [LocalProvider().rank(j, [person]) for j in jobs]

    for index, alone in enumerate(one_by_one):
        for name in COMPONENTS:
            assert at_once.components[name][index] == pytest.approx(alone.components[name][0], abs=1e-6), name
        assert at_once.scores[index] == pytest.approx(alone.scores[0], abs=0.01)
        mine, theirs = at_once.result(index).breakdown, alone.result(0).breakdown
        assert mine["weights"] == theirs["weights"]
        assert mine["required_skills"] == theirs["required_skills"]
        assert mine["location"] == theirs["location"]
    assert [jobs[i] for i in at_once.top(5)] == [
        jobs[i] for i in sorted(range(len(jobs)), key=lambda i: (-one_by_one[i].scores[0], i))[:5]
    ]


def test_the_input_hash_changes_with_inputs_and_nothing_else():
    provider = LocalProvider()

    def h(j, c, model_version=provider.model_version):
        return input_hash(j, c, provider="local", model_version=model_version)

    base = h(job(), candidate())
    assert base == h(job(), candidate())
    assert len(base) == 64
    assert h(job(min_years=5), candidate()) != base
    assert h(job(), candidate(resume_text="Now also Rust.")) != base
    assert h(job(), candidate(skills=[("Python", "expert")])) != base
    assert h(job(), candidate(), model_version="other") != base
    # Spellings fold before hashing: the same skill under another name is the same input.
    assert (
        h(job(), candidate(skills=[("python", "advanced"), ("PostgreSQL", "intermediate"), ("Kubernetes", "beginner")]))
        == base
    )
