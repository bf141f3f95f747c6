"""Data-subject requests in the back office (staff): export a candidate's data as JSON, erase it
with a receipt, and read the receipts. The candidate admin's actions ("Export personal data",
"Erase personal data") lead here by URL name; the pages are mounted by :class:`PrivacyConfig`.

Retention (``/admin/privacy/retention/``): an organization's admins (staff: every organization)
set how long it keeps candidates without activity and see which candidates are due to be erased,
now and within ``RETENTION_SOON_DAYS``, with the rule that applies."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone

from candidates.errors import CandidateNotFound
from candidates.selectors import candidate_get, candidate_list
from hotgigs.accounts import policies
from hotgigs.accounts.selectors import organization_list
from hotgigs.admin_site import admin_site, domain_error_text
from hotgigs.audit.admin import StaffRecordAdmin
from hotgigs.audit.choices import AccessChannel
from hotgigs.errors import DomainError
from privacy.choices import ERASE_CONFIRMATION, RETENTION_MAX_DAYS, RETENTION_MIN_DAYS, RETENTION_SOON_DAYS
from privacy.models import ErasureReceipt
from privacy.selectors import receipt_list, retention_due, retention_periods
from privacy.services import candidate_erase, export_json, personal_data_export, retention_set


@admin.register(ErasureReceipt, site=admin_site)
class ErasureReceiptAdmin(StaffRecordAdmin):
    list_display = (
        "erased_at",
        "candidate_id",
        "reason",
        "erased_by_email",
        "requested_by_candidate",
        "channel",
        "counts",
        "detail",
    )
    list_filter = ("reason", "requested_by_candidate", "channel", ("erased_at", admin.DateFieldListFilter))
    search_fields = ("=candidate_id", "erased_by_email")
    fields = list_display
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ErasureReceipt]:
        return receipt_list(actor=request.user)  # type: ignore[arg-type]


class EraseForm(forms.Form):
    confirm = forms.CharField(max_length=10, help_text=f'Type "{ERASE_CONFIRMATION}" to erase; it cannot be undone.')

    def clean_confirm(self) -> str:
        value: str = self.cleaned_data["confirm"]
        if value.strip() != ERASE_CONFIRMATION:
            raise forms.ValidationError(f'Type "{ERASE_CONFIRMATION}" to confirm.')
        return value


def _candidate(request: HttpRequest, candidate_id: int) -> object | None:
    if not policies.is_staff(request.user):  # type: ignore[arg-type]
        return None
    try:
        return candidate_get(actor=request.user, candidate_id=candidate_id, skills=False)
    except CandidateNotFound:
        return None


def export_view(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """The candidate's export as a JSON download (staff)."""
    candidate = _candidate(request, candidate_id)
    if candidate is None:
        return HttpResponse(status=404)
    document = personal_data_export(actor=request.user, candidate=candidate, channel=AccessChannel.ADMIN)  # type: ignore[arg-type]
    response = HttpResponse(export_json(document), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{candidate_id}.json"'
    return response


def erase_view(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Confirm, then erase (staff); the receipt's page follows."""
    candidate = _candidate(request, candidate_id)
    if candidate is None:
        return HttpResponse(status=404)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = candidate_erase(actor=request.user, candidate=candidate, channel=AccessChannel.ADMIN)  # type: ignore[arg-type]
        except DomainError as error:
            messages.error(request, domain_error_text(error))
        else:
            messages.success(request, f"The candidate's personal data was erased (receipt {receipt.pk}).")
            return HttpResponseRedirect(reverse("admin:privacy_erasurereceipt_change", args=[receipt.pk]))
    context = {
        **admin_site.each_context(request),
        "title": "Erase personal data",
        "candidate": candidate,
        "form": form,
        "page_url": reverse("admin:candidates_candidate_change", args=[candidate_id]),
    }
    return TemplateResponse(request, "privacy/erase_confirm.html", context)


class RetentionForm(forms.Form):
    organization = forms.IntegerField(widget=forms.HiddenInput)
    retention_days = forms.IntegerField(
        required=False,
        min_value=RETENTION_MIN_DAYS,
        max_value=RETENTION_MAX_DAYS,
        help_text=f"{RETENTION_MIN_DAYS}–{RETENTION_MAX_DAYS} days; empty keeps candidates until they or staff erase them.",
    )


def retention_view(request: HttpRequest) -> HttpResponse:
    """The organizations' retention periods the user manages, a form to change each, and the
    candidates due now or within RETENTION_SOON_DAYS (staff: every organization's)."""
    actor = request.user
    managed = policies.retention_organization_ids(actor)  # type: ignore[arg-type]
    if managed is not None and not managed:
        raise PermissionDenied("Only an organization's admins or staff manage its retention period.")
    organizations = organization_list(actor=actor)  # type: ignore[arg-type]
    if managed is not None:
        organizations = organizations.filter(pk__in=sorted(managed))
    if request.method == "POST":
        form = RetentionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
        else:
            organization_id = form.cleaned_data["organization"]
            days = form.cleaned_data["retention_days"]
            try:
                retention_set(actor=actor, organization_id=organization_id, retention_days=days)  # type: ignore[arg-type]
            except DomainError as error:
                messages.error(request, domain_error_text(error))
            else:
                messages.success(request, f"Retention set to {days} days." if days else "Candidates are now kept.")
                return HttpResponseRedirect(reverse("admin:privacy_retention"))
    periods = retention_periods(organization_ids=[o.pk for o in organizations])
    now = timezone.now()
    cases = retention_due(actor=actor, now=now, within_days=RETENTION_SOON_DAYS)  # type: ignore[arg-type]
    names = dict(
        candidate_list(actor=actor).filter(pk__in=[c.candidate_id for c in cases]).values_list("pk", "full_name")  # type: ignore[arg-type]
    )
    staff = policies.sees_every_organization(actor)  # type: ignore[arg-type]
    context = {
        **admin_site.each_context(request),
        "title": "Candidate retention",
        "organizations": [(o, periods.get(o.pk, (o.name, None))[1]) for o in organizations],
        "min_days": RETENTION_MIN_DAYS,
        "max_days": RETENTION_MAX_DAYS,
        "soon_days": RETENTION_SOON_DAYS,
        "rows": [
            {
                "case": case,
                "name": names.get(case.candidate_id, f"Candidate {case.candidate_id}"),
                "url": reverse("admin:candidates_candidate_change", args=[case.candidate_id]),
                "due": case.is_due(now),
                "why": case.why(others=staff),
            }
            for case in cases
        ],
    }
    return TemplateResponse(request, "privacy/retention.html", context)


def pages() -> list[URLPattern | URLResolver]:
    view = admin_site.admin_view
    return [
        path("privacy/retention/", view(retention_view), name="privacy_retention"),
        path("privacy/export/<int:candidate_id>/", view(export_view), name="privacy_candidate_export"),
        path("privacy/erase/<int:candidate_id>/", view(erase_view), name="privacy_candidate_erase"),
    ]
