"""The interviewer's view: "my interviews", and the scorecard for the ones that took place.

For the logged-in user only: the interviews they sit on that are still ahead, and those that
have started and still wait for their feedback. The feedback form takes what the API takes
(a rating of 1–5, a recommendation, notes, and a score of 1–4 with an optional note for each
attribute of the interview round's scorecard) and hands it to ``feedback_submit``, which
decides whether the user may (one of the panel, the interview has started, not cancelled,
no second scorecard). Reached from "My interviews" in the back office's user links.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from hotgigs.admin_site import admin_site, domain_error_text
from hotgigs.errors import DomainError
from interviews.choices import InterviewStatus, Recommendation
from interviews.errors import InterviewNotFound
from interviews.selectors import interview_get, interview_list, round_attributes
from interviews.services import MAX_SCORE, MIN_SCORE, AttributeRating, feedback_submit, interview_when
from workspace.records import in_words, log_change, person

MAX_NOTES = 10_000  # as the API's feedback input
MAX_RATING_NOTE = 2_000


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, f"{n}") for n in range(1, 6)],
        widget=forms.RadioSelect,
        help_text="1 (poor) to 5 (excellent).",
        error_messages={"required": "Give a rating from 1 to 5."},
    )
    recommendation = forms.ChoiceField(
        choices=[("", "—"), *Recommendation.choices], error_messages={"required": "Give a recommendation."}
    )
    notes = forms.CharField(max_length=MAX_NOTES, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, attributes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attributes = attributes
        for attribute in attributes:
            self.fields[f"score_{attribute.pk}"] = forms.TypedChoiceField(
                label=attribute.name,
                coerce=int,
                choices=[(n, f"{n}") for n in range(MIN_SCORE, MAX_SCORE + 1)],
                widget=forms.RadioSelect,
                help_text=attribute.description,
                error_messages={"required": f"Rate {attribute.name} from {MIN_SCORE} to {MAX_SCORE}."},
            )
            self.fields[f"note_{attribute.pk}"] = forms.CharField(
                label=f"Note on {attribute.name}", max_length=MAX_RATING_NOTE, required=False
            )

    def scorecard(self) -> list[tuple[Any, Any]]:
        """(score field, note field) per attribute, in the round's order, for the template."""
        return [(self[f"score_{a.pk}"], self[f"note_{a.pk}"]) for a in self.attributes]

    def ratings(self) -> list[AttributeRating]:
        data = self.cleaned_data
        return [
            AttributeRating(attribute_id=a.pk, score=data[f"score_{a.pk}"], note=data[f"note_{a.pk}"])
            for a in self.attributes
        ]


def _mine(request: HttpRequest) -> Any:
    return interview_list(actor=request.user).filter(interviewers=request.user.pk).distinct()


def _row(interview: Any, form: FeedbackForm | None = None) -> dict[str, Any]:
    application = interview.application
    return {
        "interview": interview,
        "when": interview_when(interview),
        "title": f"{application.candidate.full_name} — {application.job.title}",
        "application_url": reverse("admin:applications_application_change", args=[application.pk]),
        "panel": in_words([person(u) for u in interview.interviewers.all()], conjunction="and"),
        "round": interview.round.name if interview.round_id else "",
        "form": form
        or FeedbackForm(prefix=f"f{interview.pk}", attributes=round_attributes(round_id=interview.round_id)),
    }


def _render(request: HttpRequest, *, bound: tuple[int, FeedbackForm] | None = None, status: int = 200) -> Any:
    now = timezone.now()
    mine = _mine(request)
    upcoming = mine.filter(status=InterviewStatus.SCHEDULED, starts_at__gt=now).order_by("starts_at", "id")
    awaiting = (
        mine.filter(status__in=(InterviewStatus.SCHEDULED, InterviewStatus.COMPLETED), starts_at__lte=now)
        .exclude(feedback__interviewer=request.user.pk)
        .order_by("starts_at", "id")
    )
    forms_by_id = dict([bound]) if bound else {}
    context = {
        **admin_site.each_context(request),
        "title": "My interviews",
        "subtitle": None,
        "upcoming": [_row(i) for i in upcoming],
        "awaiting": [_row(i, forms_by_id.get(i.pk)) for i in awaiting],
    }
    return TemplateResponse(request, "workspace/my_interviews.html", context, status=status)


@require_GET
def my_interviews(request: HttpRequest) -> HttpResponse:
    return _render(request)


@require_POST
def feedback_view(request: HttpRequest, interview_id: str) -> HttpResponse:
    try:
        interview = interview_get(actor=request.user, interview_id=int(interview_id))
    except (InterviewNotFound, ValueError):
        raise Http404("No such interview.") from None
    form = FeedbackForm(
        request.POST, prefix=f"f{interview.pk}", attributes=round_attributes(round_id=interview.round_id)
    )
    if not form.is_valid():
        messages.error(request, "The feedback was not saved: see the problems on the form.")
        return _render(request, bound=(interview.pk, form), status=400)
    data = form.cleaned_data
    try:
        feedback_submit(
            actor=request.user,  # type: ignore[arg-type]
            interview=interview,
            rating=data["rating"],
            recommendation=data["recommendation"],
            notes=data["notes"],
            ratings=form.ratings(),
        )
    except DomainError as error:
        messages.error(request, f"The feedback was not saved: {domain_error_text(error)}")
        return HttpResponseRedirect(reverse("admin:workspace_my_interviews"))
    title = f"{interview.application.candidate.full_name} — {interview.application.job.title}"
    label = Recommendation(data["recommendation"]).label
    scores = "".join(f", {a.name} {data[f'score_{a.pk}']}/4" for a in form.attributes)
    log_change(request, interview, f"Feedback submitted: {data['rating']}/5, {label}{scores}.")
    messages.success(request, f"Thank you: your feedback on {title} is saved.")
    return HttpResponseRedirect(reverse("admin:workspace_my_interviews"))
