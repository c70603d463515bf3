"""Reading article files: bytes to decoded text, title and the paragraphs that are article text.

Offsets everywhere in the tool refer to `Document.text`, the file's decoded text exactly as
`open(path, encoding=Document.encoding, newline="").read()` gives it (a BOM is not part of it),
so a citation can be checked against the file. For HTML the text is the extracted main text.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from qa.boilerplate import keep_mask
from qa.config import HTML_SUFFIXES

MAX_TITLE_CHARS = 200
#: larger files are skipped unread: no news article is this long, and one such file (a log, a
#: dump) would take minutes to embed and hundreds of MB of memory
MAX_FILE_BYTES = 8 * 2**20

_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b",
                 b"BZh", b"7z\xbc\xaf", b"Rar!", b"\x7fELF", b"\xd0\xcf\x11\xe0", b"OggS", b"ID3")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_BLOCK = re.compile(r"(?:[^\r\n]*\S[^\r\n]*(?:\r\n|\r|\n)?)+")  # lines up to a blank line
_LINE = re.compile(r"[^\r\n]*\S[^\r\n]*")


class Unreadable(Exception):
    """The file is not a text article (binary, empty, undecodable); the message says why."""


@dataclass(frozen=True)
class Paragraph:
    number: int  # 1-based, counted over every paragraph of the file, title line included
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    path: Path
    title: str
    text: str
    encoding: str
    sha256: str
    paragraphs: tuple[Paragraph, ...]  # article text only: boilerplate left out


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): a BOM wins, then UTF-8, then cp1252 for legacy files (latin-1 when a
    byte is undefined in cp1252, so the text always equals the file read with that encoding)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise Unreadable(f"not valid {encoding}") from exc
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:65536]:
        raise Unreadable("binary file")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "latin-1"
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if sample and (controls / len(sample) > 0.01 or sample.count("\ufffd") / len(sample) > 0.01):
        raise Unreadable("binary file")
    return text, encoding


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs: blocks between blank lines; inside a block each line is a paragraph unless
    the file is hard-wrapped (then a block is one paragraph)."""
    spans = [(m.start(), m.end()) for m in _LINE.finditer(text)]
    lengths = [e - s for s, e in spans]
    hard_wrapped = len(spans) >= 5 and max(lengths) <= 100 and sum(l >= 50 for l in lengths) >= len(spans) / 2
    if not hard_wrapped:
        return [_strip(text, s, e) for s, e in spans]
    return [_strip(text, m.start(), m.end()) for m in _BLOCK.finditer(text)]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _title_from(text: str, spans: list[tuple[int, int]], fallback: str) -> str:
    for start, end in spans:
        title = " ".join(text[start:end].split())
        if title:
            return title[:MAX_TITLE_CHARS]
    return fallback


def parse(path: Path, data: bytes) -> Document:
    """Turn a file's bytes into a Document, or raise Unreadable."""
    if not data.strip():
        raise Unreadable("empty file")
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(too_big(len(data)))
    html_title = None
    if path.suffix.lower() in HTML_SUFFIXES:
        text, encoding, html_title = _extract_html(data)
    else:
        text, encoding = decode(data)
    spans = [s for s in _paragraph_spans(text) if s[0] < s[1]]
    if not spans:
        raise Unreadable("no text")
    title = html_title or _title_from(text, spans, path.stem)
    keep = keep_mask([text[s:e] for s, e in spans])
    paragraphs = tuple(Paragraph(i + 1, s, e) for i, (s, e) in enumerate(spans) if keep[i])
    if not any(any(ch.isalnum() for ch in text[p.start:p.end]) for p in paragraphs):
        raise Unreadable("no words")
    return Document(path, title, text, encoding, sha256_bytes(data), paragraphs)


def _extract_html(data: bytes) -> tuple[str, str, str | None]:
    """Main text of an HTML page through trafilatura (boilerplate-aware), and its title."""
    import trafilatura  # imported only for HTML: it is slow to import

    raw, encoding = decode(data)
    text = trafilatura.extract(raw, include_comments=False, include_tables=False, favor_recall=True)
    if not text or not text.strip():
        raise Unreadable("no article text in HTML")
    meta = trafilatura.extract_metadata(raw)
    title = " ".join(meta.title.split())[:MAX_TITLE_CHARS] if meta and meta.title else None
    return text, f"html:{encoding}", title


def too_big(size: int) -> str:
    return (f"too large for an article ({size / 2**20:.1f} MB, the limit is {MAX_FILE_BYTES // 2**20} MB); "
            "split it into articles to index it")


def load(path: Path) -> Document:
    """Read and parse one file; OSError and Unreadable tell why it cannot be indexed."""
    with open(path, "rb") as handle:
        return parse(path, read_limited(handle))


def read_limited(handle: BinaryIO) -> bytes:
    """The file's bytes, or Unreadable without reading it all when it is over the size limit."""
    size = os.fstat(handle.fileno()).st_size
    if size > MAX_FILE_BYTES:
        raise Unreadable(too_big(size))
    data = handle.read(size + 1)
    if len(data) > size:  # it grew since the stat: read on, up to the limit
        data += handle.read(MAX_FILE_BYTES + 1 - len(data))
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(too_big(max(size, len(data))))
    return data
