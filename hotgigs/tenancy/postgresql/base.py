"""PostgreSQL backend that keeps the connection's identity equal to the one acting now.

Django's own backend, plus one rule: before a cursor is handed out, the session settings that
row-level security reads (``hotgigs.*``, see ``hotgigs/tenancy/__init__.py``) are set if the
acting identity differs from what this connection last received. What the connection holds is
forgotten (and so set again before the next statement) when it is checked out of the pool or
opened, and after any rollback, which undoes a setting made inside the rolled-back
transaction. So a connection never carries one request's identity into another's.
"""

import time
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

from hotgigs import tenancy
from hotgigs.database import RELEASED_AT, pool_check

_UNKNOWN: Any = object()


class DatabaseWrapper(base.DatabaseWrapper):
    _tenancy_applied: Any = _UNKNOWN

    @property
    def pool(self) -> Any:
        pool = super().pool  # type: ignore[misc]
        if pool is not None and pool._check is not None and not getattr(pool, "_hotgigs_check", False):
            # Django gives its pool a check that costs a round trip per checkout
            # (CONN_HEALTH_CHECKS); this one skips a connection used a moment ago (pool_check).
            # psycopg_pool keeps the check it was built with in ``_check``.
            pool._check = pool_check(settings.DATABASE_POOL_ALIVE_BYPASS)
            pool._hotgigs_check = True
        return pool

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        self._tenancy_applied = _UNKNOWN
        return super().get_new_connection(conn_params)

    def create_cursor(self, name: str | None = None) -> Any:
        wanted = tenancy.current()
        if (
            self._tenancy_applied is _UNKNOWN or wanted != self._tenancy_applied
        ) and self.connection.info.transaction_status != TransactionStatus.INERROR:
            # (In a failed transaction only a rollback can run, and it forgets the setting.)
            self.connection.execute(tenancy.SET_IDENTITY_SQL, tenancy.settings_of(wanted))
            self._tenancy_applied = wanted
        return super().create_cursor(name)

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._tenancy_applied = _UNKNOWN

    def _savepoint_rollback(self, sid: str) -> None:
        try:
            super()._savepoint_rollback(sid)  # type: ignore[misc]
        finally:
            self._tenancy_applied = _UNKNOWN

    def _close(self) -> None:
        if self.connection is not None and self.pool:
            # When it went back: the pool skips its check of a connection just used (pool_check).
            setattr(self.connection, RELEASED_AT, time.monotonic())
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._tenancy_applied = _UNKNOWN
