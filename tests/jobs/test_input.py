"""Shape checks of a job's input, made once by the API's input serializer (jobs/api/serializers.py).

These cases were the job service's own checks until the service took typed keyword
arguments; each bad field is named in the errors (at its nested input path).
"""

from typing import Any

import pytest

from jobs.api.serializers import SERVICE_FIELD_PATHS, JobCreateSerializer, JobPatchSerializer

VALID: dict[str, Any] = {
    "title": "Backend Engineer",
    "description": "Build the hiring pipeline.",
    "location": "Berlin",
    "remote_policy": "remote",
    "employment_type": "contract",
    "min_years_experience": 3,
    "salary_min": 70000,
    "salary_max": 90000,
    "salary_currency": "eur",
    "skills": [{"name": "Go"}],
}


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    """The flat service fields as the API's nested body (``salary_min`` → ``salary.min``)."""
    body: dict[str, Any] = {}
    for key, value in flat.items():
        path = SERVICE_FIELD_PATHS.get(key)
        if path is None:
            body[key] = value
        else:
            body.setdefault(path[0], {})[path[1]] = value
    return body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "t" * 256}, "title"),
        ({"title": 42}, "title"),
        ({"description": ""}, "description"),
        ({"remote_policy": "moon"}, "remote_policy"),
        ({"employment_type": "forever"}, "employment_type"),
        ({"education": "phd"}, "requirements"),
        ({"min_years_experience": -1}, "requirements"),
        ({"min_years_experience": 51}, "requirements"),
        ({"min_years_experience": None}, "requirements"),
        ({"min_years_experience": "3"}, "requirements"),
        ({"salary_min": -5}, "salary"),
        ({"salary_max": True}, "salary"),
        ({"salary_currency": "EURO"}, "salary"),
        ({"salary_currency": "E1R"}, "salary"),
        ({"skills": [{"name": "Python", "level": "guru"}]}, "requirements"),
        ({"skills": [{"name": ""}]}, "requirements"),
        ({"skills": [{"name": "x" * 101}]}, "requirements"),
        ({"skills": [{"name": "Python", "required": "yes"}]}, "requirements"),
        ({"skills": ["Python"]}, "requirements"),
        ({"skills": "Python"}, "requirements"),
        ({"skills": {"name": "Python"}}, "requirements"),
        ({"skills": None}, "requirements"),
        ({"skills": [{"name": f"S{i}"} for i in range(51)]}, "requirements"),
        ({"status": "open"}, "status"),
        ({"created_by": 1}, "created_by"),
        ({"opened_at": None}, "opened_at"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_the_input_serializer_rejects_bad_shapes(change, field):
    serializer = JobCreateSerializer(data=_nested({**VALID, **change}))

    assert not serializer.is_valid()
    assert set(serializer.errors) == {field}


def test_every_bad_field_is_reported_at_once():
    serializer = JobCreateSerializer(data=_nested({**VALID, "title": "", "description": "", "remote_policy": "x"}))

    assert not serializer.is_valid()
    assert set(serializer.errors) == {"title", "description", "remote_policy"}


def test_the_service_gets_trimmed_text_and_an_upper_case_currency():
    serializer = JobPatchSerializer(data=_nested({"title": "  New title ", "salary_currency": "eur"}), partial=True)

    assert serializer.is_valid(), serializer.errors
    assert serializer.service_data() == {"title": "New title", "salary_currency": "EUR"}


def test_a_bad_currency_keeps_the_message_clients_knew():
    serializer = JobCreateSerializer(data=_nested({**VALID, "salary_currency": "E1R"}))

    assert not serializer.is_valid()
    assert serializer.errors["salary"]["currency"] == ["Must be a three-letter ISO 4217 code such as USD."]


def test_a_patched_skill_still_needs_its_name():
    serializer = JobPatchSerializer(data={"requirements": {"skills": [{"level": "expert"}]}}, partial=True)

    assert not serializer.is_valid()
    assert serializer.errors["requirements"]["skills"] == ["Item 0: name must be 1 to 100 characters."]
