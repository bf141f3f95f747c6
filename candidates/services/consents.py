"""Writes of candidates' consents: give and withdraw, per purpose, with the wording's version.

A consent row records the purpose, the version of the text agreed to, when and where it was
given, and when and where it was withdrawn; rows are kept (the history), at most one holds
per purpose. The talent-pool consent is what puts a profile in discovery and matching:
giving it makes the profile ``discoverable``, withdrawing it hides the profile from both in the
same transaction (``candidates.selectors.candidate_shared_with`` also requires it, so a
profile never shows up there without it). The application-processing consent is mirrored in
``Candidate.consent_at``. Each change records ``candidate.profile_changed`` (ranking follows).
"""

from django.db import transaction
from django.utils import timezone

from candidates.choices import CONSENT_TEXTS, ConsentPurpose, ConsentSource
from candidates.errors import InvalidConsent
from candidates.models import Candidate, Consent
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.errors import Forbidden
from hotgigs.events import catalogue
from hotgigs.events.outbox import record


def current_text_version(purpose: str) -> str:
    """The version of the wording a consent to ``purpose`` is given to today."""
    return CONSENT_TEXTS[purpose][0]


def apply_consent(
    candidate: Candidate, *, purpose: str, given: bool, source: str, text_version: str | None = None
) -> Consent | None:
    """Give or withdraw one consent of a locked profile, and keep the profile's mirror fields in
    step (``discoverable`` for the talent pool, ``consent_at`` for application processing). No
    access check: the callers (the services of this app) made it. Giving again to the same
    version (or to none named) keeps the holding row; to another named version withdraws it
    and records the new one.
    Withdrawing what does not hold changes nothing and returns None. The caller saves the
    profile."""
    now = timezone.now()
    holding = (
        Consent.objects.select_for_update().filter(candidate=candidate, purpose=purpose, withdrawn_at=None).first()
    )
    result: Consent | None = holding
    if given:
        version = text_version or current_text_version(purpose)
        # A yes without a version (the profile's answers) keeps what holds, whatever its wording.
        if holding is None or (text_version is not None and holding.text_version != version):
            if holding is not None:
                Consent.objects.filter(pk=holding.pk).update(withdrawn_at=now, withdrawn_source=source)
            result = Consent.objects.create(
                candidate=candidate, purpose=purpose, text_version=version, given_at=now, given_source=source
            )
    elif holding is not None:
        Consent.objects.filter(pk=holding.pk).update(withdrawn_at=now, withdrawn_source=source)
        holding.refresh_from_db()
    if purpose == ConsentPurpose.TALENT_POOL:
        candidate.discoverable = given
    elif purpose == ConsentPurpose.APPLICATION_PROCESSING:
        candidate.consent_at = result.given_at if given and result is not None else None
    return result


def _require_may_change(actor: User, candidate: Candidate) -> None:
    if not policies.may_edit_candidate(
        actor, candidate_user_id=candidate.user_id, organization_id=candidate.organization_id
    ):
        raise Forbidden("You may not change this candidate's consents.")


@transaction.atomic
def consent_give(
    *, actor: User, candidate: Candidate, purpose: str, text_version: str, source: str = ConsentSource.API
) -> Consent:
    """Record that the candidate agrees to ``purpose`` in the wording ``text_version``.

    Only today's version of the wording may be agreed to (InvalidConsent otherwise, nothing
    changed). The candidate themself, staff, or the organization that sourced a profile without
    a login (Forbidden otherwise). Giving the talent-pool consent makes the profile discoverable.
    """
    _require_may_change(actor, candidate)
    if text_version != current_text_version(purpose):
        raise InvalidConsent(
            details={"text_version": [f"Consent is given to the current wording, {current_text_version(purpose)}."]}
        )
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    consent = apply_consent(candidate, purpose=purpose, given=True, source=source, text_version=text_version)
    candidate.save(update_fields=["discoverable", "consent_at", "updated_at"])
    record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": candidate.pk})
    assert consent is not None  # noqa: S101 - giving always leaves a holding row
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: User, candidate: Candidate, purpose: str, source: str = ConsentSource.API
) -> Consent | None:
    """Withdraw the candidate's consent to ``purpose`` (None when none held: nothing changes).

    Withdrawing the talent-pool consent takes the profile out of discovery and matching at once
    (it is no longer ``discoverable``). Who may: as :func:`consent_give`.
    """
    _require_may_change(actor, candidate)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    consent = apply_consent(candidate, purpose=purpose, given=False, source=source)
    if consent is None:
        return None
    candidate.save(update_fields=["discoverable", "consent_at", "updated_at"])
    record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": candidate.pk})
    return consent
