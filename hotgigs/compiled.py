"""Reads and inserts on a hot path that the ORM builds once and runs again with other values.

Building a queryset costs more than running it when the statement is a one-row read by key:
measured in one process, locking the job of a submission took 1.33 ms of CPU through the
ORM and 0.35 ms as the same SQL sent straight, and reading the candidate's own profile 0.52
against 0.12 ms. A :class:`Compiled` read keeps what the ORM made of a queryset the first
time (its SQL, and how to turn its rows into model instances) and afterwards only swaps in
the values: the ORM stays the one author of the statement, access rules included, and the
rows come back as the instances the queryset would have built.

The values that change between calls are integers (keys), passed to ``build`` as markers on
the first call and found again in the compiled parameters; everything else ``build`` uses
(such as the access rule, a ``Q`` of the caller's organizations) belongs in the key of the
:class:`CompiledCache` that holds the read. Only plain model querysets qualify: no
``prefetch_related``, annotations, ``values()`` or ``extra()`` (:class:`NotCompilable`).

A :class:`CompiledInsert` does the same for ``Model.objects.create``. It keeps the INSERT the
ORM compiled for the model and sends it with the values the ORM would send (each field's
``pre_save`` and ``get_db_prep_save``, so ``auto_now`` and JSON work as in ``save()``).
Whatever would make ``save()`` do more than that insert, it leaves to ``save()``: a model
with a ``save()`` of its own, a ``pre_save`` or ``post_save`` receiver for the model, a value
that is an expression (or the database's default), a backend without ``RETURNING``.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router, transaction
from django.db.models import Field, Model, QuerySet, sql
from django.db.models.query import (  # type: ignore[attr-defined]
    MAX_GET_RESULTS,
    ModelIterable,
    get_related_populators,
)
from django.db.models.signals import post_save, pre_save
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)

# Negative and within a 32-bit key: no row has such an id, and the ORM takes them as
# ordinary values of any integer field (an out-of-range one it would turn into "no rows").
_MARKER_BASE = -2_000_000_000
_BIGINT = 2**63


class NotCompilable(Exception):
    """A queryset this module cannot compile, or a ``build`` that misuses its values: a
    programming error, kept apart from the ValueError and TypeError a bad key raises (which
    callers turn into "not found")."""


def _marker(position: int) -> int:
    return _MARKER_BASE - position


@dataclass(frozen=True)
class _Statement:
    """What the ORM made of the queryset for one database: the SQL, its parameters, where
    the values go in them, and how rows become instances."""

    compiler: Any
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int, ...]
    init_list: list[str]
    model_slice: slice
    populators: list[Any]


class Compiled(Generic[M]):
    """One read: ``build(*markers)`` returns the queryset, with one integer argument per value.

    ``get(*values)`` runs it as ``QuerySet.get`` would (ordering cleared; ``DoesNotExist`` and
    ``MultipleObjectsReturned`` as the model raises them). Values are integers: anything else
    raises ValueError or TypeError, as a key lookup does, and one outside a 64-bit key raises
    ValueError before any SQL is sent.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], *, arity: int = 1) -> None:
        self._build = build
        self._arity = arity
        self._statements: dict[tuple[str, bool], _Statement] = {}
        self._lock = threading.Lock()
        self._model: Any = None  # the queryset's model, known after the first call
        self._for_update = False

    def get(self, *values: Any) -> M:
        rows = self._run(values, limited=True)
        if len(rows) == 1:
            return rows[0]
        model: Any = self._model
        name = model._meta.object_name
        if not rows:
            raise model.DoesNotExist(f"{name} matching query does not exist.")
        raise model.MultipleObjectsReturned(f"get() returned more than one {name} -- it returned {len(rows)}!")

    def fetch(self, *values: Any) -> list[M]:
        """Every row the read finds for ``values``, as model instances."""
        return self._run(values, limited=False)

    def _run(self, values: tuple[Any, ...], *, limited: bool) -> list[M]:
        if len(values) != self._arity:
            raise TypeError(f"this read takes {self._arity} values, got {len(values)}")
        keys = [int(value) for value in values]  # ValueError / TypeError, as a key lookup raises
        if any(not -_BIGINT <= key < _BIGINT for key in keys):
            raise ValueError("a key outside the 64-bit range")
        alias, statement = self._statement(limited)
        connection = connections[alias]
        if self._for_update and connection.features.has_select_for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(statement.params)
        for slot, key in zip(statement.slots, keys, strict=True):
            params[slot] = key
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        found = []
        for row in statement.compiler.results_iter([rows]):
            instance = self._model.from_db(alias, statement.init_list, row[statement.model_slice])
            for populator in statement.populators:
                populator.populate(row, instance)
            found.append(instance)
        return found

    def _statement(self, limited: bool) -> tuple[str, _Statement]:
        """The statement for the database this read goes to now, compiled on first use there
        (``limited``: as ``QuerySet.get`` sends it, with its limit where the database takes one)."""
        if self._model is None:
            template = self._template(False, "")
            self._model, self._for_update = template.model, bool(template.query.select_for_update)
        alias = router.db_for_write(self._model) if self._for_update else router.db_for_read(self._model)
        statement = self._statements.get((alias, limited))
        if statement is None:
            with self._lock:
                statement = self._statements.get((alias, limited)) or self._compile(
                    self._template(limited, alias), alias
                )
                self._statements[(alias, limited)] = statement
        return alias, statement

    def _template(self, limited: bool, alias: str) -> QuerySet[M]:
        queryset = self._build(*map(_marker, range(self._arity))).order_by()
        if limited and (not self._for_update or connections[alias].features.supports_select_for_update_with_limit):
            queryset.query.set_limits(high=MAX_GET_RESULTS)
        return queryset

    def _compile(self, queryset: QuerySet[M], alias: str) -> _Statement:
        if (
            queryset._iterable_class is not ModelIterable  # values(), values_list()
            or queryset._prefetch_related_lookups  # type: ignore[attr-defined]
            or queryset._known_related_objects  # type: ignore[attr-defined]
            or queryset.query.annotations
            or queryset.query.extra
        ):
            raise NotCompilable("only a plain model queryset can be compiled")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = []
        for position in range(self._arity):
            found = [index for index, param in enumerate(params) if param == _marker(position)]
            if len(found) != 1:
                raise NotCompilable(f"value {position} appears {len(found)} times in the compiled query, not once")
            slots.append(found[0])
        klass_info = compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Statement(
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            init_list=[column[0].target.attname for column in compiler.select[start:end]],
            model_slice=slice(start, end),
            populators=get_related_populators(klass_info, compiler.select, alias),
        )


class CompiledCache:
    """Compiled reads by key, the least recently used dropped past ``size`` (a key such as an
    access rule can take as many forms as there are sets of organizations)."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._reads: OrderedDict[Hashable, Compiled[Any]] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, key: Hashable, build: Callable[..., QuerySet[M]], *, arity: int = 1) -> Compiled[M]:
        with self._lock:
            found = self._reads.get(key)
            if found is not None:
                self._reads.move_to_end(key)
                return found
            read: Compiled[M] = Compiled(build, arity=arity)
            self._reads[key] = read
            if len(self._reads) > self._size:
                self._reads.popitem(last=False)
            return read


@dataclass(frozen=True)
class _Insert:
    """The INSERT the ORM compiled for one database: its SQL, the fields whose values it takes
    (in order), the fields it returns and the converters of those."""

    compiler: Any
    sql: str
    fields: tuple[Field[Any, Any], ...]
    returning_fields: tuple[Field[Any, Any], ...]
    returning_params: tuple[Any, ...]
    converters: dict[int, Any]


class CompiledInsert(Generic[M]):
    """``model.objects.create(**values)``, the INSERT compiled by the ORM on first use.

    The row written, the instance returned (its key and other returned columns set, no longer
    ``adding``) and the errors raised (an IntegrityError marks the transaction for rollback,
    as ``save()`` does) are those of ``create``. Models with parents, a proxy, an
    ``order_with_respect_to``, a composite key or a field with its own placeholder are refused
    (:class:`NotCompilable`).
    """

    def __init__(self, model: type[M]) -> None:
        meta = model._meta
        if meta.proxy or meta.parents or meta.order_with_respect_to or meta.is_composite_pk:
            raise NotCompilable(f"{meta.label}: only a model with a table and key of its own can be inserted compiled")
        if any(hasattr(field, "get_placeholder") for field in meta.local_concrete_fields):
            raise NotCompilable(f"{meta.label}: a field with its own placeholder makes its own SQL")
        self._model = model
        # A save() of the model's own may do anything before or after its insert: it writes every row.
        self._own_save = model.save is not Model.save
        # What Model._save_table inserts: the table's columns but generated ones, and the
        # automatic key only when it has a value (by whether it has one).
        self._fields = {
            pk_set: tuple(
                field
                for field in meta.local_concrete_fields
                if not field.generated and (pk_set or field is not meta.auto_field)
            )
            for pk_set in (False, True)
        }
        self._statements: dict[tuple[str, bool], _Insert] = {}
        self._lock = threading.Lock()

    def create(self, **values: Any) -> M:
        model = self._model
        instance: Any = model(**values)
        if self._own_save or pre_save.has_listeners(model) or post_save.has_listeners(model):
            return self._saved(instance)
        instance._prepare_related_fields_for_save(operation_name="save")
        alias = router.db_for_write(model, instance=instance)
        connection = connections[alias]
        if not connection.features.can_return_columns_from_insert:
            return self._saved(instance, alias)
        pk: Any = model._meta.pk
        if getattr(instance, pk.attname) is None:
            setattr(instance, pk.attname, pk.get_pk_value_on_save(instance))
        pk_set = getattr(instance, pk.attname) is not None
        params = []
        for field in self._fields[pk_set]:
            value = field.pre_save(instance, True)
            if hasattr(value, "resolve_expression"):
                return self._saved(instance, alias)  # an expression writes SQL of its own
            params.append(field.get_db_prep_save(value, connection=connection))
        statement = self._statement(alias, pk_set, instance)
        with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
            cursor.execute(statement.sql, (*params, *statement.returning_params))
            row = connection.ops.fetch_returned_insert_columns(cursor, statement.returning_params)
        if statement.converters:
            row = next(iter(statement.compiler.apply_converters([row], statement.converters)))
        for value, field in zip(row, statement.returning_fields, strict=True):
            setattr(instance, field.attname, value)
        instance._state.adding = False
        instance._state.db = alias
        return instance  # type: ignore[no-any-return]

    def _saved(self, instance: Any, alias: str | None = None) -> M:
        """The row written by ``save()`` itself, as ``create`` does."""
        instance.save(force_insert=True, using=alias or router.db_for_write(self._model, instance=instance))
        return instance  # type: ignore[no-any-return]

    def _statement(self, alias: str, pk_set: bool, instance: M) -> _Insert:
        statement = self._statements.get((alias, pk_set))
        if statement is None:
            with self._lock:
                statement = self._statements.get((alias, pk_set)) or self._compile(alias, pk_set, instance)
                self._statements[(alias, pk_set)] = statement
        return statement

    def _compile(self, alias: str, pk_set: bool, instance: M) -> _Insert:
        meta = self._model._meta
        fields = self._fields[pk_set]
        returning_fields = tuple(meta.db_returning_fields)
        query = sql.InsertQuery(self._model)
        # Compiling runs the fields' pre_save: on a copy, so the instance keeps the values sent.
        query.insert_values(fields, [copy.copy(instance)])
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = returning_fields
        [(text, params)] = compiler.as_sql()
        returning_params = tuple(compiler.returning_params)
        if len(params) != len(fields) + len(returning_params):
            raise NotCompilable(f"{meta.label}: the compiled INSERT does not take one value per field")
        return _Insert(
            compiler=compiler,
            sql=text,
            fields=fields,
            returning_fields=returning_fields,
            returning_params=returning_params,
            converters=compiler.get_converters([field.get_col(meta.db_table) for field in returning_fields]),
        )
