"""One submission costs the same queries however many members the job's organization has.

The request records its domain events in the outbox and nothing else: the members'
notifications and emails are written after commit, on Celery (``events.dispatch``).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CandidateFactory, JobFactory, MembershipFactory, OrganizationFactory

URL = "/api/v1/applications"

pytestmark = pytest.mark.django_db


def _queries_of_one_submission(login, members):  # type: ignore[no-untyped-def]
    org = OrganizationFactory()
    team = [MembershipFactory(organization=org).user for _ in range(members)]
    job = JobFactory(organization=org, created_by=team[0], status="open")
    candidate = CandidateFactory()
    client = login(candidate.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, {"job_id": job.pk}, format="json")
    assert response.status_code == 201, response.json()
    return len(queries)


def test_a_submission_costs_the_same_queries_with_1_and_with_20_members(login):
    one = _queries_of_one_submission(login, 1)
    twenty = _queries_of_one_submission(login, 20)

    assert twenty == one
