"""The job board as a :class:`~hotgigs.ai.JobMatrix` kept in memory, for ``match_candidate``.

Ranking 10,000 open jobs for one candidate is a few array operations once the jobs are a
matrix; building the matrix (loading the jobs and their skills, their profiles, TF-IDF rows
in Python) is what costs seconds. So each process keeps it, per scoring setup (provider
name, model version, data digest, scoring version) and acting identity, and refreshes it
row by row as jobs change:

* **On use, cheaply validated.** Every :meth:`OpenJobsCache.get` reads the generation
  :data:`GENERATION` from the Django cache (Redis: shared by every process; one GET). As
  when the matrix was refreshed: it is used as it is.
* **Told by events.** The after-commit subscriber ``applications.open_jobs``
  (``applications.subscribers``) moves the generation on for every job event, so the
  process that wrote and every other process see it on their next use.
* **Checked against the table.** At most every ``MATCH_OPEN_JOBS_VERIFY_SECONDS`` (and on
  every use while the cache is unreachable) one aggregate of the job board
  (``jobs.selectors.job_board_stamp``: count and latest ``updated_at``) is compared too: it
  catches what no job event tells (an organization deactivated in the admin, a lost
  generation). It costs a scan of the open jobs' rows, hence not on every use.
* **Refreshed by rows.** A refresh reads ``{id: updated_at}`` of the board, drops the rows
  of jobs gone or changed, and builds rows only for the jobs new or changed
  (``JobMatrix.take`` + ``JobMatrix.concat``); the first use of a process builds them all.
* **Bounded.** At most :data:`MAX_ENTRIES` matrices per process (least recently used
  dropped), each as large as the board.

The generation and the stamp are read before the rows, so a change that commits during a
refresh is seen on the next use, never lost. The jobs a candidate applied to that are not on
the board are not kept here: ``match_candidate`` builds them per call.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings

from hotgigs import cache, tenancy
from hotgigs.ai import SCORING_VERSION, JobMatrix, JobProfile, MatchProvider
from hotgigs.ai.providers.local import data_digest
from jobs.selectors import job_board_stamp, job_board_versions, job_for_matching_list

if TYPE_CHECKING:
    import numpy as np

    from jobs.models import Job

GENERATION = "ai:open-jobs"
MAX_ENTRIES = 2


@dataclass
class OpenJobs:
    """One refreshed copy of the job board: the matrix, and which job each row is."""

    matrix: JobMatrix
    ids: np.ndarray[Any, Any]
    row_of: dict[int, int]
    versions: dict[int, datetime]
    generation: list[str] | None
    stamp: tuple[int, datetime | None]
    verified_at: float


@dataclass
class CacheStats:
    """What the uses of one cache did (read by tests and the benchmark)."""

    hits: int = 0
    builds: int = 0
    refreshes: int = 0
    rows_built: int = 0
    rows_dropped: int = 0
    last: str = ""


def cache_key(provider: MatchProvider) -> Hashable:
    """What decides a matrix's contents besides the jobs: the scoring setup and who reads them
    (row-level security may show another identity other jobs)."""
    return (
        provider.name,
        provider.model_version,
        data_digest(),
        SCORING_VERSION,
        tenancy.settings_of(tenancy.current()),
    )


class OpenJobsCache:
    """The per-process copies of the job board as matrices (see the module docstring)."""

    def __init__(self, profile: Callable[[Job], JobProfile], *, max_entries: int = MAX_ENTRIES) -> None:
        self._profile = profile
        self._max_entries = max_entries
        self._entries: OrderedDict[Hashable, OpenJobs] = OrderedDict()
        self._lock = threading.Lock()
        self.stats = CacheStats()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, provider: MatchProvider) -> OpenJobs:
        """The job board's matrix for ``provider``, current as of this call."""
        key = cache_key(provider)
        with self._lock:
            # Read before the rows: a change committed meanwhile shows on the next use.
            generation = cache.generations([GENERATION])
            now = time.monotonic()
            entry = self._entries.get(key)
            stamp = None
            if entry is not None and entry.generation == generation:
                # No generation (the cache is unreachable): the aggregate decides on every use.
                if generation is not None and now - entry.verified_at < settings.MATCH_OPEN_JOBS_VERIFY_SECONDS:
                    return self._hit(key, entry)
                stamp = job_board_stamp()
                if stamp == entry.stamp:
                    entry.verified_at = now
                    return self._hit(key, entry)
            entry = self._refresh(entry, generation, job_board_stamp() if stamp is None else stamp, now)
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
            return entry

    def _hit(self, key: Hashable, entry: OpenJobs) -> OpenJobs:
        self._entries.move_to_end(key)
        self.stats.hits += 1
        self.stats.last = "hit"
        return entry

    def _refresh(
        self,
        entry: OpenJobs | None,
        generation: list[str] | None,
        stamp: tuple[int, datetime | None],
        now: float,
    ) -> OpenJobs:
        import numpy as np

        if entry is None:
            kept_rows: list[int] = []
            jobs = list(job_for_matching_list().order_by("pk"))
            self.stats.builds += 1
            self.stats.last = "build"
        else:
            versions = job_board_versions()
            kept_rows = [
                row for row, job_id in enumerate(entry.ids.tolist()) if versions.get(job_id) == entry.versions[job_id]
            ]
            changed = [job_id for job_id, version in versions.items() if entry.versions.get(job_id) != version]
            jobs = list(job_for_matching_list().filter(pk__in=changed).order_by("pk")) if changed else []
            self.stats.refreshes += 1
            self.stats.rows_dropped += len(entry.ids) - len(kept_rows)
            self.stats.last = "refresh"
        self.stats.rows_built += len(jobs)
        fresh = JobMatrix.from_profiles([self._profile(job) for job in jobs])
        if entry is None:
            matrix = fresh
            ids = np.asarray([job.pk for job in jobs], dtype=np.int64)
            kept_versions: dict[int, datetime] = {}
        elif len(kept_rows) == len(entry.ids) and not jobs:
            matrix, ids, kept_versions = entry.matrix, entry.ids, entry.versions
        else:
            matrix = JobMatrix.concat([entry.matrix.take(kept_rows), fresh])
            ids = np.concatenate([entry.ids[kept_rows], np.asarray([job.pk for job in jobs], dtype=np.int64)])
            kept_versions = {int(job_id): entry.versions[int(job_id)] for job_id in entry.ids[kept_rows]}
        # A job read here carries its own version (it may have changed since the versions query).
        kept_versions = {**kept_versions, **{job.pk: job.updated_at for job in jobs}}
        return OpenJobs(
            matrix=matrix,
            ids=ids,
            row_of={int(job_id): row for row, job_id in enumerate(ids.tolist())},
            versions=kept_versions,
            generation=generation,
            stamp=stamp,
            verified_at=now,
        )
