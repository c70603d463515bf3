"""Tiny PDFs written by hand for tests: a text layer in Helvetica, or pages with only a drawing
(what a scanned page looks like to a text extractor). No PDF-writing dependency needed."""

from __future__ import annotations


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252")  # the font's WinAnsiEncoding
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(lines: list[str]) -> bytes:
    if not lines:  # a "scanned" page: a filled rectangle, no text objects
        return b"0.5 g 72 72 468 648 re f"
    shown = b" T* ".join(b"(" + _escape(line) + b") Tj" for line in lines)
    return b"BT /F1 11 Tf 14 TL 72 720 Td " + shown + b" ET"


def make_pdf(pages: list[list[str]], title: str | None = None, padding: int = 0) -> bytes:
    """A PDF with one page per item, each page the given lines of text (no lines: no text);
    `padding` bytes of comment make it as large as a PDF full of pictures."""
    objects: list[bytes] = []
    first_page = 4
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, lines in enumerate(pages):
        content = _content(lines)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {first_page + 2 * i + 1} 0 R >>".encode())
        objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    if title is not None:
        objects.append(b"<< /Title (" + _escape(title) + b") >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    out += b"".join(b"%" + b"x" * 78 + b"\n" for _ in range(padding // 80))
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    info = f" /Info {len(objects)} 0 R" if title is not None else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def flate_bomb_pdf(operators: int) -> bytes:
    """A one-page PDF whose content stream is a line of text and then `operators` repetitions of
    a text-showing operator, zlib-compressed: 7 bytes of operator per repetition inflate from a
    few KB to what PDFium needs ~100 bytes of memory a byte for (3M: 21 MB of operators, 31 KB)."""
    import zlib

    content = zlib.compress(_content(["Flate bomb"]) + b" BT /F1 11 Tf" + b" (a) Tj" * operators + b" ET", 9)
    pdf = make_pdf([["PLACEHOLDER"]])
    plain = _content(["PLACEHOLDER"])
    old = f"<< /Length {len(plain)} >>\nstream\n".encode() + plain
    new = f"<< /Length {len(content)} /Filter /FlateDecode >>\nstream\n".encode() + content
    return pdf.replace(old, new)  # the xref offsets move: PDFium repairs them, as for many real files
