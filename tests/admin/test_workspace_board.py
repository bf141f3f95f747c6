"""The pipeline board of a job (workspace/board.py): access, cards, filters, moves with reasons."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, StageChange
from hotgigs.events.models import OutboxEvent
from tests.admin.helpers import change_url, changelist_url, messages_of
from tests.factories import ApplicationFactory, CandidateFactory, InterviewFactory, JobFactory
from tests.factories.applications import rejection_reason_id

pytestmark = pytest.mark.django_db


def board(job_id: int, query: str = "") -> str:
    url = reverse("admin:jobs_job_board", args=[job_id])
    return f"{url}?{query}" if query else url


def move_url(job_id: int, query: str = "") -> str:
    url = reverse("admin:jobs_job_board_move", args=[job_id])
    return f"{url}?{query}" if query else url


def cards(response) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """Application ids per column, in the board's order."""
    return {column.stage: [card.application_id for card in column.cards] for column in response.context["columns"]}


def history(application: Application) -> list[tuple[str, str, str]]:
    return list(
        StageChange.objects.filter(application=application)
        .order_by("changed_at", "id")
        .values_list("from_stage", "to_stage", "reason")
    )


def move(client, job, application, to_stage, reason="", from_stage=None, query="", rejection_reason=None):  # type: ignore[no-untyped-def]
    data = {
        "application": application.pk,
        "from_stage": from_stage or application.stage,
        "to_stage": to_stage,
        "reason": reason,
    }
    if rejection_reason is not None:
        data["rejection_reason"] = rejection_reason
    return client.post(move_url(job.pk, query), data)


# --- access


def test_the_board_shows_a_column_per_stage_and_a_card_per_application(recruiter_client, open_job):
    now = timezone.now()
    best = ApplicationFactory.create(
        job=open_job, stage="screening", match_score=Decimal("91.5"), stage_changed_at=now - timedelta(days=3)
    )
    unscored = ApplicationFactory.create(job=open_job, stage="screening", match_score=None)
    fair = ApplicationFactory.create(job=open_job, stage="screening", match_score=Decimal("40"))
    interviewing = ApplicationFactory.create(job=open_job, stage="interview")
    soon = now + timedelta(days=2)
    InterviewFactory.create(application=interviewing, starts_at=soon + timedelta(days=1))
    InterviewFactory.create(application=interviewing, starts_at=soon)
    InterviewFactory.create(application=interviewing, starts_at=soon - timedelta(hours=1), status="cancelled")
    ApplicationFactory.create(stage="screening")  # another job's

    response = recruiter_client.get(board(open_job.pk))

    assert response.status_code == 200
    assert cards(response) == {
        "applied": [],
        "screening": [best.pk, fair.pk, unscored.pk],
        "interview": [interviewing.pk],
        "offer": [],
        "hired": [],
        "rejected": [],
        "withdrawn": [],
    }
    by_id = {card.application_id: card for column in response.context["columns"] for card in column.cards}
    assert by_id[best.pk].candidate_name == best.candidate.full_name
    assert by_id[best.pk].days_in_stage == 3
    assert by_id[best.pk].match_score == Decimal("91.5")
    assert by_id[interviewing.pk].next_interview_at == soon
    assert by_id[best.pk].next_interview_at is None
    # The moves a card offers: the next stage and a rejection.
    assert by_id[best.pk].moves == (("interview", "Interview"), ("rejected", "Rejected"))
    html = response.content.decode()
    assert best.candidate.full_name in html
    assert change_url(best) in html  # the card opens the application's page
    assert 'name="csrfmiddlewaretoken"' in html


def test_another_organizations_board_and_a_missing_job_answer_404(recruiter_client, other_open_job):
    ApplicationFactory.create(job=other_open_job)

    assert recruiter_client.get(board(other_open_job.pk)).status_code == 404
    assert recruiter_client.get(board(999_999)).status_code == 404


def test_moving_on_another_organizations_board_answers_404_and_changes_nothing(recruiter_client, other_open_job):
    theirs = ApplicationFactory.create(job=other_open_job, stage="applied")

    response = move(recruiter_client, other_open_job, theirs, "screening")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.stage == "applied"


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, open_job):
    response = client.get(board(open_job.pk))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_see_any_organizations_board(staff_client, other_open_job):
    application = ApplicationFactory.create(job=other_open_job)

    response = staff_client.get(board(other_open_job.pk))

    assert response.status_code == 200
    assert cards(response)["applied"] == [application.pk]


def test_the_jobs_list_and_the_job_page_link_to_the_board(recruiter_client, open_job):
    listed = recruiter_client.get(changelist_url(type(open_job))).content.decode()
    page = recruiter_client.get(change_url(open_job)).content.decode()

    assert board(open_job.pk) in listed
    assert board(open_job.pk) in page


# --- filters


def test_filters_keep_the_source_and_minimum_score_asked_for(recruiter_client, open_job):
    referral_high = ApplicationFactory.create(job=open_job, source="referral", match_score=Decimal("80"))
    ApplicationFactory.create(job=open_job, source="referral", match_score=Decimal("50"))
    ApplicationFactory.create(job=open_job, source="referral", match_score=None)
    ApplicationFactory.create(job=open_job, source="linkedin", match_score=Decimal("95"))

    response = recruiter_client.get(board(open_job.pk, "source=referral&min_score=70"))

    assert cards(response)["applied"] == [referral_high.pk]
    assert response.context["filtered"] is True
    # The move forms come back to the same filtered board.
    assert move_url(open_job.pk, "source=referral&amp;min_score=70") in response.content.decode()


def test_bad_filters_are_named_and_the_board_shows_everything(recruiter_client, open_job):
    applications = [ApplicationFactory.create(job=open_job) for _ in range(2)]

    response = recruiter_client.get(board(open_job.pk, "source=fax&min_score=150"))

    assert response.status_code == 200
    assert set(cards(response)["applied"]) == {a.pk for a in applications}
    (message,) = messages_of(response)
    assert message.startswith("The filters were not applied.")
    assert "Minimum score" in message
    assert "fax" in message


# --- moves


def test_a_move_goes_through_the_service_with_its_reason_and_into_the_history(recruiter_client, recruiter, open_job):
    application = ApplicationFactory.create(job=open_job, stage="screening")
    events_before = OutboxEvent.objects.count()

    response = move(recruiter_client, open_job, application, "interview", "Strong phone screen.", query="min_score=10")

    assert response.status_code == 302
    assert response["Location"] == board(open_job.pk, "min_score=10")
    application.refresh_from_db()
    assert application.stage == "interview"
    assert history(application)[-1] == ("screening", "interview", "Strong phone screen.")
    assert OutboxEvent.objects.count() == events_before + 1  # the service recorded its event
    entry = LogEntry.objects.get(object_id=str(application.pk))
    assert (entry.user_id, entry.action_flag) == (recruiter.pk, CHANGE)
    assert entry.get_change_message() == (
        "Moved on the pipeline board: Screening → Interview. Reason: Strong phone screen."
    )
    assert messages_of(recruiter_client.get(response["Location"])) == [
        f"{application.candidate.full_name}: Screening → Interview."
    ]


def test_a_rejection_needs_a_reason_and_records_it(recruiter_client, open_job):
    application = ApplicationFactory.create(job=open_job, stage="interview")

    refused = move(recruiter_client, open_job, application, "rejected", "Salary expectations far apart.")
    application.refresh_from_db()
    assert application.stage == "interview"
    assert messages_of(refused) == ["Nothing was moved. rejection reason: Choose a rejection reason."]
    assert not LogEntry.objects.exists()
    assert "Not enough experience" in recruiter_client.get(board(open_job.pk)).content.decode()

    why = rejection_reason_id(open_job.organization_id, "experience")
    move(recruiter_client, open_job, application, "rejected", "Salary expectations far apart.", rejection_reason=why)
    application.refresh_from_db()
    assert application.stage == "rejected"
    assert history(application)[-1] == ("interview", "rejected", "Salary expectations far apart.")
    assert application.stage_changes.order_by("-id")[0].rejection_reason_id == why
    assert LogEntry.objects.get().get_change_message() == (
        "Rejected on the pipeline board: Interview → Rejected. Reason: Salary expectations far apart."
    )


def test_an_illegal_move_is_refused_with_the_legal_moves_named(recruiter_client, open_job):
    application = ApplicationFactory.create(job=open_job, stage="applied")

    response = move(recruiter_client, open_job, application, "hired", "Skip ahead.")

    application.refresh_from_db()
    assert application.stage == "applied"
    assert history(application) == [("", "applied", "")]
    assert messages_of(response) == [
        f"{application.candidate.full_name}'s application cannot move from Applied to Hired. "
        "From Applied it can move to Screening, Rejected or Withdrawn."
    ]
    assert not LogEntry.objects.exists()


def test_an_ended_application_names_no_legal_move(recruiter_client, open_job):
    application = ApplicationFactory.create(job=open_job, stage="hired")

    response = move(recruiter_client, open_job, application, "offer", "Oops.")

    assert messages_of(response) == [
        f"{application.candidate.full_name}'s application is Hired, which ends the pipeline: it cannot move any more."
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"to_stage": "limbo"}, "Nothing was moved. to stage: “limbo” is not a stage."),
        (
            {"from_stage": "limbo"},
            "Nothing was moved. from stage: Select a valid choice. limbo is not one of the available choices.",
        ),
        ({"application": "abc"}, "Nothing was moved. application: Enter a whole number."),
        (
            {"reason": "x" * 2001},
            "Nothing was moved. reason: Ensure this value has at most 2000 characters (it has 2001).",
        ),
    ],
)
def test_malformed_moves_are_named_and_change_nothing(recruiter_client, open_job, change, expected):
    application = ApplicationFactory.create(job=open_job, stage="applied")
    data = {"application": application.pk, "from_stage": "applied", "to_stage": "screening", "reason": "", **change}

    response = recruiter_client.post(move_url(open_job.pk), data)

    assert response.status_code == 302
    assert messages_of(response) == [expected]
    application.refresh_from_db()
    assert application.stage == "applied"
    assert not LogEntry.objects.exists()


def test_a_stale_form_changes_nothing(recruiter_client, open_job):
    application = ApplicationFactory.create(job=open_job, stage="screening")

    # The card was drawn while the application was in "applied"; it has moved since.
    response = move(recruiter_client, open_job, application, "screening", from_stage="applied")

    application.refresh_from_db()
    assert application.stage == "screening"
    assert len(history(application)) == 1
    assert messages_of(response) == [
        f"Nothing was moved: {application.candidate.full_name} is now in Screening, not Applied "
        "(the board you used was out of date). The board is up to date now."
    ]


def test_an_application_of_another_job_is_not_moved_from_this_board(recruiter_client, org, open_job):
    elsewhere = ApplicationFactory.create(job=JobFactory.create(organization=org), stage="applied")

    response = move(recruiter_client, open_job, elsewhere, "screening")

    elsewhere.refresh_from_db()
    assert elsewhere.stage == "applied"
    assert messages_of(response) == ["Nothing was moved: that application is not on this board."]


def test_a_move_without_the_csrf_token_is_refused(client, recruiter, open_job):
    client = type(client)(enforce_csrf_checks=True)
    client.force_login(recruiter)
    application = ApplicationFactory.create(job=open_job, stage="applied")

    response = move(client, open_job, application, "screening")

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.stage == "applied"


def test_the_board_is_read_in_a_constant_number_of_queries(recruiter_client, open_job):
    def queries_for(count: int) -> int:
        for index in range(count):
            application = ApplicationFactory.create(
                job=open_job,
                candidate=CandidateFactory.create(),
                stage=("applied", "screening", "interview")[index % 3],
            )
            InterviewFactory.create(application=application)
        with CaptureQueriesContext(connection) as captured:
            response = recruiter_client.get(board(open_job.pk))
        assert sum(len(c) for c in cards(response).values()) == Application.objects.filter(job=open_job).count()
        return len(captured.captured_queries)

    three = queries_for(3)
    thirty = queries_for(27)  # 30 in all

    assert thirty == three


# --- bulk actions


def bulk_url(job_id: int, query: str = "") -> str:
    url = reverse("admin:jobs_job_board_bulk", args=[job_id])
    return f"{url}?{query}" if query else url


def test_every_card_has_a_checkbox_of_the_bulk_form(recruiter_client, open_job):
    application = ApplicationFactory.create(job=open_job)

    page = recruiter_client.get(board(open_job.pk)).content.decode()

    assert f'name="application_ids" value="{application.pk}" form="ws-bulk"' in page
    assert 'id="ws-bulk"' in page
    assert "Standard rejection" in page  # the organization's rejection email template is offered


def test_a_bulk_rejection_with_an_email_says_who_succeeded_and_who_failed(recruiter_client, open_job, other_open_job):
    from applications.models import RejectionEmail, RejectionEmailTemplate

    ada = ApplicationFactory.create(job=open_job, stage="screening", candidate=CandidateFactory.create(full_name="Ada"))
    bob = ApplicationFactory.create(job=open_job, stage="applied", candidate=CandidateFactory.create(full_name="Bob"))
    hired = ApplicationFactory.create(job=open_job, stage="hired", candidate=CandidateFactory.create(full_name="Cy"))
    elsewhere = ApplicationFactory.create(job=other_open_job)
    template = RejectionEmailTemplate.objects.get(organization_id=open_job.organization_id)

    response = recruiter_client.post(
        bulk_url(open_job.pk, "source=sourced"),
        {
            "application_ids": [ada.pk, bob.pk, hired.pk, elsewhere.pk],
            "action": "reject",
            "rejection_reason": rejection_reason_id(open_job.organization_id, "experience"),
            "email_template": template.pk,
            "email_delay_minutes": 30,
            "reason": "Bulk clean-up",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == board(open_job.pk, "source=sourced")
    said = messages_of(response)
    assert said[0] == "2 rejected: Ada, Bob."
    assert said[1].startswith("2 not changed.")
    assert "Cy's application is Hired, which ends the pipeline" in said[1]
    assert f"#{elsewhere.pk}: Not on this board." in said[1]
    assert set(Application.objects.filter(stage="rejected").values_list("pk", flat=True)) == {ada.pk, bob.pk}
    assert set(RejectionEmail.objects.values_list("application_id", flat=True)) == {ada.pk, bob.pk}
    assert history(ada)[-1] == ("screening", "rejected", "Bulk clean-up")
    logged = LogEntry.objects.filter(action_flag=CHANGE, object_id=str(ada.pk)).latest("id")
    assert "Rejected in bulk on the pipeline board" in logged.get_change_message()
    elsewhere.refresh_from_db()
    assert elsewhere.stage == "applied"


def test_a_bulk_move_and_a_bulk_note(recruiter_client, open_job, recruiter):
    from activity.models import Note

    first, second = ApplicationFactory.create(job=open_job), ApplicationFactory.create(job=open_job)

    moved = recruiter_client.post(
        bulk_url(open_job.pk), {"application_ids": [first.pk, second.pk], "action": "move", "stage": "screening"}
    )
    noted = recruiter_client.post(
        bulk_url(open_job.pk), {"application_ids": [first.pk, second.pk], "action": "note", "body": "Batch of May"}
    )

    assert messages_of(moved)[0].startswith("2 moved to Screening:")
    assert messages_of(noted)[-1].startswith("2 noted:")
    assert set(Application.objects.values_list("stage", flat=True)) == {"screening"}
    assert set(Note.objects.values_list("application_id", flat=True)) == {first.pk, second.pk}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"action": "reject"}, "rejection reason: Choose a rejection reason."),
        ({"action": "move"}, "stage: Choose the stage to move to."),
        ({"action": "note", "body": "  "}, "body: Write the note."),
        ({"action": "explode"}, "action:"),
        ({"action": "reject", "rejection_reason": "x"}, "rejection reason:"),
        ({"action": "reject", "rejection_reason": 1, "email_delay_minutes": 20000}, "email delay minutes:"),
        ({"action": "reject", "rejection_reason": 1, "email_delay_minutes": 5}, "email template:"),
    ],
)
def test_malformed_bulk_actions_are_named_and_change_nothing(recruiter_client, open_job, data, expected):
    application = ApplicationFactory.create(job=open_job)
    before = (StageChange.objects.count(), OutboxEvent.objects.count())

    response = recruiter_client.post(bulk_url(open_job.pk), {"application_ids": [application.pk], **data})

    said = messages_of(response)
    assert said[0].startswith("Nothing was changed.")
    assert expected in said[0]
    assert (StageChange.objects.count(), OutboxEvent.objects.count()) == before


def test_a_bulk_action_without_a_selection_changes_nothing(recruiter_client, open_job):
    response = recruiter_client.post(bulk_url(open_job.pk), {"action": "move", "stage": "screening"})

    assert messages_of(response) == ["Nothing was changed. application ids: Select at least one application."]


def test_a_bulk_rejection_with_another_organizations_template_fails_each_and_changes_nothing(
    recruiter_client, open_job, other_org
):
    from applications.models import RejectionEmailTemplate

    application = ApplicationFactory.create(job=open_job)
    theirs = RejectionEmailTemplate.objects.get(organization=other_org)

    response = recruiter_client.post(
        bulk_url(open_job.pk),
        {
            "application_ids": [application.pk],
            "action": "reject",
            "rejection_reason": rejection_reason_id(open_job.organization_id),
            "email_template": theirs.pk,
        },
    )

    assert messages_of(response)[0].startswith("1 not changed.")
    application.refresh_from_db()
    assert application.stage == "applied"


def test_bulk_on_another_organizations_board_answers_404(recruiter_client, other_open_job):
    application = ApplicationFactory.create(job=other_open_job)

    response = recruiter_client.post(
        bulk_url(other_open_job.pk), {"application_ids": [application.pk], "action": "move", "stage": "screening"}
    )

    assert response.status_code == 404
    application.refresh_from_db()
    assert application.stage == "applied"
