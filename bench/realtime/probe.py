"""The project's ASGI application with one extra HTTP path for bench/realtime's abuse phase.

Served only by the benchmark (``python -m hotgigs.serve --app bench.realtime.probe:application``),
never deployed. ``GET /__bench__/memory`` answers, from inside the server process, what the
client cannot see from outside:

* ``rss_mib``: VmRSS as it stands; ``rss_gc_mib`` after ``gc.collect()``; ``rss_trim_mib`` after
  glibc's ``malloc_trim(0)`` hands freed heap pages back to the system. Memory that a collection
  or a trim gives back was free already (allocator high-water), memory that stays is held.
* ``python``: CPython's small-object allocator (``sys._debugmallocstats``): its arenas (1 MiB
  each, given back to the system only when every object in one is gone) and the bytes its
  objects use. Many arenas for few bytes is fragmentation: a handful of long-lived objects
  (or objects kept on CPython's free lists) made at a peak pin arenas whose other blocks are
  free; neither ``gc.collect()`` nor ``malloc_trim`` returns those.
* ``blocks`` (``sys.getallocatedblocks``) and ``grown``: the objects the collector tracks,
  by type, that grew since the previous call (what a churn round left alive).
* ``tasks``: asyncio tasks alive in the server's loop (one per open socket and its timers).
* ``layer``: the channel layer's local state: channels with a queue, messages queued, groups
  and their members (``hotgigs/realtime/layers.py``).
* ``top``: with ``BENCH_TRACEMALLOC=1``, the 12 allocation sites (3 frames each) whose memory
  grew most since the previous call (tracemalloc slows the server: figures of such a run are not latencies).
"""

import asyncio
import ctypes
import gc
import json
import os
import sys
import tempfile
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

from hotgigs.asgi import application as hotgigs_application

if os.environ.get("BENCH_TRACEMALLOC") == "1":
    tracemalloc.start(3)
_baseline: list[tracemalloc.Snapshot] = []


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _layer_state() -> dict[str, int]:
    from channels.layers import get_channel_layer

    layer: Any = get_channel_layer()
    state = {"channels": 0, "queued": 0, "groups": 0, "members": 0}
    for local in getattr(layer, "_layers", {}).values():
        state["channels"] += len(local.channels)
        state["queued"] += sum(queue.qsize() for queue in local.channels.values())
        state["groups"] += len(local.groups)
        state["members"] += sum(len(members) for members in local.groups.values())
    return state


def _python_allocator() -> dict[str, float]:
    """Arenas and bytes in use of CPython's small-object allocator, from its own statistics
    (printed to the C stderr, so read through a file put in its place for the call)."""
    with tempfile.TemporaryFile() as out:
        saved = os.dup(2)
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read().decode()
    wanted = {"# arenas allocated current": "arenas", "# bytes in allocated blocks": "used_mib"}
    report: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.rpartition("=")
        key = wanted.get(name.strip())
        if key:
            number = int(value.strip().replace(",", ""))
            report[key] = number if key == "arenas" else round(number / 2**20, 2)
    return report


_object_counts: list[Counter[str]] = []


def _grown() -> list[str]:
    """The tracked object types that grew most since the previous call."""
    counts = Counter(type(o).__qualname__ for o in gc.get_objects())
    previous = _object_counts[-1] if _object_counts else counts
    _object_counts[:] = [counts]
    grown = sorted(((n - previous.get(name, 0), name) for name, n in counts.items()), reverse=True)
    return [f"{name} {delta:+d}" for delta, name in grown[:8] if delta > 0]


def _memory() -> dict[str, Any]:
    report: dict[str, Any] = {"rss_mib": _rss_mib()}
    gc.collect()
    report["rss_gc_mib"] = _rss_mib()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    report["rss_trim_mib"] = _rss_mib()
    report["python"] = _python_allocator()
    report["blocks"] = sys.getallocatedblocks()
    report["grown"] = _grown()
    report["tasks"] = len(asyncio.all_tasks())
    report["layer"] = _layer_state()
    if tracemalloc.is_tracing():
        snapshot = tracemalloc.take_snapshot()
        if not _baseline:
            _baseline.append(snapshot)
        report["top"] = [
            f"{stat.size_diff / 1024:+.1f} KiB, {stat.count_diff:+d} blocks: "
            + " < ".join(f"{frame.filename.rsplit('site-packages/', 1)[-1]}:{frame.lineno}" for frame in stat.traceback)
            for stat in snapshot.compare_to(_baseline[-1], "traceback")[:12]
        ]
        _baseline[:] = [snapshot]
    return report


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"] == "/__bench__/memory":
        body = json.dumps(_memory()).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
        return
    await hotgigs_application(scope, receive, send)
