"""Data-subject requests in the back office (staff): export a candidate's data as JSON, erase it
with a receipt, and read the receipts. The candidate admin's actions ("Export personal data",
"Erase personal data") lead here by URL name; the pages are mounted by :class:`PrivacyConfig`."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse

from candidates.errors import CandidateNotFound
from candidates.selectors import candidate_get
from hotgigs.accounts import policies
from hotgigs.admin_site import admin_site, domain_error_text
from hotgigs.audit.admin import StaffRecordAdmin
from hotgigs.audit.choices import AccessChannel
from hotgigs.errors import DomainError
from privacy.choices import ERASE_CONFIRMATION
from privacy.models import ErasureReceipt
from privacy.selectors import receipt_list
from privacy.services import candidate_erase, export_json, personal_data_export


@admin.register(ErasureReceipt, site=admin_site)
class ErasureReceiptAdmin(StaffRecordAdmin):
    list_display = ("erased_at", "candidate_id", "erased_by_email", "requested_by_candidate", "channel", "counts")
    list_filter = ("requested_by_candidate", "channel", ("erased_at", admin.DateFieldListFilter))
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


def pages() -> list[URLPattern | URLResolver]:
    view = admin_site.admin_view
    return [
        path("privacy/export/<int:candidate_id>/", view(export_view), name="privacy_candidate_export"),
        path("privacy/erase/<int:candidate_id>/", view(erase_view), name="privacy_candidate_erase"),
    ]
