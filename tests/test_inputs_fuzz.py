"""Property tests for the new readers: any front matter, any top lines, any damaged PDF either
reads with exact spans and a well-formed date or is refused with Unreadable; nothing else escapes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.ingest.chunking import chunk
from qa.ingest.documents import Unreadable, page_at, parse
from qa.ingest.metadata import from_text

from pdf_util import make_pdf

FUZZ = settings(max_examples=60, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

YAMLISH = st.sampled_from(["title: ", "date: ", "author: ", "authors:\n  - ", "byline: ", "site: ", "- ",
                           "[", "]", "{", "}", "&a ", "*a", "!!binary ", "!!python/name:os.system", "'", "\"",
                           "2024-13-45", "2024-03-12", "\ndate: 2024-13-45\n", "\ndate: 2024-02-30T10:00:00\n", "3 April 2024", "today", "Omar Haddad", ": ", "\n",
                           "\r\n", "  ", "---", "...", "#", "\t", "\x00", "é"])
HEAD_WORDS = st.sampled_from(["By", "by", "Published:", "Updated", "Date:", "TRIPOLI,", "(Reuters)", "(AP)", "–",
                              "-", "|", "·", "14", "February", "2023", "Feb.", "Monday", "today", "yesterday",
                              "12/03/2024", "2024-03-12", "Maria", "Okafor", "the", "and", "**", "_", "#",
                              "3rd", "31", "1066", "9999", "at", "10:15", "GMT", "x" * 300])
HEAD = st.lists(st.tuples(HEAD_WORDS, st.sampled_from([" ", " ", "\n", "\n\n", ", "])), max_size=60).map(
    lambda ws: "".join(w + s for w, s in ws))


def _check(doc) -> None:
    for p in chunk(doc):
        assert doc.text[p.start:p.end] == p.text
    if doc.date is not None:
        assert dt.date.fromisoformat(doc.date).year >= 1900
    for value in (doc.author, doc.site):
        assert value is None or (value.strip() == value and value and "\n" not in value)


@FUZZ
@given(front=st.lists(YAMLISH, max_size=40).map("".join), body=HEAD)
def test_any_front_matter_reads_or_is_refused(front, body):
    data = ("---\n" + front + "\n---\n" + body + "\nThe harbour reopened on Friday.\n").encode("utf-8")
    try:
        doc = parse(Path("story.md"), data)
    except Unreadable:
        return
    _check(doc)


@FUZZ
@given(head=HEAD)
def test_any_top_lines_give_a_valid_date_or_none(head):
    meta = from_text("Title\n\n" + head + "\n\nThe harbour reopened on Friday.\n")
    assert meta.date is None or dt.date.fromisoformat(meta.date)
    assert meta.author is None or len(meta.author) <= 100


GOOD_PDF = make_pdf([["Harbour reopens after storm", "The harbour reopened on Friday, officials said."],
                     ["The mayor spoke on Monday."]])


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, len(GOOD_PDF) - 1), st.integers(0, 255)), max_size=20),
       cut=st.integers(16, len(GOOD_PDF)))
def test_damaged_pdfs_read_or_are_refused(edits, cut):
    data = bytearray(GOOD_PDF)
    for at, byte in edits:
        data[at] = byte
    try:
        doc = parse(Path("doc.pdf"), bytes(data[:cut]))
    except Unreadable:
        return
    _check(doc)
    assert doc.pages and all(page_at(doc, p.start) for p in doc.paragraphs)
