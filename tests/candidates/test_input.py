"""Shape checks of a candidate profile's input, made once by the API's input serializer
(candidates/api/serializers.py); the admin form makes the same ones (tests/admin/test_candidates.py).

These cases were the candidate service's own checks until the service took typed keyword
arguments; each bad field is named in the errors. Through the API they answer 400
VALIDATION_ERROR and write nothing (tests/api/test_candidates.py).
"""

from typing import Any

import pytest

from candidates.api.serializers import CandidateInputSerializer

VALID: dict[str, Any] = {
    "full_name": "Ada Lovelace",
    "email": "Ada@Example.test",
    "phone": "+44 (0) 20-1234.5678",
    "headline": "Analyst",
    "years_experience": 7,
    "location": "London",
    "open_to_remote": True,
    "discoverable": True,
    "consent": True,
    "skills": [{"name": "Python"}, {"name": " Machine  Learning ", "level": "expert", "years": 3}],
}

BAD_SHAPES = [
    ({"full_name": ""}, "full_name"),
    ({"full_name": "   "}, "full_name"),
    ({"full_name": "x" * 201}, "full_name"),
    ({"full_name": None}, "full_name"),
    ({"email": ""}, "email"),
    ({"email": "ada"}, "email"),
    ({"email": 7}, "email"),
    ({"phone": "call me"}, "phone"),
    ({"phone": "1" * 33}, "phone"),
    ({"headline": "h" * 201}, "headline"),
    ({"summary": "s" * 20_001}, "summary"),
    ({"location": "l" * 201}, "location"),
    ({"years_experience": -1}, "years_experience"),
    ({"years_experience": 71}, "years_experience"),
    ({"years_experience": "7"}, "years_experience"),
    ({"years_experience": True}, "years_experience"),
    ({"open_to_remote": "yes"}, "open_to_remote"),
    ({"discoverable": 1}, "discoverable"),
    ({"consent": None}, "consent"),
    ({"skills": "Python"}, "skills"),
    ({"skills": ["Python"]}, "skills"),
    ({"skills": [{"name": "Python", "level": "guru"}]}, "skills"),
    ({"skills": [{"name": "Python", "years": 71}]}, "skills"),
    ({"skills": [{"name": "Python", "years": True}]}, "skills"),
    ({"skills": [{"name": ""}]}, "skills"),
    ({"skills": [{"name": "x" * 101}]}, "skills"),
    ({"skills": [{"name": "Python", "source": "resume"}]}, "skills"),
    ({"skills": [42]}, "skills"),
    ({"skills": [{"name": f"S{i}"} for i in range(101)]}, "skills"),
    ({"user": 1}, "user"),
    ({"created_by": 1}, "created_by"),
    ({"consent_at": None}, "consent_at"),
]


@pytest.mark.parametrize(("change", "field"), BAD_SHAPES)
def test_the_input_serializer_rejects_bad_shapes(change, field):
    serializer = CandidateInputSerializer(data={**VALID, **change})

    assert not serializer.is_valid()
    assert set(serializer.errors) == {field}


@pytest.mark.parametrize(("change", "field"), BAD_SHAPES)
def test_a_patch_gets_the_same_checks(change, field):
    serializer = CandidateInputSerializer(data=change, partial=True)

    assert not serializer.is_valid()
    assert set(serializer.errors) == {field}


def test_every_bad_field_is_reported_at_once():
    serializer = CandidateInputSerializer(data={**VALID, "full_name": "", "phone": "x", "years_experience": 99})

    assert not serializer.is_valid()
    assert set(serializer.errors) == {"full_name", "phone", "years_experience"}


def test_the_service_gets_trimmed_text_and_skills_as_dicts():
    serializer = CandidateInputSerializer(
        data={"headline": "  Staff engineer ", "skills": [{"name": " Go ", "level": "expert"}]}, partial=True
    )

    assert serializer.is_valid(), serializer.errors
    assert serializer.service_data() == {"headline": "Staff engineer", "skills": [{"name": "Go", "level": "expert"}]}


def test_a_phone_keeps_the_message_clients_knew():
    serializer = CandidateInputSerializer(data={"phone": "call me"}, partial=True)

    assert not serializer.is_valid()
    assert serializer.errors["phone"] == ["Digits, spaces and + - ( ) . only."]


def test_a_patched_skill_still_needs_its_name():
    serializer = CandidateInputSerializer(data={"skills": [{"name": "Go"}, {"level": "expert"}]}, partial=True)

    assert not serializer.is_valid()
    assert serializer.errors["skills"] == ["Item 1: name must be 1 to 100 characters."]


def test_duplicate_skills_are_a_business_rule_left_to_the_service():
    serializer = CandidateInputSerializer(data={"skills": [{"name": "Go"}, {"name": "go"}]}, partial=True)

    assert serializer.is_valid(), serializer.errors
