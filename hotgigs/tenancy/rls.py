"""Row-level security: every tenant table and who may read and write its rows, in one place.

PostgreSQL only (on SQLite the selectors are the only line). Each rule is SQL over the session
settings the backend sets from the acting identity (``hotgigs/tenancy/__init__.py``), read
through the functions :data:`FUNCTIONS` creates. Each is wrapped in ``(SELECT …)`` so the
planner evaluates it once per query instead of once per row.

``read`` decides which rows ``SELECT`` (and an ``UPDATE``'s search) sees; ``write`` which rows
may be inserted, which an update may leave behind, and which may be deleted. Staff and the
system see and write every row. Rules name other tables' rows through ``EXISTS`` subqueries,
which those tables' own policies filter too.

Adding a table: one entry in :data:`TABLES` and a migration of its app running
``migrations.RunPython(*rls.apply("table"))``. ``tests/tenancy`` fails for a table with an
organization column and no policy.
"""

# ruff: noqa: S608  (SQL built from this module's own table and column names, never from input)

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SEES_ALL = "(SELECT hotgigs_sees_all())"
USER_ID = "(SELECT hotgigs_user_id())"
ORGANIZATIONS = "(SELECT hotgigs_organization_ids())::bigint[]"
SOMEONE = "(SELECT hotgigs_someone())"

FUNCTIONS = """
CREATE OR REPLACE FUNCTION hotgigs_sees_all() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT coalesce(current_setting('hotgigs.sees_all', true), '') = 'on' $$;
CREATE OR REPLACE FUNCTION hotgigs_user_id() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT nullif(current_setting('hotgigs.user_id', true), '')::bigint $$;
CREATE OR REPLACE FUNCTION hotgigs_organization_ids() RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT coalesce(nullif(current_setting('hotgigs.organization_ids', true), ''), '{}')::bigint[] $$;
CREATE OR REPLACE FUNCTION hotgigs_someone() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT coalesce(current_setting('hotgigs.actor', true), '') <> '' $$;
"""
"""Readers of the session settings: unset (no identity) means no user, no organization, not
staff, no one."""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS hotgigs_sees_all();
DROP FUNCTION IF EXISTS hotgigs_user_id();
DROP FUNCTION IF EXISTS hotgigs_organization_ids();
DROP FUNCTION IF EXISTS hotgigs_someone();
"""


def of_my_organizations(column: str) -> str:
    """The row's organization (``column``) is one of the acting user's."""
    return f"{column} = ANY (({ORGANIZATIONS}))"


def job_of_my_organizations(job_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM jobs_job j WHERE j.id = {job_id} AND {of_my_organizations('j.organization_id')})"


def application_of_my_organizations(application_id: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM applications_application a JOIN jobs_job j ON j.id = a.job_id"
        f" WHERE a.id = {application_id} AND {of_my_organizations('j.organization_id')})"
    )


def interview_of_my_organizations(interview_id: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM interviews_interview i JOIN applications_application a ON a.id = i.application_id"
        f" JOIN jobs_job j ON j.id = a.job_id WHERE i.id = {interview_id} AND {of_my_organizations('j.organization_id')})"
    )


def my_candidate(candidate_id: str) -> str:
    """The candidate row is the acting user's own profile."""
    return f"EXISTS (SELECT 1 FROM candidates_candidate c WHERE c.id = {candidate_id} AND c.user_id = {USER_ID})"


@dataclass(frozen=True)
class Rule:
    read: str
    write: str


def candidate_rule() -> Rule:
    """Candidates (the one function h2's organization-private candidates replaces).

    A candidate row is global today: the person's own (``user_id``) or sourced by a recruiter
    (``created_by_id``). A recruiter sees the candidates who applied to their organization's
    jobs, those a colleague sourced, and the discoverable ones (``candidates.selectors``); the
    person sees their own. Writes: the person, or a colleague of the recruiter who sourced a
    profile without a login.
    """
    sourced_by_colleague = (
        "EXISTS (SELECT 1 FROM accounts_membership m WHERE m.user_id = candidates_candidate.created_by_id"
        f" AND {of_my_organizations('m.organization_id')})"
    )
    applied_here = (
        "EXISTS (SELECT 1 FROM applications_application a JOIN jobs_job j ON j.id = a.job_id"
        f" WHERE a.candidate_id = candidates_candidate.id AND {of_my_organizations('j.organization_id')})"
    )
    recruiter = f"cardinality({ORGANIZATIONS}) > 0"
    own = f"candidates_candidate.user_id = {USER_ID}"
    return Rule(
        read=f"{own} OR ({recruiter} AND (candidates_candidate.discoverable OR {applied_here}"
        f" OR (candidates_candidate.user_id IS NULL AND {sourced_by_colleague})))",
        write=f"{own} OR ({recruiter} AND candidates_candidate.user_id IS NULL AND {sourced_by_colleague})",
    )


TABLES: dict[str, Callable[[], Rule]] = {
    # The job board (open jobs) is public: anyone with an identity, anonymous visitors included.
    "jobs_job": lambda: Rule(
        read=f"{of_my_organizations('jobs_job.organization_id')} OR ({SOMEONE} AND jobs_job.status = 'open')",
        write=of_my_organizations("jobs_job.organization_id"),
    ),
    "jobs_jobskill": lambda: Rule(
        read="EXISTS (SELECT 1 FROM jobs_job j WHERE j.id = jobs_jobskill.job_id)",
        write=job_of_my_organizations("jobs_jobskill.job_id"),
    ),
    # The job's organization, and the candidate themself (applying, withdrawing).
    "applications_application": lambda: Rule(
        read=f"{job_of_my_organizations('applications_application.job_id')}"
        f" OR {my_candidate('applications_application.candidate_id')}",
        write=f"{job_of_my_organizations('applications_application.job_id')}"
        f" OR {my_candidate('applications_application.candidate_id')}",
    ),
    "applications_stagechange": lambda: Rule(
        read="EXISTS (SELECT 1 FROM applications_application a WHERE a.id = applications_stagechange.application_id)",
        write="EXISTS (SELECT 1 FROM applications_application a WHERE a.id = applications_stagechange.application_id)",
    ),
    "applications_match": lambda: Rule(
        read=f"{job_of_my_organizations('applications_match.job_id')}"
        f" OR {my_candidate('applications_match.candidate_id')}",
        write=f"{job_of_my_organizations('applications_match.job_id')}"
        f" OR {my_candidate('applications_match.candidate_id')}",
    ),
    # The organization's own; the candidate never reads templates nor the scheduled emails.
    "applications_rejectionemailtemplate": lambda: Rule(
        read=of_my_organizations("applications_rejectionemailtemplate.organization_id"),
        write=of_my_organizations("applications_rejectionemailtemplate.organization_id"),
    ),
    "applications_rejectionemail": lambda: Rule(
        read=application_of_my_organizations("applications_rejectionemail.application_id"),
        write=application_of_my_organizations("applications_rejectionemail.application_id"),
    ),
    # The hiring team; the candidate reads their own interviews.
    "interviews_interview": lambda: Rule(
        read="EXISTS (SELECT 1 FROM applications_application a WHERE a.id = interviews_interview.application_id)",
        write=application_of_my_organizations("interviews_interview.application_id"),
    ),
    "interviews_interview_interviewers": lambda: Rule(
        read="EXISTS (SELECT 1 FROM interviews_interview i WHERE i.id = interviews_interview_interviewers.interview_id)",
        write=interview_of_my_organizations("interviews_interview_interviewers.interview_id"),
    ),
    "interviews_feedback": lambda: Rule(
        read=interview_of_my_organizations("interviews_feedback.interview_id"),
        write=interview_of_my_organizations("interviews_feedback.interview_id"),
    ),
    # Interview plans and their scorecards: the job's organization (a candidate's interview
    # names its round by id only). Ratings follow their feedback's own policy.
    "interviews_interviewround": lambda: Rule(
        read=job_of_my_organizations("interviews_interviewround.job_id"),
        write=job_of_my_organizations("interviews_interviewround.job_id"),
    ),
    "interviews_roundattribute": lambda: Rule(
        read="EXISTS (SELECT 1 FROM interviews_interviewround r WHERE r.id = interviews_roundattribute.round_id)",
        write="EXISTS (SELECT 1 FROM interviews_interviewround r WHERE r.id = interviews_roundattribute.round_id)",
    ),
    "interviews_feedbackrating": lambda: Rule(
        read="EXISTS (SELECT 1 FROM interviews_feedback f WHERE f.id = interviews_feedbackrating.feedback_id)",
        write="EXISTS (SELECT 1 FROM interviews_feedback f WHERE f.id = interviews_feedbackrating.feedback_id)",
    ),
    # Endpoints and their deliveries: the organization's hiring team (fan-out and delivery run
    # as the system).
    "webhooks_webhookendpoint": lambda: Rule(
        read=of_my_organizations("webhooks_webhookendpoint.organization_id"),
        write=of_my_organizations("webhooks_webhookendpoint.organization_id"),
    ),
    "webhooks_webhookdelivery": lambda: Rule(
        read="EXISTS (SELECT 1 FROM webhooks_webhookendpoint e WHERE e.id = webhooks_webhookdelivery.endpoint_id)",
        write="EXISTS (SELECT 1 FROM webhooks_webhookendpoint e WHERE e.id = webhooks_webhookdelivery.endpoint_id)",
    ),
    # An organization's own list of rejection reasons (seeded with the organization by the
    # system or staff): its members only; a candidate's history names no other's.
    "applications_rejectionreason": lambda: Rule(
        read=of_my_organizations("applications_rejectionreason.organization_id"),
        write=of_my_organizations("applications_rejectionreason.organization_id"),
    ),
    # Notes on candidates and applications: the organization's members, never the candidate.
    "activity_note": lambda: Rule(
        read=of_my_organizations("activity_note.organization_id"),
        write=of_my_organizations("activity_note.organization_id"),
    ),
    # Hiring teams: every seat of the job's organization (which limited seat reaches which job
    # is the policy's, in the selectors: hotgigs/accounts/policies.py).
    "jobs_hiringteammember": lambda: Rule(
        read=of_my_organizations("jobs_hiringteammember.organization_id"),
        write=of_my_organizations("jobs_hiringteammember.organization_id"),
    ),
    # Offer decisions: as their application (the job's organization); never the candidate's.
    "applications_offerapproval": lambda: Rule(
        read=application_of_my_organizations("applications_offerapproval.application_id"),
        write=application_of_my_organizations("applications_offerapproval.application_id"),
    ),
    # Merges of an organization's duplicate profiles: its members (staff see all).
    "candidates_candidatemerge": lambda: Rule(
        read=of_my_organizations("candidates_candidatemerge.organization_id"),
        write=of_my_organizations("candidates_candidatemerge.organization_id"),
    ),
    # The analytics' daily facts (anonymous counts and hires): the organization's members.
    "analytics_stagedayfact": lambda: Rule(
        read=of_my_organizations("analytics_stagedayfact.organization_id"),
        write=of_my_organizations("analytics_stagedayfact.organization_id"),
    ),
    "analytics_stagedaytotal": lambda: Rule(
        read=of_my_organizations("analytics_stagedaytotal.organization_id"),
        write=of_my_organizations("analytics_stagedaytotal.organization_id"),
    ),
    "analytics_hirefact": lambda: Rule(
        read=of_my_organizations("analytics_hirefact.organization_id"),
        write=of_my_organizations("analytics_hirefact.organization_id"),
    ),
    # Candidates' consents: the person's own; an organization's members read those of the profiles
    # they see (in the talent pool, applied to their jobs, sourced by them: discovery and matching
    # are decided from them) and write those of the profiles they sourced.
    "candidates_consent": lambda: Rule(
        read=f"{my_candidate('candidates_consent.candidate_id')} OR (cardinality({ORGANIZATIONS}) > 0 AND EXISTS"
        " (SELECT 1 FROM candidates_candidate c WHERE c.id = candidates_consent.candidate_id AND (c.discoverable"
        f" OR {of_my_organizations('c.organization_id')} OR EXISTS (SELECT 1 FROM applications_application a"
        f" JOIN jobs_job j ON j.id = a.job_id WHERE a.candidate_id = c.id AND {of_my_organizations('j.organization_id')}))))",
        write=f"{my_candidate('candidates_consent.candidate_id')} OR EXISTS (SELECT 1 FROM candidates_candidate c"
        f" WHERE c.id = candidates_consent.candidate_id AND {of_my_organizations('c.organization_id')})",
    ),
    # The audit log (privacy): read by staff; anyone records (and reads back) only their own accesses.
    "audit_accessrecord": lambda: Rule(
        read=f"audit_accessrecord.actor_id = {USER_ID}",
        write=f"audit_accessrecord.actor_id = {USER_ID}",
    ),
}
"""Every table under row-level security, and its rule."""

EXEMPT: dict[str, str] = {
    "accounts_membership": "the identity itself is read from it (a user's organizations), before any identity exists",
    "candidates_candidate": "not yet: who sees a profile depends on applications (it applied to the organization's"
    " jobs), whose policy in turn reads the candidate (the person's own application), and PostgreSQL refuses such"
    " a circle of policies; it needs an identity reader that answers 'my candidate ids' outside the policies."
    " candidates.selectors.candidate_shared_with holds the rule meanwhile",
    "realtime_outboxevent": "not yet: replays are authorized per channel-layer group by the socket; a policy by"
    " group (a candidate follows their application on its organization's events) is left to do",
}
"""Tables with an organization column deliberately not under policies, and why."""


def policy_sql(table: str, rule: Rule) -> str:
    """The statements that put ``table`` under ``rule`` (replacing its earlier policies)."""
    read = f"{SEES_ALL} OR ({rule.read})"
    write = f"{SEES_ALL} OR ({rule.write})"
    return f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
{drop_policies_sql(table)}
CREATE POLICY hotgigs_read ON {table} FOR SELECT USING ({read});
CREATE POLICY hotgigs_insert ON {table} FOR INSERT WITH CHECK ({write});
CREATE POLICY hotgigs_update ON {table} FOR UPDATE USING ({read}) WITH CHECK ({write});
CREATE POLICY hotgigs_delete ON {table} FOR DELETE USING ({write});
"""


def drop_policies_sql(table: str) -> str:
    return "\n".join(
        f"DROP POLICY IF EXISTS {name} ON {table};"
        for name in ("hotgigs_read", "hotgigs_insert", "hotgigs_update", "hotgigs_delete")
    )


def disable_sql(table: str) -> str:
    return f"{drop_policies_sql(table)}\nALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;\nALTER TABLE {table} DISABLE ROW LEVEL SECURITY;"


def _on_postgresql(sql: Callable[[], str]) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql())

    return run


def apply(*tables: str, rule: Callable[[], Rule] | None = None) -> tuple[Callable[..., None], Callable[..., None]]:
    """``RunPython`` arguments (forward, backward) putting ``tables`` under their rules
    (``rule`` instead of the table's entry in :data:`TABLES`, e.g. for one migration's own
    copy). No-ops off PostgreSQL."""
    forward = _on_postgresql(lambda: "\n".join(policy_sql(t, (rule or TABLES[t])()) for t in tables))
    backward = _on_postgresql(lambda: "\n".join(disable_sql(t) for t in tables))
    return forward, backward


def functions() -> tuple[Callable[..., None], Callable[..., None]]:
    """``RunPython`` arguments creating (and dropping) the identity readers."""
    return _on_postgresql(lambda: FUNCTIONS), _on_postgresql(lambda: DROP_FUNCTIONS)
