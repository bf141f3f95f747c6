"""Fair by construction: counterfactual resumes (names, gendered words, city within a region
swapped) score the same through the real match path, locally and through an OpenAI-compatible
server, which never receives the candidate's name, email, phone or city."""

import json

import pytest

from applications.matching import candidate_profile, match_job
from applications.models import Match
from hotgigs.ai import CandidateProfile, JobProfile
from hotgigs.ai.providers.local import LocalProvider
from hotgigs.ai.providers.openai_compat import OpenAIProvider
from tests.ai.fake_openai import fake_openai, openai_settings  # noqa: F401 - fixtures
from tests.factories import CandidateFactory, CandidateSkillFactory, JobFactory, JobSkillFactory, ResumeFactory

pytestmark = pytest.mark.django_db

# People of different origins and genders; pronouns and gendered words go with each.
PEOPLE = [
    {
        "first": "James",
        "last": "O'Connor",
        "he": "he",
        "him": "him",
        "his": "his",
        "title": "Mr.",
        "man": "man",
        "spouse": "husband",
        "parent": "father",
        "frat": "fraternity",
    },
    {
        "first": "Aisha",
        "last": "Mohammed",
        "he": "she",
        "him": "her",
        "his": "her",
        "title": "Ms.",
        "man": "woman",
        "spouse": "wife",
        "parent": "mother",
        "frat": "sorority",
    },
    {
        "first": "DeShawn",
        "last": "Washington",
        "he": "he",
        "him": "him",
        "his": "his",
        "title": "Mr.",
        "man": "man",
        "spouse": "husband",
        "parent": "father",
        "frat": "fraternity",
    },
    {
        "first": "María José",
        "last": "García-López",
        "he": "she",
        "him": "her",
        "his": "her",
        "title": "Mrs.",
        "man": "woman",
        "spouse": "wife",
        "parent": "mother",
        "frat": "sorority",
    },
    {
        "first": "Wei",
        "last": "Zhang",
        "he": "he",
        "him": "him",
        "his": "his",
        "title": "Mr.",
        "man": "man",
        "spouse": "husband",
        "parent": "father",
        "frat": "fraternity",
    },
    {
        "first": "Priya",
        "last": "Raghunathan",
        "he": "she",
        "him": "her",
        "his": "her",
        "title": "Miss",
        "man": "woman",
        "spouse": "wife",
        "parent": "mother",
        "frat": "sorority",
    },
]
# Cities of one region (the job is in the first).
CITIES = ["Austin", "Dallas", "Houston", "San Antonio"]
REGION = "Texas, US"

RESUMES = {
    "backend": {
        "headline": "Senior backend engineer ({first} {last})",
        "summary": "{He} builds Python and Django services in {city}; {his} last team ran PostgreSQL at scale.",
        "skills": [("Python", "expert"), ("PostgreSQL", "advanced")],
        "text": """{title} {first} {last}
{email} | {phone} | linkedin.com/in/{handle} | github.com/{handle}
{street}, {city}, TX 78701
Date of birth: 14/02/1988. Gender: {man}

Summary
{first} is a backend engineer. {He} designs Python APIs with Django and PostgreSQL, and mentors juniors;
colleagues describe {him} as calm under pressure. {His} {spouse} and {him} moved to {city} in 2019.

Experience
Acme Payments, {city} (2019 - 2024): {He} led the move of a monolith to Kubernetes and cut p95 latency by 40%.
As a {man} in a small platform team, {he} owned Redis caching and Celery workers; {his} on-call rotation was quiet.
Globex (2015 - 2019): Built ETL jobs in Python; {first} {last} was the go-to person for SQL tuning.

Education
BSc Computer Science, University of Texas. Member of a {frat}. {parent} of two, aged 36.
""",
    },
    "data": {
        "headline": "Data scientist",
        "summary": "Machine learning with Python, pandas and scikit-learn. Based in {city}.",
        "skills": [("Python", "advanced"), ("Machine learning", "advanced")],
        "text": """{first} {last} — {email} — {phone}
{city}, Texas

{title} {last} is a data scientist who ships models. {He} trained gradient boosting models with scikit-learn,
wrote pandas pipelines and presented results to executives; {his} churn model saved $2M.
Before that {he} worked as a {man} analyst at a {city} bank, where {his} manager promoted {him} twice.
Twitter: @{handle}. Born in 1990.
""",
    },
    "support": {
        "headline": "IT support specialist",
        "summary": "Helpdesk, Windows administration and customer service.",
        "skills": [("Customer service", "advanced")],
        "text": """{first} {last}
{street}, {city}
{phone}

{He} resolved 40 tickets a day on the helpdesk, administered Windows and Active Directory, and trained staff.
Customers asked for {him} by name; {his} satisfaction score was 4.9. {parent} and volunteer at a {city} shelter.
""",
    },
}


def _fields(person, city, n):
    handle = f"{person['first']}{person['last']}{n}".lower().replace(" ", "").replace("'", "")
    values = {
        **person,
        "He": person["he"].capitalize(),
        "His": person["his"].capitalize(),
        "city": city,
        "email": f"{handle}@mail.example",
        "phone": f"+1 (512) 555-01{n:02d}",
        "handle": handle,
        "street": f"{100 + n} Oak Street",
    }
    values["parent"] = person["parent"].capitalize()
    return values


def _candidate(kind, person, city, n):
    template = RESUMES[kind]
    values = _fields(person, city, n)
    candidate = CandidateFactory(
        discoverable=True,
        full_name=f"{person['first']} {person['last']}",
        email=values["email"],
        phone=values["phone"],
        headline=template["headline"].format(**values),
        summary=template["summary"].format(**values),
        location=f"{city}, {REGION}",
        open_to_remote=False,
        years_experience=8,
    )
    for name, level in template["skills"]:
        CandidateSkillFactory(candidate=candidate, name=name, normalized_name=name.lower(), level=level)
    ResumeFactory(candidate=candidate, extracted_text=template["text"].format(**values), parse_status="parsed")
    return candidate, values


@pytest.fixture
def job(org, recruiter):
    job = JobFactory(
        organization=org,
        created_by=recruiter,
        title="Senior Python engineer",
        description="Build Django services on PostgreSQL; Kubernetes, Redis and machine learning a plus.",
        location=f"Austin, {REGION}",
        remote_policy="onsite",
        min_years_experience=5,
    )
    JobSkillFactory(job=job, name="Python", normalized_name="python", level="advanced", required=True)
    JobSkillFactory(job=job, name="PostgreSQL", normalized_name="postgresql", level="advanced", required=True)
    JobSkillFactory(job=job, name="Kubernetes", normalized_name="kubernetes", required=False)
    JobSkillFactory(job=job, name="Machine learning", normalized_name="machine learning", required=False)
    return job


@pytest.fixture
def variants():
    """Every resume for every person, each in a different city of the region."""
    made = {}
    n = 0
    for kind in RESUMES:
        for index, person in enumerate(PEOPLE):
            n += 1
            made[(kind, index)] = _candidate(kind, person, CITIES[(index + n) % len(CITIES)], n)
    return made


def _scores_by_kind(job, variants):
    rows = {m.candidate_id: m for m in Match.objects.filter(job=job)}
    by_kind = {}
    for (kind, _), (candidate, _) in variants.items():
        match = rows[candidate.pk]
        by_kind.setdefault(kind, set()).add((match.score, match.input_hash, json.dumps(match.breakdown["components"])))
    return by_kind


def test_swapping_names_gendered_words_and_city_in_a_region_changes_no_score(job, variants):
    run = match_job(job.pk)

    assert run.created == len(variants)
    by_kind = _scores_by_kind(job, variants)
    # One score, one input hash and one set of components per resume, whoever wrote it, wherever in the region.
    assert {kind: len(receipts) for kind, receipts in by_kind.items()} == dict.fromkeys(RESUMES, 1)
    scores = {kind: next(iter(receipts))[0] for kind, receipts in by_kind.items()}
    assert scores["backend"] > scores["data"] > scores["support"]


def test_without_redaction_the_same_variants_score_differently(job, variants):
    """The control: the raw text and city do move the scores, so the test above can fail."""
    from applications.matching import job_profile

    raw_job = JobProfile.build(
        title=job.title,
        description=job.description,
        skills=[(s.name, s.level, s.required) for s in job.skills.all()],
        min_years=job.min_years_experience,
        location=job.location,
        remote_policy=job.remote_policy,
    )
    raw = []
    for (kind, _), (candidate, _) in variants.items():
        if kind != "backend":
            continue
        raw.append(
            CandidateProfile.build(
                skills=[(s.name, s.level) for s in candidate.skills.all()],
                years=candidate.years_experience,
                location=candidate.location,
                headline=candidate.headline,
                summary=candidate.summary,
                resume_text=candidate.resumes.get().extracted_text,
            )
        )
    redacted = [candidate_profile(c) for (kind, _), (c, _) in variants.items() if kind == "backend"]

    raw_scores = LocalProvider().rank(raw_job, raw).scores
    redacted_scores = LocalProvider().rank(job_profile(job), redacted).scores

    assert len(set(raw_scores.tolist())) > 1
    assert len(set(redacted_scores.tolist())) == 1


def test_the_redacted_profile_holds_no_identity(job, variants):
    for (_, _), (candidate, values) in variants.items():
        profile = candidate_profile(candidate)
        text = "\n".join([profile.text, profile.location]).lower()
        for secret in [
            *values["first"].split(),
            *values["last"].split("-"),
            values["email"],
            values["handle"],
            "555-01",
            values["street"].lower(),
            values["city"],
            "78701",
            "1988",
            "aged 36",
        ]:
            assert secret.lower() not in text, (secret, text)
        for word in ("he", "she", "him", "her", "his", "mr", "ms", "mrs", "miss", "husband", "wife", "woman"):
            assert f" {word} " not in f" {text} ".replace(".", " ").replace(",", " ").replace(";", " "), word


def test_the_openai_provider_scores_the_variants_alike_and_never_receives_a_name(
    openai_settings,  # noqa: F811
    fake_openai,  # noqa: F811
    job,
    variants,
):
    run = match_job(job.pk, provider=OpenAIProvider(base_url=fake_openai.base_url, api_key="test-key", rationale=True))

    assert (run.provider, run.fallback) == ("openai", None)
    by_kind = _scores_by_kind(job, variants)
    assert {kind: len(receipts) for kind, receipts in by_kind.items()} == dict.fromkeys(RESUMES, 1)
    sent = json.dumps(fake_openai.bodies, ensure_ascii=False).lower()
    assert sent
    for (_, _), (_, values) in variants.items():
        for secret in [values["first"], values["last"], values["email"], values["phone"], values["handle"]]:
            assert secret.lower() not in sent, secret
    for city in CITIES:
        assert city.lower() not in sent, city
