"""The one query-string convention of every list's filters, and how the schema states it.

**Multi-value filters** (``status`` and ``skill`` of the job list, ``skill`` of the
candidate list, ``stage`` of the applications list, ``status`` of the interviews list) take
their values in either form, or both mixed:

- repeated, as OpenAPI's default ``style: form, explode: true`` serializes an array (what
  clients generated from the schema send): ``?status=open&status=closed``;
- comma-separated: ``?status=open,closed``.

Each value is stripped of surrounding spaces and checked on its own (a choice must be one of
the listed ones); an empty value (``?status=``, ``?status=open,,closed``) or more than
:data:`MAX_FILTER_VALUES` values answer 400 ``VALIDATION_ERROR`` naming the parameter.
Nothing is ever dropped silently.

**Single-value filters** (``remote_policy``, ``organization``, ``created_after``, …) take
one value: the same parameter given twice answers 400 ``VALIDATION_ERROR`` instead of the
last one silently winning.

Every FilterSet of the API derives from :class:`FilterSet` below, and every multi-value
filter is a :class:`MultiValueFilter`; the schema extension at the bottom documents them as
``type: array`` (items with their enum or pattern), ``style: form``, ``explode: true``, and
adds the bounds (``minimum``, ``maximum``, ``maxLength``) every filter really enforces.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from hotgigs.api.schema import MAX_ID
from hotgigs.errors import ValidationFailed

MAX_FILTER_VALUES = 20

# A value of a free-text multi-value filter: no comma (it separates values), no NUL, and
# something besides spaces (values are stripped).
TEXT_VALUE_PATTERN = r"^[^,\x00]*[^,\s\x00][^,\x00]*$"


class MultiValueField(forms.Field):
    """Values from repeated parameters and from comma-separated lists, each cleaned by ``child``."""

    widget = forms.MultipleHiddenInput  # reads every occurrence of the parameter (QueryDict.getlist)
    default_error_messages = {  # noqa: RUF012
        "blank": "Empty value: repeat the parameter or separate values with commas, e.g. a,b.",
        "too_many": "At most {max} values.",
    }

    def __init__(self, *, child: forms.Field, max_values: int = MAX_FILTER_VALUES, **kwargs: Any) -> None:
        self.child = child
        self.max_values = max_values
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[Any]:
        if value in self.empty_values:
            return []
        raw: Sequence[Any] = value if isinstance(value, list | tuple) else [value]
        items = [part.strip() for entry in raw for part in str(entry).split(",")]
        if any(not item for item in items):
            raise ValidationError(self.error_messages["blank"], code="blank")
        if len(items) > self.max_values:
            raise ValidationError(self.error_messages["too_many"].format(max=self.max_values), code="too_many")
        return [self.child.clean(item) for item in items]

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


class MultiValueFilter(django_filters.Filter):
    """A filter of one or more values (see the module docstring); ``field_name__in`` unless
    ``method`` decides otherwise (e.g. "must have *every* listed skill")."""

    field_class = MultiValueField

    def __init__(self, *args: Any, child: forms.Field, max_values: int = MAX_FILTER_VALUES, **kwargs: Any) -> None:
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, child=child, max_values=max_values, **kwargs)

    def items_schema(self) -> dict[str, Any]:
        """The OpenAPI schema of one value."""
        child = self.extra["child"]
        if isinstance(child, forms.ChoiceField):
            choices: Any = child.choices
            return {"type": "string", "enum": [str(value) for value, _ in choices]}
        schema: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": TEXT_VALUE_PATTERN}
        if getattr(child, "max_length", None):
            schema["maxLength"] = child.max_length
        return schema

    def filter(self, qs: QuerySet[Any], value: list[Any]) -> QuerySet[Any]:
        if not value:
            return qs
        return super().filter(qs, list(dict.fromkeys(value)))


class ChoicesFilter(MultiValueFilter):
    """Any of several choices: ``?status=open&status=closed`` or ``?status=open,closed``."""

    def __init__(self, *args: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, child=forms.ChoiceField(choices=choices), **kwargs)


class TextValuesFilter(MultiValueFilter):
    """Several free-text values: ``?skill=python&skill=django`` or ``?skill=python,django``."""

    def __init__(self, *args: Any, max_length: int = 100, **kwargs: Any) -> None:
        super().__init__(*args, child=forms.CharField(max_length=max_length), **kwargs)


class StrictBooleanField(forms.Field):
    """``true`` / ``false`` (or ``1`` / ``0``, any case); anything else is an error, not "no filter"."""

    widget = forms.TextInput
    VALUES: ClassVar[dict[str, bool]] = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value: Any) -> bool | None:
        if value in self.empty_values:
            return None
        key = str(value).strip().lower()
        if key not in self.VALUES:
            raise ValidationError("Must be true or false.", code="invalid")
        return self.VALUES[key]


class BooleanFilter(django_filters.BooleanFilter):
    """A true/false filter that refuses other spellings instead of ignoring them."""

    field_class = StrictBooleanField


class FilterSet(django_filters.FilterSet):
    """Refuses a single-value filter given more than once (the last one would silently win),
    and an empty value of a filter whose values are not free text (``?job=``, ``?remote=``)."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        getlist = getattr(self.data, "getlist", None)
        if getlist is None:
            return valid
        for name, filter_ in self.filters.items():
            values = getlist(name)
            if isinstance(filter_, MultiValueFilter) or not values:
                continue
            if len(values) > 1:
                self.form.add_error(name, ValidationError("Give this parameter once.", code="repeated"))
                valid = False
            elif not isinstance(filter_, django_filters.CharFilter) and not str(values[0]).strip():
                self.form.add_error(name, ValidationError("Give a value or leave the parameter out.", code="empty"))
                valid = False
        return valid


class StrictDjangoFilterExtension(DjangoFilterExtension):
    """django-filter parameters as the filters of this module parse them.

    A :class:`MultiValueFilter` is an exploded ``form``-style array of its items; every
    filter gets the ``minimum`` / ``maximum`` / ``maxLength`` its form field enforces.
    """

    priority = 1

    def resolve_filter_field(
        self, auto_schema: Any, model: Any, filterset_class: Any, field_name: str, filter_field: Any
    ) -> list[dict[str, Any]]:
        if isinstance(filter_field, MultiValueFilter):
            return [
                {
                    "in": "query",
                    "name": field_name,
                    "required": False,
                    "style": "form",
                    "explode": True,
                    "description": " ".join(
                        filter(None, [filter_field.label, "Repeat the parameter or separate values with commas."])
                    ),
                    "schema": {
                        "type": "array",
                        "items": filter_field.items_schema(),
                        "minItems": 1,
                        "maxItems": filter_field.extra.get("max_values", MAX_FILTER_VALUES),
                    },
                }
            ]
        parameters: list[dict[str, Any]] = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        bounds = {"min_value": "minimum", "max_value": "maximum", "max_length": "maxLength"}
        for parameter in parameters:
            schema = parameter.get("schema", {})
            for key, keyword in bounds.items():
                if filter_field.extra.get(key) is not None and schema.get("type") in ("integer", "number", "string"):
                    schema[keyword] = filter_field.extra[key]
        return parameters


# --- filter types and an ordering backend several lists share ------------------------------

MAX_SEARCH_TERMS = 10


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (NumberFilter alone accepts and documents decimals)."""

    field_class = forms.IntegerField


def search_terms(value: str) -> list[str]:
    """The words of a ``search`` parameter (at most MAX_SEARCH_TERMS)."""
    terms = value.split()
    if len(terms) > MAX_SEARCH_TERMS:
        raise ValidationFailed(details={"search": [f"At most {MAX_SEARCH_TERMS} words."]})
    return terms


# The instants a filter can name beyond what Python represents in UTC (year 1 to 9999).
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


class AwareDateTimeField(forms.Field):
    """An ISO 8601 date-time that must carry a UTC offset (a naive time is ambiguous).

    Any offset RFC 3339 allows (up to ±23:59) is taken, and the instant is handed on in UTC:
    PostgreSQL refuses offsets of 16 hours or more, and a value that leaves years 1-9999 once
    in UTC (``0001-01-01T00:00:00+05:00``) becomes the earliest or latest instant, which a
    ``>=`` / ``<`` comparison treats exactly as the real one, since no row lies beyond it.
    """

    default_error_messages = {  # noqa: RUF012
        "invalid": "Enter an ISO 8601 date and time.",
        "naive": "Include a UTC offset, e.g. 2030-01-31T09:00:00Z.",
    }

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if parsed.utcoffset() is None:
            raise ValidationError(self.error_messages["naive"], code="naive")
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            return _EARLIEST if parsed.year == _EARLIEST.year else _LATEST


@extend_schema_field(OpenApiTypes.DATETIME)
class AwareDateTimeFilter(django_filters.Filter):
    """Compares a date-time column with an offset-carrying ISO 8601 value."""

    field_class = AwareDateTimeField


@extend_schema_field(OpenApiTypes.INT64)
class IdFilter(django_filters.NumberFilter):
    """A row id: a positive whole number."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class CursorOrderingFilter(BaseFilterBackend):
    """``?ordering=<field>`` or ``?ordering=-<field>`` over the fields a view allows.

    The view declares ``ordering_fields``: a mapping of public name to the model field or
    annotation that sorts it, and optionally ``ordering_annotations`` for those
    annotations. One field only, followed by ``id`` as tie-breaker, because cursor
    pagination positions itself on the first field (which must therefore be never null).
    An unknown or empty value answers 400 VALIDATION_ERROR; without the parameter the
    pagination's default (newest first) applies.
    """

    ordering_param = "ordering"

    @staticmethod
    def _fields(view: Any) -> Mapping[str, str]:
        return getattr(view, "ordering_fields", {})

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...] | None:
        raw = request.query_params.get(self.ordering_param)
        if raw is None:
            return None
        descending = raw.strip().startswith("-")
        name = raw.strip().removeprefix("-")
        target = self._fields(view).get(name) if name else None
        if target is None:
            allowed = sorted(self._fields(view))
            raise ValidationFailed(
                details={self.ordering_param: [f"Must be one of: {', '.join(allowed)} (prefix - for descending)."]}
            )
        sign = "-" if descending else ""
        return (f"{sign}{target}", f"{sign}id")

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        ordering = self.get_ordering(request, queryset, view)
        if ordering is None:
            return queryset
        annotations: Mapping[str, Any] = getattr(view, "ordering_annotations", {})
        field = ordering[0].removeprefix("-")
        if field in annotations:
            queryset = queryset.annotate(**{field: annotations[field]})
        return queryset.order_by(*ordering)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        names = sorted(self._fields(view))
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sort by one field, - for descending. Default: newest first.",
                "schema": {"type": "string", "enum": [*names, *(f"-{n}" for n in names)]},
            }
        ]
