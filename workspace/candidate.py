"""The candidate page: the profile, plus what a recruiter needs around it.

It takes over the admin's change URL of a candidate (``admin:candidates_candidate_change``,
where the board's cards link) and wraps the candidate admin's own change view, so editing a
profile keeps its form, its checks and its service (``candidate_update``). Below the form it
adds, for the recruiter's organization only:

- the candidate's applications to this organization's jobs, with their stages (another
  organization's applications never show: ``application_list`` is scoped to the actor);
- their resumes, each with a download link made when clicked (``resume_download_link``,
  after ``resume_get`` checked the user may see it);
- the organization's open jobs that fit them best (the stored matches, ``match_list``);
- "add to job": an application created through ``application_submit`` on the recruiter's
  behalf, with the source they pick (``sourced`` unless told otherwise).

A candidate with a login owns their profile: the policy lets a recruiter read it but not
rewrite it (name, email or anything else), so for a recruiter the form is read-only there;
staff may still edit it (``candidates/admin.py``). A candidate the user may not see is 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from applications.choices import ApplicationSource
from applications.selectors import application_list, match_list
from applications.services import application_submit
from candidates.errors import CandidateNotFound, ResumeNotFound
from candidates.selectors import candidate_get, resume_get, resume_list
from candidates.services.resumes import resume_download_link
from hotgigs.accounts import policies
from hotgigs.admin_site import admin_site, domain_error_text
from hotgigs.audit.choices import AccessAction, AccessChannel
from hotgigs.audit.services import access_record_by_other
from hotgigs.errors import DomainError
from jobs.choices import JobStatus
from jobs.selectors import job_list
from workspace import activity
from workspace.records import log_change, stage_label

# How many of the organization's open jobs the page suggests.
BEST_JOBS = 5


def _candidate(request: HttpRequest, object_id: str) -> Any:
    try:
        return candidate_get(actor=request.user, candidate_id=int(object_id))
    except (CandidateNotFound, ValueError):
        raise Http404("No such candidate.") from None


def _own_open_jobs(request: HttpRequest) -> Any:
    """Open jobs the user recruits for: their organizations' (every one, for staff)."""
    jobs = job_list(actor=request.user).filter(status=JobStatus.OPEN)
    if not policies.sees_every_organization(request.user):  # type: ignore[arg-type]
        jobs = jobs.filter(organization_id__in=sorted(policies.organization_ids(request.user)))  # type: ignore[arg-type]
    return jobs.select_related("organization").order_by("title", "id")


class AddToJobForm(forms.Form):
    job: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, empty_label=None)  # type: ignore[arg-type]
    source = forms.ChoiceField(choices=ApplicationSource.choices, initial=ApplicationSource.SOURCED)

    def __init__(self, *args: Any, jobs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["job"].queryset = jobs  # type: ignore[attr-defined]
        self.fields["job"].error_messages["invalid_choice"] = "Pick one of your organization's open jobs."


def workspace_context(request: HttpRequest, candidate: Any) -> dict[str, Any]:
    """What the page shows below the profile form."""
    actor = request.user
    applications = list(application_list(actor=actor).filter(candidate_id=candidate.pk).order_by("-created_at"))
    applied_job_ids = {a.job_id for a in applications}
    open_jobs = _own_open_jobs(request)
    best = [
        match
        for match in match_list(actor=actor)
        .filter(candidate_id=candidate.pk, job__in=open_jobs)
        .order_by("-score", "job_id")[: BEST_JOBS + len(applied_job_ids)]
        if match.job_id not in applied_job_ids
    ][:BEST_JOBS]
    return {
        "workspace_applications": [
            {
                "application": a,
                "stage": stage_label(a.stage),
                "url": reverse("admin:applications_application_change", args=[a.pk]),
            }
            for a in applications
        ],
        "workspace_resumes": list(resume_list(actor=actor, candidate_id=candidate.pk)),
        "workspace_best_jobs": best,
        "workspace_add_form": AddToJobForm(jobs=open_jobs.exclude(pk__in=applied_job_ids)),
        **activity.candidate_section(request, candidate),
        "workspace_identity_locked": candidate.user_id is not None
        and not policies.may_edit_candidate(
            actor,
            candidate_user_id=candidate.user_id,
            organization_id=candidate.organization_id,  # type: ignore[arg-type]
        ),
    }


def candidate_page(request: HttpRequest, object_id: str) -> HttpResponse:
    """The candidate admin's change view, on the workspace's template with the sections above."""
    candidate = _candidate(request, object_id)
    model_admin = admin_site.get_model_admin(apps.get_model("candidates", "Candidate"))
    response = model_admin.change_view(request, str(object_id), extra_context=workspace_context(request, candidate))
    if isinstance(response, TemplateResponse):
        response.template_name = "workspace/candidate.html"
    return response


@require_POST
def add_to_job_view(request: HttpRequest, object_id: str) -> HttpResponse:
    candidate = _candidate(request, object_id)
    page = reverse("admin:candidates_candidate_change", args=[candidate.pk])
    form = AddToJobForm(request.POST, jobs=_own_open_jobs(request))
    if not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"Not added. {problems}")
        return HttpResponseRedirect(page)
    job = form.cleaned_data["job"]
    try:
        application = application_submit(
            actor=request.user,  # type: ignore[arg-type]
            job=job,
            candidate=candidate,
            source=form.cleaned_data["source"],
        )
    except DomainError as error:
        messages.error(request, f"Not added to {job.title}: {domain_error_text(error)}")
        return HttpResponseRedirect(page)
    source = ApplicationSource(application.source).label
    log_change(request, application, f"Added {candidate.full_name} to {job.title} (source: {source}).", added=True)
    log_change(request, candidate, f"Added to {job.title} (source: {source}).")
    messages.success(request, f"{candidate.full_name} added to {job.title}.")
    return HttpResponseRedirect(reverse("admin:applications_application_change", args=[application.pk]))


@require_GET
def resume_download_view(request: HttpRequest, object_id: str, resume_id: str) -> HttpResponse:
    """Redirect to a fresh, short-lived link to the file, for a resume the user may see."""
    try:
        resume = resume_get(actor=request.user, candidate_id=int(object_id), resume_id=int(resume_id))
    except (CandidateNotFound, ResumeNotFound, ValueError):
        raise Http404("No such resume.") from None

    def local_url(token: str) -> str:
        return request.build_absolute_uri(reverse("v1:resume-file") + "?" + urlencode({"token": token}))

    link = resume_download_link(actor=request.user, resume=resume, local_url=local_url)  # type: ignore[arg-type]
    access_record_by_other(
        actor=request.user,  # type: ignore[arg-type]
        candidate_id=resume.candidate_id,
        candidate_user_id=resume.candidate.user_id,
        action=AccessAction.VIEWED,
        channel=AccessChannel.ADMIN,
        detail=f"resume {resume.pk} download",
    )
    return HttpResponseRedirect(link.url)
