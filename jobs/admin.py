"""Back office for jobs: recruiters draft, edit, open and close their organization's postings.

Every write calls ``jobs.services``: the add and change forms save through ``job_create``
and ``job_update`` (skills included, from the inline), the status only moves through the
"open" and "close" actions, and the organization choice is limited to the user's own.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.forms.formsets import BaseFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.accounts.selectors import organization_list
from hotgigs.admin_site import (
    OrgScopedAdminMixin,
    ScopedInlineMixin,
    ServiceFormAdminMixin,
    admin_site,
    adopt,
    formset_rows,
    mark_formsets_saved,
    run_per_row,
)
from jobs.models import HiringTeamMember, Job, JobSkill
from jobs.selectors import job_list
from jobs.services import (
    CURRENCY_CODE,
    MAX_SALARY,
    SkillSpec,
    hiring_team_remove,
    hiring_team_set,
    job_close,
    job_create,
    job_open,
    job_update,
)

# The fields of a job the services take; organization, status and timestamps are not among them.
JOB_FIELDS = (
    "title",
    "description",
    "department",
    "location",
    "remote_policy",
    "employment_type",
    "min_years_experience",
    "education",
    "salary_min",
    "salary_max",
    "salary_currency",
)


class JobAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """The job's fields with the ranges and the currency code the API input checks too."""

    min_years_experience = forms.IntegerField(min_value=0, max_value=50, initial=0)
    salary_min = forms.IntegerField(min_value=0, max_value=MAX_SALARY, required=False)
    salary_max = forms.IntegerField(min_value=0, max_value=MAX_SALARY, required=False)

    class Meta:
        model = Job
        fields = ("organization", *JOB_FIELDS)

    def clean_salary_currency(self) -> str:
        code: str = self.cleaned_data["salary_currency"].strip().upper()
        if code and not CURRENCY_CODE.match(code):
            raise forms.ValidationError("Must be a three-letter ISO 4217 code such as USD.")
        return code


class JobSkillInline(ScopedInlineMixin, admin.TabularInline[JobSkill, Job]):
    """The job's skills; saved as one list by the job service, in the order shown."""

    model = JobSkill
    fields = ("name", "level", "required")
    extra = 1


class HiringTeamInline(ScopedInlineMixin, admin.TabularInline[HiringTeamMember, Job]):
    """The job's hiring team: who is hiring manager, recruiter or interviewer. Saved person by
    person through ``hiring_team_set`` / ``hiring_team_remove`` (which check seats and the one
    hiring manager); the people offered are the members of the job's organization."""

    model = HiringTeamMember
    fields = ("user", "role")
    extra = 1
    verbose_name = "hiring team member"
    verbose_name_plural = "hiring team"

    def get_formset(self, request: HttpRequest, obj: Job | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        organizations = (
            [obj.organization_id]
            if obj is not None
            else list(organization_list(actor=request.user).values_list("pk", flat=True))  # type: ignore[arg-type]
        )
        member_ids: set[int] = set()
        for organization_id in organizations:
            member_ids |= policies.organization_member_ids(organization_id)
        formset.form.base_fields["user"].queryset = User.objects.filter(pk__in=member_ids).order_by("email")  # type: ignore[attr-defined]
        return formset


@admin.register(Job, site=admin_site)
class JobAdmin(ServiceFormAdminMixin, OrgScopedAdminMixin, admin.ModelAdmin[Job]):
    list_display = (
        "title",
        "organization",
        "status",
        "location",
        "remote_policy",
        "created_at",
        "application_count",
        "board_link",
    )
    list_filter = ("status", "remote_policy", "employment_type", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("organization",)
    search_fields = ("title", "description", "location")
    date_hierarchy = "created_at"
    form = JobAdminForm
    inlines = (JobSkillInline, HiringTeamInline)
    # A hiring manager or interviewer seat sees the jobs whose team they are on, read-only.
    limited_seats_view = True
    actions = ("open_selected", "close_selected")
    readonly_fields = (
        "status",
        "board_link",
        "plan_link",
        "created_by",
        "created_at",
        "updated_at",
        "opened_at",
        "closed_at",
    )
    fieldsets = (
        (
            None,
            {"fields": ("organization", "title", "status", "board_link", "plan_link", "description", "department")},
        ),
        ("Where and how", {"fields": ("location", "remote_policy", "employment_type")}),
        ("Requirements", {"fields": ("min_years_experience", "education")}),
        ("Salary", {"fields": ("salary_min", "salary_max", "salary_currency")}),
        ("History", {"fields": ("created_by", "created_at", "updated_at", "opened_at", "closed_at")}),
    )

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Job]:
        return job_list(actor=request.user).annotate(num_applications=Count("applications"))

    def get_list_display(self, request: HttpRequest) -> Any:
        # A member sees one organization's jobs: the column would repeat it on every row and
        # push the pipeline board's link out of a 1440 px wide page.
        if policies.sees_every_organization(request.user):  # type: ignore[arg-type]
            return self.list_display
        return tuple(field for field in self.list_display if field != "organization")

    def get_readonly_fields(self, request: HttpRequest, obj: Job | None = None) -> tuple[str, ...]:
        # A job never changes organization; job_update does not take one.
        if obj is not None:
            return ("organization", *self.readonly_fields)
        return tuple(self.readonly_fields)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "organization":
            kwargs["queryset"] = organization_list(actor=request.user).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="applications", ordering="num_applications")
    def application_count(self, obj: Job) -> int:
        return obj.num_applications  # type: ignore[attr-defined, no-any-return]

    @admin.display(description="pipeline")
    def board_link(self, obj: Job) -> str:
        # The board is the recruiter workspace's page (workspace/board.py), named by URL only:
        # jobs sits below the workspace and imports nothing of it.
        if obj.pk is None:
            return "—"
        return format_html('<a href="{}">Pipeline board</a>', reverse("admin:jobs_job_board", args=[obj.pk]))

    @admin.display(description="interview plan")
    def plan_link(self, obj: Job) -> str:
        # The plan editor is the workspace's page (workspace/plan.py), named by URL only.
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}" class="ws-plan-link">Rounds and scorecards</a>',
            reverse("admin:workspace_interview_plan", args=[obj.pk]),
        )

    def save_model(self, request: HttpRequest, obj: Job, form: Any, change: bool) -> None:
        # The job is written in save_related, where the skill rows of the inline are known:
        # job_create and job_update take the fields and the skills in one validated call.
        pass

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        fields = {field: form.cleaned_data[field] for field in JOB_FIELDS if field in form.cleaned_data}
        skills = self._skills(formsets)
        job = form.instance
        if change:
            if skills is not None:
                fields["skills"] = skills
            saved = job_update(actor=actor, job=job, **fields)
        else:
            saved = job_create(
                actor=actor, organization=form.cleaned_data["organization"], skills=skills or [], **fields
            )
        adopt(job, saved)
        self._save_team(actor, saved, formsets)
        mark_formsets_saved(formsets)

    @staticmethod
    def _save_team(actor: User, job: Job, formsets: list[BaseFormSet[Any]]) -> None:
        """Apply the hiring team inline's changes through the services, person by person."""
        for formset in formsets:
            if getattr(formset, "model", None) is not HiringTeamMember:
                continue
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None)
                if not data or not form.has_changed():
                    continue
                before: HiringTeamMember | None = form.instance if form.instance.pk else None
                user = data.get("user")
                if before is not None and (data.get("DELETE") or (user is not None and user.pk != before.user_id)):
                    hiring_team_remove(actor=actor, job=job, user_id=before.user_id)
                if user is not None and not data.get("DELETE"):
                    hiring_team_set(actor=actor, job=job, user_id=user.pk, role=data["role"])

    @staticmethod
    def _skills(formsets: list[BaseFormSet[Any]]) -> list[SkillSpec] | None:
        rows = formset_rows(formsets, JobSkill)
        if rows is None:
            return None
        return [SkillSpec(name=row["name"], level=row["level"], required=row["required"]) for row in rows]

    @admin.action(description="Open selected jobs", permissions=["change"])
    def open_selected(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        actor: User = request.user  # type: ignore[assignment]
        run_per_row(self, request, queryset, lambda job: job_open(actor=actor, job=job), done="opened")

    @admin.action(description="Close selected jobs", permissions=["change"])
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        actor: User = request.user  # type: ignore[assignment]
        run_per_row(self, request, queryset, lambda job: job_close(actor=actor, job=job), done="closed")
