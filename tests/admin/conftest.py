"""Logged-in clients for the back-office tests."""

import pytest


@pytest.fixture
def recruiter_client(client, recruiter):  # type: ignore[no-untyped-def]
    client.force_login(recruiter)
    return client


@pytest.fixture
def staff_client(client, staff):  # type: ignore[no-untyped-def]
    client.force_login(staff)
    return client
