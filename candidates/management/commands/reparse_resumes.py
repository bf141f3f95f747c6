"""``manage.py reparse_resumes``: parse stored resumes again after the parser improved.

* no option — every resume;
* ``--candidate ID`` — the resumes of one candidate;
* ``--failed-only`` — only resumes whose last parse failed (combines with ``--candidate``);
* ``--now`` — parse in this process, one after another, and report each outcome, instead
  of queueing ``candidates.parse_resume`` for the workers.

Each resume goes back to ``pending`` first, so the API and the admin show that it is being
read again. One line per resume goes to stdout (``[3/120] resume 45 (candidate 7): queued``),
then a summary.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candidates.choices import ParseStatus
from candidates.models import Candidate, Resume
from candidates.services.resumes import resume_reparse
from hotgigs import tenancy


class Command(BaseCommand):
    help = "Parse stored resumes again: all, one candidate's (--candidate) or the failed ones (--failed-only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--candidate", type=int, metavar="ID", help="Only the resumes of this candidate.")
        parser.add_argument("--failed-only", action="store_true", help="Only resumes whose last parse failed.")
        parser.add_argument("--now", action="store_true", help="Parse here and now instead of queueing.")

    @tenancy.system("staff command: reparse_resumes reads any candidate's resumes")
    def handle(self, *args: Any, **options: Any) -> None:
        resumes = Resume.objects.order_by("pk")
        if options["candidate"] is not None:
            if not Candidate.objects.filter(pk=options["candidate"]).exists():
                raise CommandError(f"Candidate {options['candidate']} does not exist.")
            resumes = resumes.filter(candidate_id=options["candidate"])
        if options["failed_only"]:
            resumes = resumes.filter(parse_status=ParseStatus.FAILED)
        rows = list(resumes.values_list("pk", "candidate_id"))
        counts: dict[str, int] = {}
        for index, (resume_id, candidate_id) in enumerate(rows, start=1):
            resume = resume_reparse(resume_id=resume_id, inline=options["now"])
            if resume is None:
                outcome = "gone"
            elif options["now"]:
                outcome = resume.parse_status
            else:
                outcome = "queued"
            counts[outcome] = counts.get(outcome, 0) + 1
            line = f"[{index}/{len(rows)}] resume {resume_id} (candidate {candidate_id}): {outcome}"
            if resume is not None and options["now"] and resume.parse_error:
                line += f" ({resume.parse_error})"
            self.stdout.write(line)
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items())) or "nothing to do"
        self.stdout.write(f"Re-parsed {len(rows)} resumes: {summary}.")
