"""The project's ASGI application with one extra HTTP path for bench/realtime's abuse phase.

Served only by the benchmark (``python -m hotgigs.serve --app bench.realtime.probe:application``),
never deployed. ``GET /__bench__/memory`` answers, from inside the server process, what the
client cannot see from outside:

* ``rss_mib``: VmRSS as it stands; ``rss_gc_mib`` after ``gc.collect()``; ``rss_trim_mib`` after
  glibc's ``malloc_trim(0)`` hands freed heap pages back to the system. Memory that a collection
  or a trim gives back was free already (allocator high-water), memory that stays is held.
* ``tasks``: asyncio tasks alive in the server's loop (one per open socket and its timers).
* ``layer``: the channel layer's local state: channels with a queue, messages queued, groups
  and their members (``hotgigs/realtime/layers.py``).
* ``top``: with ``BENCH_TRACEMALLOC=1``, the 12 source lines whose allocations grew most since
  the first call (tracemalloc slows the server: figures of such a run are not latencies).
"""

import asyncio
import ctypes
import gc
import json
import os
import tracemalloc
from pathlib import Path
from typing import Any

from hotgigs.asgi import application as hotgigs_application

if os.environ.get("BENCH_TRACEMALLOC") == "1":
    tracemalloc.start(1)
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


def _memory() -> dict[str, Any]:
    report: dict[str, Any] = {"rss_mib": _rss_mib()}
    gc.collect()
    report["rss_gc_mib"] = _rss_mib()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    report["rss_trim_mib"] = _rss_mib()
    report["tasks"] = len(asyncio.all_tasks())
    report["layer"] = _layer_state()
    if tracemalloc.is_tracing():
        snapshot = tracemalloc.take_snapshot()
        if not _baseline:
            _baseline.append(snapshot)
        report["top"] = [str(stat) for stat in snapshot.compare_to(_baseline[0], "lineno")[:12]]
    return report


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"] == "/__bench__/memory":
        body = json.dumps(_memory()).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
        return
    await hotgigs_application(scope, receive, send)
