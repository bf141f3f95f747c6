"""The application page's match receipt: evidence per skill and the good/bad buttons."""

import pytest

from applications.matching import match_application
from applications.models import MatchFeedback
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CandidateSkillFactory,
    JobSkillFactory,
    ResumeFactory,
)
from tests.workspace.pages import application_url, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(open_job):  # type: ignore[no-untyped-def]
    JobSkillFactory(job=open_job, name="Python", normalized_name="python", required=True)
    JobSkillFactory(job=open_job, name="Terraform", normalized_name="terraform", required=True)
    candidate = CandidateFactory(full_name="Tomas Berg")
    CandidateSkillFactory(candidate=candidate, name="Python", normalized_name="python")
    ResumeFactory(candidate=candidate, parse_status="parsed", extracted_text="Wrote Python tooling for his team.")
    application = ApplicationFactory(job=open_job, candidate=candidate, stage="screening")
    match_application(application.pk)
    return application


@pytest.fixture
def signed_in(client, recruiter):  # type: ignore[no-untyped-def]
    client.force_login(recruiter)
    return client


def test_the_receipt_shows_evidence_and_the_mark_buttons(signed_in, application):
    response = signed_in.get(application_url(application))

    html = response.content.decode()
    assert response.status_code == 200
    assert "“Wrote Python tooling for their team.”" in html
    assert "<strong>Terraform</strong>:\n            not found" in html
    assert 'id="ws-match-mark"' in html
    assert 'value="good"' in html


def test_marking_from_the_page_stores_the_mark_and_shows_it(signed_in, recruiter, application):
    response = signed_in.post(
        application_url(application, "match_mark"), {"mark": "bad", "reason": "No Terraform"}, follow=True
    )

    assert response.status_code == 200
    assert "Marked as a bad match." in messages_of(response)
    feedback = MatchFeedback.objects.get()
    assert (feedback.user_id, feedback.mark, feedback.reason) == (recruiter.pk, "bad", "No Terraform")
    assert "You marked this a bad match: No Terraform." in response.content.decode()

    cleared = signed_in.post(application_url(application, "match_mark"), {"mark": "clear"}, follow=True)

    assert "Your mark on this match was cleared." in messages_of(cleared)
    assert not MatchFeedback.objects.exists()


def test_a_bad_mark_from_the_page_changes_nothing(signed_in, application):
    response = signed_in.post(application_url(application, "match_mark"), {"mark": "great"}, follow=True)

    assert any(message.startswith("Nothing was changed.") for message in messages_of(response))
    assert not MatchFeedback.objects.exists()


def test_another_organization_cannot_mark(client, other_recruiter, application):
    client.force_login(other_recruiter)

    response = client.post(application_url(application, "match_mark"), {"mark": "good"})

    assert response.status_code == 404
    assert not MatchFeedback.objects.exists()
