"""Work a process gathers for a moment and then does at once, from one daemon thread.

Some after-commit work costs about the same for one item as for many: a Celery message that
carries ids, a Redis round trip that moves generation counters. Under load a web process
commits a hundred writes a second, and doing that work per write is most of its cost. A
:class:`Linger` holds the items instead: the first one wakes its thread, which waits
``seconds``, then hands everything gathered meanwhile, by key, to ``deliver`` in one call.

What a process still holds when it ends normally is delivered at exit; a forked child starts
with nothing (its parent delivers what it held); what a killed process held is lost, so each
user says who catches up then (the outbox's dispatch sweep; for cache generations, the
linger is the most a reader in another process can be behind).
"""

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

logger = logging.getLogger(__name__)


class Linger:
    """Items by key, delivered together by a daemon thread ``seconds`` after the first."""

    def __init__(self, name: str, deliver: Callable[[dict[str, list[Any]]], int]) -> None:
        self.name = name
        self._deliver = deliver
        self.reset()
        os.register_at_fork(after_in_child=self.reset)
        atexit.register(self.flush)

    def reset(self) -> None:
        """A fresh state: at start, and in a forked child (the parent's thread does not exist
        there, and the parent delivers what it held)."""
        self.lock = threading.Lock()
        # Held while items are being delivered: a flush waits for a delivery in flight, so
        # what was held before it has been delivered when it returns.
        self.delivering = threading.Lock()
        self.wake = threading.Event()
        self.pending: dict[str, list[Any]] = {}
        self.seconds = 0.0
        self.thread: threading.Thread | None = None

    def add(self, entries: Mapping[str, Sequence[Any]], seconds: float) -> None:
        """Hold ``entries`` (items by key) for at most ``seconds`` (the latest call decides)."""
        with self.lock:
            for key, items in entries.items():
                self.pending.setdefault(key, []).extend(items)
            self.seconds = seconds
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self.thread.start()
        self.wake.set()

    def _run(self) -> None:
        while True:
            try:
                self.wake.wait()
                time.sleep(self.seconds)
                self.wake.clear()
                self.flush()
            except Exception:  # the thread must outlive anything: a dead one would strand every later item
                logger.exception("linger.failed", extra={"linger": self.name})

    def flush(self, keys: Collection[str] | None = None) -> int:
        """Deliver what is held now (only under ``keys``, when given), after any delivery in
        flight has ended; returns ``deliver``'s count."""
        return self._flush(keys)[0]

    def settle(self, keys: Collection[str]) -> bool:
        """Make sure whatever was held under ``keys`` has been delivered: deliver it now, or wait
        for the delivery in flight. True when anything may have been delivered meanwhile (held
        under ``keys``, or a delivery was in flight), so what was read before is out of date."""
        if not self.pending and not self.delivering.locked():
            return False
        delivered, waited = self._flush(keys)
        return delivered > 0 or waited

    def _flush(self, keys: Collection[str] | None) -> tuple[int, bool]:
        waited = not self.delivering.acquire(blocking=False)
        if waited:
            self.delivering.acquire()
        try:
            with self.lock:
                if keys is None:
                    taken, self.pending = self.pending, {}
                else:
                    taken = {key: self.pending.pop(key) for key in keys if key in self.pending}
            return (self._deliver(taken) if taken else 0), waited
        finally:
            self.delivering.release()
