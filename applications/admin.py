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

from applications.choices import REJECTION_EMAIL_PLACEHOLDERS, ApplicationStage
from applications.errors import IllegalStageMove, illegal_move_words
from applications.models import Application, Match, RejectionEmailTemplate, RejectionReason, StageChange
from applications.selectors import (
    application_list,
    match_list,
    rejection_email_template_list,
    rejection_reason_list,
)
from applications.services import (
    MAX_COVER_LETTER,
    MAX_TEMPLATE_BODY,
    MAX_TEMPLATE_SUBJECT,
    application_move,
    application_submit,
    rejection_email_template_archive,
    rejection_email_template_create,
    rejection_email_template_update,
    rejection_reason_archive,
    rejection_reason_create,
    rejection_reason_update,
)
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
)


class StageChangeInline(ReadOnlyInlineMixin, admin.TabularInline[StageChange, Application]):
    """The application's pipeline history, oldest first."""

    model = StageChange
    fields = ("from_stage", "to_stage", "actor", "rejection_reason", "reason", "changed_at")
    readonly_fields = fields
    verbose_name = "stage change"
    verbose_name_plural = "stage history"

    def get_queryset(self, request: HttpRequest) -> QuerySet[StageChange]:
        return super().get_queryset(request).select_related("actor", "rejection_reason").order_by("changed_at", "id")


def _move_action(stage: ApplicationStage, *, reason_code: str = "", reason_label: str = "") -> Callable[..., None]:
    """A list action moving the selected applications to ``stage``; a rejection names the
    reason ``reason_code`` of each application's organization."""

    def move(model_admin: "ApplicationAdmin", request: HttpRequest, queryset: QuerySet[Application]) -> None:
        actor: User = request.user  # type: ignore[assignment]
        reason_ids: dict[int, int] = {}
        if reason_code:
            reasons = rejection_reason_list(actor=actor).filter(code=reason_code)
            reason_ids = dict(reasons.values_list("organization_id", "pk"))

        def move_one(application: Application) -> Application:
            who = application.candidate.full_name
            from_label = ApplicationStage(application.stage).label
            try:
                moved = application_move(
                    actor=actor,
                    application=application,
                    to_stage=stage,
                    rejection_reason_id=reason_ids.get(application.job.organization_id, 0) if reason_code else None,
                )
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
            because = f" ({reason_label})" if reason_code else ""
            model_admin.log_change(request, moved, f"Moved from {from_label} to {stage.label}{because} (list action).")
            return moved

        rows = queryset.select_related("candidate", "job")
        run_per_row(model_admin, request, rows, move_one, done=f"moved to {stage.label.lower()}", name=None)

    if reason_code:
        move.__name__ = f"reject_{reason_code}"
        description = f"Reject selected applications: {reason_label}"
    else:
        move.__name__ = f"move_to_{stage.value}"
        description = f"Move selected applications to {stage.label.lower()}"
    return admin.action(description=description, permissions=["change"])(move)


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
    # Limited seats see the applications they reach; a hiring manager seat also moves them.
    limited_seats_view = True
    limited_seats_act = True
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

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # One "Reject" action per reason code of the actor's organizations: a rejection needs one.
        actions = super().get_actions(request)
        if not actions:
            return actions
        labels: dict[str, str] = {}
        for code, label in rejection_reason_list(actor=request.user).values_list("code", "label"):
            labels.setdefault(code, label)
        for code, label in labels.items():
            action = _move_action(ApplicationStage.REJECTED, reason_code=code, reason_label=label)
            actions[action.__name__] = (action, action.__name__, action.short_description)  # type: ignore[attr-defined, assignment]
        return actions

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


class RejectionReasonAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = RejectionReason
        fields = ("organization", "code", "label", "position")


@admin.register(RejectionReason, site=admin_site)
class RejectionReasonAdmin(ServiceFormAdminMixin, OrgScopedAdminMixin, admin.ModelAdmin[RejectionReason]):
    """Each organization's rejection reasons: added, renamed, reordered and archived through the
    services (org admins and staff; a recruiter's save is refused on the form)."""

    form = RejectionReasonAdminForm
    list_display = ("label", "code", "organization", "position", "archived_at")
    list_filter = ("organization",)
    actions = ("archive",)

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[RejectionReason]:
        return rejection_reason_list(actor=request.user, include_archived=True).select_related("organization")

    def get_readonly_fields(self, request: HttpRequest, obj: RejectionReason | None = None) -> Any:
        return ("organization", "code", "archived_at") if obj is not None else ("archived_at",)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "organization" and not policies.sees_every_organization(request.user):  # type: ignore[arg-type]
            from hotgigs.accounts.models import Organization

            kwargs["queryset"] = Organization.objects.filter(pk__in=sorted(policies.organization_ids(request.user)))  # type: ignore[arg-type]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: RejectionReason, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        cleaned = form.cleaned_data
        if change:
            rejection_reason_update(actor=actor, reason=obj, label=cleaned["label"], position=cleaned["position"])
        else:
            saved = rejection_reason_create(
                actor=actor,
                organization_id=cleaned["organization"].pk,
                code=cleaned["code"],
                label=cleaned["label"],
                position=cleaned["position"],
            )
            adopt(obj, saved)

    @admin.action(description="Archive selected rejection reasons", permissions=["change"])
    def archive(self, request: HttpRequest, queryset: QuerySet[RejectionReason]) -> None:
        actor: User = request.user  # type: ignore[assignment]
        run_per_row(
            self,
            request,
            queryset,
            lambda reason: rejection_reason_archive(actor=actor, reason=reason),
            done="archived",
        )


def _placeholder_help() -> str:
    names = ", ".join("{" + name + "}" for name in REJECTION_EMAIL_PLACEHOLDERS)
    return f"Placeholders: {names}. Write {{{{ or }}}} for a literal brace."


class RejectionEmailTemplateAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """Shapes only; the services refuse unknown placeholders (shown on the form)."""

    subject = forms.CharField(max_length=MAX_TEMPLATE_SUBJECT, help_text=_placeholder_help())
    body = forms.CharField(
        max_length=MAX_TEMPLATE_BODY, widget=forms.Textarea(attrs={"rows": 12}), help_text=_placeholder_help()
    )

    class Meta:
        model = RejectionEmailTemplate
        fields = ("organization", "name", "subject", "body")


@admin.register(RejectionEmailTemplate, site=admin_site)
class RejectionEmailTemplateAdmin(ServiceFormAdminMixin, OrgScopedAdminMixin, admin.ModelAdmin[RejectionEmailTemplate]):
    """Each organization's rejection emails: added, edited and archived through the services
    (org admins and staff; a recruiter's save is refused on the form)."""

    form = RejectionEmailTemplateAdminForm
    list_display = ("name", "subject", "organization", "updated_at", "archived_at")
    list_filter = ("organization",)
    actions = ("archive",)

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[RejectionEmailTemplate]:
        return rejection_email_template_list(actor=request.user, include_archived=True).select_related("organization")

    def get_readonly_fields(self, request: HttpRequest, obj: RejectionEmailTemplate | None = None) -> Any:
        return ("organization", "archived_at") if obj is not None else ("archived_at",)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "organization" and not policies.sees_every_organization(request.user):  # type: ignore[arg-type]
            from hotgigs.accounts.models import Organization

            kwargs["queryset"] = Organization.objects.filter(pk__in=sorted(policies.organization_ids(request.user)))  # type: ignore[arg-type]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: RejectionEmailTemplate, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        cleaned = form.cleaned_data
        if change:
            rejection_email_template_update(
                actor=actor, template=obj, name=cleaned["name"], subject=cleaned["subject"], body=cleaned["body"]
            )
        else:
            saved = rejection_email_template_create(
                actor=actor,
                organization_id=cleaned["organization"].pk,
                name=cleaned["name"],
                subject=cleaned["subject"],
                body=cleaned["body"],
            )
            adopt(obj, saved)

    @admin.action(description="Archive selected rejection email templates", permissions=["change"])
    def archive(self, request: HttpRequest, queryset: QuerySet[RejectionEmailTemplate]) -> None:
        actor: User = request.user  # type: ignore[assignment]
        run_per_row(
            self,
            request,
            queryset,
            lambda template: rejection_email_template_archive(actor=actor, template=template),
            done="archived",
        )


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
