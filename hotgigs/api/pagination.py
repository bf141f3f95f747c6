"""Cursor pagination: stable under inserts, no COUNT(*), capped page size."""

from typing import Any

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import NotFound

from hotgigs.errors import ValidationFailed


class CursorPagination(pagination.CursorPagination):
    """``?cursor=…&page_size=…`` (default 20, at most API_MAX_PAGE_SIZE) over ``-created_at, -id``."""

    page_size = 20
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return int(settings.API_MAX_PAGE_SIZE)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = f"Rows per page: 1 to {self.max_page_size} (default {self.page_size})."
        return parameters

    def decode_cursor(self, request):  # type: ignore[no-untyped-def]
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationFailed("The cursor is not valid.", details={"cursor": ["Invalid cursor."]}) from None
