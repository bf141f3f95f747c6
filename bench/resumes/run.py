"""Resume text extraction: the bounded child process next to the same parsers in-process.

Each file kind (plain text, a 1-page and a 20-page PDF, a DOCX, and the hostile ones: a PDF
whose content inflates to 120 MB, a 64 MB DOCX zip bomb, an encrypted PDF) is extracted
``--runs`` times through ``candidates.resume_files.extract_text`` (a fresh child process per
file, with its memory cap, CPU cap and wall-clock timeout) and, as the floor, with the same
pypdf / python-docx calls in this process (``candidates.extractor`` functions called
directly). p50/p95 of both and their ratio say what the isolation costs per file (plain
text never starts a child); the peak resident memory of one child per kind (read from
``RUSAGE_CHILDREN``) says what a hostile file costs before it is refused.

Usage:  .venv/bin/python bench/resumes/run.py [--runs 15]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotgigs.settings")
os.environ.setdefault("DJANGO_SECRET_KEY_FILE", str(Path(__file__).resolve().parents[2] / "var" / "secret-key"))

import django

# This checkout's key, as `make run` uses (the settings refuse to start without one).
(Path(__file__).resolve().parents[2] / "var").mkdir(exist_ok=True)
django.setup()

from candidates import extractor, resume_files  # noqa: E402
from tests.candidates import resume_samples as samples  # noqa: E402

LINES = [f"Line {i}: Python, Django, PostgreSQL, Kubernetes and React in production" for i in range(40)]


def files() -> dict[str, tuple[bytes, str]]:
    return {
        "text 3 KB": ("\n".join(LINES).encode(), resume_files.TEXT),
        "pdf 1 page": (samples.pdf(LINES), resume_files.PDF),
        "pdf 20 pages": (samples.pdf(*[LINES] * 20), resume_files.PDF),
        "docx 40 paragraphs": (samples.docx_file(LINES), resume_files.DOCX),
        "pdf bomb (120 MB)": (samples.pdf_bomb(), resume_files.PDF),
        "docx bomb (64 MB)": (samples.docx_bomb(), resume_files.DOCX),
        "encrypted pdf": (samples.encrypted_pdf(LINES), resume_files.PDF),
    }


def in_process(data: bytes, content_type: str) -> None:
    limits = resume_files._limits()
    try:
        if content_type == resume_files.PDF:
            extractor.extract_pdf(data, limits)
        elif content_type == resume_files.DOCX:
            extractor.extract_docx(data, limits)
        else:
            data.decode("utf-8")
    except extractor.Refused:
        pass


def bounded(data: bytes, content_type: str) -> str:
    try:
        resume_files.extract_text(data, content_type)
    except resume_files.ExtractionFailed:
        return "failed"
    return "parsed"


def timed(call, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def child_peak_mb(data: bytes, content_type: str) -> float:
    kind = {resume_files.PDF: "pdf", resume_files.DOCX: "docx"}.get(content_type)
    if kind is None:
        return 0.0
    import json

    code = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], input=sys.stdin.buffer.read(), capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    argv = [sys.executable, "-c", code, sys.executable, "-I", extractor.__file__, kind]
    argv.append(json.dumps(resume_files._limits()))
    out = subprocess.run(argv, input=data, capture_output=True, check=True).stdout
    return int(out.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; {args.runs} runs each; times in ms")
    print(
        f"{'file':22} {'bytes':>8} {'outcome':>8} {'child p50':>10} {'p95':>7} "
        f"{'in-proc p50':>12} {'p95':>7} {'ratio':>6} {'child peak MB':>14}"
    )
    for name, (data, content_type) in files().items():
        outcome = bounded(data, content_type)
        child = timed(lambda d=data, c=content_type: bounded(d, c), args.runs)
        inproc = timed(lambda d=data, c=content_type: in_process(d, c), args.runs)
        c50, i50 = statistics.median(child), statistics.median(inproc)
        ratio = c50 / i50 if i50 > 0.001 else float("inf")
        print(
            f"{name:22} {len(data):>8} {outcome:>8} {c50:>10.0f} {p95(child):>7.0f} "
            f"{i50:>12.1f} {p95(inproc):>7.1f} {ratio:>6.1f} {child_peak_mb(data, content_type):>14.0f}"
        )
    print(
        f"memory cap per child {resume_files._limits()['max_memory_bytes'] // 2**20} MB, "
        f"peak of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
