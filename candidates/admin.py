"""Back office for candidate profiles.

Recruiters see the candidates the access rules give them (applied to their jobs,
discoverable, or sourced by their organization). The forms check every shape the API
input checks (lengths, the phone format, experience 0-70, skill levels, at most
MAX_SKILLS skills); adds and edits then go through ``candidate_create`` /
``candidate_update``, which apply the business rules and decide who may edit which profile
(a recruiter keeps the sourced profiles without a login up to date; a candidate's own
profile is theirs), so a refused edit shows the service's reason on the form. A profile the
user may not edit (a self-registered candidate's, for a recruiter) is shown read-only.
The change URL itself is the workspace's candidate page (``workspace/candidate.py``), which
wraps this admin's change view and adds the candidate's applications, resumes and best jobs.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.validators import RegexValidator
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.forms.formsets import BaseFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from candidates.choices import ConsentSource, SkillLevel, SkillSource
from candidates.models import Candidate, CandidateMerge, CandidateSkill, Resume
from candidates.selectors import candidate_list, consent_list, merge_list, resume_visible
from candidates.services.merges import candidate_merge, candidate_merge_undo
from candidates.services.profiles import (
    MAX_SKILLS,
    PHONE_MESSAGE,
    PHONE_PATTERN,
    SkillSpec,
    candidate_create,
    candidate_update,
    may_edit_profile,
)
from candidates.services.resumes import resume_delete, resume_reparse
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.accounts.selectors import organization_list
from hotgigs.admin_site import (
    OrgScopedAdminMixin,
    ReadOnlyInlineMixin,
    ScopedInlineMixin,
    ServiceFormAdminMixin,
    admin_site,
    adopt,
    domain_error_text,
    formset_rows,
    mark_formsets_saved,
    run_per_row,
)
from hotgigs.audit.choices import AccessAction, AccessChannel
from hotgigs.audit.services import access_record_by_other
from hotgigs.errors import DomainError


def _audit(request: HttpRequest, candidate: Candidate, action: AccessAction) -> None:
    """Log someone else's view or change of this profile in the back office (hotgigs/audit)."""
    access_record_by_other(
        actor=request.user,  # type: ignore[arg-type]
        candidate_id=candidate.pk,
        candidate_user_id=candidate.user_id,
        action=action,
        channel=AccessChannel.ADMIN,
        detail=f"{request.method} {request.path}",
    )


# The fields of a profile the services take (skills come from the inline).
PROFILE_FIELDS = (
    "full_name",
    "email",
    "phone",
    "headline",
    "summary",
    "years_experience",
    "location",
    "open_to_remote",
    "discoverable",
    "consent",
)


class CandidateForm(forms.ModelForm[Candidate]):
    """The profile fields with the shapes the API input checks too, plus consent as the
    yes/no the service takes (it stamps ``consent_at``)."""

    phone = forms.CharField(
        max_length=32,
        required=False,
        validators=[RegexValidator(PHONE_PATTERN, PHONE_MESSAGE)],
    )
    summary = forms.CharField(max_length=20_000, required=False, widget=forms.Textarea)
    years_experience = forms.IntegerField(min_value=0, max_value=70, initial=0)
    consent = forms.BooleanField(
        required=False, help_text="The candidate agreed to their data being processed (sets the consent time)."
    )

    class Meta:
        model = Candidate
        # Consent is the form's own field; the model keeps its time (consent_at). The
        # organization is chosen on add only (read-only afterwards).
        fields = (*(field for field in PROFILE_FIELDS if field != "consent"), "organization")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "consent" in self.fields:
            self.fields["consent"].initial = self.instance.consent_at is not None


class ProfileSkillForm(forms.ModelForm[CandidateSkill]):
    level = forms.ChoiceField(choices=SkillLevel.choices, initial=SkillLevel.INTERMEDIATE)
    years = forms.IntegerField(min_value=0, max_value=70, required=False)

    class Meta:
        model = CandidateSkill
        fields = ("name", "level", "years")


class ProfileSkillInline(ScopedInlineMixin, admin.TabularInline[CandidateSkill, Candidate]):
    """Skills entered on the profile (at most MAX_SKILLS); the service replaces them as one list on save."""

    model = CandidateSkill
    form = ProfileSkillForm
    fields = ("name", "level", "years")
    extra = 1
    max_num = MAX_SKILLS
    verbose_name = "profile skill"
    verbose_name_plural = "profile skills"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CandidateSkill]:
        # Skills suggested from a resume are shown read-only on the profile (resume_skills).
        return super().get_queryset(request).filter(source=SkillSource.PROFILE)

    def get_formset(self, request: HttpRequest, obj: Candidate | None = None, **kwargs: Any) -> Any:
        # Refuse more rows than max_num (by default it only limits the blank rows shown).
        return super().get_formset(request, obj, validate_max=True, **kwargs)


class ResumeInline(ReadOnlyInlineMixin, admin.TabularInline[Resume, Candidate]):
    """Uploaded resumes and how their parsing went; uploads go through the API."""

    model = Resume
    fields = ("original_filename", "content_type", "size", "parse_status", "parse_error", "uploaded_at", "parsed_at")
    readonly_fields = fields


@admin.register(Candidate, site=admin_site)
class CandidateAdmin(ServiceFormAdminMixin, OrgScopedAdminMixin, admin.ModelAdmin[Candidate]):
    form = CandidateForm
    list_display = (
        "full_name",
        "email",
        "headline",
        "location",
        "years_experience",
        "open_to_remote",
        "discoverable",
        "created_at",
    )
    list_filter = ("discoverable", "open_to_remote", ("created_at", admin.DateFieldListFilter))
    search_fields = ("full_name", "email", "headline")
    date_hierarchy = "created_at"
    inlines = (ProfileSkillInline, ResumeInline)
    readonly_fields = (
        "user",
        "consent_at",
        "consent_history",
        "resume_skills",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("full_name", "email", "phone", "headline", "summary")}),
        ("Experience", {"fields": ("years_experience", "location", "open_to_remote", "resume_skills")}),
        ("Privacy", {"fields": ("discoverable", "consent", "consent_at", "consent_history")}),
        ("Record", {"fields": ("organization", "user", "created_by", "created_at", "updated_at")}),
    )
    actions = ("merge_two", "export_personal_data", "erase_personal_data")

    def get_readonly_fields(self, request: HttpRequest, obj: Candidate | None = None) -> tuple[str, ...]:
        # A profile never changes organization; candidate_update does not take one.
        if obj is not None:
            return ("organization", *self.readonly_fields)
        return tuple(self.readonly_fields)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "organization":
            # Left empty, a member of one organization adds for it (candidate_create decides).
            kwargs["queryset"] = organization_list(actor=request.user).filter(is_active=True)
            kwargs["help_text"] = "The organization this candidate is sourced for (needed if you work for several)."
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description="Merge the two selected profiles (the older one is kept)", permissions=["change"])
    def merge_two(self, request: HttpRequest, queryset: QuerySet[Candidate]) -> None:
        rows = list(queryset.order_by("created_at", "id")[:3])
        if len(rows) != 2:
            self.message_user(request, "Select exactly two profiles to merge.", messages.ERROR)
            return
        survivor, duplicate = rows
        try:
            merge = candidate_merge(actor=request.user, survivor=survivor, duplicate=duplicate)  # type: ignore[arg-type]
        except DomainError as error:
            self.message_user(request, domain_error_text(error), messages.ERROR)
            return
        link = reverse("admin:candidates_candidatemerge_change", args=[merge.pk])
        self.message_user(
            request,
            format_html(
                '{} was merged into {}. <a href="{}">Undo it from the merge\'s page</a>.', duplicate, survivor, link
            ),
            messages.SUCCESS,
        )

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Candidate]:
        return candidate_list(actor=request.user)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        # A page shown (GET) is a view of the profile; a change is logged where it is saved.
        if request.method == "GET" and response.status_code == 200:
            candidate = self.get_object(request, object_id)
            if candidate is not None:
                _audit(request, candidate, AccessAction.VIEWED)
        return response

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # A profile the policy does not let the user rewrite is shown read-only rather than as
        # a form the service would refuse: a self-registered candidate's name, email and the
        # rest are theirs, and a recruiter only reads them. Staff may still correct them.
        if obj is not None and not policies.is_staff(request.user):  # type: ignore[arg-type]
            return super().has_change_permission(request, obj) and may_edit_profile(request.user, obj)  # type: ignore[arg-type]
        return super().has_change_permission(request, obj)

    @admin.display(description="consents")
    def consent_history(self, obj: Candidate) -> str:
        # Shown, never edited here: "consent" and "discoverable" above give or withdraw them (as
        # the back office's), the candidate's API the same.
        if obj.pk is None:
            return "—"
        consents = list(consent_list(candidate=obj))
        if not consents:
            return "—"
        items = format_html_join(
            "",
            "<li>{} ({}): given {} ({}){}</li>",
            (
                (
                    c.get_purpose_display(),
                    c.text_version,
                    f"{c.given_at:%Y-%m-%d %H:%M}",
                    c.get_given_source_display(),
                    f", withdrawn {c.withdrawn_at:%Y-%m-%d %H:%M} ({c.get_withdrawn_source_display()})"
                    if c.withdrawn_at
                    else "",
                )
                for c in consents
            ),
        )
        return format_html("<ul>{}</ul>", items)

    @admin.display(description="skills suggested from resumes")
    def resume_skills(self, obj: Candidate) -> str:
        names = [skill.name for skill in obj.skills.all() if skill.source == SkillSource.RESUME]
        return ", ".join(names) or "—"

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # A profile is never deleted (its applications make the funnel's figures): its person's
        # data is erased, with a receipt, by the "Erase personal data" action (privacy/).
        return False

    def has_privacy_permission(self, request: HttpRequest) -> bool:
        return policies.is_staff(request.user)  # type: ignore[arg-type]

    def _one(self, request: HttpRequest, queryset: QuerySet[Candidate]) -> Candidate | None:
        rows = list(queryset[:2])
        if len(rows) != 1:
            self.message_user(request, "Select exactly one candidate.", messages.ERROR)
            return None
        return rows[0]

    @admin.action(description="Export personal data (JSON)", permissions=["privacy"])
    def export_personal_data(self, request: HttpRequest, queryset: QuerySet[Candidate]) -> HttpResponse | None:
        candidate = self._one(request, queryset)
        if candidate is None:
            return None
        # The privacy app's page (named, not imported: it sits above this app).
        return HttpResponseRedirect(reverse("admin:privacy_candidate_export", args=[candidate.pk]))

    @admin.action(
        description="Erase personal data (keeps anonymous figures, writes a receipt)", permissions=["privacy"]
    )
    def erase_personal_data(self, request: HttpRequest, queryset: QuerySet[Candidate]) -> HttpResponse | None:
        candidate = self._one(request, queryset)
        if candidate is None:
            return None
        return HttpResponseRedirect(reverse("admin:privacy_candidate_erase", args=[candidate.pk]))

    def save_model(self, request: HttpRequest, obj: Candidate, form: Any, change: bool) -> None:
        # Written in save_related, where the skill rows of the inline are known: the
        # services take the profile and its skills in one validated call.
        pass

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        fields = {field: form.cleaned_data[field] for field in PROFILE_FIELDS if field in form.cleaned_data}
        skills = self._skills(formsets)
        candidate = form.instance
        if change:
            if skills is not None:
                fields["skills"] = skills
            saved = candidate_update(actor=actor, candidate=candidate, consent_source=ConsentSource.ADMIN, **fields)
            _audit(request, saved, AccessAction.CHANGED)
        else:
            organization = form.cleaned_data.get("organization")
            saved = candidate_create(
                actor=actor,
                for_self=False,
                organization_id=organization.pk if organization is not None else None,
                skills=skills or [],
                consent_source=ConsentSource.ADMIN,
                **fields,
            )
        adopt(candidate, saved)
        mark_formsets_saved(formsets)

    @staticmethod
    def _skills(formsets: list[BaseFormSet[Any]]) -> list[SkillSpec] | None:
        rows = formset_rows(formsets, CandidateSkill)
        if rows is None:
            return None
        return [SkillSpec(name=row["name"], level=row["level"], years=row["years"]) for row in rows]


@admin.register(Resume, site=admin_site)
class ResumeAdmin(OrgScopedAdminMixin, admin.ModelAdmin[Resume]):
    """Resume files and their parsing; uploads go through the API, re-parsing through the action.

    Read-only: the file and what was extracted from it are changed only by parsing.
    ``parse_error`` tells why a parse failed, in the words the uploader sees.
    """

    list_display = (
        "original_filename",
        "candidate",
        "content_type",
        "size",
        "parse_status",
        "parse_error",
        "uploaded_at",
    )
    list_select_related = ("candidate",)
    list_filter = ("parse_status", "content_type", ("uploaded_at", admin.DateFieldListFilter))
    search_fields = ("original_filename", "candidate__full_name", "candidate__email", "sha256")
    date_hierarchy = "uploaded_at"
    actions = ("reparse_selected",)
    fields = (
        "candidate",
        "original_filename",
        "content_type",
        "size",
        "sha256",
        "parse_status",
        "parse_error",
        "uploaded_at",
        "parsed_at",
        "extracted_text",
    )
    readonly_fields = fields

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Resume]:
        return resume_visible(actor=request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Read-only page; the model-level permission still enables the re-parse action.
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Resume) -> None:
        # Through the service, which also removes the file and the resume's suggestions.
        resume_delete(actor=request.user, resume=obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Resume]) -> None:
        for resume in queryset:
            resume_delete(actor=request.user, resume=resume)  # type: ignore[arg-type]

    @admin.action(description="Re-parse selected resumes", permissions=["change"])
    def reparse_selected(self, request: HttpRequest, queryset: QuerySet[Resume]) -> None:
        run_per_row(
            self, request, queryset, lambda resume: resume_reparse(resume_id=resume.pk), done="queued for parsing"
        )


@admin.register(CandidateMerge, site=admin_site)
class CandidateMergeAdmin(OrgScopedAdminMixin, admin.ModelAdmin[CandidateMerge]):
    """Merges of an organization's profiles (made with the candidates' "Merge" action or the
    API), and their undo: the action puts back everything the merge moved. Read-only."""

    list_display = ("duplicate", "survivor", "moved_summary", "merged_by", "merged_at", "undone_at")
    list_filter = (("merged_at", admin.DateFieldListFilter), ("undone_at", admin.EmptyFieldListFilter))
    search_fields = ("survivor__full_name", "survivor__email", "duplicate__full_name", "duplicate__email")
    actions = ("undo_selected",)
    fields = (
        "organization",
        "survivor",
        "duplicate",
        "moved_summary",
        "merged_by",
        "merged_at",
        "undone_by",
        "undone_at",
    )
    readonly_fields = fields

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[CandidateMerge]:
        return merge_list(actor=request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The row is what an undo needs: it is never deleted.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Read-only page; the model-level permission still enables the undo action.
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="moved")
    def moved_summary(self, obj: CandidateMerge) -> str:
        return ", ".join(f"{len(rows)} {kind}" for kind, rows in obj.moved.items()) or "—"

    @admin.action(description="Undo selected merges", permissions=["change"])
    def undo_selected(self, request: HttpRequest, queryset: QuerySet[CandidateMerge]) -> None:
        run_per_row(
            self,
            request,
            queryset.order_by("-merged_at", "-id"),
            lambda merge: candidate_merge_undo(actor=request.user, merge=merge),  # type: ignore[arg-type]
            done="undone",
        )
