"""Advice that is followed works, and errors say what is true (issue 22): what `qa ask` finds
damaged, `qa index --check` reports and `qa index` repairs; `--check` reports a malformed database
rather than crash on it; `qa remove` of a folder above the sources is refused; a full disk during
`qa remove` says the index is whole; a device or FIFO is no source; many skipped files are
summarised; a repair's JSON counts what it embedded."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from qa import cli
from qa.index import pause, store
from qa.errors import IndexCorrupt, QAError
from qa.index.indexer import SyncReport, sync
from qa.search import Searcher

from cli_util import check
from robust_util import HashEmbedder, check_consistent, make_library, story

QUESTION = "Who heads Ansar al-Sharia in Derna?"


def _one_error_line(capsys, *needles: str) -> str:
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("qa: error:"), err
    for needle in needles:
        assert needle in err, err
    return err


# -- what ask finds, --check reports and qa index repairs -------------------------------------------

def test_shifted_offsets_are_found_by_ask_check_and_index_alike(built):
    index, _ = built
    with sqlite3.connect(index / store.DB_NAME) as conn:
        (pid,) = conn.execute("SELECT id FROM passages WHERE text LIKE '%Sufian al Qumu%' LIMIT 1").fetchone()
        conn.execute("UPDATE passages SET start = start + 3, end = end + 3 WHERE id = ?", (pid,))
    searcher = Searcher(index)
    with pytest.raises(IndexCorrupt, match=f"passage {pid} is damaged .*repair with: qa index"):
        searcher.search(QUESTION, k=3, mode="bm25")
    searcher.close()
    code, report = check(index)
    assert code == 1 and any(f"passage {pid} is damaged" in p for p in report["problems"]), report
    assert report["repair"] == f"qa index --index {index}"
    report = sync(index, embedder=HashEmbedder())  # the advice, followed, repairs it
    assert report.warnings[0].startswith("repaired:")
    assert check(index) == (0, check(index)[1]) and check(index)[1]["whole"]
    assert any("Sufian al Qumu" in h.text for h in Searcher(index).search(QUESTION, k=3, mode="bm25").hits)
    check_consistent(index)  # every span is the file's text again


def _garble_passages_page(index: Path) -> None:
    """Garbage in a page the passages table uses (its root page), as a bad sector leaves."""
    with sqlite3.connect(index / store.DB_NAME) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'passages'").fetchone()
    with open(index / store.DB_NAME, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xde\xad\xbe\xef" * (page_size // 4))


def test_check_reports_a_malformed_database_with_the_way_out(built, capsys):
    index, _ = built
    _garble_passages_page(index)
    code, report = check(index)  # JSON, not a crash
    assert code == 1 and not report["whole"] and "damaged" in report["problems"][0], report
    assert report["repair"] == f"qa index --rebuild --index {index}"
    assert cli.main(["index", "--check", "--index", str(index)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("qa: damaged: the index database") and out.count("\n") == 1, out
    assert err == f"rebuild with: qa index --rebuild --index {index}\n"
    assert cli.main(["index", "--index", str(index)]) == 1  # plain qa index gives the same way out
    _one_error_line(capsys, "damaged", "rebuild with: qa index --rebuild")
    sync(index, rebuild=True, embedder=HashEmbedder())  # which works
    assert check(index)[1]["whole"] and len(check_consistent(index)) == 2


def test_a_repairs_json_counts_the_passages_it_embedded(built):
    index, _ = built
    (vector_file,) = index.glob("vectors.*.faiss")
    with open(vector_file, "r+b") as handle:  # 0xff floats are NaN: a few vectors lost
        handle.seek(vector_file.stat().st_size // 2)
        handle.write(b"\xff" * 4096)
    embedder = HashEmbedder()
    report = sync(index, embedder=embedder)
    said = [w for w in report.warnings if w.startswith("embedded ")]
    assert said == [f"embedded {len(embedder.texts)} passages again"] and len(embedder.texts) >= 1
    assert report.as_json()["embedded"] == report.embedded == len(embedder.texts)


# -- qa remove --------------------------------------------------------------------------------------

def test_remove_of_a_folder_above_the_sources_is_refused_naming_them(tmp_path, capsys):
    lib = tmp_path / "lib"
    a, b = make_library(lib / "a"), make_library(lib / "b")
    index = tmp_path / "index"
    sync(index, [a, b], embedder=HashEmbedder())
    assert cli.main(["remove", str(lib), "--index", str(index)]) == 1
    err = _one_error_line(capsys, str(a), str(b), f"qa remove {a}")
    assert "is not a source" in err
    assert len(check_consistent(index)) == 10  # nothing was removed
    assert sync(index, embedder=HashEmbedder()).embedded == 0


def test_disk_full_during_remove_says_the_index_is_whole(tmp_path, monkeypatch, capsys):
    src = make_library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())

    def full(at: str) -> None:  # as tests/test_robustness_index.py fills the disk
        if at == "committing":
            raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(pause, "at", full)
    assert cli.main(["remove", str(src / "sub"), "--index", str(index)]) == 1
    _one_error_line(capsys, "the disk is full; the previous index is unchanged")
    assert len(check_consistent(index)) == 5 and check(index)[1]["whole"]
    monkeypatch.setattr(pause, "at", lambda at: None)
    assert cli.main(["remove", str(src / "sub"), "--index", str(index)]) == 0  # space freed: it works
    assert len(check_consistent(index)) == 3


# -- sources that are not files or folders; many skipped files ------------------------------------------

def test_a_device_or_a_fifo_is_not_a_source(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    index = tmp_path / "index"
    for path in ("/dev/zero", fifo):
        with pytest.raises(QAError, match="is not a file or folder"):
            sync(index, [path], embedder=HashEmbedder())
    assert not (index / store.DB_NAME).exists()  # nothing recorded


def test_many_skipped_files_are_summarised_and_json_lists_them_all(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(40):
        (src / f"empty{i:02d}.txt").write_text("")
    (src / "real.txt").write_text(story(1))
    report = sync(tmp_path / "index", [src], embedder=HashEmbedder())
    assert report.skipped == 40 and len(report.as_json()["skipped_files"]) == 40
    cli.print_report(report)
    err = capsys.readouterr().err.splitlines()
    assert err == ["qa: skipped 40 files (empty file): empty00.txt, empty01.txt, empty02.txt, ... "
                   "(qa index --json lists all)"]
    many = SyncReport(skipped=100_000, skipped_files={f"/a/e{i}.txt": "empty file" for i in range(99_990)}
                      | {f"/a/u{i}.txt": "cannot read: Permission denied (the indexed version is kept)" for i in range(10)})
    cli.print_report(many)
    err = capsys.readouterr().err.splitlines()
    assert err == ["qa: skipped 99990 files (empty file): e0.txt, e1.txt, e2.txt, ... (qa index --json lists all)",
                   "qa: skipped 10 files (cannot read: Permission denied): u0.txt, u1.txt, u2.txt, ... "
                   "(qa index --json lists all)"]
