"""The onboard_organization management command."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from hotgigs.accounts.models import Membership, Organization, User

pytestmark = pytest.mark.django_db


def onboard(*args: str) -> str:
    out = StringIO()
    call_command("onboard_organization", *args, stdout=out)
    return out.getvalue()


def test_creates_the_organization_and_its_admin_membership():
    onboard("--name", "Acme Robotics", "--admin-email", "Ada@Acme.example", "--admin-name", "Ada Lovelace",
            "--password", "correct-horse-battery-staple", "--website", "https://acme.example")  # fmt: skip

    organization = Organization.objects.get()
    membership = Membership.objects.select_related("user").get()
    assert (organization.name, organization.slug, organization.website) == (
        "Acme Robotics",
        "acme-robotics",
        "https://acme.example",
    )
    assert (membership.organization, membership.role) == (organization, "org_admin")
    assert (membership.user.email, membership.user.full_name) == ("ada@acme.example", "Ada Lovelace")


def test_slug_option_overrides_the_derived_slug():
    onboard("--name", "Acme Robotics", "--admin-email", "ada@acme.example", "--slug", "acme")

    assert Organization.objects.get().slug == "acme"


def test_rerun_is_idempotent():
    args = ("--name", "Acme Robotics", "--admin-email", "ada@acme.example", "--password", "correct-horse-battery")
    onboard(*args)

    output = onboard(*args)

    assert (Organization.objects.count(), User.objects.count(), Membership.objects.count()) == (1, 1, 1)
    assert "Already onboarded" in output


def test_bad_email_raises_command_error_and_creates_nothing():
    with pytest.raises(CommandError, match="email"):
        onboard("--name", "Acme Robotics", "--admin-email", "not-an-email")

    assert (Organization.objects.count(), User.objects.count(), Membership.objects.count()) == (0, 0, 0)


def test_weak_password_raises_command_error_and_creates_nothing():
    with pytest.raises(CommandError, match="password"):
        onboard("--name", "Acme Robotics", "--admin-email", "ada@acme.example", "--password", "123")

    assert (Organization.objects.count(), User.objects.count()) == (0, 0)


def test_generated_password_is_printed_and_works():
    output = onboard("--name", "Acme Robotics", "--admin-email", "ada@acme.example")

    password = output.split("Generated password (shown once): ", 1)[1].split()[0]
    assert authenticate(email="ada@acme.example", password=password) == User.objects.get()
