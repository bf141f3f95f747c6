"""Writes of a candidate's voluntary self-identification: set (all four answers at once) and withdraw.

Only the person themself (``policies.may_self_identify``): not their organizations, not staff.
The answers live in their own table (``candidates.models.SelfIdentification``), never on the
profile; nothing else reacts to them (no event: no recruiter, webhook, ranking or matching may
learn that they changed). Erasure deletes the row with the rest of the person's data
(``candidate_personal_data_erase``).
"""

from django.db import transaction

from candidates.models import Candidate, SelfIdentification
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.errors import Forbidden


def _require_self(actor: User, candidate: Candidate) -> None:
    if not policies.may_self_identify(actor, candidate_user_id=candidate.user_id):
        raise Forbidden("Only the candidate themself may state or withdraw their self-identification.")


@transaction.atomic
def self_identification_set(
    *, actor: User, candidate: Candidate, gender: str, race_ethnicity: str, veteran_status: str, disability_status: str
) -> SelfIdentification:
    """Record the candidate's answers (each one of its choices, ``declined`` included), replacing
    earlier ones. The candidate themself only (Forbidden otherwise, nothing changed); the values
    were checked against their choices by the caller's input (the table's constraints refuse any
    other)."""
    _require_self(actor, candidate)
    row, _ = SelfIdentification.objects.update_or_create(
        candidate=candidate,
        defaults={
            "gender": gender,
            "race_ethnicity": race_ethnicity,
            "veteran_status": veteran_status,
            "disability_status": disability_status,
        },
    )
    return row


@transaction.atomic
def self_identification_withdraw(*, actor: User, candidate: Candidate) -> bool:
    """Delete the candidate's answers; True when there were some. The candidate themself only
    (Forbidden otherwise). The monitor then counts them as not provided."""
    _require_self(actor, candidate)
    deleted, _ = SelfIdentification.objects.filter(candidate=candidate).delete()
    return bool(deleted)
