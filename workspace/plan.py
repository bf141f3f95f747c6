"""The interview plan of one job: its ordered rounds and each round's scorecard.

``GET /admin/jobs/job/<id>/interview-plan/`` shows the plan as a form that works without
script: a row per round (its name, its place in the order, "remove", and its scorecard's
attributes, one per line as ``Name: description``), plus empty rows to add rounds. Saving hands
the whole plan to ``interviews.services.interview_plan_set``, which keeps a round's id (and
its interviews) through a rename, and refuses a bad plan as a whole (nothing changes; the
problems are shown on the page). Removing a round that interviews use detaches them: they keep
no round, their submitted feedback keeps its ratings; the page says how many interviews each
round holds before it is removed.

Linked from the job's admin page ("Interview plan") and from the application page's
scheduling form. Only the job's hiring team (and staff) see it; anyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from hotgigs.accounts import policies
from hotgigs.admin_site import admin_site, domain_error_text
from hotgigs.errors import DomainError
from interviews.selectors import interview_plan, round_interview_counts
from interviews.services import (
    MAX_ATTRIBUTE_DESCRIPTION,
    MAX_ATTRIBUTES,
    MAX_ROUND_NAME,
    MAX_ROUNDS,
    AttributeSpec,
    RoundSpec,
    interview_plan_set,
)
from jobs.errors import JobNotFound
from jobs.selectors import job_get
from workspace.records import log_change

NEW_ROWS = 2  # empty rows offered for new rounds


class RoundForm(forms.Form):
    """One round of the plan: an existing one (``id``) or a new one (blank name: ignored)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=MAX_ROUND_NAME, required=False, label="Round")
    order = forms.IntegerField(min_value=1, max_value=MAX_ROUNDS + NEW_ROWS, label="Order")
    remove = forms.BooleanField(required=False, label="Remove")
    attributes = forms.CharField(
        required=False,
        label="Scorecard attributes",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 48}),
        help_text=f"One per line, rated 1–4: “Name: what to look for” (at most {MAX_ATTRIBUTES}).",
    )

    def clean_attributes(self) -> list[AttributeSpec]:
        specs = []
        for line in str(self.cleaned_data["attributes"]).splitlines():
            if not line.strip():
                continue
            name, _, description = line.partition(":")
            if len(name.strip()) > MAX_ROUND_NAME or len(description.strip()) > MAX_ATTRIBUTE_DESCRIPTION:
                raise forms.ValidationError(
                    f"An attribute's name has at most {MAX_ROUND_NAME} characters, its description "
                    f"{MAX_ATTRIBUTE_DESCRIPTION}."
                )
            specs.append(AttributeSpec(name=name.strip(), description=description.strip()))
        return specs


PlanFormSet = forms.formset_factory(RoundForm, extra=0, max_num=MAX_ROUNDS + NEW_ROWS, validate_max=True)


def _job(request: HttpRequest, job_id: int) -> Any:
    try:
        job = job_get(actor=request.user, job_id=job_id, skills=False)
    except JobNotFound:
        raise Http404("No such job.") from None
    if not policies.may_manage_organization(request.user, job.organization_id):
        raise Http404("No such job.")
    return job


def _initial(job: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "id": plan_round.pk,
            "name": plan_round.name,
            "order": position,
            "attributes": "\n".join(
                f"{a.name}: {a.description}" if a.description else a.name for a in plan_round.attributes.all()
            ),
        }
        for position, plan_round in enumerate(interview_plan(job_id=job.pk), start=1)
    ]
    rows += [{"order": len(rows) + n} for n in range(1, NEW_ROWS + 1)]
    return rows


def _specs(formset: Any) -> list[RoundSpec]:
    kept = [
        form.cleaned_data
        for form in formset.forms
        if not form.cleaned_data.get("remove") and (form.cleaned_data.get("id") or form.cleaned_data.get("name"))
    ]
    kept.sort(key=lambda row: row["order"])
    return [RoundSpec(name=row["name"], id=row.get("id"), attributes=row["attributes"]) for row in kept]


def _render(request: HttpRequest, job: Any, formset: Any, *, status: int = 200, problems: Any = ()) -> HttpResponse:
    counts = round_interview_counts(job_id=job.pk)
    rows = [(form, counts.get(form.initial.get("id") or 0, 0)) for form in formset.forms]
    context = {
        **admin_site.each_context(request),
        "title": f"Interview plan — {job.title}",
        "subtitle": None,
        "job": job,
        "formset": formset,
        "rows": rows,
        "problems": problems,
        "job_url": reverse("admin:jobs_job_change", args=[job.pk]),
        "board_url": reverse("admin:jobs_job_board", args=[job.pk]),
    }
    return TemplateResponse(request, "workspace/interview_plan.html", context, status=status)


@require_http_methods(["GET", "POST"])
def interview_plan_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if request.method == "GET":
        return _render(request, job, PlanFormSet(initial=_initial(job)))
    formset = PlanFormSet(request.POST, initial=_initial(job))
    if not formset.is_valid():
        messages.error(request, "The plan was not saved: see the problems on the form.")
        return _render(request, job, formset, status=400)
    specs = _specs(formset)
    try:
        rounds = interview_plan_set(actor=request.user, job=job, rounds=specs)  # type: ignore[arg-type]
    except DomainError as error:
        problems = (error.details or {}).get("rounds", [])
        messages.error(request, f"The plan was not saved: {domain_error_text(error)}")
        return _render(request, job, formset, status=400, problems=problems)
    log_change(request, job, "Interview plan: " + (" → ".join(r.name for r in rounds) or "no rounds") + ".")
    messages.success(request, f"The interview plan of {job.title} is saved ({len(rounds)} rounds).")
    return HttpResponseRedirect(reverse("admin:workspace_interview_plan", args=[job.pk]))
