"""Row-level security: every tenant table and who may read and write its rows, in one place.

PostgreSQL only (on SQLite the selectors are the only line). Each rule is SQL over the session
settings the backend sets from the acting identity (``hotgigs/tenancy/__init__.py``), read
through the functions :data:`FUNCTIONS` creates. Each is wrapped in ``(SELECT …)`` so the
planner evaluates it once per query instead of once per row.

``read`` decides which rows ``SELECT`` (and an ``UPDATE``'s search) sees; ``write`` which rows
may be inserted, which an update may leave behind, and which may be deleted. Staff and the
system see and write every row (a rule with ``staff=False``: the system only). Rules name other tables' rows through ``EXISTS`` subqueries,
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
# The system alone (not staff): for the one table staff may not read either.
SYSTEM_ONLY = "(SELECT coalesce(current_setting('hotgigs.actor', true), '') = 'system')"

MY_CANDIDATES = "(SELECT hotgigs_my_candidate_ids())::bigint[]"

FUNCTIONS = """
CREATE OR REPLACE FUNCTION hotgigs_sees_all() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT coalesce(current_setting('hotgigs.sees_all', true), '') = 'on' $$;
CREATE OR REPLACE FUNCTION hotgigs_user_id() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT nullif(current_setting('hotgigs.user_id', true), '')::bigint $$;
CREATE OR REPLACE FUNCTION hotgigs_organization_ids() RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT coalesce(nullif(current_setting('hotgigs.organization_ids', true), ''), '{}')::bigint[] $$;
CREATE OR REPLACE FUNCTION hotgigs_someone() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT coalesce(current_setting('hotgigs.actor', true), '') <> '' $$;
CREATE OR REPLACE FUNCTION hotgigs_my_candidate_ids() RETURNS bigint[] LANGUAGE plpgsql STABLE
  SECURITY DEFINER SET search_path = pg_catalog, public SET hotgigs.sees_all = 'on' AS
  $$ BEGIN
    RETURN (SELECT coalesce(array_agg(c.id), '{}') FROM public.candidates_candidate c
            WHERE c.user_id = public.hotgigs_user_id());
  END $$;
REVOKE ALL ON FUNCTION hotgigs_my_candidate_ids() FROM PUBLIC;
"""
"""Readers of the session settings: unset (no identity) means no user, no organization, not
staff, no one.

``hotgigs_my_candidate_ids()`` (the acting user's own candidate profiles) breaks the one circle
of policies: a profile is seen by the organizations it applied to (the candidates' rule reads
applications) and an application by its candidate (the applications' rule would read the
candidates). It reads ``candidates_candidate`` outside the policies: it runs as its owner (the
migrations' role, ``SECURITY DEFINER``) with every row in sight for its own statement only
(``SET hotgigs.sees_all``, for an owner that does not bypass row-level security under
``FORCE``), its ``search_path`` pinned, and answers nothing but the ids of the acting user's
own profile. PL/pgSQL, so that it can be created before the table exists (migrations of the
tenancy app run first). The application's role is granted ``EXECUTE`` by
:func:`hotgigs.tenancy.roles.grant_app_role` and by the migration that creates it."""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS hotgigs_sees_all();
DROP FUNCTION IF EXISTS hotgigs_user_id();
DROP FUNCTION IF EXISTS hotgigs_organization_ids();
DROP FUNCTION IF EXISTS hotgigs_someone();
DROP FUNCTION IF EXISTS hotgigs_my_candidate_ids();
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
    """The candidate row is the acting user's own profile (read outside the candidates' policy,
    see :data:`FUNCTIONS`)."""
    return f"{candidate_id} = ANY (({MY_CANDIDATES}))"


@dataclass(frozen=True)
class Rule:
    """``read`` and ``write`` as SQL; ``staff`` False keeps staff out too (only the system, and
    whoever the rule names, pass)."""

    read: str
    write: str
    staff: bool = True


def candidate_rule() -> Rule:
    """Candidate profiles: the same rule as ``candidates.selectors.candidate_shared_with``.

    The person reads and writes their own profile (``user_id``). A member of organizations
    reads the discoverable profiles, those that applied to one of their organizations' jobs
    and those their organizations sourced (``organization_id``), and writes only the sourced
    ones (a self-registered profile is the person's own). Applications are read through their
    own policy, which names the candidate through ``hotgigs_my_candidate_ids()`` and not this
    table, so the two policies make no circle.
    """
    own = f"candidates_candidate.user_id = {USER_ID}"
    sourced = of_my_organizations("candidates_candidate.organization_id")
    applied_here = (
        "EXISTS (SELECT 1 FROM applications_application a JOIN jobs_job j ON j.id = a.job_id"
        f" WHERE a.candidate_id = candidates_candidate.id AND {of_my_organizations('j.organization_id')})"
    )
    recruiter = f"cardinality({ORGANIZATIONS}) > 0"
    return Rule(
        read=f"{own} OR ({recruiter} AND (candidates_candidate.discoverable OR {sourced} OR {applied_here}))",
        write=f"{own} OR {sourced}",
    )


def of_candidate_i_see(candidate_id: str) -> str:
    """The candidate is one the acting user reads (the candidates' policy filters the subquery)."""
    return f"EXISTS (SELECT 1 FROM candidates_candidate c WHERE c.id = {candidate_id})"


def of_candidate_i_write(candidate_id: str) -> str:
    """The candidate is one the acting user may rewrite: their own, or sourced by their organization."""
    return (
        f"EXISTS (SELECT 1 FROM candidates_candidate c WHERE c.id = {candidate_id}"
        f" AND (c.user_id = {USER_ID} OR {of_my_organizations('c.organization_id')}))"
    )


def about_application_i_see(context: str) -> str:
    """The JSON ``context`` names (``application_id``) an application the acting user reads."""
    application_id = (
        f"CASE WHEN jsonb_typeof({context} -> 'application_id') = 'number'"
        f" AND ({context} ->> 'application_id') ~ '^[0-9]+$' THEN ({context} ->> 'application_id')::bigint END"
    )
    return f"EXISTS (SELECT 1 FROM applications_application a WHERE a.id = {application_id})"


def outbox_rule() -> Rule:
    """Outbox rows by their audience, as the socket authorizes a group: the organization's
    events (its ``organization_id`` or an ``….org.<id>`` group) to its members, ``….user.<id>``
    to that user, ``….application.<id>`` to whoever reads the application (its candidate and
    the organization), ``….job_board`` to anyone with an identity. Internal events (no group,
    no organization) only to the system, which also writes every row
    (``hotgigs.events.outbox.record`` records as the system, whoever's change it is)."""
    groups = (
        "CASE WHEN jsonb_typeof(realtime_outboxevent.groups) = 'array'"
        " THEN realtime_outboxevent.groups ELSE '[]'::jsonb END"
    )
    # (The id at the end of a group's name; no "%" in these statements: migrations format them.)
    user_of = r"substring(g.name from '\.user\.([0-9]{1,18})$')::bigint"
    org_of = r"substring(g.name from '\.org\.([0-9]{1,18})$')::bigint"
    application_of = r"substring(g.name from '\.application\.([0-9]{1,18})$')::bigint"
    audience = (
        f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({groups}) AS g(name) WHERE"
        f" {user_of} = {USER_ID}"
        rf" OR (g.name ~ '\.job_board$' AND {SOMEONE})"
        f" OR {org_of} = ANY (({ORGANIZATIONS}))"
        f" OR EXISTS (SELECT 1 FROM applications_application a WHERE a.id = {application_of}))"
    )
    rule = f"{of_my_organizations('realtime_outboxevent.organization_id')} OR {audience}"
    return Rule(read=rule, write=rule)


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
    # Recruiters' marks on matches: the job's organization, never the candidate.
    "applications_matchfeedback": lambda: Rule(
        read=of_my_organizations("applications_matchfeedback.organization_id"),
        write=of_my_organizations("applications_matchfeedback.organization_id"),
    ),
    # Merges of an organization's duplicate profiles: its members (staff see all).
    "candidates_candidatemerge": lambda: Rule(
        read=of_my_organizations("candidates_candidatemerge.organization_id"),
        write=of_my_organizations("candidates_candidatemerge.organization_id"),
    ),
    # Profiles: the person's own, their organization's sourced ones, applicants, discoverable.
    "candidates_candidate": candidate_rule,
    # A profile's resumes: whoever reads the profile (recruiters who see a candidate may upload
    # to it); its skills: read with the profile, written by whoever may rewrite it (parsing
    # suggests skills as the system).
    "candidates_resume": lambda: Rule(
        read=of_candidate_i_see("candidates_resume.candidate_id"),
        write=of_candidate_i_see("candidates_resume.candidate_id"),
    ),
    "candidates_candidateskill": lambda: Rule(
        read=of_candidate_i_see("candidates_candidateskill.candidate_id"),
        write=of_candidate_i_write("candidates_candidateskill.candidate_id"),
    ),
    # In-app notifications and email preferences: the user's own, nobody else's (staff and the
    # system, which writes notifications on fan-out, aside).
    "realtime_notification": lambda: Rule(
        read=f"realtime_notification.user_id = {USER_ID}",
        write=f"realtime_notification.user_id = {USER_ID}",
    ),
    "notifications_notificationpreference": lambda: Rule(
        read=f"notifications_notificationpreference.user_id = {USER_ID}",
        write=f"notifications_notificationpreference.user_id = {USER_ID}",
    ),
    # Emails: the recipient's own; the organization reads those about its applications (the
    # activity timeline). Written and sent by the system (fan-out, the email tasks).
    "notifications_emaildelivery": lambda: Rule(
        read=f"notifications_emaildelivery.user_id = {USER_ID}"
        f" OR {about_application_i_see('notifications_emaildelivery.context')}",
        write=f"notifications_emaildelivery.user_id = {USER_ID}",
    ),
    # The event outbox (replays, the activity timeline): by audience, see outbox_rule.
    "realtime_outboxevent": outbox_rule,
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
    "analytics_hiredaytotal": lambda: Rule(
        read=of_my_organizations("analytics_hiredaytotal.organization_id"),
        write=of_my_organizations("analytics_hiredaytotal.organization_id"),
    ),
    "analytics_firsthirefact": lambda: Rule(
        read=of_my_organizations("analytics_firsthirefact.organization_id"),
        write=of_my_organizations("analytics_firsthirefact.organization_id"),
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
    # Voluntary self-identification: the person's own, and nobody else's, staff included; the
    # system reads it for the adverse-impact monitor's counts, the person's export and erasure.
    "candidates_selfidentification": lambda: Rule(
        read=my_candidate("candidates_selfidentification.candidate_id"),
        write=my_candidate("candidates_selfidentification.candidate_id"),
        staff=False,
    ),
    # The audit log (privacy): read by staff; anyone records (and reads back) only their own accesses.
    "audit_accessrecord": lambda: Rule(
        read=f"audit_accessrecord.actor_id = {USER_ID}",
        write=f"audit_accessrecord.actor_id = {USER_ID}",
    ),
    # Each organization's retention period (privacy): its members read it (the policy lets only
    # its admins change it); the daily purge reads every organization's as the system.
    "privacy_retentionsetting": lambda: Rule(
        read=of_my_organizations("privacy_retentionsetting.organization_id"),
        write=of_my_organizations("privacy_retentionsetting.organization_id"),
    ),
}
"""Every table under row-level security, and its rule."""

EXEMPT: dict[str, str] = {
    "accounts_membership": "the identity itself is read from it (a user's organizations), before any identity exists",
}
"""Tables with an organization column deliberately not under policies, and why."""


def policy_sql(table: str, rule: Rule) -> str:
    """The statements that put ``table`` under ``rule`` (replacing its earlier policies)."""
    everything = SEES_ALL if rule.staff else SYSTEM_ONLY
    read = f"{everything} OR ({rule.read})"
    write = f"{everything} OR ({rule.write})"
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
    copy). No-ops off PostgreSQL. The identity readers the rules call are created (again) first,
    so a migration's place in the graph never depends on which of ``tenancy``'s migrations added
    the reader a rule names (``CREATE OR REPLACE``: the same functions, nothing lost)."""
    forward = _on_postgresql(lambda: FUNCTIONS + "\n" + "\n".join(policy_sql(t, (rule or TABLES[t])()) for t in tables))
    backward = _on_postgresql(lambda: "\n".join(disable_sql(t) for t in tables))
    return forward, backward


def functions() -> tuple[Callable[..., None], Callable[..., None]]:
    """``RunPython`` arguments creating (and dropping) the identity readers."""
    return _on_postgresql(lambda: FUNCTIONS), _on_postgresql(lambda: DROP_FUNCTIONS)
