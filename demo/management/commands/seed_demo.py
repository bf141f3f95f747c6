"""``manage.py seed_demo``: a realistic, idempotent demo data set for local runs and demos.

What it prints is meant for a person at a console (``make run``'s first run): a line per step
with the seconds elapsed, a table of what exists and what was created, then, last, the
addresses and the demo logins. The tasks that seeding sets off run in-process when no broker
is configured, and each would log a line (1,400 of them on a first run); INFO logs are held
back while it seeds (warnings still show), unless ``-v 2`` asks for them.
"""

import logging
import time
from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seed import BASE_URL, DEFAULT_SEED, SeedReport, seed_demo
from hotgigs import tenancy
from hotgigs.errors import DomainError


@contextmanager
def _info_logs_held_back(hold: bool) -> Iterator[None]:
    """Drop log records below WARNING, in this process, while the block runs."""
    if not hold:
        yield
        return
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(previous)


class Command(BaseCommand):
    help = (
        "Create demo organizations, recruiters, jobs, candidates, applications in every pipeline stage, "
        "interviews and feedback, derived from O*NET 29.2 (CC BY 4.0, see demo/ATTRIBUTION.md). "
        "Idempotent: a second run with the same seed creates nothing. Prints the demo logins last."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"which demo data set to make (default {DEFAULT_SEED})"
        )
        parser.add_argument("--quiet", action="store_true", help="print only the summary and the logins")
        parser.add_argument(
            "--base-url",
            default=BASE_URL,
            help=f"the server's address, for the links printed with the logins (default {BASE_URL})",
        )
        parser.add_argument(
            "--logins-file",
            type=Path,
            help="write the addresses and logins to this file instead of printing them "
            "(make run has the server print them once it listens)",
        )

    @tenancy.system("seed_demo writes every demo organization's rows")
    def handle(
        self, *args: Any, seed: int, quiet: bool, base_url: str, logins_file: Path | None, **options: Any
    ) -> None:
        started = time.monotonic()

        def log(message: str) -> None:
            if not quiet:
                self.stdout.write(f"  [{time.monotonic() - started:5.1f} s] {message}")

        base_url = base_url.rstrip("/")
        if not quiet:
            self.stdout.write(f"Loading the demo data (data set {seed}); the first time takes a minute or two ...")
        try:
            with _info_logs_held_back(options.get("verbosity", 1) < 2):
                report = seed_demo(seed=seed, log=log, base_url=base_url)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message} {exc.details or ''}".strip()) from exc

        self.stdout.write("")
        self.stdout.write(f"{'':<16}{'total':>8}{'created':>10}")
        for label, total in report.after.items():
            self.stdout.write(f"{label:<16}{total:>8}{report.created[label]:>10}")
        created = sum(report.created.values())
        self.stdout.write(
            f"Demo data ready in {report.seconds:.1f} s: {created} rows created "
            f"(each run adds only what is missing; data set {seed}, --seed picks another)."
        )
        block = self._logins_block(report, base_url)
        if logins_file is not None:
            logins_file.write_text(block)
            return
        self.stdout.write("")
        self.stdout.write(block, ending="")

    def _logins_block(self, report: SeedReport, base_url: str) -> str:
        width = max(len(login.role) for login in report.logins)
        email_width = max(len(login.email) for login in report.logins)
        lines = [
            f"HotGigs at {base_url}/",
            f"  back office  {base_url}/admin/",
            f"  REST API     {base_url}/api/v1/  (docs: {base_url}/api/v1/docs/)",
            "",
            self.style.SUCCESS(f"Demo logins (password for all: {settings.HOTGIGS_DEMO_PASSWORD})"),
            *(f"  {login.role:<{width}}  {login.email:<{email_width}}  {login.url}" for login in report.logins),
            "Every other demo user (all recruiters and candidates with a login) has the same password.",
        ]
        return "\n".join(lines) + "\n"
