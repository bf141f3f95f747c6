"""ARCHITECTURE.md lists the events of the catalogue, no more and no fewer, with their channel
and whether webhooks carry them."""

import re
from pathlib import Path

from hotgigs.events import catalogue

DOC = Path(__file__).resolve().parents[2] / "ARCHITECTURE.md"
ROW = re.compile(r"^\| `(?P<name>[a-z_.]+)` \| (?P<channel>`[a-z_]+`|—) \| (?P<webhook>yes|no) \|")


def documented_events(text: str) -> dict[str, tuple[str | None, bool]]:
    """``name → (channel, webhook)`` of the rows between the events markers."""
    start, end = text.index("<!-- events:start -->"), text.index("<!-- events:end -->")
    rows: dict[str, tuple[str | None, bool]] = {}
    for line in text[start:end].splitlines():
        match = ROW.match(line)
        if match:
            channel = None if match["channel"] == "—" else match["channel"].strip("`")
            rows[match["name"]] = (channel, match["webhook"] == "yes")
    return rows


def test_the_architecture_page_lists_every_catalogue_event_as_declared():
    expected = {name: (spec.channel, spec.webhook) for name, spec in catalogue.EVENTS.items()}

    assert documented_events(DOC.read_text(encoding="utf-8")) == expected


def test_the_check_notices_a_missing_or_wrong_row():
    text = DOC.read_text(encoding="utf-8")
    without_first = text.replace("| `job.created` | `job_updates` | yes |", "| `job.created` | — | no |")

    assert documented_events(without_first)["job.created"] == (None, False)
    assert documented_events(text.replace("| `job.archived`", "| job.archived")).keys() == catalogue.EVENTS.keys() - {
        "job.archived"
    }
