"""Cursor pagination: stable under inserts, no COUNT(*), capped page size.

Query parameters, each refused with 400 VALIDATION_ERROR naming it when its value is bad
(an empty value is bad too: leave the parameter out instead):

- ``page_size``: a whole number of at least 1 (digits only); above ``API_MAX_PAGE_SIZE`` it
  is capped to it, and ``next`` leads on.
- ``cursor``: only what this list put in a ``next`` or ``previous`` link. Cursors are signed
  (with ``SECRET_KEY``, for the list's ordering), so one that was edited, made up, or made
  for another ``ordering`` is refused instead of being read as a position of the wrong type
  or silently restarting the list.
- ``ordering``: on lists without a choice of order (no ``ordering_fields``) any value is
  refused; the lists that have one check it themselves (``hotgigs.api.filters.CursorOrderingFilter``).

Any other parameter a list does not document (its filters, these three, and the view's
``extra_query_parameters``) is refused too, as a body's unknown key is: a misspelt filter
must not silently answer the unfiltered list.
"""

import re
from typing import Any

from django.conf import settings
from django.core import signing
from rest_framework import pagination
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from hotgigs.errors import ValidationFailed

_DIGITS = re.compile(r"[0-9]+")


class CursorPagination(pagination.CursorPagination):
    """``?cursor=…&page_size=…`` (default 20, at most API_MAX_PAGE_SIZE) over ``-created_at, -id``."""

    page_size = 20
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")
    ordering_query_param = "ordering"

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return int(settings.API_MAX_PAGE_SIZE)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self._refuse_unknown_parameters(request, view)
        return super().paginate_queryset(queryset, request, view)

    def _refuse_unknown_parameters(self, request: Request, view: Any) -> None:
        known = {self.cursor_query_param, self.page_size_query_param, self.ordering_query_param}
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        known |= set(getattr(view, "extra_query_parameters", ()))
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationFailed(
                "This list does not take some of the parameters given.",
                details={name: ["Unknown parameter."] for name in unknown},
            )

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = (
                    f"Rows per page, from 1 (default {self.page_size}); larger sizes are capped at {self.max_page_size}."
                )
        return parameters

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return int(self.page_size)
        if not _DIGITS.fullmatch(raw) or int(raw) < 1:
            raise ValidationFailed(
                details={
                    self.page_size_query_param: [
                        f"Must be a whole number of at least 1 (pages hold at most {self.max_page_size})."
                    ]
                }
            )
        return min(int(raw), self.max_page_size)

    def get_ordering(self, request: Request, queryset: Any, view: Any = None) -> tuple[str, ...]:
        if not getattr(view, "ordering_fields", None) and self.ordering_query_param in request.query_params:
            raise ValidationFailed(
                details={self.ordering_query_param: ["This list has one fixed order (newest first)."]}
            )
        return tuple(super().get_ordering(request, queryset, view))

    def _signer(self) -> signing.Signer:
        # The ordering is in the salt: a position only means something for the ordering it came from.
        return signing.Signer(salt=f"{__name__}.cursor:{','.join(self.ordering)}")

    def encode_cursor(self, cursor: pagination.Cursor) -> str:
        value = self._signer().sign_object([cursor.offset, cursor.reverse, cursor.position])
        return str(replace_query_param(str(self.base_url), self.cursor_query_param, value))

    def decode_cursor(self, request: Request) -> pagination.Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            offset, reverse, position = self._signer().unsign_object(encoded)
        except (signing.BadSignature, ValueError, TypeError):
            raise ValidationFailed(
                "The cursor is not valid.",
                details={self.cursor_query_param: ["Use the next or previous link of this list, unchanged."]},
            ) from None
        return pagination.Cursor(offset=min(int(offset), self.offset_cutoff), reverse=bool(reverse), position=position)
