"""Text of a PDF through PDFium (pypdfium2), with the offset where each page starts.

The Document's text for a PDF is the text built here: pages in order, joined by a blank line.
PDFium gives lines but no paragraphs (a PDF has none), so a line clearly shorter than the page's
longest line (a title, a byline, the last line of a paragraph) ends a paragraph, and paragraphs
are separated by a blank line; the reader then cuts paragraphs at blank lines. The result is a
pure function of the file's bytes, so offsets stored at index time hold when the file is read again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PAGE_SEPARATOR = "\n\n"
#: a line shorter than this percentage of the page's longest line ends its paragraph. A format
#: constant, not a setting: it defines the text of a PDF, which stored passages' offsets point
#: into (the UI re-reads the file and finds the passage at them), so a change means re-reading
PARAGRAPH_END_PERCENT = 75
#: document-title metadata that is a file name, not a headline ("Microsoft Word - a.docx")
_FILE_NAME_TITLE = re.compile(r"\.(?:docx?|pdf|indd|odt|rtf|txt|html?|pages|qxp)\s*$|^microsoft word\b", re.IGNORECASE)
#: PDFium marks a hyphen that breaks a word at a line end with \x02 and joins the halves
_LINE_BREAK_HYPHEN = "\x02"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


class PdfError(Exception):
    """The PDF cannot be read as text; the message says why."""


@dataclass(frozen=True)
class PdfText:
    text: str
    pages: tuple[int, ...]  # offset in `text` where each page starts, page 1 first
    title: str | None  # the document's Title metadata when it looks like a headline


def extract(data: bytes) -> PdfText:
    """The text layer of every page; PdfError when there is none (a scan) or the file is broken."""
    import pypdfium2  # imported only for PDFs

    if b"%PDF-" not in data[:1024]:
        raise PdfError("not a PDF file")
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        reason = "encrypted PDF (password needed)" if "password" in str(exc).lower() else "damaged PDF"
        raise PdfError(reason) from exc
    try:
        page_texts = [_page_text(pdf, i) for i in range(len(pdf))]
        title = _title(pdf.get_metadata_dict())
    except pypdfium2.PdfiumError as exc:
        raise PdfError("damaged PDF") from exc
    finally:
        pdf.close()
    if not any(ch.isalnum() for page in page_texts for ch in page):
        raise PdfError("no text layer (scanned PDF?)")
    pages, offset = [], 0
    for page in page_texts:
        pages.append(offset)
        offset += len(page) + len(PAGE_SEPARATOR)
    return PdfText(PAGE_SEPARATOR.join(page_texts), tuple(pages), title)


def _page_text(pdf, index: int) -> str:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            raw = textpage.get_text_bounded()
        finally:
            textpage.close()
    finally:
        page.close()
    raw = raw.replace(_LINE_BREAK_HYPHEN, "")  # "recon-/structed" is the word "reconstructed"
    lines = [" ".join(_CONTROL.sub(" ", line).split()) for line in raw.splitlines()]
    return _paragraphs([line for line in lines if line])


def _paragraphs(lines: list[str]) -> str:
    """Lines grouped into paragraphs (lines joined by a newline, paragraphs by a blank line)."""
    if not lines:
        return ""
    full = max(len(line) for line in lines)
    out: list[str] = []
    for line in lines:
        out.append(line)
        out.append("\n\n" if 100 * len(line) < PARAGRAPH_END_PERCENT * full else "\n")
    return "".join(out[:-1])


def _title(metadata: dict[str, str]) -> str | None:
    title = " ".join((metadata.get("Title") or "").split())
    if len(title.split()) < 2 or _FILE_NAME_TITLE.search(title):
        return None
    return title
