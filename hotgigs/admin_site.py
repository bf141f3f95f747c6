"""The recruiter back office: Django's admin, opened to organization members.

Django's admin normally admits only ``is_staff`` users. Here ``is_staff`` means HotGigs
platform staff, who see everything; recruiters and organization admins get in through
their membership and see only their organization's rows. Scoping lives in
:class:`OrgScopedAdminMixin`, which asks each app's selectors for the querysets, so the
admin applies exactly the API's access rules.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from hotgigs.accounts.selectors import actor_is_recruiter, actor_is_staff


class HotGigsAdminSite(admin.AdminSite):
    """Admin site that admits platform staff and organization members."""

    site_header = "HotGigs back office"
    site_title = "HotGigs"
    index_title = "Recruiting"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (actor_is_staff(user) or actor_is_recruiter(user)))  # type: ignore[arg-type]


admin_site = HotGigsAdminSite(name="admin")


class StaffOnlyAdminMixin:
    """Pages only platform staff may use (users, organizations); Django permissions apply."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return actor_is_staff(request.user) and super().has_module_permission(request)  # type: ignore[arg-type,misc]


class OrgScopedAdminMixin:
    """Admin pages for organization rows.

    Staff keep Django's permission checks. Members may view and change the rows the
    selector returns for them and add new ones; deleting is staff-only, because the
    domain keeps history (close a job, reject an application) rather than erasing it.
    Subclasses implement :meth:`scoped_queryset`.
    """

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = self.scoped_queryset(request)
        ordering = self.get_ordering(request)  # type: ignore[attr-defined]
        return qs.order_by(*ordering) if ordering else qs

    def _is_member(self, request: HttpRequest) -> bool:
        return actor_is_recruiter(request.user)  # type: ignore[arg-type]

    def _in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        return obj is None or self.scoped_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        if actor_is_staff(request.user):  # type: ignore[arg-type]
            return super().has_module_permission(request)  # type: ignore[misc]
        return self._is_member(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if actor_is_staff(request.user):  # type: ignore[arg-type]
            return super().has_view_permission(request, obj)  # type: ignore[misc]
        return self._is_member(request) and self._in_scope(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if actor_is_staff(request.user):  # type: ignore[arg-type]
            return super().has_change_permission(request, obj)  # type: ignore[misc]
        return self._is_member(request) and self._in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if actor_is_staff(request.user):  # type: ignore[arg-type]
            return super().has_add_permission(request, *args)  # type: ignore[misc]
        return self._is_member(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if actor_is_staff(request.user):  # type: ignore[arg-type]
            return super().has_delete_permission(request, obj)  # type: ignore[misc]
        return False
