"""The application page: one candidate's application to one job, and everything done to it.

It takes over the admin's change URL of an application (``admin:applications_application_change``,
where the board's cards and the changelist link), so there is one page per application. It
shows the candidate and the job, the match receipt, the resume, the stage history and the
interviews, and carries the recruiter's actions:

- move to the next stage, reject, or withdraw on the candidate's behalf — each with a reason
  and a confirmation step (``application_move``);
- schedule, reschedule or cancel an interview (``interview_schedule`` / ``_reschedule`` /
  ``_cancel``), whose own overlap check names the busy interviewers here.

Only the job's hiring team (and staff) see the page; anyone else gets 404, like the API.
Every action goes through a service and is written to the application's History.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from applications.choices import (
    REJECTION_EMAIL_MAX_DELAY_MINUTES,
    STAGE_TRANSITIONS,
    TERMINAL_STAGES,
    ApplicationStage,
    MatchMark,
    OfferDecision,
    StageChangeKind,
)
from applications.errors import ApplicationNotFound, IllegalStageMove, illegal_move_words
from applications.selectors import (
    actor_is_hiring_team,
    application_get,
    application_history,
    application_time_in_stage,
    match_feedback_get,
    match_list,
    match_receipt,
    offer_approval_latest,
    rejection_email_list,
    rejection_email_template_list,
    rejection_reason_list,
)
from applications.services import (
    MAX_MARK_REASON,
    MAX_REASON,
    application_move,
    application_undo_move,
    match_mark,
    match_unmark,
    offer_decide,
)
from candidates.errors import CandidateNotFound
from candidates.selectors import resume_list
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.admin_site import admin_site, domain_error_text
from hotgigs.errors import DomainError
from interviews.choices import InterviewKind, InterviewStatus, Recommendation
from interviews.errors import InterviewerBusy, InterviewNotFound
from interviews.selectors import (
    application_feedback_list,
    feedback_list,
    interview_get,
    interview_list,
    interview_plan,
    overlapping,
    scorecard_summary,
)
from interviews.services import interview_cancel, interview_reschedule, interview_schedule, interview_when
from jobs.selectors import hiring_manager_of
from workspace import activity
from workspace.records import duration_words, in_words, log_change, person, stage_label

# The zone a new interview is arranged in unless the recruiter picks another.
DEFAULT_TIMEZONE = "UTC"
DURATIONS = [(15, "15 minutes"), (30, "30 minutes"), (45, "45 minutes"), (60, "1 hour"), (90, "1½ hours"),
             (120, "2 hours"), (180, "3 hours"), (240, "4 hours")]  # fmt: skip
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


# Offered as suggestions (a datalist) rather than a <select>: the zone database's ~600 names
# rendered as a select's options cost more than the rest of the page together.
ZONE_NAMES = sorted(zoneinfo.available_timezones())


class ZoneInput(forms.TextInput):
    """A text input suggesting the zone database's names as the user types."""

    def __init__(self) -> None:
        super().__init__(attrs={"list": "ws-zone-names", "autocomplete": "off", "spellcheck": "false"})

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        options = format_html_join("", '<option value="{}">', ((zone,) for zone in ZONE_NAMES))
        datalist = format_html('<datalist id="ws-zone-names">{}</datalist>', options)
        return format_html("{}{}", super().render(name, value, attrs, renderer), datalist)


# --- forms: shapes only; the services keep the rules -----------------------------------------


class MoveForm(forms.Form):
    """A stage move with its reason; ``confirm`` is set by the confirmation step's button."""

    to_stage = forms.ChoiceField(choices=ApplicationStage.choices)
    reason = forms.CharField(max_length=MAX_REASON, error_messages={"required": "Give a reason for the move."})
    rejection_reason = forms.IntegerField(min_value=1, required=False)
    email_template = forms.IntegerField(min_value=1, required=False)
    email_delay_minutes = forms.IntegerField(min_value=0, max_value=REJECTION_EMAIL_MAX_DELAY_MINUTES, required=False)
    confirm = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("to_stage") == ApplicationStage.REJECTED:
            if not cleaned.get("rejection_reason"):
                self.add_error("rejection_reason", "Choose a rejection reason.")
        else:
            cleaned["rejection_reason"] = None
            cleaned["email_template"] = None
            cleaned["email_delay_minutes"] = None
        return cleaned


class WhenForm(forms.Form):
    """A start time as the recruiter's clock shows it in a named zone, and a duration."""

    starts_at = forms.CharField(
        label="Starts", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), max_length=16
    )
    duration = forms.TypedChoiceField(coerce=int, choices=DURATIONS, initial=60)

    def zone_name(self) -> str:
        return DEFAULT_TIMEZONE

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        raw = cleaned.get("starts_at")
        if raw:
            try:
                naive = datetime.strptime(raw, LOCAL_FORMAT)  # noqa: DTZ007 - made aware just below
            except ValueError:
                self.add_error("starts_at", "Enter a date and time.")
            else:
                try:
                    zone = zoneinfo.ZoneInfo(self.zone_name())
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    return cleaned  # clean_timezone has reported it
                starts = naive.replace(tzinfo=zone)
                cleaned["starts"] = starts
                cleaned["ends"] = starts + timedelta(minutes=cleaned.get("duration") or 60)
        return cleaned


class ScheduleForm(WhenForm):
    kind = forms.ChoiceField(choices=InterviewKind.choices, initial=InterviewKind.VIDEO)
    timezone = forms.CharField(
        label="Time zone", initial=DEFAULT_TIMEZONE, max_length=64, widget=ZoneInput(), help_text="e.g. Europe/Berlin"
    )
    interviewers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one interviewer."},
    )
    location = forms.CharField(max_length=255, required=False, help_text="For an on-site interview.")
    meeting_url = forms.CharField(
        label="Meeting link", max_length=500, required=False, help_text="For a video interview."
    )
    round = forms.TypedChoiceField(
        label="Round", coerce=int, empty_value=None, required=False, help_text="A round of the job's interview plan."
    )

    field_order = ("round", "kind", "starts_at", "timezone", "duration", "interviewers", "location", "meeting_url")

    def __init__(self, *args: Any, team: list[User], rounds: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [("", "— no round —"), *rounds]  # type: ignore[attr-defined]
        interviewers = self.fields["interviewers"]
        interviewers.queryset = User.objects.filter(pk__in=[u.pk for u in team]).order_by(  # type: ignore[attr-defined]
            "full_name", "email"
        )
        interviewers.label_from_instance = person  # type: ignore[attr-defined]

    def clean_timezone(self) -> str:
        name = str(self.cleaned_data["timezone"]).strip()
        if name not in zoneinfo.available_timezones():
            raise forms.ValidationError("Must be an IANA time zone such as Europe/Berlin.")
        return name

    def zone_name(self) -> str:
        return str(self.cleaned_data.get("timezone") or "")


class RescheduleForm(WhenForm):
    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._zone = zone

    def zone_name(self) -> str:
        return self._zone


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=MAX_REASON, error_messages={"required": "Give a reason for cancelling."})


# --- reads -----------------------------------------------------------------------------------


def _application(request: HttpRequest, object_id: str, *, to_read: bool = False) -> Any:
    """The application, if the user is on its job's hiring team; 404 otherwise. ``to_read``:
    an interviewer seat who interviews for it may read the page too (and act on nothing)."""
    try:
        application = application_get(actor=request.user, application_id=int(object_id))
    except (ApplicationNotFound, ValueError):
        raise Http404("No such application.") from None
    # A candidate who is also a recruiter elsewhere sees their own application in the API,
    # never in the back office.
    if actor_is_hiring_team(actor=request.user, application=application):
        return application
    job = application.job
    if to_read and policies.may_interview(
        request.user,  # type: ignore[arg-type]
        organization_id=job.organization_id,
        job_id=job.pk,
        application_id=application.pk,
    ):
        return application
    raise Http404("No such application.")


def page_url(application: Any) -> str:
    return reverse("admin:applications_application_change", args=[application.pk])


def title_of(application: Any) -> str:
    """ "Layla Yilmaz — Security Administrator · Interview": people and jobs, never ids."""
    return f"{application.candidate.full_name} — {application.job.title} · {stage_label(application.stage)}"


def team_of(application: Any) -> list[User]:
    """The people who may sit on the application's interviews: the organization's members."""
    ids = policies.organization_member_ids(application.job.organization_id)
    return list(User.objects.filter(pk__in=ids).order_by("full_name", "email"))


def rounds_of(application: Any) -> list[tuple[int, str]]:
    """The job's interview plan as (id, name) choices, in order."""
    return list(interview_plan(job_id=application.job_id).values_list("pk", "name"))


def _interview_rows(request: HttpRequest, application: Any) -> list[dict[str, Any]]:
    rows = []
    for interview in interview_list(actor=request.user).filter(application_id=application.pk).order_by("starts_at"):
        rows.append(
            {
                "interview": interview,
                "when": interview_when(interview),
                "panel": in_words([person(u) for u in interview.interviewers.all()], conjunction="and"),
                "feedback": list(feedback_list(actor=request.user, interview=interview)),
                "scheduled": interview.status == InterviewStatus.SCHEDULED,
                "reschedule_form": RescheduleForm(
                    zone=interview.timezone,
                    prefix=f"i{interview.pk}",
                    initial={
                        "starts_at": interview.starts_at.astimezone(zoneinfo.ZoneInfo(interview.timezone)).strftime(
                            LOCAL_FORMAT
                        ),
                        "duration": int((interview.ends_at - interview.starts_at).total_seconds() // 60),
                    },
                ),
            }
        )
    return rows


def _scorecards(request: HttpRequest, application: Any) -> dict[str, Any]:
    """The scorecard summary: per round attribute each interviewer's score and the mean, the
    recommendations tallied (over the feedback the user may read)."""
    rows = list(application_feedback_list(actor=request.user, application=application))
    summary = scorecard_summary(actor=request.user, application=application, feedback=rows)
    return {
        "scorecard": summary,
        "recommendation_tally": [
            (str(label), summary.recommendations[value]) for value, label in Recommendation.choices
        ],
    }


def _render(
    request: HttpRequest,
    application: Any,
    *,
    schedule_form: ScheduleForm | None = None,
    status: int = 200,
) -> TemplateResponse:
    actor = request.user
    if not actor_is_hiring_team(actor=actor, application=application):
        return _render_for_interviewer(request, application, status=status)
    legal = [str(stage) for stage in STAGE_TRANSITIONS[application.stage]]
    match = match_list(actor=actor).filter(job_id=application.job_id, candidate_id=application.candidate_id).first()
    try:
        resumes = list(resume_list(actor=actor, candidate_id=application.candidate_id))
    except CandidateNotFound:
        resumes = []
    spans = {span.entered_at: span for span in application_time_in_stage(application=application)}
    history = [
        {"change": change, "time_in_stage": duration_words(getattr(spans.get(change.changed_at), "duration", None))}
        for change in application_history(application=application)
    ]
    # The latest move, which may be undone (not the submission, not an undo).
    last_change: Any = history[-1]["change"] if len(history) > 1 else None
    context = {
        **admin_site.each_context(request),
        "title": title_of(application),
        "subtitle": None,
        "application": application,
        "candidate": application.candidate,
        "job": application.job,
        "stage_label": stage_label(application.stage),
        "forward_moves": [
            (stage, stage_label(stage))
            for stage in legal
            if stage not in (ApplicationStage.REJECTED, ApplicationStage.WITHDRAWN)
        ],
        "may_reject": ApplicationStage.REJECTED in legal,
        "rejection_reasons": [
            (str(pk), label)
            for pk, label in rejection_reason_list(
                actor=request.user, organization_id=application.job.organization_id
            ).values_list("pk", "label")
        ],
        "email_templates": [
            (str(pk), name)
            for pk, name in rejection_email_template_list(
                actor=request.user, organization_id=application.job.organization_id
            ).values_list("pk", "name")
        ],
        "max_delay": str(REJECTION_EMAIL_MAX_DELAY_MINUTES),
        "rejection_emails": list(rejection_email_list(actor=request.user, application=application)),
        "may_withdraw": ApplicationStage.WITHDRAWN in legal,
        "ended": application.stage in TERMINAL_STAGES,
        "match": match,
        "receipt": match_receipt(match, internal=True) if match is not None else None,
        "match_mark": _match_mark_context(request, application, match),
        "resumes": resumes,
        "latest_resume": next((r for r in resumes if r.extracted_text), None),
        "history": history,
        "may_undo": last_change is not None and last_change.kind == StageChangeKind.MOVE,
        "last_move": (
            f"{stage_label(last_change.from_stage)} → {stage_label(last_change.to_stage)}" if last_change else ""
        ),
        "interviews": _interview_rows(request, application),
        "may_act": True,
        "offer": _offer_context(request, application),
        "schedule_form": schedule_form or ScheduleForm(team=team_of(application), rounds=rounds_of(application)),
        "plan_url": reverse("admin:workspace_interview_plan", args=[application.job_id]),
        **_scorecards(request, application),
        "max_reason": MAX_REASON,
        "candidate_url": reverse("admin:candidates_candidate_change", args=[application.candidate_id]),
        "history_url": reverse("admin:applications_application_history", args=[application.pk]),
        **activity.application_section(request, application),
    }
    return TemplateResponse(request, "workspace/application.html", context, status=status)


def _render_for_interviewer(request: HttpRequest, application: Any, *, status: int = 200) -> TemplateResponse:
    """The page as an interviewer seat reads it: the candidate, the job, the interviews and
    their own feedback; no moves, history, notes, match or actions."""
    context = {
        **admin_site.each_context(request),
        "title": title_of(application),
        "subtitle": None,
        "application": application,
        "candidate": application.candidate,
        "job": application.job,
        "stage_label": stage_label(application.stage),
        "may_act": False,
        "interviews": _interview_rows(request, application),
        "my_interviews_url": reverse("admin:workspace_my_interviews"),
    }
    return TemplateResponse(request, "workspace/application.html", context, status=status)


def _match_mark_context(request: HttpRequest, application: Any, match: Any) -> dict[str, Any] | None:
    """The good/bad buttons under the match receipt, for those who may mark it, with their own mark."""
    if match is None or not policies.may_manage_job(
        request.user,  # type: ignore[arg-type]
        organization_id=application.job.organization_id,
        job_id=application.job_id,
    ):
        return None
    return {
        "mine": match_feedback_get(actor=request.user, match=match),  # type: ignore[arg-type]
        "action": reverse("admin:workspace_match_mark", args=[application.pk]),
        "max_reason": MAX_MARK_REASON,
    }


def _offer_context(request: HttpRequest, application: Any) -> dict[str, Any] | None:
    """The offer approval box: shown on a job with a hiring manager while an offer is the next
    move; the form for the hiring manager (and staff)."""
    manager_id = hiring_manager_of(job_id=application.job_id)
    if manager_id is None or ApplicationStage.OFFER not in STAGE_TRANSITIONS[application.stage]:
        return None
    latest = offer_approval_latest(application=application)
    return {
        "latest": latest,
        "may_decide": policies.may_approve_offer(
            request.user,  # type: ignore[arg-type]
            organization_id=application.job.organization_id,
            job_id=application.job_id,
        ),
        "action": reverse("admin:workspace_offer_decision", args=[application.pk]),
    }


class OfferDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=OfferDecision.choices)
    comment = forms.CharField(max_length=MAX_REASON, required=False)


@require_POST
def offer_decision_view(request: HttpRequest, object_id: str) -> HttpResponse:
    """The hiring manager approves or declines the offer (``applications.services.offer_decide``)."""
    application = _application(request, object_id)
    form = OfferDecisionForm(request.POST)
    if not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"Nothing was changed. {problems}")
        return HttpResponseRedirect(page_url(application))
    try:
        approval = offer_decide(
            actor=request.user,  # type: ignore[arg-type]
            application=application,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        messages.error(request, f"Nothing was changed: {domain_error_text(error)}")
        return HttpResponseRedirect(page_url(application))
    log_change(request, application, f"Offer {approval.get_decision_display().lower()}. {approval.comment}".strip())
    messages.success(request, f"{application.candidate.full_name}: offer {approval.get_decision_display().lower()}.")
    return HttpResponseRedirect(page_url(application))


class MatchMarkForm(forms.Form):
    mark = forms.ChoiceField(choices=[*MatchMark.choices, ("clear", "Clear")])
    reason = forms.CharField(max_length=MAX_MARK_REASON, required=False)


@require_POST
def match_mark_view(request: HttpRequest, object_id: str) -> HttpResponse:
    """Mark the application's match good or bad, or clear one's mark (``applications.services.match_mark``)."""
    application = _application(request, object_id)
    match = (
        match_list(actor=request.user).filter(job_id=application.job_id, candidate_id=application.candidate_id).first()
    )  # type: ignore[arg-type]
    form = MatchMarkForm(request.POST)
    if match is None or not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors) or "This pair has no match."
        messages.error(request, f"Nothing was changed. {problems}")
        return HttpResponseRedirect(page_url(application))
    try:
        if form.cleaned_data["mark"] == "clear":
            match_unmark(actor=request.user, match=match)  # type: ignore[arg-type]
            messages.success(request, "Your mark on this match was cleared.")
        else:
            feedback = match_mark(
                actor=request.user,  # type: ignore[arg-type]
                match=match,
                mark=form.cleaned_data["mark"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, f"Marked as a {feedback.get_mark_display().lower()}.")
    except DomainError as error:
        messages.error(request, f"Nothing was changed: {domain_error_text(error)}")
    return HttpResponseRedirect(page_url(application))


@require_GET
def application_page(request: HttpRequest, object_id: str) -> HttpResponse:
    return _render(request, _application(request, object_id, to_read=True))


# --- actions ---------------------------------------------------------------------------------


def _refused_move(application: Any, error: IllegalStageMove, to_stage: str) -> str:
    return illegal_move_words(
        candidate_name=application.candidate.full_name,
        from_stage=application.stage,
        to_stage=to_stage,
        allowed=list((error.details or {}).get("allowed", [])),
    )


@require_POST
def application_move_view(request: HttpRequest, object_id: str) -> HttpResponse:
    """Move, reject or withdraw on the candidate's behalf: the form, then a confirmation page."""
    application = _application(request, object_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"Nothing was changed. {problems}")
        return HttpResponseRedirect(page_url(application))
    to_stage, reason = form.cleaned_data["to_stage"], form.cleaned_data["reason"]
    rejection_reason_id = form.cleaned_data["rejection_reason"]
    email_template_id = form.cleaned_data["email_template"]
    email_delay = form.cleaned_data["email_delay_minutes"] or 0
    if not form.cleaned_data["confirm"]:
        verb = {
            ApplicationStage.REJECTED: "Reject",
            ApplicationStage.WITHDRAWN: "Withdraw on the candidate's behalf",
        }.get(to_stage, f"Move to {stage_label(to_stage)}")
        context = {
            **admin_site.each_context(request),
            "title": f"{verb}: {application.candidate.full_name} — {application.job.title}?",
            "application": application,
            "verb": verb,
            "from_label": stage_label(application.stage),
            "to_stage": to_stage,
            "to_label": stage_label(to_stage),
            "reason": reason,
            "rejection_reason": "" if rejection_reason_id is None else str(rejection_reason_id),
            "rejection_label": dict(
                rejection_reason_list(actor=request.user, organization_id=application.job.organization_id)
                .filter(pk=rejection_reason_id)
                .values_list("pk", "label")
            ).get(rejection_reason_id, ""),
            "email_template": "" if email_template_id is None else str(email_template_id),
            "email_delay_minutes": str(email_delay),
            "email_label": dict(
                rejection_email_template_list(actor=request.user, organization_id=application.job.organization_id)
                .filter(pk=email_template_id)
                .values_list("pk", "name")
            ).get(email_template_id, ""),
            "page_url": page_url(application),
        }
        return TemplateResponse(request, "workspace/application_confirm.html", context)
    from_label = stage_label(application.stage)
    try:
        moved = application_move(
            actor=request.user,  # type: ignore[arg-type]
            application=application,
            to_stage=to_stage,
            reason=reason,
            rejection_reason_id=rejection_reason_id,
            email_template_id=email_template_id,
            email_delay_minutes=email_delay,
        )
    except IllegalStageMove as error:
        messages.error(request, _refused_move(application, error, to_stage))
        return HttpResponseRedirect(page_url(application))
    except DomainError as error:
        messages.error(request, f"Nothing was changed: {domain_error_text(error)}")
        return HttpResponseRedirect(page_url(application))
    words = {
        ApplicationStage.REJECTED: "Rejected",
        ApplicationStage.WITHDRAWN: "Withdrawn on the candidate's behalf",
    }.get(to_stage, f"Moved from {from_label} to {stage_label(to_stage)}")
    log_change(request, moved, f"{words}. Reason: {reason}")
    messages.success(request, f"{application.candidate.full_name}: {words[0].lower()}{words[1:]}.")
    return HttpResponseRedirect(page_url(application))


class UndoForm(forms.Form):
    reason = forms.CharField(max_length=MAX_REASON, error_messages={"required": "Say why the move is undone."})


@require_POST
def application_undo_view(request: HttpRequest, object_id: str) -> HttpResponse:
    """Take back the latest move (``application_undo_move``), with a reason."""
    application = _application(request, object_id)
    form = UndoForm(request.POST)
    if not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"Nothing was changed. {problems}")
        return HttpResponseRedirect(page_url(application))
    from_label, reason = stage_label(application.stage), form.cleaned_data["reason"]
    try:
        undone = application_undo_move(actor=request.user, application=application, reason=reason)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, f"Nothing was changed: {domain_error_text(error)}")
        return HttpResponseRedirect(page_url(application))
    words = f"Undid the move to {from_label}: back to {stage_label(undone.stage)}"
    log_change(request, undone, f"{words}. Reason: {reason}")
    messages.success(request, f"{application.candidate.full_name}: {words[0].lower()}{words[1:]}.")
    # What became of the email the undone rejection scheduled: cancelled, or too late.
    latest = rejection_email_list(actor=request.user, application=undone).order_by("-created_at", "-id").first()
    if from_label == stage_label(ApplicationStage.REJECTED) and latest is not None:
        if latest.status == "cancelled":
            messages.info(request, "The rejection email was cancelled before it went out.")
        elif latest.status in ("sending", "sent"):
            messages.warning(
                request,
                f"The rejection email to {latest.to_email} was already sent; undoing the rejection cannot unsend it.",
            )
    return HttpResponseRedirect(page_url(application))


def _busy_message(request: HttpRequest, error: InterviewerBusy, starts: datetime, ends: datetime) -> str:
    """Who is busy, and with what (the interviews of this organization the user may see)."""
    busy_ids = list((error.details or {}).get("interviewer_ids", []))
    people = {u.pk: person(u) for u in User.objects.filter(pk__in=busy_ids)}
    clashes = overlapping(
        interview_list(actor=request.user), interviewer_ids=busy_ids, starts_at=starts, ends_at=ends
    ).distinct()
    parts = []
    for pk in busy_ids:
        theirs = [
            f"{interview_when(i)}, {i.application.candidate.full_name} for {i.application.job.title}"
            for i in clashes
            if any(u.pk == pk for u in i.interviewers.all())
        ]
        parts.append(f"{people.get(pk, 'An interviewer')} ({'; '.join(theirs)})" if theirs else people.get(pk, "?"))
    return (
        f"Not booked: {in_words(parts, conjunction='and')} already "
        f"{'has an interview' if len(parts) == 1 else 'have interviews'} at that time. "
        "Pick another time or other interviewers."
    )


# The service's field names, as the form labels them.
_FIELD_WORDS = {
    "starts_at": "Start",
    "ends_at": "End",
    "interviewer_ids": "Interviewers",
    "meeting_url": "Meeting link",
    "location": "Location",
    "timezone": "Time zone",
    "kind": "Kind",
}


def _error_words(error: DomainError) -> str:
    """The service's message and field problems, with the fields named as the page names them."""
    parts = [error.message]
    for field, problems in (error.details or {}).items():
        if isinstance(problems, list | tuple):
            parts.append(f"{_FIELD_WORDS.get(field, field)}: {' '.join(str(p) for p in problems)}")
    return " ".join(parts)


# Where a service's field problem is shown on the schedule form.
_FORM_FIELD = {"starts_at": "starts_at", "ends_at": "duration", "interviewer_ids": "interviewers", "round_id": "round"}


@require_POST
def interview_schedule_view(request: HttpRequest, object_id: str) -> HttpResponse:
    application = _application(request, object_id)
    form = ScheduleForm(request.POST, team=team_of(application), rounds=rounds_of(application))
    if not form.is_valid():
        messages.error(request, "The interview was not booked: see the problems on the form.")
        return _render(request, application, schedule_form=form, status=400)
    data = form.cleaned_data
    try:
        interview = interview_schedule(
            actor=request.user,  # type: ignore[arg-type]
            application=application,
            kind=data["kind"],
            starts_at=data["starts"],
            ends_at=data["ends"],
            interviewer_ids=[u.pk for u in data["interviewers"]],
            location=data["location"],
            meeting_url=data["meeting_url"].strip(),
            tz_name=data["timezone"],
            round_id=data["round"],
        )
    except InterviewerBusy as error:
        messages.error(request, _busy_message(request, error, data["starts"], data["ends"]))
        return _render(request, application, schedule_form=form, status=409)
    except DomainError as error:
        for field, problems in (error.details or {}).items():
            if isinstance(problems, list | tuple):
                target = _FORM_FIELD.get(field, field)
                form.add_error(target if target in form.fields else None, [str(p) for p in problems])
        messages.error(request, f"The interview was not booked: {_error_words(error)}")
        return _render(request, application, schedule_form=form, status=400)
    panel = in_words([person(u) for u in data["interviewers"]], conjunction="and")
    what = f"{interview.get_kind_display()} interview {interview_when(interview)} with {panel}"
    if data["round"] is not None:
        what = f"{dict(rounds_of(application)).get(data['round'], '')}: {what[0].lower()}{what[1:]}"
    log_change(request, application, f"Scheduled a {what[0].lower()}{what[1:]}.")
    messages.success(request, f"Booked: {what}.")
    return HttpResponseRedirect(page_url(application))


def _interview(request: HttpRequest, application: Any, interview_id: str) -> Any:
    try:
        interview = interview_get(actor=request.user, interview_id=int(interview_id))
    except (InterviewNotFound, ValueError):
        raise Http404("No such interview.") from None
    if interview.application_id != application.pk:
        raise Http404("No such interview.")
    return interview


@require_POST
def interview_reschedule_view(request: HttpRequest, object_id: str, interview_id: str) -> HttpResponse:
    application = _application(request, object_id)
    interview = _interview(request, application, interview_id)
    form = RescheduleForm(request.POST, zone=interview.timezone, prefix=f"i{interview.pk}")
    if not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"The interview was not moved. {problems}")
        return HttpResponseRedirect(page_url(application))
    before = interview_when(interview)
    data = form.cleaned_data
    try:
        moved = interview_reschedule(
            actor=request.user,  # type: ignore[arg-type]
            interview=interview,
            starts_at=data["starts"],
            ends_at=data["ends"],
        )
    except InterviewerBusy as error:
        messages.error(request, _busy_message(request, error, data["starts"], data["ends"]))
        return HttpResponseRedirect(page_url(application))
    except DomainError as error:
        messages.error(request, f"The interview was not moved: {_error_words(error)}")
        return HttpResponseRedirect(page_url(application))
    log_change(request, application, f"Rescheduled an interview from {before} to {interview_when(moved)}.")
    messages.success(request, f"Interview moved to {interview_when(moved)}.")
    return HttpResponseRedirect(page_url(application))


@require_POST
def interview_cancel_view(request: HttpRequest, object_id: str, interview_id: str) -> HttpResponse:
    application = _application(request, object_id)
    interview = _interview(request, application, interview_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The interview was not cancelled. Give a reason for cancelling.")
        return HttpResponseRedirect(page_url(application))
    reason = form.cleaned_data["reason"]
    try:
        interview_cancel(actor=request.user, interview=interview, reason=reason)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, f"The interview was not cancelled: {_error_words(error)}")
        return HttpResponseRedirect(page_url(application))
    log_change(request, application, f"Cancelled the interview of {interview_when(interview)}. Reason: {reason}")
    messages.success(request, f"Interview of {interview_when(interview)} cancelled.")
    return HttpResponseRedirect(page_url(application))
