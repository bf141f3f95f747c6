from django.db import models


class MembershipRole(models.TextChoices):
    """What a member may do inside their organization."""

    RECRUITER = "recruiter", "Recruiter"
    ORG_ADMIN = "org_admin", "Organization admin"
    # Limited seats: they reach only the jobs whose hiring team they are on (jobs.HiringTeamMember)
    # and, for an interviewer, the applications whose interviews they sit on.
    HIRING_MANAGER = "hiring_manager", "Hiring manager"
    INTERVIEWER = "interviewer", "Interviewer"


FULL_SEATS: frozenset[str] = frozenset({MembershipRole.RECRUITER, MembershipRole.ORG_ADMIN})
"""The seats that reach the whole organization."""


class HiringTeamRole(models.TextChoices):
    """A person's part on one job's hiring team (``jobs.HiringTeamMember``)."""

    HIRING_MANAGER = "hiring_manager", "Hiring manager"
    RECRUITER = "recruiter", "Recruiter"
    INTERVIEWER = "interviewer", "Interviewer"
