"""Reading a file costs a bounded memory and time (qa/settings.py ReaderSettings): a PDF whose
content stream inflates to hundreds of MB is skipped with its reason, and not read again until it
changes. The PDF's reader runs in a child process (qa/ingest/read_worker.py) whose limit is lowered here,
so the test itself stays small."""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pytest

from qa.ingest import read_worker
from qa.index.changes import pending_changes
from qa.ingest.documents import OverBudget, Unreadable, load
from qa.index.indexer import sync
from qa.settings import ReaderSettings

from pdf_util import flate_bomb_pdf, make_pdf
from robust_util import HashEmbedder, story

SMALL = ReaderSettings(memory_bytes=400 << 20, pdf_seconds=60.0)


@pytest.fixture
def small_budget(monkeypatch):
    monkeypatch.setattr(read_worker, "BUDGET", SMALL)
    yield
    worker = read_worker._shared.pop(SMALL, None)
    if worker is not None:
        worker.close()


def test_a_flate_bomb_pdf_is_over_budget_and_the_reader_stays_small(tmp_path, small_budget):
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(flate_bomb_pdf(3_000_000))  # 21 MB of operators in ~31 KB: PDFium wants ~2 GB
    assert bomb.stat().st_size < 64 << 10
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(OverBudget, match="memory"):
        load(bomb)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 << 10  # KB: < 100 MB here
    good = tmp_path / "good.pdf"  # the reader is started again for the next PDF
    good.write_bytes(make_pdf([["Harbour reopens", "The harbour reopened on Monday after the storm."]]))
    assert "harbour reopened" in load(good).text


@pytest.mark.parametrize("name, data, budget", [
    ("slow.pdf", make_pdf([["A page of text that is read."]]), ReaderSettings(pdf_seconds=0.001)),
    ("slow.html", b"<html><body><article><p>" + b"The harbour reopened. " * 50 + b"</p></article></body></html>",
     ReaderSettings(html_seconds=0.001)),
], ids=["pdf", "html"])
def test_a_file_over_its_time_budget_is_skipped_with_the_reason(tmp_path, monkeypatch, name, data, budget):
    monkeypatch.setattr(read_worker, "BUDGET", budget)
    path = tmp_path / name
    path.write_bytes(data)
    try:
        with pytest.raises(OverBudget, match="longer than"):
            load(path)
    finally:
        read_worker._shared.pop(budget).close()


def test_a_skipped_bomb_is_not_read_again_until_it_changes(tmp_path, small_budget, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(story(1))
    bomb = src / "bomb.pdf"
    bomb.write_bytes(flate_bomb_pdf(3_000_000))
    report = sync(tmp_path / "index", [src], embedder=HashEmbedder())
    assert report.added == 1 and "memory" in report.skipped_files[str(bomb)]
    assert pending_changes(tmp_path / "index").added == []  # the UI's automatic sync leaves it be
    reads = []
    real = read_worker.ReadWorker.read
    monkeypatch.setattr(read_worker.ReadWorker, "read", lambda self, kind, data: reads.append(kind) or real(self, kind, data))
    again = sync(tmp_path / "index", embedder=HashEmbedder())
    assert reads == [] and "memory" in again.skipped_files[str(bomb)] and again.skipped == 1
    bomb.write_bytes(make_pdf([["Bomb defused", "The file now holds a short article about a harbour."]]))
    assert pending_changes(tmp_path / "index").added == [str(bomb)]
    fixed = sync(tmp_path / "index", embedder=HashEmbedder())
    assert reads == ["pdf"] and fixed.added == 1 and str(bomb) not in fixed.skipped_files
