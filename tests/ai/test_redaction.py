"""Redaction: what matching never sees; evidence: where the text shows each skill."""

import dataclasses

import pytest

from hotgigs.ai import CandidateProfile, JobProfile, evidence
from hotgigs.ai.redaction import Identity, neutral_words, region

JANE = Identity(
    names=("Jane Q. Doe-Smith",),
    emails=("jane@doe.example",),
    phones=("+44 20 7946 0958",),
    location="Leeds, Yorkshire, UK",
)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Jane Doe-Smith, senior engineer", "Jane"),
        ("Ms. Doe-Smith led the team", "Doe"),
        ("J. Q. Doe-Smith", "Q."),
        ("Contact: jane.d@other.example or jane@doe.example", "@"),
        ("Call +44 20 7946 0958 or 07700 900123", "7946"),
        ("Call +44 20 7946 0958 or 07700 900123", "900123"),
        ("https://janedoe.dev and linkedin.com/in/jdoe and @janedoe", "jdoe"),
        ("https://janedoe.dev and linkedin.com/in/jdoe and @janedoe", "janedoe"),
        ("Date of birth: 03/04/1990", "1990"),
        ("DOB 1990-04-03", "1990"),
        ("Born on 3 April 1990 in a small town", "1990"),
        ("Aged 34, I enjoy", "34"),
        ("I am 34 years old", "34"),
        ("Address: 7 Park Row", "Park"),
        ("Lives at 221B Baker Street, London NW1 6XE", "Baker"),
        ("Lives at 221B Baker Street, London NW1 6XE", "NW1"),
        ("Office: 500 Congress Ave, Austin, TX 78701", "78701"),
        ("Hauptstraße 5, 10115 Berlin", "10115"),
        ("Gender: female\nPython developer", "female"),
        ("Pronouns: she/her\nPython developer", "she"),
        ("Marital status: married", "married"),
        ("Based in Leeds, working on Python", "Leeds"),
    ],
)
def test_identity_contact_age_address_and_self_identification_are_taken_out(text, gone):
    assert gone.lower() not in JANE.redact(text).lower()


@pytest.mark.parametrize(
    "text",
    [
        "Python developer since 2015 - 2019 at Acme, 5 years of Django",
        "I will lead the migration",  # "will" is a word, not a name written as one
        "Improved throughput by 10000 requests per second",
        "Worked with C and R on embedded systems",
    ],
)
def test_ordinary_text_stays(text):
    identity = Identity(names=("Will Grant",), location="Reading, Berkshire, UK")
    assert identity.redact(text) == text


@pytest.mark.parametrize(
    ("male", "female"),
    [
        ("He led his team and mentored him.", "She led her team and mentored her."),
        ("Mr. Smith told him the plan; the award was his own.", "Mrs. Smith told her the plan; the award was her own."),
        (
            "A man and his husband; father of two; fraternity member",
            "A woman and her wife; mother of two; sorority member",
        ),
        ("Chairman of the board, spokesman, male nurse", "Chairwoman of the board, spokeswoman, female nurse"),
        ("HE WROTE HIS CODE", "SHE WROTE HER CODE"),
    ],
)
def test_gendered_words_swap_to_the_same_neutral_text(male, female):
    assert neutral_words(male) == neutral_words(female)
    assert not {"he", "she", "his", "her", "him"} & set(neutral_words(male).lower().replace(".", " ").split())


def test_pronouns_read_object_or_possessive_from_the_next_word():
    assert neutral_words("She gave her notes to him.") == "They gave their notes to them."


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("Austin, Texas, US", "Texas, US"),
        ("Dallas,  Texas , US", "Texas, US"),
        ("Berlin, Germany", "Germany"),
        ("Berlin", "Berlin"),
        ("", ""),
    ],
)
def test_region_drops_the_city_when_a_region_follows(location, expected):
    assert region(location) == expected


def test_the_candidate_profile_has_no_field_for_identity_or_self_identification():
    # Adding a field here is a fairness decision: the engine must never see who someone is.
    assert {f.name for f in dataclasses.fields(CandidateProfile)} == {
        "skills",
        "years",
        "location",
        "open_to_remote",
        "headline",
        "summary",
        "resume_text",
        "inferred",
        "names",
        "id",
    }


# Evidence -------------------------------------------------------------------------------


JOB = JobProfile.build(
    title="Backend engineer",
    skills=[("Python", "advanced", True), ("PostgreSQL", None, True), ("Go", None, True), ("Kubernetes", None, False)],
)


def test_evidence_names_the_sentence_that_shows_each_skill_and_what_was_not_found():
    candidate = CandidateProfile.build(
        skills=[("Python", "expert"), ("Go", "advanced")],
        headline="Backend engineer",
        summary="I like clean APIs.",
        resume_text="Built payment APIs.\nLed the move to Postgres 15 and tuned slow queries. Wrote Python daily.",
    )

    entries = evidence.skill_evidence(JOB, candidate)

    assert entries == [
        {"skill": "Python", "required": True, "found": True, "source": "resume", "sentence": "Wrote Python daily."},
        {
            "skill": "PostgreSQL",
            "required": True,
            "found": True,
            "source": "resume",
            "sentence": "Led the move to Postgres 15 and tuned slow queries.",
        },
        # Listed on the profile; "Go" is not read from prose, so no sentence shows it.
        {"skill": "Go", "required": True, "found": True, "source": "profile", "sentence": None},
        {"skill": "Kubernetes", "required": False, "found": False, "source": None, "sentence": None},
    ]


def test_a_long_sentence_is_cut_around_the_skill():
    filler = ", ".join(f"task {n}" for n in range(60))
    candidate = CandidateProfile.build(resume_text=f"I did {filler}, and then wrote Python services, {filler}.")

    (python, *_) = evidence.skill_evidence(JOB, candidate)

    assert python["found"] is True
    assert "Python" in python["sentence"]
    assert len(python["sentence"]) <= evidence.MAX_SENTENCE_CHARS
