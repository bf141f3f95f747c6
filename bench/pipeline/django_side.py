"""The Django half of bench/pipeline/run.py: seeds the database and reads the delivery log.

django_side.py seed N OUT     one organization with one recruiter, 10 open jobs, N candidates
                              with a login and no application; access tokens; JSON to OUT
django_side.py report OUT     the email delivery rows and webhook delivery rows, JSON to OUT
"""

import json
import os
import sys
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotgigs.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.utils import timezone  # noqa: E402

from candidates.models import Candidate  # noqa: E402
from hotgigs.accounts.models import Membership, Organization, User  # noqa: E402
from hotgigs.accounts.tokens import token_issue_for_user  # noqa: E402
from hotgigs.notifications.models import EmailDelivery  # noqa: E402
from hotgigs.webhooks.models import WebhookDelivery  # noqa: E402
from jobs.models import Job  # noqa: E402

JOBS = 10
EMAIL = "bench-pipe-{}@example.test"


def seed(count: int, out: str) -> None:
    unusable = make_password(None)
    org = Organization.objects.create(slug="bench-pipeline", name="Bench Pipeline")
    recruiter = User.objects.create(email="bench-pipe-recruiter@example.test", full_name="Bench Recruiter")
    recruiter.set_unusable_password()
    recruiter.save(update_fields=["password"])
    Membership.objects.create(user=recruiter, organization=org, role="org_admin")
    now = timezone.now()
    jobs = Job.objects.bulk_create(
        [
            Job(
                organization=org,
                title=f"Pipeline role {i}",
                description="A role of the pipeline benchmark.",
                created_by=recruiter,
                status="open",
                opened_at=now,
            )
            for i in range(JOBS)
        ]
    )
    users = User.objects.bulk_create(
        [User(email=EMAIL.format(i), full_name=f"Bench Candidate {i}", password=unusable) for i in range(count)]
    )
    Candidate.objects.bulk_create([Candidate(user=u, full_name=u.full_name, email=u.email) for u in users])
    applicants = [
        {
            "email": user.email,
            "job_id": jobs[i % JOBS].pk,
            "token": token_issue_for_user(user=user, device_id="bench-pipe").access_token,
        }
        for i, user in enumerate(users)
    ]
    Path(out).write_text(
        json.dumps(
            {
                "organization_id": org.pk,
                "recruiter_email": recruiter.email,
                "recruiter_token": token_issue_for_user(user=recruiter, device_id="bench-pipe").access_token,
                "applicants": applicants,
            }
        )
    )


def report(out: str) -> None:
    emails = list(EmailDelivery.objects.values("kind", "status", "attempts"))
    webhooks = list(WebhookDelivery.objects.values("status", "attempts"))
    Path(out).write_text(json.dumps({"emails": emails, "webhooks": webhooks}))


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "seed":
        seed(int(rest[0]), rest[1])
    elif command == "report":
        report(rest[0])
    else:
        raise SystemExit(f"unknown command {command!r}")
