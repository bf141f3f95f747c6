"""Text extraction from one resume file, run as a child process with hard limits.

``candidates.resume_files.extract_text`` starts ``python -I <this file> <kind> <limits>``,
writes the file's bytes to stdin and reads one JSON object from stdout:
``{"ok": true, "text": ..., "pages": n}`` or ``{"ok": false, "error": <message>}``.

The child caps its own address space (``RLIMIT_AS``), CPU time and file writes before it
imports a parser, so a hostile file can exhaust only the child; the parent also kills it
after a wall-clock timeout. Nothing here imports Django: the child starts fast and holds
no database connection.
"""

import io
import json
import resource
import sys
import zipfile
from typing import Any

# What the parent turns into a human message (see resume_files.FAILURES).
CORRUPT = "corrupt"
ENCRYPTED = "encrypted"
BOMB = "bomb"
TOO_MANY_PAGES = "too_many_pages"
MEMORY = "memory"

DOCX_REQUIRED = ("[Content_Types].xml", "word/document.xml")


class Refused(Exception):
    """The file is refused for a known reason (``reason`` is one of the names above)."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


def check_docx_archive(data: bytes, limits: dict[str, int]) -> None:
    """Refuse archives that are not a DOCX or that would unpack to too much (a zip bomb).

    Declared sizes are checked here; a member that lies about its size is cut off by
    ``zipfile`` at the declared size and then fails its CRC check (a corrupt file).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Refused(CORRUPT) from exc
    with archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        if not all(name in names for name in DOCX_REQUIRED):
            raise Refused(CORRUPT)
        if len(members) > limits["docx_max_members"]:
            raise Refused(BOMB, members=len(members))
        total = sum(member.file_size for member in members)
        if total > limits["docx_max_uncompressed_bytes"]:
            raise Refused(BOMB, uncompressed=total)
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            # Small members compress well legitimately (repeated XML); only big ones count.
            if member.file_size > 1_000_000 and ratio > limits["docx_max_ratio"]:
                raise Refused(BOMB, uncompressed=total, ratio=int(ratio))


def _cap(parts: list[str], max_chars: int) -> str:
    return "\n".join(parts)[:max_chars]


def extract_pdf(data: bytes, limits: dict[str, int]) -> tuple[str, int]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Owner-password-only files (printing or copying restricted) open with an empty
            # user password; anything else needs a password we do not have.
            try:
                if not reader.decrypt(""):
                    raise Refused(ENCRYPTED)
            except (FileNotDecryptedError, NotImplementedError, PyPdfError) as exc:
                raise Refused(ENCRYPTED) from exc
        pages = len(reader.pages)
        if pages > limits["max_pages"]:
            raise Refused(TOO_MANY_PAGES, pages=pages)
        parts: list[str] = []
        length = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            parts.append(text)
            length += len(text)
            if length >= limits["max_chars"]:
                break
        return _cap(parts, limits["max_chars"]), pages
    except Refused:
        raise
    except LimitReachedError as exc:
        raise Refused(BOMB) from exc
    except MemoryError as exc:
        raise Refused(MEMORY) from exc
    except FileNotDecryptedError as exc:
        raise Refused(ENCRYPTED) from exc
    except Exception as exc:
        # pypdf raises many kinds of errors on broken files (ValueError, KeyError, …).
        raise Refused(CORRUPT) from exc


def extract_docx(data: bytes, limits: dict[str, int]) -> tuple[str, int]:
    check_docx_archive(data, limits)
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
        parts: list[str] = []
        length = 0
        # Every paragraph of the body, tables included, in document order.
        for paragraph in document.element.body.iter(qn("w:p")):
            text = "".join(node.text or "" for node in paragraph.iter(qn("w:t")))
            parts.append(text)
            length += len(text) + 1
            if length >= limits["max_chars"]:
                break
        for section in document.sections:
            for part in (section.header, section.footer):
                parts.extend(p.text for p in part.paragraphs)
        return _cap(parts, limits["max_chars"]), 0
    except MemoryError as exc:
        raise Refused(MEMORY) from exc
    except Exception as exc:
        raise Refused(CORRUPT) from exc


def limit_self(limits: dict[str, int]) -> None:
    memory = limits["max_memory_bytes"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = limits["max_cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def main(argv: list[str]) -> int:
    kind, limits = argv[1], json.loads(argv[2])
    data = sys.stdin.buffer.read()
    limit_self(limits)
    try:
        if kind == "pdf":
            text, pages = extract_pdf(data, limits)
        elif kind == "docx":
            text, pages = extract_docx(data, limits)
        else:
            raise Refused(CORRUPT)
        result: dict[str, Any] = {"ok": True, "text": text, "pages": pages}
    except Refused as refused:
        result = {"ok": False, "reason": refused.reason, "details": refused.details}
    except MemoryError:
        result = {"ok": False, "reason": MEMORY, "details": {}}
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
