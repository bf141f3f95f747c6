"""Fixtures of notes and timelines: an application of the organization, a colleague to mention."""

import pytest

from tests.api.conftest import api_client, login  # noqa: F401  (the API's fixtures)
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory


@pytest.fixture
def application(open_job, candidate):  # type: ignore[no-untyped-def]
    return ApplicationFactory(job=open_job, candidate=candidate)


@pytest.fixture
def colleague(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=org, user=UserFactory(email="ana@acme.test", full_name="Ana Colleague")).user


@pytest.fixture
def outsider(other_org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=other_org, user=UserFactory(email="bo@other.test")).user
