"""Back office for applications: the pipeline, one stage move at a time.

An application's stage only moves through ``application_move`` (the "Move selected
applications to …" actions), which checks the move is legal and records it in the stage
history. The change URL of an application is the workspace's application page
(``workspace/application.py``): moves with a reason and a confirmation, interviews, the match
receipt and the resume; there is no service that edits an application in place. Adding one
(a recruiter entering a candidate they sourced) goes through ``application_submit``.
"""

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.html import format_html

from applications.choices import ApplicationStage
from applications.errors import IllegalStageMove, illegal_move_words
from applications.models import Application, Match, StageChange
from applications.selectors import application_list, match_list
from applications.services import MAX_COVER_LETTER, application_move, application_submit
from candidates.selectors import candidate_list
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.admin_site import (
    OrgScopedAdminMixin,
    ReadOnlyInlineMixin,
    ServiceFormAdminMixin,
    admin_site,
    adopt,
    domain_error_text,
    mark_formsets_saved,
    run_per_row,
)
from hotgigs.errors import DomainError
from jobs.selectors import job_list

# The moves a recruiter makes from the list; withdrawing is the candidate's own move.
ACTION_STAGES = (
    ApplicationStage.SCREENING,
    ApplicationStage.INTERVIEW,
    ApplicationStage.OFFER,
    ApplicationStage.HIRED,
    ApplicationStage.REJECTED,
)


class StageChangeInline(ReadOnlyInlineMixin, admin.TabularInline[StageChange, Application]):
    """The application's pipeline history, oldest first."""

    model = StageChange
    fields = ("from_stage", "to_stage", "actor", "reason", "changed_at")
    readonly_fields = fields
    verbose_name = "stage change"
    verbose_name_plural = "stage history"

    def get_queryset(self, request: HttpRequest) -> QuerySet[StageChange]:
        return super().get_queryset(request).select_related("actor").order_by("changed_at", "id")


def _move_action(stage: ApplicationStage) -> Callable[..., None]:
    def move(model_admin: "ApplicationAdmin", request: HttpRequest, queryset: QuerySet[Application]) -> None:
        actor: User = request.user  # type: ignore[assignment]

        def move_one(application: Application) -> Application:
            who = application.candidate.full_name
            from_label = ApplicationStage(application.stage).label
            try:
                moved = application_move(actor=actor, application=application, to_stage=stage)
            except IllegalStageMove as error:
                # In people's terms, with the legal moves named (the API keeps the details).
                allowed = list((error.details or {}).get("allowed", []))
                words = illegal_move_words(
                    candidate_name=who,
                    from_stage=application.stage,
                    to_stage=stage,
                    allowed=allowed,
                )
                raise IllegalStageMove(words, details=error.details) from None
            except DomainError as error:
                raise type(error)(
                    f"{who}'s application to {application.job.title}: {domain_error_text(error)}", details=error.details
                ) from None
            model_admin.log_change(request, moved, f"Moved from {from_label} to {stage.label} (list action).")
            return moved

        rows = queryset.select_related("candidate", "job")
        run_per_row(model_admin, request, rows, move_one, done=f"moved to {stage.label.lower()}", name=None)

    move.__name__ = f"move_to_{stage.value}"
    return admin.action(description=f"Move selected applications to {stage.label.lower()}", permissions=["change"])(
        move
    )


class ApplicationAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """The add form checks shapes as the API's input does (the model's text field has no bound)."""

    cover_letter = forms.CharField(max_length=MAX_COVER_LETTER, required=False, widget=forms.Textarea)

    class Meta:
        model = Application
        fields = ("job", "candidate", "source", "cover_letter")


@admin.register(Application, site=admin_site)
class ApplicationAdmin(ServiceFormAdminMixin, OrgScopedAdminMixin, admin.ModelAdmin[Application]):
    form = ApplicationAdminForm
    list_display = ("candidate", "job", "stage", "source", "match_score", "created_at", "stage_changed_at")
    list_select_related = ("job", "job__organization", "candidate")
    list_filter = (
        "stage",
        "source",
        ("job", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
        ("stage_changed_at", admin.DateFieldListFilter),
    )
    search_fields = ("candidate__full_name", "candidate__email", "job__title")
    date_hierarchy = "created_at"
    autocomplete_fields = ("job", "candidate")
    # interviews/admin.py adds its InterviewInline (interviews sit above applications).
    inlines = (StageChangeInline,)
    actions = tuple(_move_action(stage) for stage in ACTION_STAGES)
    add_fields = ("job", "candidate", "source", "cover_letter")
    view_fields = (
        "job",
        "candidate",
        "stage",
        "source",
        "match_score",
        "cover_letter",
        "created_by",
        "created_at",
        "stage_changed_at",
    )
    readonly_fields = ("stage",)

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        return application_list(actor=request.user)

    def get_list_filter(self, request: HttpRequest) -> Any:
        if policies.sees_every_organization(request.user):  # type: ignore[arg-type]
            return (*self.list_filter[:2], "job__organization", *self.list_filter[2:])
        return self.list_filter

    def get_fields(self, request: HttpRequest, obj: Application | None = None) -> Any:
        return self.add_fields if obj is None else self.view_fields

    def get_inlines(self, request: HttpRequest, obj: Application | None) -> Any:
        # History and interviews exist only once the application does.
        return () if obj is None else self.inlines

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # An application is never edited in place: the page of one is a read-only view,
        # and the list's actions (which need the model-level permission) move stages.
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "job":
            kwargs["queryset"] = job_list(actor=request.user)
        elif db_field.name == "candidate":
            kwargs["queryset"] = candidate_list(actor=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Application, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        cleaned = form.cleaned_data
        saved = application_submit(
            actor=actor,
            job=cleaned["job"],
            candidate=cleaned["candidate"],
            source=cleaned["source"],
            cover_letter=cleaned["cover_letter"],
        )
        adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The inlines are read-only and the service wrote the first history row.
        mark_formsets_saved(formsets)


@admin.register(Match, site=admin_site)
class MatchAdmin(OrgScopedAdminMixin, admin.ModelAdmin[Match]):
    """Score receipts, read-only: AI matching writes them (``applications.matching``).

    Scoped like the matches API: a recruiter sees the matches of their organization's
    jobs for candidates they may see.
    """

    list_display = ("candidate", "job", "score", "provider", "fallback", "computed_at")
    list_select_related = ("job", "job__organization", "candidate")
    list_filter = ("provider", "fallback", ("job", admin.RelatedOnlyFieldListFilter))
    search_fields = ("candidate__full_name", "candidate__email", "job__title")
    fields = (
        "job",
        "candidate",
        "score",
        "provider",
        "model_version",
        "fallback",
        "rationale",
        "receipt",
        "input_hash",
        "computed_at",
    )
    readonly_fields = fields

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Match]:
        return match_list(actor=request.user)

    @admin.display(description="breakdown")
    def receipt(self, obj: Match) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.breakdown, indent=2, ensure_ascii=False))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
