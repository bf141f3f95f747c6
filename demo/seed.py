"""The demo data set behind ``manage.py seed_demo``.

Two halves. :func:`build_plan` turns a seed and the O*NET extract (``onet_extract.json``,
CC BY 4.0, see ATTRIBUTION.md) into a complete, deterministic description of the data:
organizations and their people, jobs, candidates, and each application's path through the
pipeline with its interviews and scorecards. :class:`DemoSeeder` then writes that plan
through the services, so every row obeys the same rules as one made through the API, and
afterwards moves timestamps into the past so the history spreads over the last ~90 days.

Idempotency comes from natural keys: organizations by slug, users and candidates by email,
jobs by (organization, title), applications by (job, candidate). A row that already exists
is left alone, and so is everything that would hang off it, so a second run creates nothing.
Only what the plan's *own* rows need is looked up; nothing is ever deleted.
"""

import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import Min
from django.utils import timezone

from analytics.services import analytics_snapshot
from applications.choices import ApplicationSource, ApplicationStage, OfferDecision
from applications.models import Application, StageChange
from applications.selectors import rejection_reason_list, stage_change_report_list
from applications.services import application_move, application_submit, application_withdraw, offer_decide
from candidates.models import Candidate
from candidates.services.profiles import candidate_create
from candidates.services.self_identification import self_identification_set
from hotgigs.accounts import policies
from hotgigs.accounts.choices import HiringTeamRole, MembershipRole
from hotgigs.accounts.models import Membership, Organization, User
from hotgigs.accounts.selectors import user_get_by_email
from hotgigs.accounts.services import membership_set, organization_onboard, user_create
from hotgigs.events.dispatch import events_dispatch_due_now
from hotgigs.notifications.services import emails_muted
from interviews.choices import InterviewKind, InterviewStatus, Recommendation
from interviews.errors import InterviewerBusy
from interviews.models import Feedback, Interview, InterviewRound
from interviews.selectors import interview_plan
from interviews.services import (
    AttributeRating,
    AttributeSpec,
    RoundSpec,
    feedback_submit,
    interview_cancel,
    interview_plan_set,
    interview_record_outcome,
    interview_schedule,
)
from jobs.choices import EducationLevel, EmploymentType, JobStatus, RemotePolicy, SkillLevel
from jobs.models import Job
from jobs.selectors import hiring_manager_of, hiring_teams_of_user
from jobs.services import hiring_team_set, job_close, job_create, job_open

logger = logging.getLogger(__name__)

DATA_FILE = Path(__file__).resolve().with_name("onet_extract.json")
DEFAULT_SEED = 2026
DEMO_DOMAIN = "demo.hotgigs.test"
STAFF_EMAIL = f"staff@{DEMO_DOMAIN}"
# Where the printed logins point unless the command is told the server's address (--base-url).
BASE_URL = "http://127.0.0.1:8000"
CANDIDATE_COUNT = 320
LOGIN_SHARE = 2 / 3
# How many open jobs of each organization get a hiring team (with a hiring manager).
HIRING_TEAM_JOBS = 2
HISTORY_DAYS = 89.0

FIRST_NAMES = (
    "Aaliyah", "Adrian", "Aisha", "Alex", "Amara", "Andre", "Ava", "Ben", "Carlos", "Chen", "Chloe", "Daniel",
    "Diego", "Elena", "Emeka", "Emma", "Farah", "Gabriel", "Grace", "Hana", "Hiro", "Isabel", "Jamal", "Jasmine",
    "Jonas", "Kai", "Layla", "Leo", "Lina", "Lucas", "Maya", "Mei", "Mohammed", "Nadia", "Noah", "Olivia",
    "Omar", "Priya", "Rafael", "Rosa", "Samir", "Sofia", "Tariq", "Tom", "Valentina", "Wei", "Yara", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Alvarez", "Andersen", "Becker", "Brooks", "Chen", "Costa", "Davis", "Dubois", "Evans", "Fischer",
    "Garcia", "Gupta", "Hassan", "Ivanova", "Jensen", "Kim", "Kowalski", "Lee", "Lopez", "Martin", "Moreau",
    "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Perez", "Quinn", "Rahman", "Rossi", "Santos",
    "Schmidt", "Silva", "Singh", "Tanaka", "Taylor", "Thompson", "Walsh", "Wang", "Williams", "Yilmaz", "Zhang",
)  # fmt: skip
# (display name, IANA time zone) — the zone interviews are arranged in.
CITIES = (
    ("Austin, TX", "America/Chicago"),
    ("Boston, MA", "America/New_York"),
    ("Chicago, IL", "America/Chicago"),
    ("Denver, CO", "America/Denver"),
    ("New York, NY", "America/New_York"),
    ("San Francisco, CA", "America/Los_Angeles"),
    ("Seattle, WA", "America/Los_Angeles"),
    ("Toronto, ON", "America/Toronto"),
    ("London, UK", "Europe/London"),
    ("Berlin, Germany", "Europe/Berlin"),
)
FINAL_STAGE_WEIGHTS = {
    ApplicationStage.APPLIED: 22,
    ApplicationStage.SCREENING: 14,
    ApplicationStage.INTERVIEW: 14,
    ApplicationStage.OFFER: 6,
    ApplicationStage.HIRED: 8,
    ApplicationStage.REJECTED: 28,
    ApplicationStage.WITHDRAWN: 8,
}
PIPELINE = (
    ApplicationStage.APPLIED,
    ApplicationStage.SCREENING,
    ApplicationStage.INTERVIEW,
    ApplicationStage.OFFER,
    ApplicationStage.HIRED,
)
# Titles that already say how senior the role is.
SENIOR_WORDS = ("Director", "Manager", "Lead", "Head", "Chief", "Supervisor", "Intern", "Senior", "Junior", "Fellow")
REJECT_REASONS = (
    "Looking for more hands-on experience with {skill}.",
    "Another candidate was a closer match for the role.",
    "Salary expectations are above the band for this opening.",
    "The role needs someone on site more often.",
    "Strong profile, but the team needs deeper {skill} expertise.",
)
# The organization's rejection reason (code) each note above goes with, in the same order.
REJECT_REASON_CODES = ("experience", "position_filled", "other", "other", "skills")
WITHDRAW_REASONS = (
    "Accepted another offer.",
    "Decided to stay with my current employer.",
    "The commute would not work for me.",
    "",
)
FEEDBACK_NOTES = {
    True: (
        "Clear communicator; walked through real examples with {skill}.",
        "Strong fundamentals and good questions about the team.",
        "Would raise the bar on the team. Solid on {skill}.",
    ),
    False: (
        "Struggled with the practical exercise on {skill}.",
        "Friendly, but answers stayed at a high level.",
        "Experience does not match what the role needs day to day.",
    ),
}
# Every demo job's interview plan: its rounds in order, each with its scorecard's attributes.
DEMO_ROUNDS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Phone screen", (("Communication", "Explains clearly, listens"), ("Motivation", "Why this role, why now"))),
    (
        "Technical",
        (
            ("Role skills", "Depth in the job's core skills"),
            ("Problem solving", "Breaks a problem down, weighs trade-offs"),
            ("Communication", ""),
        ),
    ),
    ("Onsite", (("Collaboration", "Works with the team on a real task"), ("Values", "Ownership, candour, care"))),
)
# An attribute's score (1–4) from the interviewer's overall rating (1–5), nudged per attribute
# so a scorecard is not one number repeated.
ATTRIBUTE_SCORE_BY_RATING = {1: 1, 2: 2, 3: 2, 4: 3, 5: 4}
RECOMMENDATION_BY_RATING = {
    1: Recommendation.STRONG_NO,
    2: Recommendation.NO,
    3: Recommendation.MIXED,
    4: Recommendation.YES,
    5: Recommendation.STRONG_YES,
}


@dataclass(frozen=True)
class OrgSpec:
    """A demo organization and the mix of openings it hires for (group → number of jobs)."""

    slug: str
    name: str
    website: str
    job_mix: dict[str, int]
    admin_name: str
    recruiter_names: tuple[str, ...]
    blurb: str


ORGANIZATIONS = (
    OrgSpec(
        slug="northwind-labs",
        name="Northwind Labs",
        website="https://northwind-labs.example.com",
        job_mix={"technology": 16, "business": 6},
        admin_name="Nora Lindqvist",
        recruiter_names=("Ravi Menon", "Julia Hartmann", "Marcus Bell"),
        blurb="Northwind Labs builds logistics software used by 4,000 warehouses on three continents.",
    ),
    OrgSpec(
        slug="meridian-health",
        name="Meridian Health",
        website="https://meridian-health.example.com",
        job_mix={"healthcare": 14, "technology": 4, "business": 4},
        admin_name="Helen Okoro",
        recruiter_names=("Diego Fernandez", "Sarah Whitfield", "Ken Watanabe"),
        blurb="Meridian Health runs six community hospitals and a network of outpatient clinics.",
    ),
    OrgSpec(
        slug="bluepeak-capital",
        name="Bluepeak Capital",
        website="https://bluepeak-capital.example.com",
        job_mix={"business": 15, "technology": 7},
        admin_name="Peter Vasquez",
        recruiter_names=("Amelia Grant", "Yusuf Demir", "Claire Dupont"),
        blurb="Bluepeak Capital is a mid-sized asset manager serving families and foundations.",
    ),
)
CANDIDATE_GROUP_WEIGHTS = {"technology": 45, "business": 35, "healthcare": 20}


# ---------------------------------------------------------------------------------------
# The plan: plain data, a pure function of the seed and the extract.
# ---------------------------------------------------------------------------------------


@dataclass
class InterviewPlan:
    status: str  # completed (in the past, with feedback), scheduled (future) or cancelled
    kind: str
    interviewers: tuple[int, ...]  # indexes into the organization's team
    days_ago: float = 0.0  # completed interviews only
    minutes: int = 45
    ratings: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass
class ApplicationPlan:
    candidate_email: str
    org_slug: str
    job_title: str
    source: str
    moves: list[str]  # stages after "applied", in order
    times: list[float]  # days ago of the submission and of each move, decreasing
    reasons: list[str]
    recruiter: int  # index into the organization's team
    interviews: list[InterviewPlan] = field(default_factory=list)
    cover_letter: str = ""


@dataclass
class CandidatePlan:
    email: str
    full_name: str
    has_login: bool
    occupation: str
    data: dict[str, Any]
    sourced_by: tuple[str, int] | None  # (org slug, team index) for candidates without a login
    days_ago: float = 0.0
    # Voluntary self-identification answers (candidates with a login only; None: never answered).
    self_identification: dict[str, str] | None = None


@dataclass
class JobPlan:
    org_slug: str
    title: str
    occupation: str
    data: dict[str, Any]
    status: str
    creator: int
    created_days_ago: float
    closed_days_ago: float = 0.0


@dataclass
class Plan:
    organizations: tuple[OrgSpec, ...]
    jobs: list[JobPlan]
    candidates: list[CandidatePlan]
    applications: list[ApplicationPlan]


@cache
def load_extract() -> dict[str, Any]:
    """The O*NET extract, grouped: {"technology": [occupation, …], …}."""
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


def _slug_email(*parts: str) -> str:
    return ".".join(part.lower().replace(" ", "").replace("'", "") for part in parts)


def team_emails(org: OrgSpec) -> list[tuple[str, str]]:
    """(email, full name) of the organization's team: index 0 is the admin, then recruiters."""
    team = [(f"admin@{org.slug}.{DEMO_DOMAIN}", org.admin_name)]
    team += [(f"{_slug_email(*name.split())}@{org.slug}.{DEMO_DOMAIN}", name) for name in org.recruiter_names]
    return team


def _pick_skills(rng: random.Random, skills: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    # The extract lists in-demand and hot technologies first; favour them without always
    # taking exactly the same top few.
    head = skills[: max(count + 3, 8)]
    return rng.sample(head, min(count, len(head)))


def _job_plans(rng: random.Random, extract: dict[str, Any]) -> list[JobPlan]:
    groups: dict[str, list[dict[str, Any]]] = extract["groups"]
    jobs: list[JobPlan] = []
    seniorities = (("", 2, 1.0), ("Senior ", 5, 1.25), ("Junior ", 0, 0.75), ("Lead ", 7, 1.4))
    for org in ORGANIZATIONS:
        titles: set[str] = set()
        team_size = len(org.recruiter_names) + 1
        org_jobs: list[JobPlan] = []
        for group, count in org.job_mix.items():
            occupations = groups[group]
            for index in range(count):
                occupation = occupations[(index * 7 + len(org.slug)) % len(occupations)]
                # O*NET occupation titles are plural ("Software Developers"); postings use
                # the singular alternate titles.
                bases = occupation["alternate_titles"] or [occupation["title"]]
                for _attempt in range(20):
                    prefix, years, factor = rng.choice(seniorities)
                    base = rng.choice(bases)
                    if any(word in base for word in SENIOR_WORDS):
                        prefix = ""  # no "Junior Marketing Director"
                    title = f"{prefix}{base}"
                    if title not in titles:
                        break
                else:
                    title = f"{title} ({len(org_jobs) + 1})"
                titles.add(title)
                skills = occupation["technology_skills"]
                required = _pick_skills(rng, skills, rng.randint(3, 5))
                preferred = [s for s in _pick_skills(rng, skills, 8) if s not in required][: rng.randint(1, 3)]
                level = SkillLevel.ADVANCED if years >= 5 else SkillLevel.INTERMEDIATE
                midpoint = occupation["salary_midpoint"] * factor * rng.uniform(0.9, 1.1)
                city, _ = rng.choice(CITIES)
                tasks = rng.sample(occupation["tasks"], min(5, len(occupation["tasks"])))
                description = "\n".join(
                    [
                        org.blurb,
                        "",
                        occupation["description"],
                        "",
                        "What you will do:",
                        *(f"- {task}" for task in tasks),
                        "",
                        "Tools you will use: " + ", ".join(s["name"] for s in required + preferred) + ".",
                    ]
                )
                education = (
                    EducationLevel.HIGH_SCHOOL
                    if occupation["salary_midpoint"] < 50_000
                    else rng.choice([EducationLevel.BACHELOR, EducationLevel.BACHELOR, EducationLevel.MASTER])
                )
                data = {
                    "title": title,
                    "description": description,
                    "department": occupation["department"],
                    "location": city,
                    "remote_policy": rng.choice(
                        [RemotePolicy.ONSITE, RemotePolicy.HYBRID, RemotePolicy.HYBRID, RemotePolicy.REMOTE]
                    ),
                    "employment_type": rng.choice([EmploymentType.FULL_TIME] * 8 + [EmploymentType.CONTRACT]),
                    "min_years_experience": years,
                    "education": education,
                    "salary_min": int(midpoint * 0.88 / 1000) * 1000,
                    "salary_max": int(midpoint * 1.12 / 1000) * 1000,
                    "salary_currency": "USD",
                    "skills": [{"name": s["name"], "level": level, "required": True} for s in required]
                    + [{"name": s["name"], "level": SkillLevel.INTERMEDIATE, "required": False} for s in preferred],
                }
                org_jobs.append(
                    JobPlan(
                        org_slug=org.slug,
                        title=title,
                        occupation=occupation["code"],
                        data=data,
                        status=JobStatus.OPEN,
                        creator=rng.randrange(team_size),
                        created_days_ago=rng.uniform(92, 120),
                    )
                )
        # Roughly one job in seven is still a draft and one in five has closed.
        for job in org_jobs:
            roll = rng.random()
            if roll < 0.14:
                job.status = JobStatus.DRAFT
                job.created_days_ago = rng.uniform(1, 20)
            elif roll < 0.34:
                job.status = JobStatus.CLOSED
                job.closed_days_ago = rng.uniform(0.2, 6)
        jobs += org_jobs
    return jobs


def _candidate_plans(rng: random.Random, extract: dict[str, Any]) -> list[CandidatePlan]:
    groups: dict[str, list[dict[str, Any]]] = extract["groups"]
    names = list(CANDIDATE_GROUP_WEIGHTS)
    weights = list(CANDIDATE_GROUP_WEIGHTS.values())
    candidates = []
    for number in range(1, CANDIDATE_COUNT + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        group = rng.choices(names, weights)[0]
        occupation = rng.choice(groups[group])
        years = rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25])
        headline_title = rng.choice(occupation["alternate_titles"] or [occupation["title"]])
        headline = f"{'Senior ' if years >= 8 else ''}{headline_title}"
        skills = _pick_skills(rng, occupation["technology_skills"], rng.randint(4, 8))
        city, _ = rng.choice(CITIES)
        has_login = rng.random() < LOGIN_SHARE
        full_name, email = f"{first} {last}", f"{_slug_email(first, last)}.{number}@{DEMO_DOMAIN}"
        data: dict[str, Any] = {
            "full_name": full_name,
            "email": email,
            "phone": f"+1 555-01{number % 100:02d}",
            "headline": headline[:200],
            "summary": (
                f"{headline_title}, {years} years of experience, based in {city}. "
                f"Day to day: {rng.choice(occupation['tasks']).rstrip('.').lower()}."
            ),
            "years_experience": years,
            "location": city,
            "open_to_remote": rng.random() < 0.5,
            "discoverable": rng.random() < 0.4,
            "consent": True,
            "skills": [
                {
                    "name": s["name"],
                    "level": rng.choice(["beginner", "intermediate", "intermediate", "advanced", "expert"]),
                    "years": rng.randint(0, max(years, 1)),
                }
                for s in skills
            ],
        }
        sourced_by = None
        if not has_login:
            org = rng.choice(ORGANIZATIONS)
            sourced_by = (org.slug, rng.randrange(len(org.recruiter_names) + 1))
        candidates.append(
            CandidatePlan(
                email=email,
                full_name=full_name,
                has_login=has_login,
                occupation=occupation["code"],
                data=data,
                sourced_by=sourced_by,
            )
        )
    return candidates


def _path(rng: random.Random, final: str) -> list[str]:
    """The moves after "applied" that end in ``final``."""
    if final in PIPELINE:
        return list(PIPELINE[1 : PIPELINE.index(final) + 1])
    # Rejections and withdrawals happen mostly early in the pipeline.
    left_from = rng.choices(PIPELINE[:4], [40, 30, 22, 8])[0]
    return [*PIPELINE[1 : PIPELINE.index(left_from) + 1], final]


def _interviews(
    rng: random.Random, moves: list[str], times: list[float], team_size: int, good: bool, skill: str
) -> list[InterviewPlan]:
    if ApplicationStage.INTERVIEW not in moves:
        return []
    position = moves.index(ApplicationStage.INTERVIEW) + 1  # index into times
    entered = times[position]
    left = times[position + 1] if position + 1 < len(times) else 0.0
    still_there = position + 1 == len(times)

    def panel() -> tuple[int, ...]:
        return tuple(sorted(rng.sample(range(team_size), rng.choice([1, 1, 2]))))

    def completed(days_ago: float) -> InterviewPlan:
        interviewers = panel()
        ratings = tuple(rng.choice([3, 4, 4, 5, 5] if good else [1, 2, 2, 3, 3, 4]) for _ in interviewers)
        notes = tuple(rng.choice(FEEDBACK_NOTES[rating >= 4]).format(skill=skill) for rating in ratings)
        kind = rng.choice([InterviewKind.VIDEO, InterviewKind.VIDEO, InterviewKind.PHONE, InterviewKind.ONSITE])
        return InterviewPlan(
            status=InterviewStatus.COMPLETED,
            kind=kind,
            interviewers=interviewers,
            days_ago=days_ago,
            minutes=rng.choice([30, 45, 60]),
            ratings=ratings,
            notes=notes,
        )

    plans: list[InterviewPlan] = []
    if not still_there:
        rounds = rng.choice([1, 1, 2])
        plans += [completed(entered - (entered - left) * (r + 1) / (rounds + 1)) for r in range(rounds)]
        return plans
    if rng.random() < 0.5:
        plans.append(completed(entered / 2))
    if rng.random() < 0.2:
        plans.append(InterviewPlan(status=InterviewStatus.CANCELLED, kind=InterviewKind.VIDEO, interviewers=panel()))
    if not plans or rng.random() < 0.6:
        kind = rng.choice([InterviewKind.VIDEO, InterviewKind.ONSITE, InterviewKind.PHONE])
        plans.append(InterviewPlan(status=InterviewStatus.SCHEDULED, kind=kind, interviewers=panel()))
    return plans


def _application_plans(
    rng: random.Random, jobs: list[JobPlan], candidates: list[CandidatePlan], extract: dict[str, Any]
) -> list[ApplicationPlan]:
    group_of = {occ["code"]: group for group, occs in extract["groups"].items() for occ in occs}
    team_size = {org.slug: len(org.recruiter_names) + 1 for org in ORGANIZATIONS}
    postable = [job for job in jobs if job.status != JobStatus.DRAFT]
    finals = list(FINAL_STAGE_WEIGHTS)
    final_weights = list(FINAL_STAGE_WEIGHTS.values())
    applications: list[ApplicationPlan] = []
    for candidate in candidates:
        if candidate.sourced_by:
            pool = [job for job in postable if job.org_slug == candidate.sourced_by[0]]
            count = rng.choice([1, 1, 2])
        else:
            pool = postable
            count = rng.choice([1, 2, 2, 3, 4])
        weights = [
            8.0
            if job.occupation == candidate.occupation
            else 2.0
            if group_of[job.occupation] == group_of[candidate.occupation]
            else 0.2
            for job in pool
        ]
        chosen: list[JobPlan] = []
        while len(chosen) < min(count, len(pool)):
            job = rng.choices(pool, weights)[0]
            if job not in chosen:
                chosen.append(job)
        for job in chosen:
            final = rng.choices(finals, final_weights)[0]
            if final == ApplicationStage.WITHDRAWN and not candidate.has_login:
                # Only the candidate may withdraw, and sourced candidates have no login.
                final = ApplicationStage.REJECTED
            moves = _path(rng, final)
            steps = [rng.uniform(1.0, 8.0) for _ in moves]
            tail = rng.uniform(0.3, 60.0)
            start = tail + sum(steps)
            scale = min(1.0, HISTORY_DAYS / start)
            times = [start * scale]
            for step in steps:
                times.append(times[-1] - step * scale)
            skill = job.data["skills"][0]["name"]
            reasons = [
                rng.choice(REJECT_REASONS).format(skill=skill)
                if stage == ApplicationStage.REJECTED
                else rng.choice(WITHDRAW_REASONS)
                if stage == ApplicationStage.WITHDRAWN
                else ""
                for stage in moves
            ]
            good = ApplicationStage.OFFER in moves
            if candidate.sourced_by:
                source = rng.choice([ApplicationSource.SOURCED, ApplicationSource.SOURCED, ApplicationSource.AGENCY])
                recruiter = candidate.sourced_by[1]
            else:
                source = rng.choice(
                    [
                        ApplicationSource.CAREER_SITE,
                        ApplicationSource.CAREER_SITE,
                        ApplicationSource.JOB_BOARD,
                        ApplicationSource.LINKEDIN,
                        ApplicationSource.REFERRAL,
                        ApplicationSource.OTHER,
                    ]
                )
                recruiter = rng.randrange(team_size[job.org_slug])
            cover_letter = (
                f"I would love to bring my experience with {skill} to {job.title} at your company."
                if candidate.has_login and rng.random() < 0.4
                else ""
            )
            applications.append(
                ApplicationPlan(
                    candidate_email=candidate.email,
                    org_slug=job.org_slug,
                    job_title=job.title,
                    source=source,
                    moves=moves,
                    times=times,
                    reasons=reasons,
                    recruiter=recruiter,
                    interviews=_interviews(rng, moves, times, team_size[job.org_slug], good, skill),
                    cover_letter=cover_letter,
                )
            )
    return applications


def build_plan(seed: int = DEFAULT_SEED) -> Plan:
    """The whole demo data set for ``seed``; the same seed always gives the same plan."""
    rng = random.Random(seed)  # noqa: S311 — reproducible demo data, not secrets
    extract = load_extract()
    jobs = _job_plans(rng, extract)
    candidates = _candidate_plans(rng, extract)
    applications = _application_plans(rng, jobs, candidates, extract)
    first_applied: dict[str, float] = {}
    for app in applications:
        first_applied[app.candidate_email] = max(first_applied.get(app.candidate_email, 0.0), app.times[0])
    for candidate in candidates:
        # Profiles exist before their first application.
        candidate.days_ago = first_applied.get(candidate.email, 0.0) + rng.uniform(0.5, 10.0)
    _self_identifications(random.Random(seed + SELF_IDENTIFICATION_SEED_OFFSET), candidates)  # noqa: S311
    return Plan(organizations=ORGANIZATIONS, jobs=jobs, candidates=candidates, applications=applications)


# Voluntary self-identification: a share of the candidates with a login answer, each question
# with its own chance of "declined"; the shares are roughly those of US applicant pools. Drawn
# from a random stream of its own, so the rest of the plan is the same with or without it. The
# answers are independent of everything else in the plan: the demo's hiring is fair by
# construction, and the adverse-impact report of the demo shows what chance alone does.
SELF_IDENTIFICATION_SEED_OFFSET = 7_919
SELF_IDENTIFICATION_SHARE = 0.7
SELF_IDENTIFICATION_WEIGHTS: dict[str, dict[str, float]] = {
    "gender": {"female": 0.46, "male": 0.46, "non_binary": 0.03, "declined": 0.05},
    "race_ethnicity": {
        "white": 0.52,
        "hispanic_latino": 0.16,
        "black": 0.12,
        "asian": 0.11,
        "two_or_more": 0.03,
        "pacific_islander": 0.01,
        "american_indian": 0.01,
        "declined": 0.04,
    },
    "veteran_status": {"not_veteran": 0.85, "protected_veteran": 0.05, "declined": 0.10},
    "disability_status": {"no": 0.78, "yes": 0.09, "declined": 0.13},
}


def _self_identifications(rng: random.Random, candidates: list[CandidatePlan]) -> None:
    for candidate in candidates:
        if not candidate.has_login or rng.random() >= SELF_IDENTIFICATION_SHARE:
            continue
        candidate.self_identification = {
            question: rng.choices(list(weights), list(weights.values()))[0]
            for question, weights in SELF_IDENTIFICATION_WEIGHTS.items()
        }


# ---------------------------------------------------------------------------------------
# Writing the plan through the services.
# ---------------------------------------------------------------------------------------

COUNTED_MODELS: tuple[tuple[str, type[models.Model]], ...] = (
    ("organizations", Organization),
    ("users", User),
    ("memberships", Membership),
    ("jobs", Job),
    ("candidates", Candidate),
    ("applications", Application),
    ("stage changes", StageChange),
    ("interviews", Interview),
    ("feedback", Feedback),
)


def count_rows() -> dict[str, int]:
    """How many rows each seeded model holds now."""
    return {label: model._default_manager.count() for label, model in COUNTED_MODELS}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    url: str


@dataclass
class SeedReport:
    before: dict[str, int]
    after: dict[str, int]
    logins: list[DemoLogin]
    seconds: float = 0.0

    @property
    def created(self) -> dict[str, int]:
        return {label: self.after[label] - self.before[label] for label in self.after}


class DemoSeeder:
    """Writes a :class:`Plan` through the services; see the module docstring."""

    def __init__(self, plan: Plan, *, log: Callable[[str], None] | None = None, base_url: str = BASE_URL) -> None:
        self.plan = plan
        self.log = log or (lambda message: None)
        self.base_url = base_url.rstrip("/")
        self.now = timezone.now()
        self.new_user_ids: list[int] = []
        self.teams: dict[str, list[User]] = {}
        # Each organization's limited seats: (hiring manager, interviewer).
        self.seats: dict[str, tuple[User, User]] = {}
        self.orgs: dict[str, Organization] = {}
        self.jobs: dict[tuple[str, str], Job] = {}
        self.rounds: dict[int, list[InterviewRound]] = {}  # job id → its plan's rounds
        self.new_jobs: set[tuple[str, str]] = set()
        self.candidates: dict[str, Candidate] = {}
        self._future_slot = 0
        self._backdated_changes: list[StageChange] = []
        self._backdated_applications: list[Application] = []
        self._backdated_interviews: list[Interview] = []
        self._parking_slot = 0

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def run(self) -> SeedReport:
        before = count_rows()
        with transaction.atomic():
            staff = self._staff()
            self._organizations()
            self._jobs()
            self._candidates()
            self._applications()
            self._write_backdates()
            self._close_jobs()
            self._set_demo_password()
            if self.new_jobs or self.new_user_ids:
                self._analytics_snapshot()
                # Committing runs what the new rows' events set off; on a first run that is
                # most of the time (every candidate matched against every job).
                self.log("matching candidates with jobs and writing notifications ...")
        admin, api = f"{self.base_url}/admin/", f"{self.base_url}/api/v1/"
        logins = [DemoLogin("platform staff (superuser)", staff.email, admin)]
        for org in self.plan.organizations:
            team = self.teams[org.slug]
            logins.append(DemoLogin(f"{org.name} admin", team[0].email, admin))
            logins.append(DemoLogin(f"{org.name} recruiter", team[1].email, admin))
            manager, interviewer = self.seats[org.slug]
            logins.append(DemoLogin(f"{org.name} hiring manager", manager.email, admin))
            logins.append(DemoLogin(f"{org.name} interviewer", interviewer.email, admin))
        with_login = [c for c in self.plan.candidates if c.has_login][:2]
        logins += [DemoLogin("candidate", c.email, api) for c in with_login]
        return SeedReport(before=before, after=count_rows(), logins=logins)

    def _analytics_snapshot(self) -> None:
        """The analytics' daily snapshots of the whole made-up history: beat writes only the
        last two days, and ``make run`` starts no beat."""
        first = stage_change_report_list(organization_ids=None).aggregate(first=Min("changed_at"))["first"]
        today = timezone.now().astimezone(UTC).date()
        self.log("writing the analytics snapshots ...")
        analytics_snapshot(since=first.astimezone(UTC).date() if first else today, until=today)

    # -- people ----------------------------------------------------------------------

    def _user(self, email: str, full_name: str, *, is_staff: bool = False) -> User:
        user = user_get_by_email(email=email)
        if user is None:
            # No password here: hashing hundreds of passwords one by one (PBKDF2) would take
            # minutes, so the demo password is hashed once and set on every new user at the end.
            user = user_create(email=email, password=None, full_name=full_name, is_staff=is_staff)
            self.new_user_ids.append(user.pk)
        return user

    def _staff(self) -> User:
        staff = self._user(STAFF_EMAIL, "HotGigs Staff", is_staff=True)
        if staff.pk in self.new_user_ids:
            # No service hands out superuser rights (only staff do that, in the admin); the
            # demo staff login needs them to manage users and permissions there.
            User.objects.filter(pk=staff.pk).update(is_superuser=True)
        return staff

    def _organizations(self) -> None:
        for spec in self.plan.organizations:
            team = team_emails(spec)
            # Creating the admin first lets onboarding give an existing user the seat, so
            # it does not generate (and slowly hash) a throwaway password.
            admin = self._user(*team[0])
            result = organization_onboard(
                name=spec.name,
                admin_email=admin.email,
                admin_name=admin.full_name,
                slug=spec.slug,
                website=spec.website,
            )
            members = [result.admin]
            for email, name in team[1:]:
                user = self._user(email, name)
                if not Membership.objects.filter(user=user, organization=result.organization).exists():
                    membership_set(user=user, organization=result.organization, role=MembershipRole.RECRUITER)
                members.append(user)
            self.orgs[spec.slug] = result.organization
            self.teams[spec.slug] = members
            self.seats[spec.slug] = (
                self._seat(result.organization, f"hiring.manager@{spec.slug}.{DEMO_DOMAIN}", "Morgan Hale", "manager"),
                self._seat(
                    result.organization, f"interviewer@{spec.slug}.{DEMO_DOMAIN}", "Riley Okafor", "interviewer"
                ),
            )
            self.log(f"organization {spec.slug}: {'created' if result.created else 'exists'}")

    def _seat(self, organization: Organization, email: str, name: str, kind: str) -> User:
        """A limited seat (hiring manager or interviewer) of the organization."""
        user = self._user(email, name)
        role = MembershipRole.HIRING_MANAGER if kind == "manager" else MembershipRole.INTERVIEWER
        if policies.seat_of(user_id=user.pk, organization_id=organization.pk) is None:
            membership_set(user=user, organization=organization, role=role)
        return user

    def _hiring_team(self, job: Job, index: int) -> None:
        """The first jobs of each organization get a hiring team: the hiring manager seat (whose
        approval their offers need), the interviewer seat and the job's creator as recruiter."""
        if index >= HIRING_TEAM_JOBS:
            return
        admin = self.teams[self._slug_of(job)][0]
        manager, interviewer = self.seats[self._slug_of(job)]
        hiring_team_set(actor=admin, job=job, user_id=manager.pk, role=HiringTeamRole.HIRING_MANAGER)
        hiring_team_set(actor=admin, job=job, user_id=interviewer.pk, role=HiringTeamRole.INTERVIEWER)
        if job.created_by_id is not None and job.created_by_id != manager.pk:
            hiring_team_set(actor=admin, job=job, user_id=job.created_by_id, role=HiringTeamRole.RECRUITER)

    def _slug_of(self, job: Job) -> str:
        return next(slug for slug, org in self.orgs.items() if org.pk == job.organization_id)

    def _jobs(self) -> None:
        created = 0
        per_org: dict[str, int] = {}
        for plan in self.plan.jobs:
            org = self.orgs[plan.org_slug]
            job = Job.objects.filter(organization=org, title=plan.title).first()
            if job is None:
                creator = self.teams[plan.org_slug][plan.creator]
                job = job_create(actor=creator, organization=org, **plan.data)
                update: dict[str, Any] = {"created_at": self.ago(plan.created_days_ago)}
                if plan.status != JobStatus.DRAFT:
                    job = job_open(actor=creator, job=job)
                    update["opened_at"] = self.ago(plan.created_days_ago - 1)
                # Publication dates are moved into the past so the history is believable.
                Job.objects.filter(pk=job.pk).update(**update)
                job.refresh_from_db()
                self.new_jobs.add((plan.org_slug, plan.title))
                created += 1
            self.jobs[(plan.org_slug, plan.title)] = job
            self.rounds[job.pk] = self._interview_plan(job, self.teams[plan.org_slug][plan.creator])
            # By the plan (not the job's current status), so a second run picks the same jobs.
            if plan.status != JobStatus.DRAFT:
                index = per_org.get(plan.org_slug, 0)
                per_org[plan.org_slug] = index + 1
                self._hiring_team(job, index)
        self.log(f"jobs: {created} created, {len(self.plan.jobs) - created} existed")

    def _interview_plan(self, job: Job, recruiter: User) -> list[InterviewRound]:
        rounds = list(interview_plan(job_id=job.pk))
        if rounds:
            return rounds
        specs = [
            RoundSpec(name=name, attributes=[AttributeSpec(a, d) for a, d in attributes])
            for name, attributes in DEMO_ROUNDS
        ]
        interview_plan_set(actor=recruiter, job=job, rounds=specs)
        return list(interview_plan(job_id=job.pk))

    def _candidates(self) -> None:
        created = 0
        for plan in self.plan.candidates:
            candidate = Candidate.objects.filter(email__iexact=plan.email).first()
            if candidate is None:
                if plan.has_login:
                    user = self._user(plan.email, plan.full_name)
                    candidate = candidate_create(actor=user, for_self=True, **plan.data)
                    if plan.self_identification is not None:
                        self_identification_set(actor=user, candidate=candidate, **plan.self_identification)
                    User.objects.filter(pk=user.pk).update(date_joined=self.ago(plan.days_ago))
                else:
                    slug, index = plan.sourced_by or (self.plan.organizations[0].slug, 0)
                    candidate = candidate_create(actor=self.teams[slug][index], for_self=False, **plan.data)
                Candidate.objects.filter(pk=candidate.pk).update(created_at=self.ago(plan.days_ago))
                created += 1
            self.candidates[plan.email] = candidate
        self.log(f"candidates: {created} created, {len(self.plan.candidates) - created} existed")

    # -- applications and interviews --------------------------------------------------

    def _applications(self) -> None:
        created = 0
        for plan in self.plan.applications:
            job = self.jobs[(plan.org_slug, plan.job_title)]
            candidate = self.candidates[plan.candidate_email]
            if job.status != JobStatus.OPEN or Application.objects.filter(job=job, candidate=candidate).exists():
                continue
            self._walk(plan, job, candidate)
            created += 1
        self.log(f"applications: {created} created, {len(self.plan.applications) - created} existed")

    def _rejection_reason_id(self, recruiter: User, organization_id: int, note: str) -> int:
        if not hasattr(self, "_reason_ids"):
            self._reason_ids: dict[tuple[int, str], int] = {}
        if not any(key[0] == organization_id for key in self._reason_ids):
            for reason in rejection_reason_list(actor=recruiter, organization_id=organization_id):
                self._reason_ids[(organization_id, reason.code)] = reason.pk
        code = next(
            (
                code
                for template, code in zip(REJECT_REASONS, REJECT_REASON_CODES, strict=True)
                if note.startswith(template.split("{", 1)[0])
            ),
            "other",
        )
        return self._reason_ids[(organization_id, code)]

    def _walk(self, plan: ApplicationPlan, job: Job, candidate: Candidate) -> None:
        team = self.teams[plan.org_slug]
        recruiter = team[plan.recruiter]
        submitter = candidate.user or recruiter
        application = application_submit(
            actor=submitter, job=job, candidate=candidate, source=plan.source, cover_letter=plan.cover_letter
        )
        interviews: list[tuple[Interview, InterviewPlan]] = []
        for stage, reason in zip(plan.moves, plan.reasons, strict=True):
            if stage == ApplicationStage.WITHDRAWN and candidate.user is not None:
                application = application_withdraw(actor=candidate.user, application=application, reason=reason)
            else:
                if stage == ApplicationStage.OFFER:
                    self._approve_offer(application, plan)
                application = application_move(
                    actor=recruiter,
                    application=application,
                    to_stage=stage,
                    reason=reason,
                    rejection_reason_id=(
                        self._rejection_reason_id(recruiter, job.organization_id, reason)
                        if stage == ApplicationStage.REJECTED
                        else None
                    ),
                )
            if stage == ApplicationStage.INTERVIEW:
                # Interviews are booked while the application is in the interview stage,
                # as the service requires.
                # The first interview is the plan's first round, the next the second, and so on.
                rounds = self.rounds[application.job_id]
                interviews = [
                    (self._interview(application, recruiter, iv, team, rounds[min(n, len(rounds) - 1)]), iv)
                    for n, iv in enumerate(plan.interviews)
                ]
        self._backdate(application, plan, interviews)

    def _approve_offer(self, application: Application, plan: ApplicationPlan) -> None:
        """An offer on a job with a hiring manager waits for their approval: they give it."""
        manager_id = hiring_manager_of(job_id=application.job_id)
        if manager_id is None:
            return
        manager = next(m for m, _ in self.seats.values() if m.pk == manager_id)
        offer_decide(actor=manager, application=application, decision=OfferDecision.APPROVE, comment="Go ahead.")

    def _interview(
        self,
        application: Application,
        recruiter: User,
        plan: InterviewPlan,
        team: list[User],
        plan_round: InterviewRound,
    ) -> Interview:
        interviewer_ids = [team[index].pk for index in plan.interviewers]
        # The interviewer seat sits on the upcoming interviews of the jobs whose team it is on
        # (its "My interviews"); past ones keep the plan's panel, whose feedback the plan has.
        seat = self.seats[self._slug_of(application.job)][1]
        if plan.status == InterviewStatus.SCHEDULED and application.job_id in hiring_teams_of_user(seat.pk):
            interviewer_ids.append(seat.pk)
        city, tz_name = next((c for c in CITIES if c[0] == application.job.location), CITIES[0])
        place: dict[str, Any] = {"tz_name": tz_name, "round_id": plan_round.pk}
        if plan.kind == InterviewKind.VIDEO:
            place["meeting_url"] = f"https://meet.example.com/hotgigs-{application.pk}-{self._future_slot}"
        elif plan.kind == InterviewKind.ONSITE:
            place["location"] = f"{application.job.organization.name}, {city}"
        duration = timedelta(minutes=plan.minutes)

        if plan.status == InterviewStatus.COMPLETED:
            # The service books only future times, so a past interview is booked in a far
            # "parking" slot and then moved into the past with .update().
            self._parking_slot += 1
            starts = self.now + timedelta(days=400, hours=self._parking_slot)
            interview = interview_schedule(
                actor=recruiter,
                application=application,
                kind=plan.kind,
                starts_at=starts,
                ends_at=starts + duration,
                interviewer_ids=interviewer_ids,
                **place,
            )
            starts = self.ago(plan.days_ago)
            Interview.objects.filter(pk=interview.pk).update(starts_at=starts, ends_at=starts + duration)
            interview = interview_record_outcome(actor=recruiter, interview=interview, status=InterviewStatus.COMPLETED)
            submitted = starts + duration + min(timedelta(hours=3), (self.now - starts - duration) / 2)
            attributes = list(plan_round.attributes.all())
            for index, rating, note in zip(plan.interviewers, plan.ratings, plan.notes, strict=True):
                base = ATTRIBUTE_SCORE_BY_RATING[rating]
                feedback = feedback_submit(
                    actor=team[index],
                    interview=interview,
                    rating=rating,
                    recommendation=RECOMMENDATION_BY_RATING[rating],
                    notes=note,
                    ratings=[
                        AttributeRating(a.pk, min(4, max(1, base + (n + index) % 3 - 1)))
                        for n, a in enumerate(attributes)
                    ],
                )
                Feedback.objects.filter(pk=feedback.pk).update(submitted_at=submitted)
            return interview

        interview = self._book_future(application, recruiter, plan, interviewer_ids, duration, place)
        if plan.status == InterviewStatus.CANCELLED:
            interview = interview_cancel(actor=recruiter, interview=interview, reason="Interviewer unavailable.")
        return interview

    def _book_future(
        self,
        application: Application,
        recruiter: User,
        plan: InterviewPlan,
        interviewer_ids: list[int],
        duration: timedelta,
        place: dict[str, Any],
    ) -> Interview:
        # Working-day slots, 90 minutes apart, so the demo's own bookings never overlap;
        # a clash with someone else's booking just moves on to the next slot.
        first_day = (self.now + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
        for _attempt in range(200):
            slot = self._future_slot
            self._future_slot += 1
            starts = first_day + timedelta(days=slot // 6, minutes=90 * (slot % 6))
            try:
                return interview_schedule(
                    actor=recruiter,
                    application=application,
                    kind=plan.kind,
                    starts_at=starts,
                    ends_at=starts + duration,
                    interviewer_ids=interviewer_ids,
                    **place,
                )
            except InterviewerBusy:
                continue
        raise RuntimeError("No free interview slot found for the demo data.")

    def _backdate(
        self, application: Application, plan: ApplicationPlan, interviews: list[tuple[Interview, InterviewPlan]]
    ) -> None:
        # The services stamp every change "now"; spread the history over the past weeks,
        # keeping its order (times are strictly decreasing days-ago). Collected here and
        # written in bulk by _write_backdates().
        changes = list(StageChange.objects.filter(application=application).order_by("id").only("pk"))
        for change, days_ago in zip(changes, plan.times, strict=True):
            change.changed_at = self.ago(days_ago)
            self._backdated_changes.append(change)
        application.created_at = self.ago(plan.times[0])
        application.stage_changed_at = application.updated_at = self.ago(plan.times[-1])
        self._backdated_applications.append(application)
        if ApplicationStage.INTERVIEW in plan.moves:
            booked = self.ago(plan.times[plan.moves.index(ApplicationStage.INTERVIEW) + 1]) + timedelta(hours=2)
            for interview, _ in interviews:
                interview.created_at = min(booked, interview.starts_at)
                self._backdated_interviews.append(interview)

    def _write_backdates(self) -> None:
        # bulk_update writes the values as given (auto_now fields are not re-stamped).
        StageChange.objects.bulk_update(self._backdated_changes, ["changed_at"], batch_size=500)
        Application.objects.bulk_update(
            self._backdated_applications, ["created_at", "stage_changed_at", "updated_at"], batch_size=500
        )
        Interview.objects.bulk_update(self._backdated_interviews, ["created_at"], batch_size=500)

    def _close_jobs(self) -> None:
        for plan in self.plan.jobs:
            key = (plan.org_slug, plan.title)
            if plan.status == JobStatus.CLOSED and key in self.new_jobs:
                job = self.jobs[key]
                job = job_close(actor=self.teams[plan.org_slug][plan.creator], job=job)
                Job.objects.filter(pk=job.pk).update(closed_at=self.ago(plan.closed_days_ago))

    def _set_demo_password(self) -> None:
        if self.new_user_ids:
            password = make_password(settings.HOTGIGS_DEMO_PASSWORD)
            User.objects.filter(pk__in=self.new_user_ids).update(password=password)


def seed_demo(
    *, seed: int = DEFAULT_SEED, log: Callable[[str], None] | None = None, base_url: str = BASE_URL
) -> SeedReport:
    """Create the demo data set for ``seed`` if it is not there yet; report what exists.

    The demo's made-up history sends no email (its in-app notifications are kept): its
    events are dispatched here, muted, instead of by a worker afterwards, which would email
    every demo user.
    """
    started = timezone.now()
    with emails_muted():
        report = DemoSeeder(build_plan(seed), log=log, base_url=base_url).run()
        events_dispatch_due_now()
    report.seconds = (timezone.now() - started).total_seconds()
    return report
