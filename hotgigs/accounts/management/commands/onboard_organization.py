"""``manage.py onboard_organization``: create an organization with its first recruiter (an org admin)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hotgigs import tenancy
from hotgigs.accounts.selectors import user_get_by_email
from hotgigs.accounts.services import organization_onboard
from hotgigs.errors import DomainError


def _describe(exc: DomainError) -> str:
    problems = "; ".join(
        f"{field}: {' '.join(map(str, messages)) if isinstance(messages, list) else messages}"
        for field, messages in (exc.details or {}).items()
    )
    return f"{exc.message} ({exc.code}{': ' + problems if problems else ''})"


class Command(BaseCommand):
    help = (
        "Onboard an organization with its first member, an organization admin who recruits. "
        "Idempotent on the slug: rerunning with the same organization and admin changes nothing. "
        "Without --password a password is generated and printed once."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--name", required=True, help="organization name, e.g. 'Acme Robotics'")
        parser.add_argument("--admin-email", required=True, help="email of the first organization admin")
        parser.add_argument("--admin-name", default="", help="full name of the admin")
        parser.add_argument(
            "--password", default=None, help="password for a new admin user (default: generate and print one)"
        )
        parser.add_argument("--slug", default=None, help="URL slug (default: derived from the name)")
        parser.add_argument("--website", default="", help="organization website URL")

    @tenancy.system("staff command: onboard_organization")
    def handle(self, *args: Any, **options: Any) -> None:
        admin_existed = user_get_by_email(email=options["admin_email"] or "") is not None
        try:
            result = organization_onboard(
                name=options["name"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
                password=options["password"],
                slug=options["slug"],
                website=options["website"],
            )
        except DomainError as exc:
            raise CommandError(f"Could not onboard the organization: {_describe(exc)}") from exc

        organization, admin = result.organization, result.admin
        verb = "Created" if result.created else "Already onboarded:"
        self.stdout.write(self.style.SUCCESS(f"{verb} organization {organization.name!r} (slug {organization.slug})."))
        self.stdout.write(f"Organization admin: {admin.email}")
        if result.password:
            self.stdout.write(f"Generated password (shown once): {result.password}")
        elif admin_existed:
            self.stdout.write("The admin already had an account; their password was not changed.")
