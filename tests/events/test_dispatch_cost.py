"""What dispatching one submission costs the worker, in statements, pinned so it cannot grow unseen.

The default queue's worker runs ``events.dispatch`` for every application: its statements are
most of the work per application that bench/pipeline measures (the webhook fan-out, the
candidate's and the team's notifications and emails, the scoring request).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.services import application_submit
from hotgigs.events import catalogue
from hotgigs.events.dispatch import events_dispatch
from hotgigs.events.models import OutboxEvent
from hotgigs.notifications.models import EmailDelivery, Notification
from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import CandidateFactory, JobFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

# Everything the worker sends PostgreSQL for one submission (3 members, 1 endpoint), as
# counted here: the claim and the done mark of the outbox row; a savepoint pair for each
# subscriber that writes (the scoring request only queues a task, and has none); the
# fan-out's 4 (endpoints, existing deliveries, insert, their ids); the application's read
# and the members' ids; then both notices (the candidate's, the team's) together: their keys
# claimed in one statement, the recipients and their opt-outs in two reads, the
# notifications, their outbox events (one statement: hotgigs_outbox_append) and the emails.
# The dispatch's own transaction is the outer savepoint pair here (BEGIN and COMMIT in
# production). It was 40 before the keys and opt-outs took one statement each, 32 before
# the two notices were written together, and 23 before the outbox events took one statement
# instead of four.
DISPATCH_STATEMENTS = 20


def _dispatch_statements(members):  # type: ignore[no-untyped-def]
    org = OrganizationFactory()
    team = [MembershipFactory(organization=org).user for _ in range(members)]
    WebhookEndpoint.objects.create(
        organization=org,
        url="https://hooks.example.com/in",
        event_types=[catalogue.APPLICATION_SUBMITTED],
        secret="whsec_" + "a" * 32,
    )
    job = JobFactory(organization=org, created_by=team[0], status="open")
    candidate = CandidateFactory()
    application = application_submit(actor=candidate.user, job=job, candidate=candidate)
    event = OutboxEvent.objects.get(type=catalogue.APPLICATION_SUBMITTED, data__id=application.pk)
    with CaptureQueriesContext(connection) as queries:
        assert events_dispatch(event_ids=[event.pk]) == 1
    # Everything the subscribers owe was written: the candidate's and the team's notifications
    # and emails, one delivery per endpoint.
    assert Notification.objects.filter(payload__application_id=application.pk).count() == 1 + members
    assert EmailDelivery.objects.filter(context__application_id=application.pk).count() == 1 + members
    assert WebhookDelivery.objects.filter(event_id=event.pk).count() == 1
    return [q["sql"] for q in queries.captured_queries]


def test_dispatching_a_submission_costs_a_pinned_number_of_statements():  # type: ignore[no-untyped-def]
    statements = _dispatch_statements(3)

    assert len(statements) == DISPATCH_STATEMENTS, "\n".join(statements)


def test_dispatching_a_submission_costs_the_same_with_1_and_with_20_members():
    assert len(_dispatch_statements(1)) == len(_dispatch_statements(20))
