"""``manage.py export_match_marks``: the recruiters' marks on matches, as labelled data.

One record per mark (oldest first): ``match_id``, ``job_id``, ``candidate_id``, the ``score``,
``components`` and ``model_version`` the mark was taken against, the ``mark`` (``good`` /
``bad``) and ``marked_at``. Nothing personal: no names, emails, resume text, nor the
recruiter's free-text reason (it may name the person) or who marked.

``--format jsonl`` (default: one JSON object a line) or ``csv`` (components as one JSON
column); ``--output FILE`` writes a file, else stdout. The count goes to stderr.
"""

import csv
import json
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from applications.selectors import match_feedback_export
from hotgigs import tenancy

FIELDS = ("match_id", "job_id", "candidate_id", "score", "components", "model_version", "mark", "marked_at")


def records() -> Any:
    """The export's records, one dict per mark (see the module docstring)."""
    for feedback in match_feedback_export().iterator(chunk_size=2_000):
        yield {
            "match_id": feedback.match.pk,
            "job_id": feedback.match.job_id,
            "candidate_id": feedback.match.candidate_id,
            "score": float(feedback.score),
            "components": feedback.components,
            "model_version": feedback.model_version,
            "mark": feedback.mark,
            "marked_at": feedback.marked_at.isoformat(),
        }


class Command(BaseCommand):
    help = "Export the recruiters' good/bad marks on matches as labelled data (JSON lines or CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", metavar="FILE", help="Write to this file (default: stdout).")
        parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="jsonl (default) or csv.")

    def _write(self, handle: IO[str] | Any, form: str) -> int:
        count = 0
        if form == "csv":
            writer = csv.DictWriter(handle, fieldnames=FIELDS)
            writer.writeheader()
            for record in records():
                writer.writerow({**record, "components": json.dumps(record["components"], sort_keys=True)})
                count += 1
        else:
            for record in records():
                handle.write(json.dumps(record, sort_keys=True) + "\n")
                count += 1
        return count

    @tenancy.system("staff command: export_match_marks reads every organization's marks")
    def handle(self, *args: Any, **options: Any) -> None:
        path = options["output"]
        if path and not Path(path).parent.is_dir():
            raise CommandError(f"No such folder: {Path(path).parent}.")
        if path:
            with Path(path).open("w", encoding="utf-8", newline="") as handle:
                count = self._write(handle, options["format"])
        else:
            count = self._write(self.stdout, options["format"])
        self.stderr.write(f"Exported {count} marks{f' to {path}' if path else ''}.")
