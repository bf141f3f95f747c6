"""The API's OAuth-style scopes and which roles may hold them.

A token carries a space-separated ``scope`` claim. It is derived from the user's role
when the token is issued and may be narrowed (never widened) by the client's request.
Every endpoint declares the scope it needs (``hotgigs.api.permissions.HasScope``).
"""

from hotgigs.accounts import policies
from hotgigs.accounts.choices import MembershipRole
from hotgigs.accounts.models import User

JOBS_READ = "jobs:read"
JOBS_WRITE = "jobs:write"
CANDIDATES_READ = "candidates:read"
CANDIDATES_WRITE = "candidates:write"
APPLICATIONS_READ = "applications:read"
APPLICATIONS_WRITE = "applications:write"
INTERVIEWS_READ = "interviews:read"
INTERVIEWS_WRITE = "interviews:write"
FEEDBACK_READ = "feedback:read"
FEEDBACK_WRITE = "feedback:write"
ANALYTICS_READ = "analytics:read"
NOTIFICATIONS_READ = "notifications:read"
NOTIFICATIONS_WRITE = "notifications:write"
# An organization's outbound webhook endpoints and their delivery log; members only, never candidates.
WEBHOOKS_READ = "webhooks:read"
WEBHOOKS_WRITE = "webhooks:write"
ORGANIZATION_ADMIN = "organization:admin"

ALL_SCOPES: tuple[str, ...] = (
    JOBS_READ,
    JOBS_WRITE,
    CANDIDATES_READ,
    CANDIDATES_WRITE,
    APPLICATIONS_READ,
    APPLICATIONS_WRITE,
    INTERVIEWS_READ,
    INTERVIEWS_WRITE,
    FEEDBACK_READ,
    FEEDBACK_WRITE,
    ANALYTICS_READ,
    NOTIFICATIONS_READ,
    NOTIFICATIONS_WRITE,
    WEBHOOKS_READ,
    WEBHOOKS_WRITE,
    ORGANIZATION_ADMIN,
)

CANDIDATE_SCOPES: tuple[str, ...] = (
    JOBS_READ,
    CANDIDATES_READ,
    CANDIDATES_WRITE,
    APPLICATIONS_READ,
    APPLICATIONS_WRITE,
    INTERVIEWS_READ,
    NOTIFICATIONS_READ,
    NOTIFICATIONS_WRITE,
)

# Recruiters hold every scope but organization administration, which org admins add.
RECRUITER_SCOPES: tuple[str, ...] = tuple(scope for scope in ALL_SCOPES if scope != ORGANIZATION_ADMIN)

# A hiring manager seat acts on the applications and interviews of the jobs it manages (their
# candidates come with the applications); it edits no job, sources nobody, and reads no
# analytics nor webhooks.
HIRING_MANAGER_SCOPES: tuple[str, ...] = (
    JOBS_READ,
    APPLICATIONS_READ,
    APPLICATIONS_WRITE,
    INTERVIEWS_READ,
    INTERVIEWS_WRITE,
    FEEDBACK_READ,
    FEEDBACK_WRITE,
    NOTIFICATIONS_READ,
    NOTIFICATIONS_WRITE,
)

# An interviewer seat reads what it interviews for and gives feedback: nothing else.
INTERVIEWER_SCOPES: tuple[str, ...] = (
    JOBS_READ,
    APPLICATIONS_READ,
    INTERVIEWS_READ,
    FEEDBACK_READ,
    FEEDBACK_WRITE,
    NOTIFICATIONS_READ,
    NOTIFICATIONS_WRITE,
)

_SEAT_SCOPES: dict[str, tuple[str, ...]] = {
    MembershipRole.RECRUITER: RECRUITER_SCOPES,
    MembershipRole.ORG_ADMIN: (*RECRUITER_SCOPES, ORGANIZATION_ADMIN),
    MembershipRole.HIRING_MANAGER: HIRING_MANAGER_SCOPES,
    MembershipRole.INTERVIEWER: INTERVIEWER_SCOPES,
}


def scopes_for_user(user: User) -> tuple[str, ...]:
    """Every scope the user's role allows, in the canonical order of ``ALL_SCOPES``.

    Staff hold all; a member the union of their seats' scopes (an interviewer seat alone
    carries no candidate scopes: it writes nothing but feedback); anyone else the candidate's.
    """
    if policies.is_staff(user):
        return ALL_SCOPES
    seats = set(policies.actor_roles(user).values())
    allowed: set[str] = set() if seats else set(CANDIDATE_SCOPES)
    for seat in seats:
        allowed.update(_SEAT_SCOPES.get(seat, ()))
    return tuple(scope for scope in ALL_SCOPES if scope in allowed)


def parse_scope(value: str) -> tuple[str, ...]:
    """Split a space-separated scope string, dropping empties and duplicates, keeping order."""
    seen: dict[str, None] = {}
    for part in value.split():
        seen.setdefault(part, None)
    return tuple(seen)
