"""The recruiter back office: Django's admin, opened to organization members.

Django's admin normally admits only ``is_staff`` users. Here ``is_staff`` means HotGigs
platform staff, who see everything; recruiters and organization admins get in through
their membership and see only their organization's rows. Scoping lives in
:class:`OrgScopedAdminMixin`, which asks each app's selectors for the querysets, so the
admin applies exactly the API's access rules.

Writes go through the services, like every other entry point (ARCHITECTURE.md). The pieces
here make that practical: :class:`ServiceFormAdminMixin` turns a domain error raised by
a service during a save into form errors (instead of a 500), and :func:`run_per_row`
runs an admin action's service call row by row and reports what failed and why.
"""

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.formsets import BaseFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver

from hotgigs.accounts import policies
from hotgigs.accounts.errors import LoginThrottled
from hotgigs.accounts.throttle import login_charge, login_succeeded
from hotgigs.errors import DomainError, ValidationFailed

# Set on the request when a service rejected a save; read back while re-rendering the form.
_SERVICE_ERROR_ATTR = "_hotgigs_admin_service_error"
# An action reports at most this many failed rows by name; the rest are counted.
MAX_REPORTED_FAILURES = 10


def may_use_back_office(user: Any) -> bool:
    """Platform staff and members of an active organization may use the back office."""
    return policies.may_use_back_office(user)


class BackOfficeAuthenticationForm(AdminAuthenticationForm):
    """The admin login form, admitting members as well as staff.

    Django's form refuses every user without ``is_staff``, which would lock recruiters
    out of the login page even though :meth:`HotGigsAdminSite.has_permission` lets them in.
    """

    error_messages: ClassVar[dict[str, Any]] = {  # type: ignore[misc]
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Please enter the correct email address and password of a staff or recruiter account.",
    }

    def clean(self) -> dict[str, Any]:
        # The API's per-account back-off (hotgigs/accounts/throttle.py) guards this form too.
        email = self.cleaned_data.get("username")
        if email and self.cleaned_data.get("password"):
            try:
                login_charge(email=email)
            except LoginThrottled as exc:
                wait = (exc.details or {}).get("retry_after", 1)
                raise ValidationError(
                    f"Too many failed logins for this account. Try again in {wait} seconds.", code="throttled"
                ) from None
        cleaned = super().clean()
        if email:
            login_succeeded(email=email)
        return cleaned

    def confirm_login_allowed(self, user: Any) -> None:
        # Skip AdminAuthenticationForm's is_staff check but keep AuthenticationForm's.
        super(AdminAuthenticationForm, self).confirm_login_allowed(user)
        if not may_use_back_office(user):
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class HotGigsAdminSite(admin.AdminSite):
    """Admin site that admits platform staff and organization members."""

    site_header = "HotGigs back office"
    site_title = "HotGigs"
    index_title = "Recruiting"
    login_form = BackOfficeAuthenticationForm

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        self._page_sources: list[Callable[[], list[URLPattern | URLResolver]]] = []
        self._index_view: Callable[..., TemplateResponse] | None = None

    def has_permission(self, request: HttpRequest) -> bool:
        return may_use_back_office(request.user)

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        # "View site" opens the product's own site (the frontend, on its own origin), not this
        # backend's root, which serves no page.
        return {**super().each_context(request), "site_url": settings.FRONTEND_URL}

    def register_pages(self, source: Callable[[], list[URLPattern | URLResolver]]) -> None:
        """Add purpose-built back-office pages, mounted ahead of the model admins' URLs.

        ``source`` returns URL patterns; it is called when the admin's URLs are first built,
        so a higher app (the recruiter workspace) can add pages without the kernel
        importing it. Wrap each view in :meth:`admin_view` for login and permission checks.
        """
        self._page_sources.append(source)

    def register_index(self, view: Callable[..., TemplateResponse]) -> None:
        """Replace the admin index (the app list) with ``view(request, extra_context)``."""
        self._index_view = view

    def get_urls(self) -> list[URLPattern | URLResolver]:
        pages = [pattern for source in self._page_sources for pattern in source()]
        return pages + super().get_urls()

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        if self._index_view is not None:
            return self._index_view(request, extra_context)
        return super().index(request, extra_context)


admin_site = HotGigsAdminSite(name="admin")


class StaffOnlyAdminMixin:
    """Pages only platform staff may use (users, organizations); Django permissions apply."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.is_staff(request.user) and super().has_module_permission(request)  # type: ignore[arg-type,misc]


class OrgScopedAdminMixin:
    """Admin pages for organization rows.

    Staff keep Django's permission checks. Members may view and change the rows the
    selector returns for them and add new ones; deleting is staff-only, because the
    domain keeps history (close a job, reject an application) rather than erasing it.
    Subclasses implement :meth:`scoped_queryset`.

    A row outside the scope is simply absent from :meth:`get_queryset`, so its change,
    history and delete pages answer like Django does for a missing row (a redirect to
    the index with a "doesn't exist" message) and never show it.
    """

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = self.scoped_queryset(request)
        ordering = self.get_ordering(request)  # type: ignore[attr-defined]
        return qs.order_by(*ordering) if ordering else qs

    # Limited seats (hiring managers, interviewers) see a page only where it says so: they
    # view its rows (``limited_seats_view``: the selector narrows them to their jobs) and act
    # on them (``limited_seats_act``: the list's actions, for seats that act on applications;
    # the services check each row). They add nothing.
    limited_seats_view = False
    limited_seats_act = False

    def _is_member(self, request: HttpRequest) -> bool:
        return policies.is_recruiter(request.user)  # type: ignore[arg-type]

    def _may_view(self, request: HttpRequest) -> bool:
        if self._is_member(request):
            return True
        return self.limited_seats_view and policies.may_use_back_office(request.user)  # type: ignore[arg-type]

    def _may_act(self, request: HttpRequest) -> bool:
        if self._is_member(request):
            return True
        return self.limited_seats_act and policies.may_act_on_applications(request.user)  # type: ignore[arg-type]

    def _in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        return obj is None or self.scoped_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        if policies.is_staff(request.user):  # type: ignore[arg-type]
            return super().has_module_permission(request)  # type: ignore[misc]
        return self._may_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if policies.is_staff(request.user):  # type: ignore[arg-type]
            return super().has_view_permission(request, obj)  # type: ignore[misc]
        return self._may_view(request) and self._in_scope(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if policies.is_staff(request.user):  # type: ignore[arg-type]
            return super().has_change_permission(request, obj)  # type: ignore[misc]
        return self._may_act(request) and self._in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if policies.is_staff(request.user):  # type: ignore[arg-type]
            return super().has_add_permission(request, *args)  # type: ignore[misc]
        return self._is_member(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if policies.is_staff(request.user):  # type: ignore[arg-type]
            return super().has_delete_permission(request, obj)  # type: ignore[misc]
        return False


class ScopedInlineMixin:
    """An inline on an org-scoped page, editable by members as part of their parent row.

    The parent admin has already scoped the parent row, so a member who reaches the page
    may use the inline; staff keep Django's permissions. Members hold no Django model
    permissions, which is why the inline must answer for them.
    """

    def _is_member(self, request: HttpRequest) -> bool:
        return policies.is_recruiter(request.user)  # type: ignore[arg-type]

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if policies.is_staff(request.user):  # type: ignore[arg-type]
            return super().has_view_permission(request, obj)  # type: ignore[misc]
        return self._is_member(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if policies.is_staff(request.user):  # type: ignore[arg-type]
            return super().has_add_permission(request, obj)  # type: ignore[misc]
        return self._is_member(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if policies.is_staff(request.user):  # type: ignore[arg-type]
            return super().has_change_permission(request, obj)  # type: ignore[misc]
        return self._is_member(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if policies.is_staff(request.user):  # type: ignore[arg-type]
            return super().has_delete_permission(request, obj)  # type: ignore[misc]
        return self._is_member(request)


class ReadOnlyInlineMixin(ScopedInlineMixin):
    """An inline that only shows rows (history, interviews, feedback): nobody edits them here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def domain_error_text(error: DomainError) -> str:
    """The error's message, with the field problems of a validation error, on one line."""
    parts = [error.message]
    if isinstance(error, ValidationFailed):
        for field, problems in (error.details or {}).items():
            if isinstance(problems, list | tuple):
                parts.append(f"{field}: {' '.join(str(p) for p in problems)}")
    return " ".join(parts)


def _add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    details = error.details or {}
    placed = False
    for field, problems in details.items():
        if not isinstance(problems, list | tuple):
            continue
        if field in form.fields and field not in form.errors:
            form.add_error(field, [str(p) for p in problems])
            placed = True
        else:
            form.add_error(None, f"{field}: {' '.join(str(p) for p in problems)}")
            placed = True
    if not placed or error.message != error.default_message:
        form.add_error(None, error.message)


class ServiceFormAdminMixin:
    """Change forms whose save calls a service, with domain errors shown on the form.

    The admin validates the form, then calls ``save_model``/``save_related``; by then a
    raised error would be a 500. Instead: when the service raises a :class:`DomainError`
    the whole save is rolled back (``changeform_view`` runs in a transaction), and the
    same POST is rendered again with the service's errors added to the form, so the user
    keeps their input and sees what to fix. Nothing is written on that second pass,
    because a form with errors is never saved.
    """

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc, no-any-return]
        except DomainError as error:
            if request.method != "POST" or getattr(request, _SERVICE_ERROR_ATTR, None) is not None:
                raise
            setattr(request, _SERVICE_ERROR_ATTR, error)
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc, no-any-return]

    def get_form(self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        found: DomainError | None = getattr(request, _SERVICE_ERROR_ATTR, None)
        if found is None:
            return form_class
        error = found

        class RejectedByService(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> Any:
                cleaned = super().clean()
                _add_domain_error(self, error)
                return cleaned

        RejectedByService.__name__ = form_class.__name__
        return RejectedByService


def adopt(target: Model, saved: Model) -> None:
    """Copy a row a service saved onto the admin's instance, which the admin goes on to use.

    The admin redirects, logs and messages with the instance it handed to ``save_model``;
    the service returns its own. Copying the column values makes them the same row.
    """
    for field in target._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


def formset_rows(formsets: Iterable[BaseFormSet[Any]], model: type[Model]) -> list[dict[str, Any]] | None:
    """The rows the inline formset of ``model`` holds after the edit, in order; None without one.

    Blank extra forms and rows marked for deletion are left out, so the result is the whole
    new list, as services that replace a list (job skills, profile skills) take it.
    """
    found = False
    rows: list[dict[str, Any]] = []
    for formset in formsets:
        if getattr(formset, "model", None) is not model:
            continue
        found = True
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            rows.append(data)
    return rows if found else None


def mark_formsets_saved(formsets: Iterable[BaseFormSet[Any]]) -> None:
    """Record that a service, not ``formset.save()``, stored the inline rows.

    The admin's change message reads these attributes, which ``formset.save()`` would set.
    """
    for formset in formsets:
        formset.new_objects = []  # type: ignore[attr-defined]
        formset.changed_objects = []  # type: ignore[attr-defined]
        formset.deleted_objects = []  # type: ignore[attr-defined]


def run_per_row(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    rows: Iterable[Model],
    call: Callable[[Any], object],
    *,
    done: str,
    name: Callable[[Any], str] | None = str,
) -> tuple[int, int]:
    """Run a service ``call`` on each row and tell the user what succeeded and what failed.

    Each call is its own transaction (services own theirs), so one refused row does not
    undo the others. ``done`` completes "N <verbose name plural> <done>.". A failure is
    reported as "<name(row)>: <reason>"; ``name=None`` when the reasons name their rows
    themselves. Returns the counts of successes and failures.
    """
    succeeded = 0
    failures: list[str] = []
    for row in rows:
        try:
            call(row)
        except DomainError as error:
            reason = domain_error_text(error)
            failures.append(f"{name(row)}: {reason}" if name else reason)
        else:
            succeeded += 1
    opts = model_admin.model._meta
    if succeeded:
        name = opts.verbose_name if succeeded == 1 else opts.verbose_name_plural
        model_admin.message_user(request, f"{succeeded} {name} {done}.", messages.SUCCESS)
    if failures:
        shown = "; ".join(failures[:MAX_REPORTED_FAILURES])
        more = len(failures) - MAX_REPORTED_FAILURES
        suffix = f" (and {more} more)" if more > 0 else ""
        name = opts.verbose_name if len(failures) == 1 else opts.verbose_name_plural
        model_admin.message_user(
            request, f"{len(failures)} {name} could not be changed: {shown}{suffix}", messages.ERROR
        )
    return succeeded, len(failures)
