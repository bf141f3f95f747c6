"""One submission costs the same, few queries however many members the job's organization has.

The request records its domain events in the outbox and nothing else: the members'
notifications and emails are written after commit, on Celery (``events.dispatch``).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CandidateFactory, JobFactory, MembershipFactory, OrganizationFactory

URL = "/api/v1/applications"

pytestmark = pytest.mark.django_db


# What one candidate's POST /api/v1/applications may cost, in statements sent to PostgreSQL
# besides BEGIN and COMMIT (the test's own savepoints are left out, as production has none):
#   1 the token's user (with the revocation check)   2 the actor's memberships
#   3 the actor's candidate profile (no skills)
#   4 the job, as the actor sees it (no skills), locked until commit
#   5 the application                                6 its first stage change
#   7 the outbox event with its groups: one call of hotgigs_outbox_append (the groups'
#     advisory locks, their last event ids, the two inserts)
# No duplicate look-up: the unique constraint answers a second application. It was 11 before
# the job was read once (visible and locked together) and the outbox took one statement.
SUBMISSION_STATEMENTS = 7


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def _queries_of_one_submission(login, members):  # type: ignore[no-untyped-def]
    org = OrganizationFactory()
    team = [MembershipFactory(organization=org).user for _ in range(members)]
    job = JobFactory(organization=org, created_by=team[0], status="open")
    candidate = CandidateFactory()
    client = login(candidate.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, {"job_id": job.pk}, format="json")
    assert response.status_code == 201, response.json()
    return _statements(queries)


def test_a_submission_costs_the_same_queries_with_1_and_with_20_members(login):
    one = _queries_of_one_submission(login, 1)
    twenty = _queries_of_one_submission(login, 20)

    assert len(twenty) == len(one)


def test_a_submission_costs_a_pinned_number_of_statements(login):
    statements = _queries_of_one_submission(login, 3)

    assert len(statements) == SUBMISSION_STATEMENTS, "\n".join(statements)
    # Neither side's skills are read: the answer does not show them.
    assert not [sql for sql in statements if "skill" in sql.lower()]
