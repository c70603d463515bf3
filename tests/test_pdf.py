"""PDFs: the text layer read through PDFium, spans exact in it, each offset on its page; scans refused."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from qa.ingest.chunking import chunk
from qa.ingest.documents import MAX_FILE_BYTES, PDF_SUFFIXES, Unreadable, load, max_bytes, page_at

from pdf_util import make_pdf

def _wrapped(*paragraphs: str) -> list[str]:
    """Lines as a PDF holds them: each paragraph wrapped at 80 characters."""
    return [line for paragraph in paragraphs for line in textwrap.wrap(paragraph, 80)]


STORM = ("The harbour reopened on Friday after the storm damaged the pier, officials said in a statement "
         "to reporters on the quay, and fishing boats returned to their moorings by the afternoon. ")
PAGE_ONE = ["Harbour reopens after storm", "By Omar Haddad"] + _wrapped(
    "PORTHAVEN, 12 March 2024 (Reuters) - " + STORM * 3,
    "Caf\u00e9 owners on the front said trade was back. " + STORM * 2)
PAGE_TWO = _wrapped(
    "The mayor said the repairs to the pier and the sea wall would cost about two million pounds and "
    "take until the summer, and asked the government to help with the bill.",
    "Work starts in May.")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_two_page_pdf_text_and_the_page_of_each_offset(tmp_path):
    doc = load(_write(tmp_path, "harbour.pdf", make_pdf([PAGE_ONE, PAGE_TWO])))
    assert doc.encoding == "pdf" and doc.title == "Harbour reopens after storm"
    assert len(doc.pages) == 2 and doc.pages[0] == 0
    assert doc.text[doc.pages[1]:].startswith("The mayor said")
    assert "Caf\u00e9 owners" in doc.text[:doc.pages[1]]
    mayor = doc.text.index("The mayor")
    assert page_at(doc, doc.text.index("Omar Haddad")) == 1
    assert page_at(doc, doc.pages[1] - 1) == 1 and page_at(doc, mayor) == 2
    assert page_at(doc, doc.text.index("Work starts")) == 2
    assert page_at(doc, len(doc.text) + 1) is None and page_at(doc, -1) is None


def test_pdf_passages_are_exact_spans_of_the_extracted_text(tmp_path):
    doc = load(_write(tmp_path, "harbour.pdf", make_pdf([PAGE_ONE, PAGE_TWO])))
    passages = chunk(doc)
    assert passages and all(doc.text[p.start:p.end] == p.text for p in passages)
    wall = next(p for p in passages if "sea wall" in p.text)  # it may be packed across the page break
    assert page_at(doc, wall.start + wall.text.index("sea wall")) == 2
    assert page_at(doc, passages[0].start) == 1


def test_pdf_lines_are_grouped_into_paragraphs_at_short_lines(tmp_path):
    doc = load(_write(tmp_path, "harbour.pdf", make_pdf([PAGE_ONE, PAGE_TWO])))
    paragraphs = [doc.text[p.start:p.end] for p in doc.paragraphs]
    assert paragraphs[:2] == ["Harbour reopens after storm", "By Omar Haddad"]
    assert paragraphs[2].startswith("PORTHAVEN") and paragraphs[2].endswith("by the afternoon.")
    assert paragraphs[2].count("\n") >= 3  # its lines, one paragraph
    assert paragraphs[3].startswith("Caf\u00e9 owners")
    assert [page_at(doc, p.start) for p in doc.paragraphs] == [1, 1, 1, 1, 2, 2]


def test_pdf_dateline_gives_date_author_and_agency(tmp_path):
    doc = load(_write(tmp_path, "harbour.pdf", make_pdf([PAGE_ONE, PAGE_TWO])))
    assert (doc.date, doc.author, doc.site) == ("2024-03-12", "Omar Haddad", "Reuters")


def test_pdf_title_metadata_wins_unless_it_is_a_file_name(tmp_path):
    titled = load(_write(tmp_path, "a.pdf", make_pdf([PAGE_ONE], title="Storm: harbour reopens")))
    assert titled.title == "Storm: harbour reopens"
    word = load(_write(tmp_path, "b.pdf", make_pdf([PAGE_ONE], title="Microsoft Word - harbour.docx")))
    assert word.title == "Harbour reopens after storm"


def test_scanned_pdf_without_text_layer_is_unreadable_with_that_reason(tmp_path):
    path = _write(tmp_path, "scan.pdf", make_pdf([[], []]))
    with pytest.raises(Unreadable, match=r"no text layer \(scanned PDF\?\)"):
        load(path)


def test_a_scanned_page_among_text_pages_keeps_the_page_numbers(tmp_path):
    doc = load(_write(tmp_path, "mixed.pdf", make_pdf([PAGE_ONE, [], PAGE_TWO])))
    assert len(doc.pages) == 3
    assert page_at(doc, doc.text.index("The mayor")) == 3


@pytest.mark.parametrize("data, reason", [
    (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n", "damaged PDF"),
    (b"Harbour reopens\n\nThe harbour reopened on Friday.\n", "not a PDF"),
])
def test_broken_or_mislabelled_pdf_is_unreadable(tmp_path, data, reason):
    with pytest.raises(Unreadable, match=reason):
        load(_write(tmp_path, "bad.pdf", data))


def test_pdf_bytes_under_another_name_stay_a_skipped_binary(tmp_path):
    with pytest.raises(Unreadable, match="binary"):
        load(_write(tmp_path, "report.txt", make_pdf([PAGE_ONE])))


def test_a_pdf_heavier_than_an_article_file_is_still_read(tmp_path):
    assert PDF_SUFFIXES == {".pdf"} and max_bytes(Path("x.PDF")) > MAX_FILE_BYTES == max_bytes(Path("x.txt"))
    doc = load(_write(tmp_path, "heavy.pdf", make_pdf([PAGE_ONE], padding=MAX_FILE_BYTES + 2**20)))
    assert doc.title == "Harbour reopens after storm"


def test_page_at_is_none_for_documents_that_are_not_pdfs(tmp_path):
    doc = load(_write(tmp_path, "a.txt", b"Harbour reopens\n\nThe harbour reopened on Friday.\n"))
    assert doc.pages == () and page_at(doc, 0) is None


def test_a_word_hyphenated_at_a_line_end_is_one_word(tmp_path):
    lines = ["The harbour wall will be recon-", "structed by the council before the summer, officials said on Friday."]
    doc = load(_write(tmp_path, "hyphen.pdf", make_pdf([["Harbour wall"] + lines])))
    assert "reconstructed by the council" in doc.text and "\x02" not in doc.text
