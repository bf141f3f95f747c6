"""Resume file contents: the type sniffed from the bytes, and bounded text extraction.

The type is decided from the content, never from the name or the client's Content-Type:

* PDF — ``%PDF-`` within the first 1024 bytes (where readers look for it);
* DOCX — a zip archive holding ``[Content_Types].xml`` and ``word/document.xml``;
* plain text — valid UTF-8 (a BOM allowed) without control characters other than tab,
  line feed, carriage return and form feed.

PDF and DOCX text is extracted by ``candidates/extractor.py`` in a child process with a
memory cap (``RLIMIT_AS``), a CPU cap and a wall-clock timeout, after cheap checks of the
archive (member count, declared uncompressed size, compression ratio). Every way a file
can fail ends as :class:`ExtractionFailed` with a message meant for the person who
uploaded it; nothing here can hang or take the worker down.
"""

import io
import json
import logging
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from candidates import extractor

logger = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"

EXTENSIONS = {PDF: "pdf", DOCX: "docx", TEXT: "txt"}

# Bytes of text allowed besides printable characters: tab, LF, CR, FF.
_ALLOWED_CONTROLS = {0x09, 0x0A, 0x0C, 0x0D}
_CONTROLS = frozenset(range(0x20)) - _ALLOWED_CONTROLS | {0x7F}
_EXTRACTOR = Path(extractor.__file__).resolve()

DOCX_MAX_MEMBERS = 1_000
DOCX_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
DOCX_MAX_RATIO = 200


class ExtractionFailed(Exception):
    """The file yielded no usable text; ``message`` says why, in words for the uploader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Extracted:
    """Text taken from a resume, and its page count (PDF only; 0 otherwise)."""

    text: str
    pages: int = 0


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(char) in _CONTROLS for char in text)


def _is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False
    return all(name in names for name in extractor.DOCX_REQUIRED)


def sniff_content_type(data: bytes) -> str | None:
    """The resume type of ``data`` (one of PDF, DOCX, TEXT) or None for anything else."""
    if b"%PDF-" in data[:1024]:
        return PDF
    if _is_docx(data):
        return DOCX
    if data and _is_text(data):
        return TEXT
    return None


def _limits() -> dict[str, int]:
    timeout = settings.RESUME_PARSE_TIMEOUT_SECONDS
    return {
        "max_memory_bytes": settings.RESUME_PARSE_MAX_MEMORY_MB * 1024 * 1024,
        "max_cpu_seconds": max(1, int(timeout) + 1),
        "max_pages": settings.RESUME_MAX_PAGES,
        "max_chars": settings.RESUME_MAX_TEXT_CHARS,
        "docx_max_members": DOCX_MAX_MEMBERS,
        "docx_max_uncompressed_bytes": DOCX_MAX_UNCOMPRESSED_BYTES,
        "docx_max_ratio": DOCX_MAX_RATIO,
    }


def _message(reason: str, details: dict[str, Any], kind: str, limits: dict[str, int]) -> str:
    name = kind.upper()
    if reason == extractor.ENCRYPTED:
        return "The PDF is password-protected; upload a copy without a password."
    if reason == extractor.BOMB:
        return (
            f"The {name} unpacks to far more data than a resume holds (a possible decompression bomb); it was not read."
        )
    if reason == extractor.TOO_MANY_PAGES:
        return f"The PDF has {details.get('pages')} pages; resumes of at most {limits['max_pages']} pages are read."
    if reason == extractor.MEMORY:
        return (
            f"Reading the {name} needed more than {limits['max_memory_bytes'] // (1024 * 1024)} MB of memory; "
            "it was stopped."
        )
    return f"The file is damaged or not a valid {name} document and could not be read."


def _run_child(kind: str, data: bytes) -> Extracted:
    limits = _limits()
    timeout = settings.RESUME_PARSE_TIMEOUT_SECONDS
    try:
        completed = subprocess.run(  # noqa: S603 - fixed argv: this interpreter and our own script
            [sys.executable, "-I", str(_EXTRACTOR), kind, json.dumps(limits)],
            input=data,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        # subprocess.run kills the child before raising.
        raise ExtractionFailed(f"Reading the file took longer than {timeout:g} seconds; it was stopped.") from None
    try:
        result = json.loads(completed.stdout)
    except ValueError:
        logger.warning(
            "resume extractor ended without a result",
            extra={"returncode": completed.returncode, "stderr": completed.stderr[-2000:].decode("utf-8", "replace")},
        )
        # Killed by a limit (RLIMIT_CPU sends SIGXCPU) or out of memory before it could answer.
        raise ExtractionFailed(
            f"The {kind.upper()} could not be read within the parser's memory and time limits; it was stopped."
        ) from None
    if not result.get("ok"):
        raise ExtractionFailed(_message(str(result.get("reason")), result.get("details") or {}, kind, limits))
    return Extracted(text=str(result.get("text", "")), pages=int(result.get("pages", 0)))


def extract_text(data: bytes, content_type: str) -> Extracted:
    """The text of a resume file; raises ExtractionFailed with a human message.

    Empty results (a scanned PDF, a DOCX without words) fail too: a resume without text
    cannot be searched or matched.
    """
    if not data:
        raise ExtractionFailed("The file is empty.")
    if content_type == TEXT:
        try:
            extracted = Extracted(text=data.decode("utf-8-sig")[: settings.RESUME_MAX_TEXT_CHARS])
        except UnicodeDecodeError:
            raise ExtractionFailed("The text file is not valid UTF-8.") from None
    elif content_type == PDF:
        extracted = _run_child("pdf", data)
    elif content_type == DOCX:
        extracted = _run_child("docx", data)
    else:
        raise ExtractionFailed(f"Files of type {content_type} are not read.")
    text = _clean(extracted.text)
    if not text:
        raise ExtractionFailed(
            "No text was found in the file (a scanned image?); upload a text-based PDF, a DOCX or a text file."
        )
    return Extracted(text=text, pages=extracted.pages)


def _clean(text: str) -> str:
    # NUL cannot be stored in PostgreSQL text; other controls are noise for search and matching.
    text = "".join(char if ord(char) not in _CONTROLS else " " for char in text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line).strip()
