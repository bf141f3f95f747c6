"""The Django side of bench/soak: tokens and fresh candidate-job pairs, printed as JSON.

    python bench/soak/django_side.py PAIRS SOCKETS OUT

Writes {"recruiter": token, "pairs": [[token, job_id], ...], "sockets": [token, ...]} to OUT.
Tokens are issued without hashing a password; the server's token lifetime must outlast the run.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotgigs.settings")

import django

django.setup()

from applications.models import Application  # noqa: E402
from candidates.models import Candidate  # noqa: E402
from hotgigs.accounts.models import Membership  # noqa: E402
from hotgigs.accounts.tokens import token_issue_for_user  # noqa: E402
from jobs.models import Job  # noqa: E402


def main(pairs_needed: int, sockets_needed: int, out: str) -> None:
    admin = Membership.objects.filter(role="org_admin").select_related("user").order_by("id").first()
    assert admin is not None, "seed_demo first"
    recruiter = token_issue_for_user(user=admin.user, device_id="bench-soak").access_token  # type: ignore[arg-type]
    open_jobs = list(Job.objects.filter(status="open").values_list("id", flat=True).order_by("id"))
    taken = set(Application.objects.values_list("candidate_id", "job_id"))
    pairs: list[list[object]] = []
    sockets: list[str] = []
    for candidate in Candidate.objects.filter(user__isnull=False).select_related("user").order_by("id"):
        token = token_issue_for_user(user=candidate.user, device_id="bench-soak").access_token  # type: ignore[arg-type]
        if len(sockets) < sockets_needed:
            sockets.append(token)
        for job_id in open_jobs:
            if len(pairs) >= pairs_needed:
                break
            if (candidate.pk, job_id) not in taken:
                pairs.append([token, job_id])
        if len(pairs) >= pairs_needed and len(sockets) >= sockets_needed:
            break
    Path(out).write_text(json.dumps({"recruiter": recruiter, "pairs": pairs, "sockets": sockets}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
