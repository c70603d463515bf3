"""An index made before a change to how web pages are read (qa/ingest/webpage.py HTML_READER_VERSION):
its next full sync reads its web pages again though their files did not change, so every citation
is exact against the file; passages whose text is the same keep their vectors; text files are not
read again; the version is recorded then, and not by a restricted sync or one with a folder away."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from pathlib import Path

import pytest

from qa import cli
from qa.index import store
from qa.index.indexer import sync
from qa.index.sync_records import SyncReport
from qa.ingest import documents, webpage

from robust_util import HashEmbedder

#: a story long enough for several passages: the old reader's extra line changes one of them only
PARAGRAPHS = [f"Paragraph {i}: the council of Kingsford voted on the harbour wall and the ferry timetable, "
              f"the mayor said on day {i}, and the cost of the repairs, put at {i} million pounds, will be met "
              f"by the port authority over the next {i + 2} years, the finance officer told the meeting."
              for i in range(12)]
OLD_LINE = "Photo: the harbour wall at dusk, by the Kingsford Star's photographer."


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts, batch_size=64, on_batch=None):
        self.texts += list(texts)
        return super().encode(texts, batch_size, on_batch)


def _sources(root: Path) -> Path:
    src = root / "src"
    src.mkdir(parents=True)
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    (src / "page.html").write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Harbour wall vote</title>'
                                   f'</head><body><article><h1>Harbour wall vote</h1>{body}</article></body></html>',
                                   encoding="utf-8")
    (src / "notes.txt").write_text("Ferry notes\n\nThe ferry to the islands runs twice a day in winter, the port said.\n")
    return src


def _old_index(root: Path, monkeypatch) -> tuple[Path, Path]:
    """An index whose web page was read by an older reader (a caption line in its text, as web24's
    reader no longer keeps), made before the reader's version was recorded."""
    index, src = root / "index", _sources(root)
    reader = documents._read_html

    def old_reader(data: bytes):
        read = reader(data)
        first = read.text.index("\n") + 1
        return dataclasses.replace(read, text=read.text[:first] + OLD_LINE + "\n" + read.text[first:])

    with monkeypatch.context() as patch:
        patch.setattr(documents, "_read_html", old_reader)
        sync(index, [src], embedder=HashEmbedder())
    with sqlite3.connect(index / store.DB_NAME) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'html_reader'")  # as before it was recorded
    return index, src


def _passages(index: Path) -> list[tuple[str, int, int, int, str]]:
    with sqlite3.connect(index / store.DB_NAME) as conn:
        return conn.execute("SELECT d.path, d.id, p.start, p.end, p.text FROM passages p "
                            "JOIN documents d ON d.id = p.doc_id ORDER BY p.id").fetchall()


def _misplaced(index: Path) -> list[tuple[str, int]]:
    """Passages not at their stored offsets in their file's text as it is read now (the article view's check)."""
    texts = {}
    for path, _, start, end, text in _passages(index):
        texts.setdefault(path, documents.parse(Path(path), Path(path).read_bytes()).text)
        if texts[path][start:end] != text:
            yield Path(path).name, start


def _recorded(index: Path) -> int:
    with store.IndexStore.open(index) as db:
        return db.html_reader_version()


def test_a_full_sync_reads_the_web_pages_of_an_older_reader_again(tmp_path, monkeypatch):
    index, _ = _old_index(tmp_path, monkeypatch)
    assert list(_misplaced(index)), "the old reading should no longer match the file"
    before = _passages(index)
    txt_before = [row for row in before if row[0].endswith(".txt")]
    read_paths: list[str] = []
    embedder = CountingEmbedder()
    report = sync(index, embedder=embedder, on_stage=lambda name, record, _: read_paths.extend(
        t.path for t in record.to_read) if name == "scan" else None)
    assert list(_misplaced(index)) == []  # every citation exact against the file
    assert [Path(p).name for p in read_paths] == ["page.html"]  # the text file is not read again
    assert [row for row in _passages(index) if row[0].endswith(".txt")] == txt_before
    assert report.reread == 1 and report.updated == 0 and report.added == 0
    # only the passages whose text is new are embedded: the others keep their vectors
    old_texts = {text for *_, text in before}
    new_texts = {text for path, *_, text in _passages(index) if path.endswith(".html")}
    assert 0 < len(new_texts - old_texts) < len(new_texts)
    assert report.embedded == len(new_texts - old_texts) == len(set(embedder.texts))
    assert _recorded(index) == webpage.HTML_READER_VERSION
    # once recorded, nothing is read again
    again = sync(index, embedder=HashEmbedder())
    assert again.reread == 0 and again.unchanged == 2 and again.embedded == 0


def test_a_new_index_records_the_reader_and_reads_nothing_again(tmp_path):
    index, src = tmp_path / "index", _sources(tmp_path)
    sync(index, [src], embedder=HashEmbedder())
    assert _recorded(index) == webpage.HTML_READER_VERSION
    assert sync(index, embedder=HashEmbedder()).reread == 0


def test_a_restricted_sync_reads_its_pages_again_but_records_nothing(tmp_path, monkeypatch):
    index, src = _old_index(tmp_path, monkeypatch)
    (src / "later.txt").write_text("Later\n\nThe harbour wall repairs begin in May, the port authority said.\n")
    report = sync(index, embedder=HashEmbedder(), only=[src / "later.txt"])
    assert report.added == 1 and report.reread == 0
    assert _recorded(index) == 0  # the web page keeps the old text: the next full sync reads it
    os.utime(src / "page.html")  # a watcher's batch naming the page: read with the new reader
    report = sync(index, embedder=HashEmbedder(), only=[src / "page.html"])
    assert report.reread == 1 and list(_misplaced(index)) == []
    assert _recorded(index) == 0  # other pages may still hold the old reader's text
    assert sync(index, embedder=HashEmbedder()).reread == 1 and _recorded(index) == webpage.HTML_READER_VERSION


def test_a_folder_away_keeps_the_old_version_until_it_is_back(tmp_path, monkeypatch):
    index, src = _old_index(tmp_path, monkeypatch)
    other = tmp_path / "other"
    other.mkdir()
    (other / "more.html").write_text((src / "page.html").read_text().replace("Harbour wall vote", "Ferry vote"))
    sync(index, [other], embedder=HashEmbedder())
    with sqlite3.connect(index / store.DB_NAME) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'html_reader'")
    other.rename(tmp_path / "away")  # an unmounted drive: its page is kept as indexed
    report = sync(index, embedder=HashEmbedder())
    assert report.reread == 1 and _recorded(index) == 0
    (tmp_path / "away").rename(other)
    report = sync(index, embedder=HashEmbedder())
    assert report.reread == 2 and _recorded(index) == webpage.HTML_READER_VERSION


def test_qa_index_says_how_many_web_pages_it_read_again(capsys):
    cli.print_report(SyncReport(updated=1, reread=3, unchanged=4, passages=9))
    out = capsys.readouterr()
    assert "qa: web pages re-read: 3 (the reader changed)" in out.err.splitlines()
    assert SyncReport(reread=3).as_json()["reread"] == 3
    cli.print_report(SyncReport(unchanged=4))
    assert "re-read" not in capsys.readouterr().err
