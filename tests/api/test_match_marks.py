"""Recruiters mark matches good or bad; the marks are exported as labelled data; receipts show evidence."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from applications.matching import match_application
from applications.models import Match, MatchFeedback
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CandidateSkillFactory,
    JobSkillFactory,
    MembershipFactory,
    ResumeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(match: Match) -> str:
    return f"/api/v1/matches/{match.pk}/mark"


@pytest.fixture
def match(open_job):  # type: ignore[no-untyped-def]
    JobSkillFactory(job=open_job, name="Python", normalized_name="python", required=True)
    JobSkillFactory(job=open_job, name="Terraform", normalized_name="terraform", required=True)
    JobSkillFactory(job=open_job, name="Docker", normalized_name="docker", required=False)
    candidate = CandidateFactory(full_name="Noor Haddad", email="noor@haddad.example", discoverable=True)
    CandidateSkillFactory(candidate=candidate, name="Python", normalized_name="python", level="expert")
    ResumeFactory(
        candidate=candidate,
        parse_status="parsed",
        extracted_text="Noor Haddad, noor@haddad.example\nShe built Python services for payments. Ran Docker in CI.",
    )
    application = ApplicationFactory(job=open_job, candidate=candidate)
    return match_application(application.pk)


def test_the_receipt_shows_the_sentence_for_each_skill_and_what_was_not_found(login, recruiter, match):
    response = login(recruiter).get(f"/api/v1/jobs/{match.job_id}/matches")

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["breakdown"]["evidence"] == [
        {
            "skill": "Python",
            "required": True,
            "found": True,
            "source": "resume",
            "sentence": "They built Python services for payments.",
        },
        {"skill": "Terraform", "required": True, "found": False, "source": None, "sentence": None},
        {"skill": "Docker", "required": False, "found": True, "source": "resume", "sentence": "Ran Docker in CI."},
    ]
    assert "Noor" not in json.dumps(row["breakdown"])


def test_a_recruiter_marks_a_match_and_marking_again_replaces_it(login, recruiter, match):
    client = login(recruiter)

    first = client.post(url(match), {"mark": "good", "reason": "  Strong Python  "}, format="json")
    second = client.post(url(match), {"mark": "bad"}, format="json")

    assert first.status_code == 200
    assert first.json()["mark"] == "good"
    assert first.json()["reason"] == "Strong Python"
    assert second.status_code == 200
    feedback = MatchFeedback.objects.get()
    assert (feedback.mark, feedback.reason, feedback.user_id) == ("bad", "", recruiter.pk)
    assert (feedback.score, feedback.model_version) == (match.score, match.model_version)
    assert feedback.components == match.breakdown["components"]
    assert feedback.organization_id == match.job.organization_id
    assert second.json()["score"] == str(match.score)


def test_each_recruiter_has_their_own_mark(login, recruiter, org, match):
    colleague = MembershipFactory(organization=org, user=UserFactory()).user

    login(recruiter).post(url(match), {"mark": "good"}, format="json")
    login(colleague).post(url(match), {"mark": "bad"}, format="json")

    assert sorted(MatchFeedback.objects.values_list("mark", flat=True)) == ["bad", "good"]


def test_delete_takes_the_mark_back_and_a_second_delete_is_not_found(login, recruiter, match):
    client = login(recruiter)
    client.post(url(match), {"mark": "good"}, format="json")

    gone = client.delete(url(match))
    again = client.delete(url(match))

    assert gone.status_code == 204
    assert again.status_code == 404
    assert again.json()["code"] == "NOT_FOUND"
    assert not MatchFeedback.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mark": "great"}, "mark"),
        ({}, "mark"),
        ({"mark": "good", "reason": "x" * 501}, "reason"),
        ({"mark": "good", "score": 100}, "score"),
    ],
)
def test_a_bad_mark_is_refused_and_changes_nothing(login, recruiter, match, body, field):
    client = login(recruiter)
    client.post(url(match), {"mark": "good", "reason": "kept"}, format="json")

    response = client.post(url(match), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert list(MatchFeedback.objects.values_list("mark", "reason")) == [("good", "kept")]


def test_another_organization_gets_not_found(login, other_recruiter, match):
    response = login(other_recruiter).post(url(match), {"mark": "bad"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert login(other_recruiter).delete(url(match)).status_code == 404
    assert not MatchFeedback.objects.exists()


def test_the_candidate_sees_their_match_but_may_not_mark_it(login, match):
    response = login(match.candidate.user).post(url(match), {"mark": "good"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert not MatchFeedback.objects.exists()


def test_marking_needs_the_jobs_write_scope(login, recruiter, match):
    response = login(recruiter, scope="jobs:read").post(url(match), {"mark": "good"}, format="json")

    assert response.status_code == 403
    assert response.json()["details"] == {"required_scope": "jobs:write"}
    assert not MatchFeedback.objects.exists()


def test_export_writes_labelled_data_without_personal_data(login, recruiter, match, tmp_path):
    login(recruiter).post(url(match), {"mark": "good", "reason": "Noor is great"}, format="json")
    out = io.StringIO()

    call_command("export_match_marks", stdout=out, stderr=io.StringIO())
    call_command("export_match_marks", "--format", "csv", "--output", str(tmp_path / "marks.csv"), stderr=io.StringIO())

    (record,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert set(record) == {
        "match_id",
        "job_id",
        "candidate_id",
        "score",
        "components",
        "model_version",
        "mark",
        "marked_at",
    }
    assert (record["job_id"], record["candidate_id"], record["mark"]) == (match.job_id, match.candidate_id, "good")
    assert record["score"] == float(match.score)
    assert record["components"] == match.breakdown["components"]
    text = out.getvalue() + (tmp_path / "marks.csv").read_text()
    for personal in ("Noor", "Haddad", "noor@", recruiter.email):
        assert personal not in text
    (row,) = list(csv.DictReader((tmp_path / "marks.csv").open()))
    assert (row["mark"], int(row["match_id"]), json.loads(row["components"])) == (
        "good",
        match.pk,
        match.breakdown["components"],
    )


def test_export_to_a_missing_folder_fails_cleanly(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_match_marks", "--output", str(tmp_path / "nope" / "marks.jsonl"))
