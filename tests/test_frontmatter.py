"""Markdown front matter: title, date, author from the `---` YAML block, which is never a passage;
offsets stay offsets into the whole file; a malformed block is plain text, never an error."""

from __future__ import annotations

import pytest

from qa.ingest.chunking import chunk
from qa.ingest.documents import load

from robust_util import decoded

BODY = ("# Harbour reopens after storm\n\n"
        "The harbour reopened on Friday after the storm damaged the pier, officials said.\n\n"
        "Fishing boats returned to their moorings by the afternoon, the harbour master said.\n")
FRONT = ("---\n"
         "title: \"Storm: harbour reopens\"\n"
         "date: 2024-03-12\n"
         "author: Omar Haddad\n"
         "site: The Coast Courier\n"
         "tags: [storm, harbour]\n"
         "---\n")


def _md(tmp_path, text: str, name: str = "story.md", newline: str = "\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path, load(path)


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_front_matter_gives_title_date_author_and_is_not_article_text(tmp_path, newline):
    path, doc = _md(tmp_path, FRONT + BODY, newline=newline)
    assert (doc.title, doc.date, doc.author, doc.site) == (
        "Storm: harbour reopens", "2024-03-12", "Omar Haddad", "The Coast Courier")
    assert doc.text == decoded(path, "utf-8")  # offsets are into the whole file, front matter included
    body_start = doc.text.index("# Harbour")
    assert doc.paragraphs[0].start == body_start and doc.paragraphs[0].number == 1
    passages = chunk(doc)
    assert all(doc.text[p.start:p.end] == p.text and p.start >= body_start for p in passages)
    assert not any("author:" in p.text or "tags" in p.text for p in passages)


def test_front_matter_author_lists_and_written_dates(tmp_path):
    front = "---\ntitle: Harbour\nauthors:\n  - Omar Haddad\n  - Maria Okafor\ndate: 3 April 2024\n---\n"
    _, doc = _md(tmp_path, front + BODY)
    assert (doc.date, doc.author) == ("2024-04-03", "Omar Haddad, Maria Okafor")


def test_front_matter_wins_and_the_top_lines_fill_what_it_lacks(tmp_path):
    front = "---\ntitle: Harbour\nauthor: Omar Haddad\n---\n"
    _, doc = _md(tmp_path, front + "By Maria Okafor\nPublished: 3 April 2024\n\n" + BODY)
    assert (doc.author, doc.date) == ("Omar Haddad", "2024-04-03")


def test_without_a_title_in_front_matter_the_first_line_of_the_body_is_the_title(tmp_path):
    _, doc = _md(tmp_path, "---\nlayout: post\ndate: 2024-03-12\n---\n\n\n" + BODY)
    assert doc.title == "# Harbour reopens after storm" and doc.date == "2024-03-12"


@pytest.mark.parametrize("front", [
    "---\ntitle: [unclosed\ndate: 2024-03-12\n---\n",  # YAML that does not parse
    "---\ntitle: Harbour\ndate: 2024-03-12\n",  # no closing line
    "---\n- a list\n- not fields\n---\n",  # YAML, but not key: value pairs
    "---\nJust a line between rules\n---\n",  # a plain string
    "---\ntitle: Harbour\ndate: 2024-13-45\n---\n",  # a YAML date that is not a date
    "---\ntitle: " + "[" * 3000 + "\n---\n",  # nesting deeper than the parser's recursion
], ids=["bad-yaml", "unclosed", "list", "string", "bad-date", "deep"])
def test_malformed_front_matter_is_plain_text(tmp_path, front):
    path, doc = _md(tmp_path, front + BODY)
    # no title from it, nor its fence ("---" was the title): the article's first real line is
    assert doc.title == _md(tmp_path, BODY, name="plain.md")[1].title != "---"
    assert doc.text == decoded(path, "utf-8")
    kept = [doc.text[p.start:p.end] for p in doc.paragraphs]
    assert kept[1] == front.splitlines()[1]  # its lines are paragraphs like any other
    assert all(doc.text[p.start:p.end] == p.text for p in chunk(doc))


def test_front_matter_is_read_in_markdown_files_only(tmp_path):
    _, doc = _md(tmp_path, FRONT + BODY, name="story.txt")
    assert doc.title == _md(tmp_path, BODY, name="plain.txt")[1].title and doc.site is None
    assert any(doc.text[p.start:p.end] == "author: Omar Haddad" for p in doc.paragraphs)


def test_front_matter_after_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + (FRONT + BODY).encode("utf-8"))
    doc = load(path)
    assert doc.encoding == "utf-8-sig" and doc.text == decoded(path, "utf-8-sig")
    assert doc.title == "Storm: harbour reopens" and doc.date == "2024-03-12"
    assert doc.text[doc.paragraphs[0].start:].startswith("# Harbour")
