"""``manage.py seed_demo``: a realistic, idempotent demo data set for local runs and demos."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seed import DEFAULT_SEED, seed_demo
from hotgigs.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create demo organizations, recruiters, jobs, candidates, applications in every pipeline stage, "
        "interviews and feedback, derived from O*NET 29.2 (CC BY 4.0, see demo/ATTRIBUTION.md). "
        "Idempotent: a second run with the same seed creates nothing. Prints the demo logins."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument("--quiet", action="store_true", help="print only the summary and the logins")

    def handle(self, *args: Any, seed: int, quiet: bool, **options: Any) -> None:
        def log(message: str) -> None:
            if not quiet:
                self.stdout.write(message)

        try:
            report = seed_demo(seed=seed, log=log)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message} {exc.details or ''}".strip()) from exc

        self.stdout.write("")
        self.stdout.write(f"{'':<16}{'total':>8}{'created':>10}")
        for label, total in report.after.items():
            self.stdout.write(f"{label:<16}{total:>8}{report.created[label]:>10}")
        self.stdout.write(f"seed {seed}, {report.seconds:.1f} s")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {settings.HOTGIGS_DEMO_PASSWORD})"))
        width = max(len(login.role) for login in report.logins)
        email_width = max(len(login.email) for login in report.logins)
        for login in report.logins:
            self.stdout.write(f"  {login.role:<{width}}  {login.email:<{email_width}}  {login.url}")
        self.stdout.write("Every other demo user (all recruiters and candidates with a login) has the same password.")
