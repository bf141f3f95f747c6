"""The hybrid local matcher's parts: resume sections, BM25F, related skills, the dense LSA part."""

import numpy as np
import pytest

from hotgigs.ai import CandidateMatrix, CandidateProfile, JobMatrix, JobProfile, embeddings, fields, related, scoring
from hotgigs.ai.providers.local import LocalProvider

RESUME = """Jane Roe
Backend developer who likes clean code.
Skill Details
Java, Spring Boot, PostgreSQL- Exprience - 36 monthsCompany Details
company - Acme Bank
description - Built payment services in Java on Spring.
Education Details
B.E. Computer Science, Pune University
Hobbies: chess"""


def test_the_section_splitter_finds_skills_experience_and_education():
    sections = fields.split_sections(RESUME)

    assert "Java, Spring Boot, PostgreSQL" in sections["skills"]
    # A heading glued to the previous word (PDF extraction) still opens its section.
    assert "months" in sections["skills"]
    assert sections["experience"].startswith("company - Acme Bank")
    assert "payment services" in sections["experience"]
    assert sections["education"].startswith("B.E. Computer Science")
    assert sections["other"].startswith("Jane Roe")
    assert "Skill Details" not in "".join(sections.values())


def test_one_word_headings_count_only_at_the_start_of_a_line():
    text = "Summary of my experience in sales.\nExperience:\nSold cars.\nSKILLS\nNegotiation"

    sections = fields.split_sections(text)

    assert sections["other"] == "Summary of my experience in sales."
    assert sections["experience"] == "Sold cars."
    assert sections["skills"] == "Negotiation"


def test_a_resume_without_headings_is_all_other():
    assert fields.split_sections("Plain text, no headings.") == {
        "skills": "",
        "experience": "",
        "education": "",
        "other": "Plain text, no headings.",
    }


def test_bm25f_saturates_repetition_and_weighs_fields():
    query = fields.query("Kotlin developer\nKotlin")
    padding = " ".join(f"topic{i}" for i in range(40))
    once = fields.saturated({"skills": f"Kotlin {padding}"})
    many = fields.saturated({"skills": f"{'Kotlin ' * 5}{padding}"})
    in_education = fields.saturated({"education": f"Kotlin {padding}"})

    s_once, s_many, s_edu = (fields.score(query, c) for c in (once, many, in_education))

    assert 0.0 < s_edu < s_once < s_many < 1.0
    assert s_many < 1.5 * s_once  # five mentions are far from five times one
    assert fields.score(query, fields.saturated({"skills": "Pastry"})) == 0.0
    assert fields.score({}, once) == 0.0


def test_bm25f_of_a_pair_does_not_depend_on_the_batch():
    job = JobProfile.build(title="Java developer", description="Spring services on PostgreSQL.")
    me = CandidateProfile.build(resume_text=RESUME)
    others = [CandidateProfile.build(resume_text=f"Cook number {i}. Soups and stews.") for i in range(5)]

    alone = CandidateMatrix.from_profiles([me]).bm25f_score(job)[0]
    in_crowd = CandidateMatrix.from_profiles([*others, me]).bm25f_score(job)[-1]
    pair = fields.score(fields.query(job.lexical_text), fields.saturated(fields.candidate_fields(me)))

    assert alone == pytest.approx(in_crowd, abs=1e-6)
    assert alone == pytest.approx(pair, abs=1e-5)
    assert alone > 0.1


def test_related_skills_are_symmetric_and_earn_partial_credit(monkeypatch):
    assert "c#" in related.related_to("java")
    for key, others in related.load().items():
        for other in others:
            assert key in related.related_to(other), (key, other)
    monkeypatch.setattr(related, "RELATED_CREDIT", 0.5)
    job = JobProfile.build(title="Developer", skills=[("Java", 3, True)])
    has_it = CandidateProfile.build(skills=[("Java", 3)])
    next_to_it = CandidateProfile.build(skills=[("C#", 2)])
    neither = CandidateProfile.build(skills=[("Pastry", 4)])

    ranking = LocalProvider().rank(job, [has_it, next_to_it, neither])

    credit = ranking.components["required_skills"]
    assert list(credit) == pytest.approx([1.0, 0.5 * 0.8, 0.0])
    receipt = ranking.result(1).breakdown["required_skills"]
    assert receipt["missing"] == ["Java"]
    assert receipt["related"] == {"Java": "C#"}
    assert "related" not in ranking.result(0).breakdown["required_skills"]
    # The job side (one candidate, many jobs) gives the same credit.
    by_jobs = LocalProvider().rank_jobs(next_to_it, JobMatrix.from_profiles([job]))
    assert by_jobs.components["required_skills"][0] == pytest.approx(0.4)


def test_the_lsa_part_is_deterministic_and_semantic():
    lsa = embeddings.encoder("lsa")
    texts = [
        "Maintain the general ledger, reconcile accounts and prepare audits.",
        "Bookkeeping: journal entries, account reconciliation, financial statements.",
        "Bake bread and pastries; decorate cakes.",
        "",
    ]

    first, second = lsa.encode(texts), embeddings.LsaEncoder().encode(texts)

    assert first.shape == (4, lsa.dimensions)
    assert first.dtype == np.float32
    np.testing.assert_array_equal(first, second)
    assert np.linalg.norm(first[0]) == pytest.approx(1.0, abs=1e-5)
    assert not first[3].any()  # no known feature: the zero vector
    assert float(first[0] @ first[1]) > float(first[0] @ first[2]) + 0.2


def test_the_default_works_without_the_sentence_model(monkeypatch):
    monkeypatch.setattr(embeddings, "minilm_available", lambda: False)
    job = JobProfile.build(title="Accountant", description="Ledgers and audits.")
    people = [
        CandidateProfile.build(headline="Accountant", summary="General ledger and audit work."),
        CandidateProfile.build(headline="Baker", summary="Bread."),
    ]

    default = LocalProvider()
    asked = LocalProvider(encoder="minilm")

    assert default.encoder == asked.encoder == "lsa"
    assert asked.model_version == default.model_version
    result = asked.rank(job, people).result(0)
    text = result.breakdown["text_similarity"]
    assert text["method"] == "hybrid:tfidf+bm25f+lsa"
    assert set(text["parts"]) == {"tfidf", "bm25f", "dense"}
    assert text["part_weights"] == scoring.TEXT_PARTS_BY_ENCODER["lsa"]
    assert "text_similarity" in result.breakdown["components_used"]
    used_parts = {p for p, w in scoring.TEXT_PARTS_BY_ENCODER["lsa"].items() if w > 0}
    assert {u.split(".", 1)[1] for u in result.breakdown["components_used"] if "." in u} == used_parts
    assert list(asked.rank(job, people).top()) == [0, 1]
    with pytest.raises(RuntimeError, match="embeddings"):
        embeddings.encoder.__wrapped__("minilm")
    with pytest.raises(ValueError, match="Unknown encoder"):
        LocalProvider(encoder="word2vec")


def test_the_text_score_is_the_weighted_mean_of_its_parts():
    parts = {
        "tfidf": np.asarray([1.0, 0.0], dtype=np.float32),
        "bm25f": np.asarray([0.0, 1.0], dtype=np.float32),
        "dense": np.asarray([0.5, 0.5], dtype=np.float32),
    }
    for encoder, weights in scoring.TEXT_PARTS_BY_ENCODER.items():
        expected = [
            sum(weights[name] * float(parts[name][row]) for name in parts) / sum(weights.values()) for row in range(2)
        ]
        assert list(scoring.text_parts(parts, encoder)) == pytest.approx(expected)


def test_the_setting_picks_the_encoder_and_falls_back_to_lsa_without_the_extra(settings, monkeypatch, caplog):
    from hotgigs.ai import registry

    settings.AI_PROVIDER = "local"
    settings.AI_LOCAL_ENCODER = "lsa"
    assert registry.get_provider().encoder == "lsa"  # type: ignore[attr-defined]

    monkeypatch.setattr(embeddings, "minilm_available", lambda: False)
    registry._warn_no_extra.cache_clear()
    settings.AI_LOCAL_ENCODER = "minilm"
    with caplog.at_level("WARNING", logger="hotgigs.ai.registry"):
        provider = registry.get_provider()
    assert provider.encoder == "lsa"  # type: ignore[attr-defined]
    assert "embeddings" in caplog.text
