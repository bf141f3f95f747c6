"""Who the database thinks is acting: the identity PostgreSQL's row-level security reads.

Selectors filter rows by the access policy (``hotgigs/accounts/policies.py``); on PostgreSQL
the database enforces the same boundaries a second time (``hotgigs/tenancy/rls.py``), so a
forgotten filter, raw SQL or a report query cannot read another organization's rows.

The acting identity lives in a context variable: set by the request middleware and the API's
authentication (``hotgigs.accounts.middleware``), the WebSocket consumer per message, Celery
tasks (the publisher's identity travels with the message, ``hotgigs/tenancy/celery.py``) and
management commands. The database backend (``hotgigs/tenancy/postgresql``) copies it onto the
connection (session settings ``hotgigs.*``) before the first statement that runs under a
different identity, after every checkout from the pool and after every rollback, so no identity
survives into other work. No identity set means the policies show nothing.

Work that must see every organization (event fan-out, sweeps, staff commands, seeding) says so
with :func:`system`, which logs the reason.
"""

import contextlib
import contextvars
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

logger = logging.getLogger(__name__)

Kind = Literal["anonymous", "user", "system"]


@dataclass(frozen=True)
class Identity:
    """Who acts: an anonymous visitor, a user (with their organizations and staff flag) or the
    system (every row, for a stated reason)."""

    kind: Kind
    user_id: int | None = None
    organization_ids: frozenset[int] = frozenset()
    staff: bool = False
    reason: str = field(default="", compare=False)

    def database_settings(self) -> tuple[str, str, str, str]:
        """Values of ``hotgigs.actor``, ``hotgigs.user_id``, ``hotgigs.organization_ids`` and
        ``hotgigs.sees_all``, in that order (see :data:`SET_IDENTITY_SQL`)."""
        return (
            self.kind,
            "" if self.user_id is None else str(self.user_id),
            "{" + ",".join(str(pk) for pk in sorted(self.organization_ids)) + "}",
            "on" if self.staff or self.kind == "system" else "",
        )

    def to_header(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "user_id": self.user_id,
            "organization_ids": sorted(self.organization_ids),
            "staff": self.staff,
            "reason": self.reason,
        }

    @classmethod
    def from_header(cls, value: Any) -> "Identity | None":
        """The identity a task message carries, or None (none, or not one we wrote)."""
        if not isinstance(value, dict) or value.get("kind") not in ("anonymous", "user", "system"):
            return None
        user_id = value.get("user_id")
        return cls(
            kind=value["kind"],
            user_id=int(user_id) if user_id is not None else None,
            organization_ids=frozenset(int(pk) for pk in value.get("organization_ids") or ()),
            staff=bool(value.get("staff")),
            reason=str(value.get("reason") or ""),
        )


ANONYMOUS = Identity("anonymous")
NO_ONE: tuple[str, str, str, str] = ("", "", "{}", "")
"""The settings of "no identity": every policy answers no."""

SET_IDENTITY_SQL = (
    "SELECT set_config('hotgigs.actor', %s, false), set_config('hotgigs.user_id', %s, false),"
    " set_config('hotgigs.organization_ids', %s, false), set_config('hotgigs.sees_all', %s, false)"
)
"""Session-level (not ``SET LOCAL``: Django runs in autocommit, where a local setting would end
with each statement's own transaction). The backend sets it again whenever it may be stale."""

_current: contextvars.ContextVar[Identity | None] = contextvars.ContextVar("hotgigs_tenancy_identity", default=None)


def current() -> Identity | None:
    """The identity acting now, or None (no one: the policies show nothing)."""
    return _current.get()


def settings_of(identity: Identity | None) -> tuple[str, str, str, str]:
    return NO_ONE if identity is None else identity.database_settings()


def user_identity(*, user_id: int, organization_ids: Iterable[int], staff: bool) -> Identity:
    return Identity("user", user_id=user_id, organization_ids=frozenset(organization_ids), staff=staff)


@contextlib.contextmanager
def acting_as(identity: Identity | None) -> Iterator[Identity | None]:
    """Run the block as ``identity`` (None: no one), then restore whoever acted before."""
    token = _current.set(identity)
    try:
        yield identity
    finally:
        _current.reset(token)


def act_as(identity: Identity | None) -> contextvars.Token[Identity | None]:
    """Switch to ``identity`` until the returned token is reset (or an enclosing
    :func:`acting_as` ends): for the API's authentication, which learns the user inside a
    request whose middleware restores the identity afterwards."""
    return _current.set(identity)


def restore(token: contextvars.Token[Identity | None]) -> None:
    _current.reset(token)


@contextlib.contextmanager
def system(reason: str) -> Iterator[Identity]:
    """Run the block (or, as a decorator, the function) seeing and writing every
    organization's rows. ``reason`` says why; each use is logged."""
    if not reason.strip():
        raise ValueError("system access needs a reason")
    logger.debug("tenancy: system access: %s", reason)
    identity = Identity("system", reason=reason)
    with acting_as(identity):
        yield identity
