"""The pipeline board of one job: a column per stage, a card per application, moves with reasons.

``GET /admin/jobs/job/<id>/board/`` shows the board, filtered by ``source`` and
``min_score``; ``POST …/board/move/`` moves one application; ``POST …/board/bulk/`` acts on
the selected cards (each card's checkbox belongs to the bulk bar's form through the ``form``
attribute, so selecting needs no script): move them to a stage, reject them with a reason
(and optionally a rejection email after a delay), or add one note to each. A bulk action goes
through the same services as ``POST /api/v1/applications/bulk`` (``applications_bulk_move``,
``applications_bulk_apply``): each application succeeds or fails on its own, and the page
says which did and why the others did not. The page works without
script: each card holds a form (the next stages and "Rejected", a reason, a button) inside a
``<details>``, so a keyboard reaches every move; ``workspace/board.js`` adds drag-and-drop,
which only fills in that same form.

A move goes through ``applications.services.application_move`` (the pipeline's rules, its
history row and its event) and is then written to the admin's History of the application
(``LogEntry``) with its reason. Whatever is wrong with a move (an unknown stage, a rejection
without a reason, a form older than the card, a move the pipeline does not allow) is said
in a message, and nothing changes. The job is read through ``jobs.selectors.job_get``, so a
job of another organization answers 404 like one that does not exist.

The board is read in a fixed number of queries whatever the number of applications: the
job, then the applications with their candidate and next interview in one query.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from applications.choices import (
    REJECTION_EMAIL_MAX_DELAY_MINUTES,
    STAGE_TRANSITIONS,
    ApplicationSource,
    ApplicationStage,
)
from applications.errors import ApplicationNotFound, IllegalStageMove, illegal_move_words
from applications.selectors import (
    application_get,
    application_list,
    rejection_email_template_list,
    rejection_reason_list,
)
from applications.services import (
    MAX_BULK,
    MAX_REASON,
    BulkOutcome,
    application_move,
    applications_bulk_apply,
    applications_bulk_move,
)
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.admin_site import admin_site, domain_error_text
from hotgigs.errors import DomainError
from interviews.selectors import with_next_interview
from jobs.errors import JobNotFound
from jobs.selectors import job_get

STAGE_LABELS = dict(ApplicationStage.choices)
# The board offers the pipeline's forward step and a rejection. Withdrawing belongs to the
# candidate (or to the application page, on their behalf); the service still names it
# among the legal moves when it refuses one.
BOARD_MOVES = {
    stage: tuple(to for to in moves if to != ApplicationStage.WITHDRAWN) for stage, moves in STAGE_TRANSITIONS.items()
}


_URL_PLACEHOLDER = 987654321


class BoardFilters(forms.Form):
    """The board's GET filters; the move form posts to a URL that carries them, to come back to the same view."""

    source = forms.ChoiceField(choices=[("", "Any source"), *ApplicationSource.choices], required=False)
    min_score = forms.DecimalField(
        label="Minimum score", min_value=0, max_value=100, max_digits=5, decimal_places=2, required=False
    )

    def query(self) -> str:
        """The valid filters as a query string ("" when none)."""
        if not self.is_valid():
            return ""
        kept = {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}
        return urlencode(kept)


class MoveForm(forms.Form):
    """One move of one card. ``from_stage`` is the stage the card showed: if the application
    has moved since, the form is stale and nothing happens."""

    application = forms.IntegerField(min_value=1)
    from_stage = forms.ChoiceField(choices=ApplicationStage.choices)
    to_stage = forms.ChoiceField(
        choices=ApplicationStage.choices, error_messages={"invalid_choice": "“%(value)s” is not a stage."}
    )
    reason = forms.CharField(max_length=MAX_REASON, required=False, strip=True)
    rejection_reason = forms.IntegerField(min_value=1, required=False)
    email_template = forms.IntegerField(min_value=1, required=False)
    email_delay_minutes = forms.IntegerField(min_value=0, max_value=REJECTION_EMAIL_MAX_DELAY_MINUTES, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rejecting = cleaned.get("to_stage") == ApplicationStage.REJECTED
        if rejecting and not cleaned.get("rejection_reason"):
            self.add_error("rejection_reason", "Choose a rejection reason.")
        if not rejecting:
            cleaned["rejection_reason"] = None
            cleaned["email_template"] = None
            cleaned["email_delay_minutes"] = None
        return cleaned


class BulkAction:
    MOVE = "move"
    REJECT = "reject"
    NOTE = "note"


BULK_ACTIONS = (
    (BulkAction.MOVE, "Move to stage"),
    (BulkAction.REJECT, "Reject"),
    (BulkAction.NOTE, "Add a note"),
)
# A bulk move goes forward along the pipeline; rejecting is its own action (it needs a reason).
BULK_STAGES = (
    ApplicationStage.SCREENING,
    ApplicationStage.INTERVIEW,
    ApplicationStage.OFFER,
    ApplicationStage.HIRED,
)


class BulkForm(forms.Form):
    """The bulk bar: the selected cards and what to do with them (shapes only; the services
    keep the rules)."""

    application_ids = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=(),
        error_messages={
            "required": "Select at least one application.",
        },
    )
    action = forms.ChoiceField(choices=BULK_ACTIONS)
    stage = forms.ChoiceField(choices=[(stage.value, stage.label) for stage in BULK_STAGES], required=False)
    rejection_reason = forms.IntegerField(min_value=1, required=False)
    email_template = forms.IntegerField(min_value=1, required=False)
    email_delay_minutes = forms.IntegerField(min_value=0, max_value=REJECTION_EMAIL_MAX_DELAY_MINUTES, required=False)
    reason = forms.CharField(max_length=MAX_REASON, required=False, strip=True)
    body = forms.CharField(required=False, strip=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is a valid shape: the service answers for those the user may not see.
        ids = self.data.getlist("application_ids") if hasattr(self.data, "getlist") else []
        field = self.fields["application_ids"]
        field.choices = [(value, value) for value in ids]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        if action == BulkAction.MOVE and not cleaned.get("stage"):
            self.add_error("stage", "Choose the stage to move to.")
        if action == BulkAction.REJECT and not cleaned.get("rejection_reason"):
            self.add_error("rejection_reason", "Choose a rejection reason.")
        if action == BulkAction.NOTE and not cleaned.get("body"):
            self.add_error("body", "Write the note.")
        if action != BulkAction.REJECT:
            cleaned["email_template"] = None
            cleaned["email_delay_minutes"] = None
        if cleaned.get("email_template") is None and cleaned.get("email_delay_minutes"):
            self.add_error("email_template", "Choose the email to send after the delay.")
        if len(cleaned.get("application_ids") or []) > MAX_BULK:
            self.add_error("application_ids", f"Select at most {MAX_BULK} applications.")
        return cleaned


@dataclass(frozen=True)
class Card:
    """One application on the board. ``key`` (the id) and ``score`` are text already: the board
    draws hundreds of cards, and the template engine localizes every number it prints."""

    application_id: int
    key: str
    url: str
    candidate_name: str
    match_score: Decimal | None
    score: str
    source_label: str
    days_in_stage: int
    next_interview_at: datetime | None
    stage: str
    moves: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Column:
    stage: str
    label: str
    cards: list[Card]


def board_url(job_id: int, query: str = "") -> str:
    url = reverse("admin:jobs_job_board", args=[job_id])
    return f"{url}?{query}" if query else url


def _job_or_404(request: HttpRequest, job_id: int) -> Any:
    try:
        job = job_get(actor=request.user, job_id=job_id)
    except JobNotFound:
        raise Http404("No such job.") from None
    # The board is for those who move the job's applications (not an interviewer seat).
    if not policies.may_manage_job(request.user, organization_id=job.organization_id, job_id=job.pk):  # type: ignore[arg-type]
        raise Http404("No such job.")
    return job


def board_columns(*, actor: Any, job_id: int, source: str = "", min_score: Decimal | None = None) -> list[Column]:
    """The board's columns, in pipeline order, each with its cards (best match first)."""
    now = timezone.now()
    applications = application_list(actor=actor).filter(job_id=job_id)
    if source:
        applications = applications.filter(source=source)
    if min_score is not None:
        applications = applications.filter(match_score__gte=min_score)
    applications = with_next_interview(applications, now=now).order_by(
        F("match_score").desc(nulls_last=True), "stage_changed_at", "id"
    )
    source_labels = dict(ApplicationSource.choices)
    moves = {stage: tuple((to, STAGE_LABELS[to]) for to in targets) for stage, targets in BOARD_MOVES.items()}
    # Each card links to its application's page; the URL is reversed once and the id put in
    # its place (reversing per card is a tenth of the board's time at 500 cards).
    prefix, _, suffix = reverse("admin:applications_application_change", args=[_URL_PLACEHOLDER]).partition(
        str(_URL_PLACEHOLDER)
    )
    columns = {stage: Column(stage, label, []) for stage, label in ApplicationStage.choices}
    for application in applications:
        columns[application.stage].cards.append(
            Card(
                application_id=application.pk,
                key=str(application.pk),
                url=f"{prefix}{application.pk}{suffix}",
                candidate_name=application.candidate.full_name,
                match_score=application.match_score,
                score="—" if application.match_score is None else f"{application.match_score:.0f}",
                source_label=source_labels.get(application.source, application.source),
                days_in_stage=max(0, (now - application.stage_changed_at).days),
                next_interview_at=application.next_interview_at,  # type: ignore[attr-defined]
                stage=application.stage,
                moves=moves[application.stage],
            )
        )
    return list(columns.values())


@require_GET
def board_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request, job_id)
    filters = BoardFilters(request.GET or None)
    source, min_score = "", None
    if filters.is_bound:
        if filters.is_valid():
            source, min_score = filters.cleaned_data["source"], filters.cleaned_data["min_score"]
        else:
            problems = "; ".join(
                f"{filters.fields[name].label or name}: {' '.join(str(e) for e in errors)}"
                for name, errors in filters.errors.items()
            )
            messages.error(request, f"The filters were not applied. {problems}")
    columns = board_columns(actor=request.user, job_id=job.pk, source=source, min_score=min_score)
    context = {
        **admin_site.each_context(request),
        "title": f"Pipeline board: {job.title}",
        "subtitle": None,
        "job": job,
        "columns": columns,
        "card_count": sum(len(column.cards) for column in columns),
        "filters": filters,
        "filter_query": filters.query() if filters.is_bound else "",
        "filtered": bool(source or min_score is not None),
        "move_action": reverse("admin:jobs_job_board_move", args=[job.pk])
        + (f"?{filters.query()}" if filters.is_bound and filters.query() else ""),
        "max_reason": str(MAX_REASON),
        "rejection_reasons": [
            (str(pk), label)
            for pk, label in rejection_reason_list(actor=request.user, organization_id=job.organization_id).values_list(
                "pk", "label"
            )
        ],
        "email_templates": [
            (str(pk), name)
            for pk, name in rejection_email_template_list(
                actor=request.user, organization_id=job.organization_id
            ).values_list("pk", "name")
        ],
        "bulk_action": reverse("admin:jobs_job_board_bulk", args=[job.pk])
        + (f"?{filters.query()}" if filters.is_bound and filters.query() else ""),
        "bulk_actions": BULK_ACTIONS,
        "bulk_stages": [(stage.value, stage.label) for stage in BULK_STAGES],
        "max_delay": str(REJECTION_EMAIL_MAX_DELAY_MINUTES),
        "max_bulk": str(MAX_BULK),
        "opts": {"app_label": "jobs", "model_name": "job"},
    }
    request.current_app = admin_site.name
    return TemplateResponse(request, "workspace/board.html", context)


@require_POST
def board_move_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request, job_id)
    back = HttpResponseRedirect(board_url(job.pk, BoardFilters(request.GET).query()))
    form = MoveForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(
            f"{'' if name == '__all__' else name.replace('_', ' ') + ': '}{' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items()
        )
        messages.error(request, f"Nothing was moved. {problems}")
        return back
    data = form.cleaned_data
    try:
        application = application_get(actor=request.user, application_id=data["application"])
    except ApplicationNotFound:
        application = None
    if application is None or application.job_id != job.pk:
        messages.error(request, "Nothing was moved: that application is not on this board.")
        return back
    name = application.candidate.full_name
    if application.stage != data["from_stage"]:
        messages.error(
            request,
            f"Nothing was moved: {name} is now in {STAGE_LABELS[application.stage]}, not "
            f"{STAGE_LABELS[data['from_stage']]} (the board you used was out of date). The board is up to date now.",
        )
        return back
    from_stage, to_stage, reason = application.stage, data["to_stage"], data["reason"]
    # admin_view lets only a logged-in member or staff in.
    actor: User = request.user  # type: ignore[assignment]
    try:
        moved = application_move(
            actor=actor,
            application=application,
            to_stage=to_stage,
            reason=reason,
            rejection_reason_id=data["rejection_reason"],
            email_template_id=data["email_template"],
            email_delay_minutes=data["email_delay_minutes"] or 0,
        )
    except IllegalStageMove as error:
        # The same words as the application page and the list action.
        allowed = list((error.details or {}).get("allowed", []))
        messages.error(
            request,
            illegal_move_words(candidate_name=name, from_stage=from_stage, to_stage=to_stage, allowed=allowed),
        )
        return back
    except DomainError as error:
        messages.error(request, f"Nothing was moved: {domain_error_text(error)}")
        return back
    verb = "Rejected" if to_stage == ApplicationStage.REJECTED else "Moved"
    change = f"{verb} on the pipeline board: {STAGE_LABELS[from_stage]} → {STAGE_LABELS[to_stage]}."
    if reason:
        change += f" Reason: {reason}"
    admin_site.get_model_admin(type(moved)).log_change(request, moved, change)
    messages.success(request, f"{name}: {STAGE_LABELS[from_stage]} → {STAGE_LABELS[to_stage]}.")
    return back


def _names(actor: Any, ids: list[int]) -> dict[int, str]:
    return dict(application_list(actor=actor).filter(pk__in=ids).values_list("pk", "candidate__full_name"))


def _summary(
    outcome: BulkOutcome, names: dict[int, str], done: str, *, before: dict[int, str], to_stage: str | None
) -> tuple[str, str]:
    """The result in people's words: who succeeded, and who failed and why (an illegal move
    in the same words as a single move on the board)."""
    succeeded = ""
    if outcome.succeeded:
        who = ", ".join(names.get(pk, f"#{pk}") for pk in outcome.succeeded)
        succeeded = f"{len(outcome.succeeded)} {done}: {who}."
    failed = ""
    if outcome.failed:
        items = []
        for item in outcome.failed:
            name = names.get(item["id"], f"#{item['id']}")
            stage = before.get(item["id"])
            if item["code"] == IllegalStageMove.code and stage and to_stage:
                allowed = [to for to in STAGE_TRANSITIONS[stage] if to != ApplicationStage.WITHDRAWN]
                items.append(
                    illegal_move_words(candidate_name=name, from_stage=stage, to_stage=to_stage, allowed=allowed)
                )
            else:
                items.append(f"{name}: {item['message']}")
        failed = f"{len(outcome.failed)} not changed. " + " ".join(
            text if text.endswith(".") else f"{text}." for text in items
        )
    return succeeded, failed


@require_POST
def board_bulk_view(request: HttpRequest, job_id: int) -> HttpResponse:
    """Act on the selected cards through the bulk services; say who succeeded and who failed."""
    job = _job_or_404(request, job_id)
    back = HttpResponseRedirect(board_url(job.pk, BoardFilters(request.GET).query()))
    form = BulkForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(
            f"{'' if name == '__all__' else name.replace('_', ' ') + ': '}{' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items()
        )
        messages.error(request, f"Nothing was changed. {problems}")
        return back
    data = form.cleaned_data
    actor: User = request.user  # type: ignore[assignment]
    ids: list[int] = data["application_ids"]
    # Only this board's applications: one of another job fails like one the user may not see.
    on_board = set(application_list(actor=actor).filter(job_id=job.pk, pk__in=ids).values_list("pk", flat=True))
    before = dict(application_list(actor=actor).filter(pk__in=on_board).values_list("pk", "stage"))
    try:
        if data["action"] == BulkAction.NOTE:
            outcome = applications_bulk_apply(
                actor=actor, application_ids=ids, action="note", params={"body": data["body"]}
            )
            done, to_stage = "noted", None
        else:
            rejecting = data["action"] == BulkAction.REJECT
            to_stage = ApplicationStage.REJECTED if rejecting else data["stage"]
            outcome = applications_bulk_move(
                actor=actor,
                application_ids=[pk for pk in ids if pk in on_board],
                to_stage=to_stage,
                reason=data["reason"],
                rejection_reason_id=data["rejection_reason"] if rejecting else None,
                email_template_id=data["email_template"],
                email_delay_minutes=data["email_delay_minutes"] or 0,
            )
            missing = [
                {"id": pk, "code": "NOT_FOUND", "message": "Not on this board."} for pk in ids if pk not in on_board
            ]
            outcome = BulkOutcome(succeeded=outcome.succeeded, failed=[*missing, *outcome.failed])
            done = "rejected" if rejecting else f"moved to {STAGE_LABELS[to_stage]}"
            _log_bulk_moves(request, outcome.succeeded, before, to_stage, data["reason"])
    except DomainError as error:
        messages.error(request, f"Nothing was changed: {domain_error_text(error)}")
        return back
    succeeded, failed = _summary(outcome, _names(actor, ids), done, before=before, to_stage=to_stage)
    if succeeded:
        messages.success(request, succeeded)
    if failed:
        messages.error(request, failed)
    return back


def _log_bulk_moves(
    request: HttpRequest, succeeded: list[int], before: dict[int, str], to_stage: str, reason: str
) -> None:
    """The admin History of each moved application, as a single move writes it."""
    verb = "Rejected" if to_stage == ApplicationStage.REJECTED else "Moved"
    for application in application_list(actor=request.user).filter(pk__in=succeeded):
        from_label = STAGE_LABELS.get(before.get(application.pk, ""), "?")
        change = f"{verb} in bulk on the pipeline board: {from_label} → {STAGE_LABELS[to_stage]}."
        if reason:
            change += f" Reason: {reason}"
        admin_site.get_model_admin(type(application)).log_change(request, application, change)
