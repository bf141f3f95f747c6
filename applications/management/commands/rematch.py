"""``manage.py rematch``: recompute stored matches (score receipts) by hand.

* ``--job ID`` — rank the candidate pool of one job (any status: a job that is not open
  ranks its applicants only, as ``applications.matching.match_job`` does);
* ``--candidate ID`` — rank the open jobs for one candidate;
* neither — every open job of an active organization, one after another. That covers
  every pair the platform keeps for open jobs (each job's best candidates plus its
  applicants and stored pairs); per-candidate lists are refreshed by ``--candidate`` or
  by the candidate's next profile change.

Pairs whose inputs did not change keep their receipts (counted as unchanged), so running
it twice is cheap and changes nothing. A progress bar goes to stderr; the counts of
matches created, updated and unchanged, and the time taken, go to stdout.
"""

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from applications import matching
from candidates.errors import CandidateNotFound
from candidates.selectors import candidate_exists
from hotgigs import tenancy
from jobs.errors import JobNotFound
from jobs.selectors import job_board_ids, job_exists

BAR_WIDTH = 30


class ProgressBar:
    """A one-line text progress bar redrawn in place (``\\r``) on a stream."""

    def __init__(self, write: Callable[[str], Any], total: int, label: str) -> None:
        self.write, self.total, self.label = write, total, label
        self.done = 0
        self.started = time.perf_counter()

    def step(self) -> None:
        self.done += 1
        self.draw()

    def draw(self) -> None:
        filled = BAR_WIDTH * self.done // self.total if self.total else BAR_WIDTH
        elapsed = time.perf_counter() - self.started
        self.write(
            f"\r{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total} {elapsed:6.1f}s"
        )

    def close(self) -> None:
        self.write("\n")


class Command(BaseCommand):
    help = "Recompute stored matches: one job (--job), one candidate (--candidate), or every open job."

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--job", type=int, metavar="ID", help="Rank the candidates of this job only.")
        target.add_argument("--candidate", type=int, metavar="ID", help="Rank the open jobs for this candidate only.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    @tenancy.system("staff command: rematch scores every organization's jobs")
    def handle(self, *args: Any, **options: Any) -> None:
        call: Callable[[int], matching.MatchRun]
        if options["job"] is not None:
            if not job_exists(job_id=options["job"]):
                raise CommandError(f"Job {options['job']} does not exist.")
            label, ids, call = "jobs", [options["job"]], matching.match_job
        elif options["candidate"] is not None:
            if not candidate_exists(candidate_id=options["candidate"]):
                raise CommandError(f"Candidate {options['candidate']} does not exist.")
            label, ids, call = "candidates", [options["candidate"]], matching.match_candidate
        else:
            label, ids, call = "jobs", job_board_ids(), matching.match_job

        started = time.perf_counter()
        bar = (
            None if options["no_progress"] else ProgressBar(lambda s: self.stderr.write(s, ending=""), len(ids), label)
        )
        totals = {"created": 0, "updated": 0, "unchanged": 0}
        failed: list[int] = []
        if bar:
            bar.draw()
        for object_id in ids:
            try:
                run = call(object_id)
            except (JobNotFound, CandidateNotFound):
                pass  # deleted since the list was read: nothing to match
            except Exception as exc:
                failed.append(object_id)
                self.stderr.write(f"\n{label[:-1]} {object_id} failed: {exc!r}")
            else:
                totals["created"] += run.created
                totals["updated"] += run.updated
                totals["unchanged"] += run.unchanged
            if bar:
                bar.step()
        if bar:
            bar.close()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Rematched {len(ids) - len(failed)} {label}: {totals['created']} created, "
            f"{totals['updated']} updated, {totals['unchanged']} unchanged in {seconds:.2f}s."
        )
        if failed:
            raise CommandError(f"{len(failed)} {label} failed: {', '.join(map(str, failed))}.")
