# mypy: disable-error-code="attr-defined,arg-type,misc"
"""Consent records: per purpose and wording, given and withdrawn; the talent pool decides discovery and matching."""

import importlib

import pytest
from django.apps import apps as live_apps
from django.db import DatabaseError, connection, transaction

from applications.matching import candidate_pool
from applications.models import Match
from applications.selectors import match_list
from candidates.choices import CONSENT_TEXTS
from candidates.models import Candidate, Consent
from candidates.selectors import candidate_list
from candidates.services.profiles import candidate_update
from hotgigs import tenancy
from hotgigs.accounts import policies
from hotgigs.events.models import OutboxEvent
from tests.conftest import require_service
from tests.factories import CandidateFactory

VERSION = CONSENT_TEXTS["talent_pool"][0]


@pytest.fixture
def pooled(db):  # type: ignore[no-untyped-def]
    """A self-registered profile in the talent pool (discoverable, with the consent)."""
    return CandidateFactory(discoverable=True)


def test_the_candidate_reads_the_wordings_and_their_history(login, pooled) -> None:
    body = login(pooled.user).get("/api/v1/candidates/me/consents").json()

    assert {p["purpose"]: p["holds"] for p in body["purposes"]} == {
        "application_processing": False,
        "talent_pool": True,
    }
    assert [(c["purpose"], c["text_version"], c["withdrawn_at"]) for c in body["history"]] == [
        ("talent_pool", VERSION, None)
    ]


def test_giving_a_consent_records_purpose_version_time_and_source(login, candidate) -> None:
    response = login(candidate.user).post(
        "/api/v1/candidates/me/consents",
        {"purpose": "application_processing", "text_version": CONSENT_TEXTS["application_processing"][0]},
        format="json",
    )

    assert response.status_code == 201
    consent = Consent.objects.get(candidate=candidate)
    assert (consent.purpose, consent.given_source, consent.withdrawn_at) == ("application_processing", "api", None)
    candidate.refresh_from_db()
    assert candidate.consent_at == consent.given_at


def test_withdrawing_the_talent_pool_hides_the_profile_from_discovery_at_once(login, recruiter, pooled) -> None:
    assert candidate_list(actor=recruiter).filter(pk=pooled.pk).exists()

    response = login(pooled.user).post(
        "/api/v1/candidates/me/consents/withdraw", {"purpose": "talent_pool"}, format="json"
    )

    assert response.status_code == 200
    assert {p["purpose"]: p["holds"] for p in response.json()["purposes"]}["talent_pool"] is False
    assert not candidate_list(actor=recruiter).filter(pk=pooled.pk).exists()
    assert login(recruiter).get(f"/api/v1/candidates/{pooled.pk}").status_code == 404
    pooled.refresh_from_db()
    assert pooled.discoverable is False
    assert Consent.objects.get(candidate=pooled).withdrawn_source == "api"


def test_withdrawing_the_talent_pool_takes_the_profile_out_of_matching(pooled, recruiter, open_job) -> None:
    Match.objects.create(
        job=open_job,
        candidate=pooled,
        score=80,
        provider="test",
        model_version="1",
        input_hash="x",
        computed_at=open_job.created_at,
    )
    assert candidate_pool(open_job).filter(pk=pooled.pk).exists()
    assert match_list(actor=recruiter).filter(candidate=pooled).exists()

    Consent.objects.filter(candidate=pooled).update(withdrawn_at=open_job.created_at)

    assert not candidate_pool(open_job).filter(pk=pooled.pk).exists()
    assert not match_list(actor=recruiter).filter(candidate=pooled).exists()


def test_discoverable_without_the_consent_is_not_in_discovery(recruiter) -> None:
    candidate = CandidateFactory()
    Candidate.objects.filter(pk=candidate.pk).update(discoverable=True)

    assert not candidate_list(actor=recruiter).filter(pk=candidate.pk).exists()


def test_opting_in_on_the_profile_records_the_talent_pool_consent(candidate, recruiter) -> None:
    candidate_update(actor=candidate.user, candidate=candidate, discoverable=True)

    consent = Consent.objects.get(candidate=candidate)
    assert (consent.purpose, consent.text_version, consent.given_source) == ("talent_pool", VERSION, "api")
    assert candidate_list(actor=recruiter).filter(pk=candidate.pk).exists()


def test_saving_the_profile_again_keeps_an_older_wording_that_holds(pooled) -> None:
    Consent.objects.filter(candidate=pooled).update(text_version="legacy")

    candidate_update(actor=pooled.user, candidate=pooled, discoverable=True, headline="Lead")

    assert list(Consent.objects.filter(candidate=pooled).values_list("text_version", "withdrawn_at")) == [
        ("legacy", None)
    ]


def test_giving_again_changes_nothing(login, pooled) -> None:
    client = login(pooled.user)

    client.post("/api/v1/candidates/me/consents", {"purpose": "talent_pool", "text_version": VERSION}, format="json")

    assert Consent.objects.filter(candidate=pooled).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"purpose": "marketing", "text_version": VERSION}, "purpose"),
        ({"purpose": "talent_pool", "text_version": "1999-01"}, "text_version"),
        ({"purpose": "talent_pool"}, "text_version"),
        ({"purpose": "talent_pool", "text_version": VERSION, "extra": 1}, "extra"),
    ],
)
def test_a_bad_consent_answers_the_envelope_and_changes_nothing(login, candidate, body, field) -> None:
    events = OutboxEvent.objects.count()

    response = login(candidate.user).post("/api/v1/candidates/me/consents", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert not Consent.objects.exists()
    assert OutboxEvent.objects.count() == events


def test_a_user_without_a_profile_gets_not_found(login, recruiter) -> None:
    response = login(recruiter).get("/api/v1/candidates/me/consents")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_the_migration_carries_the_old_consent_time_over(db) -> None:
    module = importlib.import_module("candidates.migrations.0007_consents_carried_over")
    consented = CandidateFactory()
    Candidate.objects.filter(pk=consented.pk).update(consent_at=consented.created_at, discoverable=True)
    silent = CandidateFactory()

    module.carry_over(live_apps, None)

    assert sorted(
        Consent.objects.filter(candidate=consented).values_list("purpose", "text_version", "given_source")
    ) == [
        ("application_processing", "legacy", "migration"),
        ("talent_pool", "legacy", "migration"),
    ]
    assert not Consent.objects.filter(candidate=silent).exists()


@pytest.mark.postgres
def test_consents_are_the_persons_own_and_their_sourcing_organizations(pooled, recruiter, other_recruiter) -> None:
    require_service("PostgreSQL (DATABASE_URL) for row-level security", connection.vendor == "postgresql")
    sourced = CandidateFactory(user=None, created_by=recruiter)
    Consent.objects.create(
        candidate=sourced,
        purpose="talent_pool",
        text_version=VERSION,
        given_at=sourced.created_at,
        given_source="admin",
    )
    stranger = CandidateFactory()

    with tenancy.acting_as(policies.database_identity(stranger.user)):
        assert not Consent.objects.exists()
    with (
        tenancy.acting_as(policies.database_identity(other_recruiter)),
        pytest.raises(DatabaseError),
        transaction.atomic(),
    ):
        Consent.objects.create(
            candidate=sourced,
            purpose="application_processing",
            text_version=VERSION,
            given_at=sourced.created_at,
            given_source="api",
        )
    with tenancy.acting_as(policies.database_identity(recruiter)):
        Consent.objects.create(
            candidate=sourced,
            purpose="application_processing",
            text_version=VERSION,
            given_at=sourced.created_at,
            given_source="admin",
        )
    assert Consent.objects.filter(candidate=sourced).count() == 2
