"""The Django half of bench/realtime/run.py, run in its own processes (never in the client's).

    django_side.py seed N OUT          N candidates with a login, one application each to one open
                                       job of one organization, all back in ``applied``; an access
                                       token for each and for the recruiter; writes JSON to OUT
    django_side.py events PLAN OUT     publishes application events through the realtime layer
                                       alone (outbox, per-group lock, push), to the audience a
                                       move has (organization, application, candidate), paced
    django_side.py publish PLAN OUT    moves applications through the services at paced times;
                                       writes, per move, the commit time and the service time
    django_side.py broadcast PLAN OUT  renames the open job (a job-board event) at paced times

Commit times are taken by an ``on_commit`` callback registered before the service runs, so it
fires right after COMMIT and before the event's own callback pushes it to the channel layer:
latency measured from it includes the push.
"""

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotgigs.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Application, StageChange  # noqa: E402
from applications.services import application_event_data, application_move  # noqa: E402
from candidates.models import Candidate  # noqa: E402
from hotgigs.accounts.models import Membership, Organization, User  # noqa: E402
from hotgigs.accounts.tokens import token_issue_for_user  # noqa: E402
from hotgigs.events import catalogue, registry  # noqa: E402
from hotgigs.realtime.events import (  # noqa: E402
    group_for_application,
    group_for_organization,
    group_for_user,
    publish_on_commit,
)
from jobs.models import Job  # noqa: E402
from jobs.services import job_update  # noqa: E402

ORG_SLUG = "bench-realtime"
EMAIL = "bench-rt-{}@example.test"


def seed(count: int, out: str) -> None:
    unusable = make_password(None)
    org, _ = Organization.objects.get_or_create(slug=ORG_SLUG, defaults={"name": "Bench Realtime"})
    recruiter, _ = User.objects.get_or_create(
        email="bench-rt-recruiter@example.test", defaults={"full_name": "Bench Recruiter", "password": unusable}
    )
    Membership.objects.get_or_create(user=recruiter, organization=org, defaults={"role": "recruiter"})
    job = Job.objects.filter(organization=org).order_by("id").first() or Job.objects.create(
        organization=org, title="Broadcast 0", description="Realtime benchmark job.", created_by=recruiter
    )
    Job.objects.filter(pk=job.pk).update(status="open", opened_at=timezone.now())

    existing = set(User.objects.filter(email__startswith="bench-rt-").values_list("email", flat=True))
    User.objects.bulk_create(
        [
            User(email=EMAIL.format(i), full_name=f"Bench Candidate {i}", password=unusable)
            for i in range(count)
            if EMAIL.format(i) not in existing
        ]
    )
    users = {u.email: u for u in User.objects.filter(email__in=[EMAIL.format(i) for i in range(count)])}
    has_profile = set(Candidate.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
    Candidate.objects.bulk_create(
        [Candidate(user=u, full_name=u.full_name, email=u.email) for u in users.values() if u.pk not in has_profile]
    )
    candidates = {c.user_id: c for c in Candidate.objects.filter(user__in=users.values())}
    applied = set(Application.objects.filter(job=job).values_list("candidate_id", flat=True))
    now = timezone.now()
    Application.objects.bulk_create(
        [
            Application(job=job, candidate=c, stage="applied", stage_changed_at=now, created_by=recruiter)
            for c in candidates.values()
            if c.pk not in applied
        ]
    )
    # Every run starts from the same state: applications in ``applied``, an empty outbox.
    apps = Application.objects.filter(job=job)
    StageChange.objects.filter(application__in=apps).exclude(to_stage="applied").delete()
    apps.update(stage="applied", stage_changed_at=now)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE realtime_outboxeventgroup, realtime_outboxevent, realtime_notification")
    by_candidate = dict(apps.values_list("candidate_id", "id"))
    sockets = []
    for i in range(count):
        user = users[EMAIL.format(i)]
        token = token_issue_for_user(user=user, device_id="bench-rt").access_token
        sockets.append({"user_id": user.pk, "application_id": by_candidate[candidates[user.pk].pk], "token": token})
    Path(out).write_text(
        json.dumps(
            {
                "organization_id": org.pk,
                "recruiter_id": recruiter.pk,
                "recruiter_token": token_issue_for_user(user=recruiter, device_id="bench-rt").access_token,
                "job_id": job.pk,
                "sockets": sockets,
            }
        )
    )


def _stamp(into: list[float]) -> None:
    into.append(time.time())


def _paced(plan: dict[str, Any], run: Any) -> None:
    """Run ``run(item)`` for each item at ``start + at``; record commit and service times."""
    start = plan["start"]
    records = []
    for item in plan["items"]:
        delay = start + item["at"] - time.time()
        if delay > 0:
            time.sleep(delay)
        stamp: list[float] = []

        def stamp_commit(into: list[float] = stamp) -> None:
            _stamp(into)

        began = time.perf_counter()
        with transaction.atomic():
            transaction.on_commit(stamp_commit, robust=True)
            run(item)
        records.append({**item, "commit": stamp[0], "service_s": time.perf_counter() - began})
    Path(plan["out"]).write_text(json.dumps(records))


def events(plan_path: str, out: str) -> None:
    """Publish application events through the realtime layer alone, to a move's audience."""
    plan = {**json.loads(Path(plan_path).read_text()), "out": out}
    audience = {a.pk: a for a in Application.objects.filter(pk__in={i["application_id"] for i in plan["items"]})}
    # These events are made up: they go to the sockets only. The domain's worker subscribers
    # (notifications, webhooks, scoring) would act on moves that never happened, and fail for
    # want of the stage change they name, inside the timed transaction.
    for subscriber in registry.worker_subscribers():
        registry.unregister(subscriber.name)

    def push(item: dict[str, Any]) -> None:
        application = audience[item["application_id"]]
        publish_on_commit(
            channel="application_status",
            type=catalogue.APPLICATION_STAGE_CHANGED,
            data={**application_event_data(application), "stage": item["stage"]},
            groups=[
                group_for_organization(item["organization_id"]),
                group_for_application(application.pk),
                group_for_user(item["user_id"]),
            ],
        )

    _paced(plan, push)


def publish(plan_path: str, out: str) -> None:
    plan = {**json.loads(Path(plan_path).read_text()), "out": out}
    recruiter = User.objects.get(pk=plan["recruiter_id"])
    applications = {a.pk: a for a in Application.objects.filter(pk__in={i["application_id"] for i in plan["items"]})}

    def move(item: dict[str, Any]) -> None:
        application_move(actor=recruiter, application=applications[item["application_id"]], to_stage=item["stage"])

    _paced(plan, move)


def broadcast(plan_path: str, out: str) -> None:
    plan = {**json.loads(Path(plan_path).read_text()), "out": out}
    recruiter = User.objects.get(pk=plan["recruiter_id"])
    job = Job.objects.get(pk=plan["job_id"])
    # A deployment hands the re-ranking a job edit asks for to a Celery worker; here it would
    # run in this process and take the CPU the fan-out is measured on, so its subscriber is off.
    registry.unregister("jobs.rank")

    def rename(item: dict[str, Any]) -> None:
        job_update(actor=recruiter, job=job, title=item["title"])

    _paced(plan, rename)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "seed":
        seed(int(args[0]), args[1])
    elif command == "events":
        events(*args)
    elif command == "publish":
        publish(*args)
    elif command == "broadcast":
        broadcast(*args)
    else:
        raise SystemExit(f"unknown command {command}")
