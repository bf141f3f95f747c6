"""Resume files made on the spot: PDFs written by hand, DOCX with python-docx, broken and
hostile files (encrypted, corrupt, empty, decompression bombs) built from those."""

import io
import zipfile
import zlib

import docx
from pypdf import PdfReader, PdfWriter

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _stream(body: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(body)}{extra} >>\nstream\n".encode() + body + b"\nendstream"


def _assemble(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def pdf(*pages: list[str], compressed_content: bytes | None = None) -> bytes:
    """A PDF with one page per list of lines (Helvetica); ``compressed_content`` replaces the
    first page's content stream with a FlateDecode stream of those bytes."""
    pages = pages or ([],)
    count = len(pages)
    # 1 catalog, 2 pages, 3 font, then a page object and a content stream per page.
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for index, lines in enumerate(pages):
        content_ref = 5 + 2 * index
        objects.append(
            (
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_ref} 0 R >>"
            ).encode()
        )
        if index == 0 and compressed_content is not None:
            objects.append(_stream(zlib.compress(compressed_content, 9), " /Filter /FlateDecode"))
        else:
            shown = " ".join(f"({_escape(line)}) Tj T*" for line in lines)
            objects.append(_stream(f"BT /F1 11 Tf 14 TL 72 720 Td {shown} ET".encode()))
    return _assemble(objects)


def encrypted_pdf(lines: list[str], *, user_password: str = "secret", owner_password: str = "owner") -> bytes:  # noqa: S107
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf(lines))))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_bomb(megabytes: int = 120) -> bytes:
    """A tiny PDF whose page content inflates to ``megabytes`` MB of text operators."""
    return pdf(compressed_content=b"BT /F1 11 Tf " + b"(x) Tj " * (megabytes * 1024 * 1024 // 7) + b"ET")


def docx_file(paragraphs: list[str], *, table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES_XML = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def docx_bomb(megabytes: int = 64) -> bytes:
    """A DOCX-looking zip whose document part inflates to ``megabytes`` MB of spaces."""
    return _zip({"[Content_Types].xml": CONTENT_TYPES_XML, "word/document.xml": b" " * (megabytes * 1024 * 1024)})


def docx_many_members(count: int = 1_500) -> bytes:
    members = {"[Content_Types].xml": CONTENT_TYPES_XML, "word/document.xml": b"<w:document/>"}
    members.update({f"word/media/part{i}.xml": b"x" for i in range(count)})
    return _zip(members)


def docx_corrupt() -> bytes:
    """A zip with the DOCX parts whose document part is not XML."""
    return _zip({"[Content_Types].xml": CONTENT_TYPES_XML, "word/document.xml": b"\x00\x01 not xml at all"})


def zip_without_document() -> bytes:
    return _zip({"hello.txt": b"Python developer"})


def docx_lying_bomb(megabytes: int = 64, declared: int = 1_000) -> bytes:
    """A DOCX-looking zip whose document part claims ``declared`` bytes but inflates to
    ``megabytes`` MB: the size checks see a small file; the reader must still stop."""
    data = bytearray(docx_bomb(megabytes))
    name = b"word/document.xml"
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = int.from_bytes(data[local + 26 : local + 28], "little")
        if data[local + 30 : local + 30 + name_length] == name:
            data[local + 22 : local + 26] = declared.to_bytes(4, "little")
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_length] == name:
            data[central + 24 : central + 28] = declared.to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)
