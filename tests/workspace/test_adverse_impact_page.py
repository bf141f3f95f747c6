"""The adverse-impact monitor's back-office page: org admins and staff only, the tables with flags
and cautions rendered from the same figures as the API."""

import pytest

from candidates.models import SelfIdentification
from tests.factories import ApplicationFactory, CandidateFactory, MembershipFactory, StageChangeFactory

URL = "/admin/adverse-impact/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(open_job):  # type: ignore[no-untyped-def]
    # Six women, one selected; six men, five selected: the women's ratio is 0.2 (flagged).
    for gender, selected in (("female", 1), ("male", 5)):
        for number in range(6):
            candidate = CandidateFactory()
            SelfIdentification.objects.create(
                candidate=candidate,
                gender=gender,
                race_ethnicity="declined",
                veteran_status="declined",
                disability_status="declined",
            )
            stage = "screening" if number < selected else "rejected"
            application = ApplicationFactory(job=open_job, candidate=candidate, stage=stage)
            StageChangeFactory(application=application, from_stage="applied", to_stage=stage)


def test_an_org_admin_sees_the_tables_with_flags_and_cautions(client, org_admin, decided):
    client.force_login(org_admin)

    response = client.get(URL, {"dimension": "gender", "stage": "applied"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "adverse impact flagged" in text
    assert "below four-fifths" in text
    assert "Insufficient sample" in text
    assert "Fisher&#x27;s exact test" in text or "Fisher's exact test" in text
    step = response.context["report"].dimensions[0].steps[0]
    female = next(row for row in step.groups if row.group == "female")
    assert (female.considered, female.selected, female.impact_ratio) == (6, 1, 0.2)


def test_the_dashboard_links_to_it_for_admins_only(client, org_admin, recruiter):
    client.force_login(org_admin)
    assert "ws-adverse-impact-link" in client.get("/admin/").content.decode()
    client.force_login(recruiter)
    assert "ws-adverse-impact-link" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("role", ["recruiter", "hiring_manager", "interviewer"])
def test_everyone_else_in_the_organization_is_refused(client, org, decided, role):
    client.force_login(MembershipFactory(organization=org, role=role).user)

    assert client.get(URL).status_code == 403


def test_staff_see_it_and_bad_filters_answer_400(client, staff, decided, other_open_job):
    client.force_login(staff)

    assert client.get(URL).status_code == 200
    assert client.get(URL, {"top": "0"}).status_code == 400
    assert client.get(URL, {"job": "999999"}).status_code == 404
