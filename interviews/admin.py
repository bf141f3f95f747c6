"""Back office for interviews: the schedule, the panel, and the scorecards.

The page of an interview is a read-only view with its feedback; cancelling is the
"Cancel selected interviews" action, which calls ``interview_cancel``. Scheduling,
rescheduling and cancelling with a reason are on the application's page in the workspace
(``workspace/application.py``), and interviewers give feedback on "My interviews"
(``workspace/interviewer.py``).
"""

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from hotgigs.accounts.models import User
from hotgigs.admin_site import OrgScopedAdminMixin, ReadOnlyInlineMixin, admin_site, run_per_row
from interviews.models import Feedback, Interview
from interviews.selectors import feedback_readable, interview_list
from interviews.services import interview_cancel


class FeedbackInline(ReadOnlyInlineMixin, admin.TabularInline[Feedback, Interview]):
    """Interviewers' scorecards: internal, and only ever written by the interviewer."""

    model = Feedback
    fields = ("interviewer", "rating", "recommendation", "notes", "submitted_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Feedback]:
        # A panel interviewer reads colleagues' scorecards only once they have given their own.
        rows = feedback_readable(actor=request.user, feedback=super().get_queryset(request))
        return rows.select_related("interviewer").order_by("submitted_at", "id")


class InterviewInline(ReadOnlyInlineMixin, admin.TabularInline[Interview, Model]):
    """A summary of an application's interviews, each linking to its own page.

    Shown on the application's page: interviews sit above applications, so this app adds
    the inline to the application admin rather than the application admin importing it.
    """

    model = Interview
    fields = ("kind", "starts_at", "ends_at", "status", "panel")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Interview]:
        return super().get_queryset(request).prefetch_related("interviewers")

    @admin.display(description="interviewers")
    def panel(self, obj: Interview) -> str:
        return ", ".join(user.get_full_name() for user in obj.interviewers.all()) or "—"


# Admin modules load in INSTALLED_APPS order, applications before interviews.
_application_admin = type(admin_site.get_model_admin(apps.get_model("applications", "Application")))
_application_admin.inlines = (*_application_admin.inlines, InterviewInline)


@admin.register(Interview, site=admin_site)
class InterviewAdmin(OrgScopedAdminMixin, admin.ModelAdmin[Interview]):
    list_display = ("application_summary", "kind", "starts_at", "status", "panel")
    list_select_related = ("application", "application__job", "application__candidate")
    list_filter = ("status", "kind", ("starts_at", admin.DateFieldListFilter))
    search_fields = ("application__candidate__full_name", "application__candidate__email", "application__job__title")
    date_hierarchy = "starts_at"
    inlines = (FeedbackInline,)
    actions = ("cancel_selected",)
    # Limited seats see the interviews of the applications they reach; a hiring manager seat
    # also cancels them (the service checks each).
    limited_seats_view = True
    limited_seats_act = True
    fields = (
        "application",
        "round",
        "kind",
        "status",
        "starts_at",
        "ends_at",
        "timezone",
        "location",
        "meeting_url",
        "interviewers",
        "cancel_reason",
        "scheduled_by",
        "created_at",
        "updated_at",
    )

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Interview]:
        return interview_list(actor=request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Read-only page; the model-level permission still enables the cancel action.
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="application", ordering="application__candidate__full_name")
    def application_summary(self, obj: Interview) -> str:
        return f"{obj.application.candidate.full_name} — {obj.application.job.title}"

    @admin.display(description="interviewers")
    def panel(self, obj: Interview) -> str:
        # interview_list prefetches the panel, so this costs no query per row.
        return ", ".join(user.get_full_name() for user in obj.interviewers.all()) or "—"

    @admin.action(description="Cancel selected interviews", permissions=["change"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Interview]) -> None:
        actor: User = request.user  # type: ignore[assignment]
        run_per_row(
            self,
            request,
            queryset,
            lambda interview: interview_cancel(
                actor=actor, interview=interview, reason="Cancelled in the back office."
            ),
            done="cancelled",
        )
