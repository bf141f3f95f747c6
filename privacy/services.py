"""Data-subject requests: the export of everything held about a candidate, and erasure with a receipt.

**Export** (:func:`personal_data_export`): one JSON document of the profile, skills, consents,
voluntary self-identification (theirs: only ever in their own export), resumes (metadata,
extracted text and where to get each file), applications and their stage history, interviews
(times, kind, place, status), the login's notifications: the person's own data, never the hiring team's notes, feedback or free-text reasons. The same document for the
candidate's API, the staff command and the back office's action; each export is written to the
audit log.

**Erasure** (:func:`candidate_erase`): one transaction removes the personal data (the profile's
name, contact, texts, skills, consents, self-identification, resumes and their files once it
commits; cover letters, match scores and receipts, the team's reasons on moves, notes, written feedback, cancellation
reasons; the login's notifications and emails, and the login itself when it is only the
candidate's) and keeps the anonymous facts the analytics are made of: the profile row (as
"Erased candidate"), its applications' job, stage, source and times, every stage change and
its time, interviews' times and outcomes. A receipt (:class:`privacy.models.ErasureReceipt`)
records when, by whom, at whose request and how much of each kind, never the data; the audit
log and ``candidate.erased`` (internal) record it too. The candidate may erase their own data
at once (there is no queue: the request is the instruction, and staff cannot refuse it); staff
erase on a person's request.

Both decide who may (``policies.may_export_candidate`` / ``may_erase_candidate``) and then read
or write as the system, since a person's data spans organizations whose rows only the system
sees at once.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from activity.services import notes_personal_data_erase
from applications.selectors import applications_personal_data
from applications.services import applications_personal_data_erase
from candidates.selectors import candidate_personal_data
from candidates.services.profiles import candidate_personal_data_erase
from hotgigs import tenancy
from hotgigs.accounts import policies
from hotgigs.accounts.services import user_personal_data_erase
from hotgigs.audit.choices import AccessAction, AccessChannel
from hotgigs.audit.services import access_record
from hotgigs.errors import Forbidden
from hotgigs.events import catalogue
from hotgigs.events.outbox import record
from hotgigs.notifications.selectors import notification_list
from hotgigs.notifications.services import notifications_personal_data_erase
from interviews.selectors import interviews_personal_data
from interviews.services import interviews_personal_data_erase
from privacy.models import ErasureReceipt

if TYPE_CHECKING:
    from candidates.models import Candidate
    from hotgigs.accounts.models import User

EXPORT_FORMAT = "hotgigs.personal-data/1"


def export_json(document: dict[str, Any]) -> str:
    """The export as the command and the back office write it (the API renders the same data)."""
    return json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _resume_link(candidate_id: int, resume_id: int) -> str:
    # The API route that hands out a short-lived download link for the file (to whoever may see it).
    return reverse("v1:candidate-resume-link", kwargs={"pk": candidate_id, "resume_id": resume_id})


def personal_data_export(*, actor: User, candidate: Candidate, channel: AccessChannel) -> dict[str, Any]:
    """Everything held about the candidate, as one JSON-ready document (see the module docstring).

    The person themself or staff (Forbidden otherwise). The export is written to the audit log.
    """
    if not policies.may_export_candidate(actor, candidate_user_id=candidate.user_id):
        raise Forbidden("Only the person themself or staff may export a candidate's data.")
    with tenancy.system("data-subject export"), transaction.atomic():
        held = candidate_personal_data(candidate_id=candidate.pk)
        for resume in held["resumes"]:
            resume["download"] = _resume_link(candidate.pk, resume["id"])
        user = candidate.user
        account = notifications = None
        if user is not None:
            account = {"email": user.email, "full_name": user.full_name, "date_joined": user.date_joined}
            notifications = list(
                notification_list(actor=user).values("kind", "payload", "created_at", "read_at").order_by("created_at")
            )
        document = {
            "format": EXPORT_FORMAT,
            "generated_at": timezone.now(),
            "candidate_id": candidate.pk,
            "account": account,
            **held,
            "applications": applications_personal_data(candidate_id=candidate.pk),
            "interviews": interviews_personal_data(candidate_id=candidate.pk),
            "notifications": notifications or [],
        }
        access_record(actor=actor, candidate_id=candidate.pk, action=AccessAction.EXPORTED, channel=channel)
    return document


@transaction.atomic
def candidate_erase(*, actor: User, candidate: Candidate, channel: AccessChannel) -> ErasureReceipt:
    """Erase the candidate's personal data and keep the anonymous facts (see the module docstring).

    The person themself (at once) or staff (Forbidden otherwise); CandidateAlreadyErased for a
    profile erased before (nothing changes). Answers the receipt. Files leave storage once the
    transaction commits, so a rolled-back erasure keeps them.
    """
    if not policies.may_erase_candidate(actor, candidate_user_id=candidate.user_id):
        raise Forbidden("Only the person themself or staff may erase a candidate's data.")
    self_request = policies.is_self(actor, candidate.user_id)
    actor_id, actor_email = actor.pk, actor.email
    with tenancy.system("erasure of a candidate's personal data"):
        counts, user_id = candidate_personal_data_erase(candidate_id=candidate.pk)
        counts |= applications_personal_data_erase(candidate_id=candidate.pk)
        counts |= interviews_personal_data_erase(candidate_id=candidate.pk)
        counts |= notes_personal_data_erase(candidate_id=candidate.pk)
        if user_id is not None:
            counts |= notifications_personal_data_erase(user_id=user_id)
            counts |= user_personal_data_erase(user_id=user_id)
        receipt = ErasureReceipt.objects.create(
            candidate_id=candidate.pk,
            erased_at=timezone.now(),
            erased_by_id=None if self_request else actor_id,
            erased_by_email="" if self_request else actor_email,
            requested_by_candidate=self_request,
            channel=channel,
            counts=counts,
        )
        access_record(
            actor=None if self_request else actor,
            candidate_id=candidate.pk,
            action=AccessAction.ERASED,
            channel=channel,
            detail=f"receipt {receipt.pk}",
        )
        record(catalogue.CANDIDATE_ERASED, data={"candidate_id": candidate.pk, "receipt_id": receipt.pk})
    return receipt
