"""The adverse-impact monitor in the back office (``/admin/adverse-impact/``): the organization's
admins (and staff) see, per self-identification dimension, each funnel step's selection rates per
group with the four-fifths flags, the tests and the small-sample cautions, and the match scores'
top-ranked shares. The same figures as ``GET /api/v1/analytics/adverse-impact``
(``analytics.selectors.adverse_impact``); anyone else gets 403. Filters: organization (for
someone who administers several, or staff), job, dimension, step, top ranks.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from analytics.errors import AnalyticsJobNotFound, AnalyticsScopeNotFound
from analytics.selectors.adverse_impact import (
    CAUTIONS,
    DEFAULT_TOP,
    DIMENSIONS,
    MAX_TOP,
    STEP_FROM_STAGES,
    ImpactFilters,
    adverse_impact_figures,
    adverse_impact_scope,
)
from hotgigs.admin_site import admin_site
from hotgigs.errors import Forbidden
from jobs.selectors import job_report_list


class ImpactForm(forms.Form):
    organization = forms.IntegerField(required=False, min_value=1)
    job = forms.IntegerField(required=False, min_value=1)
    dimension = forms.ChoiceField(required=False, choices=[("", "All"), *((d, d) for d in DIMENSIONS)])
    stage = forms.ChoiceField(required=False, choices=[("", "Every step"), *((s, s) for s in STEP_FROM_STAGES)])
    top = forms.IntegerField(required=False, min_value=1, max_value=MAX_TOP)


@require_GET
def adverse_impact_view(request: HttpRequest) -> HttpResponse:
    form = ImpactForm(request.GET)
    status = 200
    if not form.is_valid():
        status = 400
        data: dict[str, Any] = {}
    else:
        data = form.cleaned_data
    try:
        scope = adverse_impact_scope(actor=request.user, organization_id=data.get("organization"))  # type: ignore[arg-type]
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except AnalyticsScopeNotFound:
        raise Http404("No organization of yours matches.") from None
    filters = ImpactFilters(
        job_id=data.get("job"),
        stage=data.get("stage") or None,
        dimensions=(data["dimension"],) if data.get("dimension") else DIMENSIONS,
        top=data.get("top") or DEFAULT_TOP,
    )
    try:
        report = adverse_impact_figures(organization_ids=scope, filters=filters)
    except AnalyticsJobNotFound:
        raise Http404("No job of yours matches.") from None
    jobs = job_report_list(organization_ids=scope).order_by("title", "pk").values_list("pk", "title")
    context = {
        **admin_site.each_context(request),
        "title": "Adverse-impact monitor",
        "subtitle": None,
        "form": form,
        "report": report,
        "cautions": CAUTIONS,
        "jobs": list(jobs),
        "dimensions": DIMENSIONS,
        "stages": STEP_FROM_STAGES,
    }
    return TemplateResponse(request, "workspace/adverse_impact.html", context, status=status)
