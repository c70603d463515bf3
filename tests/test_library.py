"""The user's library (issue 12): where the index lives, sources listed and removed, folders that
are away keep their documents, one file through two paths is one document, names that are not
UTF-8, every file not indexed reported, and a same-size edit with its mtime put back (issue 13)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from qa.index import library, store, sync_read
from qa import locations
from qa.index.changes import pending_changes
from qa.errors import QAError
from qa.index.indexer import sync

from cli_util import Cli, Result
from conftest import ROOT
from robust_util import HashEmbedder, check_consistent, make_library, passage_texts, story


def doc_paths(index: Path) -> set[str]:
    conn = sqlite3.connect(index / store.DB_NAME)
    try:
        return {row[0] for row in conn.execute("SELECT path FROM documents")}
    finally:
        conn.close()


# -- where the index lives -----------------------------------------------------------------------

def test_index_location_order(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_INDEX", str(tmp_path / "env-index"))
    assert locations.resolve_index(tmp_path / "flag").path == tmp_path / "flag"
    assert locations.resolve_index().path == tmp_path / "env-index"
    monkeypatch.delenv("QA_INDEX")
    assert locations.resolve_index().path == ROOT / "index"  # tests run from the checkout
    monkeypatch.setattr(locations, "checkout_root", lambda: None)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert locations.resolve_index().path == tmp_path / "data" / "qa" / "index"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert locations.resolve_index().path == tmp_path / "home" / ".local" / "share" / "qa" / "index"
    assert locations.default_source() is None  # no checkout: no seeds/ to offer


def test_checkout_is_recognised_by_its_pyproject():
    assert locations.checkout_root() == ROOT
    assert locations.default_source() == ROOT / "seeds"


def test_qa_from_an_unrelated_folder_uses_the_resolved_index(tmp_path, run_qa):
    src = make_library(tmp_path)
    index = tmp_path / "data" / "my-index"
    sync(index, [src], embedder=HashEmbedder())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"QA_INDEX": str(index), "COLUMNS": "400"}  # help text unwrapped
    result = run_qa("docs", "--json", cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 5
    result = run_qa("ask", "bridge collapsed town", "--mode", "bm25", "--json", cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["passages"]
    assert str(index) in run_qa("--help", cwd=elsewhere, env=env).stdout
    assert str(index) in run_qa("index", "--help", cwd=elsewhere, env=env).stdout
    assert not (elsewhere / "index").exists()  # nothing created in the working directory


def test_help_names_the_checkout_index_without_env(tmp_path, run_qa):
    result = run_qa("--help", cwd=tmp_path, env={"QA_INDEX": None, "COLUMNS": "400"})
    assert f"{ROOT / 'index'} (this source checkout's index/)" in " ".join(result.stdout.split())
    assert not (tmp_path / "index").exists()


# -- offline folders ------------------------------------------------------------------------------

def test_folder_renamed_away_keeps_its_documents_and_comes_back_unembedded(tmp_path, stand_in, run_qa):
    embedder = stand_in
    src = make_library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=embedder)
    before = passage_texts(index)
    embedder.texts.clear()
    os.rename(src, tmp_path / "away")  # the drive is unmounted

    result = run_qa("index", "--json", "--index", str(index), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["removed"] == 0 and data["unavailable"] == [{"path": str(src), "state": "missing", "documents": 5}]
    result = run_qa("index", "--index", str(index), cwd=tmp_path)
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and str(src) in warnings[0] and "missing" in warnings[0]
    assert passage_texts(index) == before
    changes = pending_changes(index)
    assert not changes.removed and [u.path for u in changes.unavailable] == [str(src)]
    assert [s.state for s in library.list_sources(index)] == ["missing"]

    os.rename(tmp_path / "away", src)  # mounted again
    report = sync(index, embedder=embedder)
    assert (report.added, report.removed, report.unchanged, report.embedded) == (0, 0, 5, 0)
    assert embedder.texts == []
    check_consistent(index)


def test_an_empty_folder_in_its_place_keeps_the_documents(tmp_path):
    src = make_library(tmp_path)
    index = tmp_path / "index"
    emb = HashEmbedder()
    sync(index, [src], embedder=emb)
    os.rename(src, tmp_path / "away")
    src.mkdir()  # the mount point, empty while the drive is away
    report = sync(index, embedder=emb)
    assert report.removed == 0 and [(u.path, u.state, u.documents) for u in report.unavailable] == [(str(src), "empty", 5)]
    assert len(doc_paths(index)) == 5
    assert [s.state for s in library.list_sources(index)] == ["empty"]
    os.rmdir(src)
    os.rename(tmp_path / "away", src)
    assert sync(index, embedder=emb).unchanged == 5


def test_a_subfolder_away_keeps_its_documents_while_a_deleted_file_goes(tmp_path):
    src = make_library(tmp_path)
    index = tmp_path / "index"
    emb = HashEmbedder()
    sync(index, [src], embedder=emb)
    os.rename(src / "sub", tmp_path / "sub-away")
    (src / "a0.txt").unlink()
    report = sync(index, embedder=emb)
    assert report.removed == 1
    assert [(u.path, u.state, u.documents) for u in report.unavailable] == [(str(src / "sub"), "missing", 2)]
    assert doc_paths(index) == {str(src / "a1.txt"), str(src / "a2.txt"), str(src / "sub" / "b0.txt"),
                                str(src / "sub" / "b1.txt")}
    check_consistent(index)


def _deny_folder(monkeypatch, folder: Path) -> None:
    """As root chmod 000 does not stop reads: a folder whose listing fails as it would for a user."""
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(folder):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_subfolder_keeps_its_documents(tmp_path, monkeypatch):
    src = make_library(tmp_path)
    index = tmp_path / "index"
    emb = HashEmbedder()
    sync(index, [src], embedder=emb)
    (src / "a3.txt").write_text(story(3))
    with monkeypatch.context() as m:
        _deny_folder(m, src / "sub")
        report = sync(index, embedder=emb)
        assert pending_changes(index).removed == []
    assert report.added == 1 and report.removed == 0
    assert [(u.path, u.state, u.documents) for u in report.unavailable] == [(str(src / "sub"), "unreadable", 2)]
    assert "Permission denied" in report.skipped_files[str(src / "sub")]
    assert len(doc_paths(index)) == 6
    with monkeypatch.context() as m:
        _deny_folder(m, src)
        assert [s.state for s in library.list_sources(index)] == ["unreadable"]
        report = sync(index, embedder=emb)
    assert report.removed == 0 and report.unavailable[0].documents == 6


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: chmod 000 does not stop root reading "
                    "(the monkeypatched test above covers the same code path)")
def test_an_unreadable_subfolder_by_permissions(tmp_path):
    src = make_library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    (src / "sub").chmod(0)
    try:
        report = sync(index, embedder=HashEmbedder())
    finally:
        (src / "sub").chmod(0o755)
    assert report.removed == 0 and report.unavailable[0].state == "unreadable"


def test_a_rebuild_stops_rather_than_drop_an_unavailable_folder(tmp_path):
    src = make_library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    os.rename(src / "sub", tmp_path / "away")
    with pytest.raises(QAError, match="cannot rebuild.*qa remove"):
        sync(index, rebuild=True, embedder=HashEmbedder())
    assert len(doc_paths(index)) == 5


# -- one file, two paths ----------------------------------------------------------------------------

def test_the_same_file_through_two_paths_is_one_document(tmp_path, monkeypatch):
    src = make_library(tmp_path)
    os.symlink(src / "a0.txt", src / "link-to-a0.txt")
    index = tmp_path / "index"
    emb = HashEmbedder()
    report = sync(index, [src], embedder=emb)
    assert report.added == 5 and str(src / "a0.txt") in doc_paths(index)
    os.symlink(src, tmp_path / "linked-src")
    assert sync(index, [tmp_path / "linked-src"], embedder=emb).added == 0  # the folder again, through a link
    monkeypatch.chdir(tmp_path)
    assert sync(index, ["src"], embedder=emb).added == 0  # relative
    assert sync(index, [src / "sub" / ".." / "a1.txt"], embedder=emb).added == 0
    assert [s.path for s in library.list_sources(index)] == [str(src)]  # a1.txt is the folder's (issue 21)
    assert len(doc_paths(index)) == 5
    check_consistent(index)


# -- file names -----------------------------------------------------------------------------------

def test_a_name_that_is_not_utf8_never_blocks_the_others(tmp_path, run_qa):
    src = make_library(tmp_path)
    bad = os.path.join(os.fsencode(src), b"caf\xe9 \x93news\x94.txt")
    with open(bad, "wb") as handle:
        handle.write(story(7, "coffee").encode())
    (src / "line\nbreak\x1b[31m.txt").write_text(story(8, "escape"))
    index = tmp_path / "index"
    result = run_qa("index", str(src), "--index", str(index), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["added"] == 6  # the five stories and the name with a newline
    assert "UTF-8" in data["skipped_files"][f"{src}/caf\\xe9 \\x93news\\x94.txt"]
    result = run_qa("index", "--index", str(index), cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "caf\\xe9 \\x93news\\x94.txt" in result.stderr and "\x1b" not in result.stdout + result.stderr
    docs = run_qa("docs", "--index", str(index), cwd=tmp_path)
    assert docs.returncode == 0 and "\x1b" not in docs.stdout and len(docs.stdout.splitlines()) == 6


# -- every file not indexed is reported -----------------------------------------------------------

def test_unsupported_files_are_listed_and_exports_never_indexed(tmp_path, run_qa):
    src = make_library(tmp_path)
    (src / "photo.jpg").write_bytes(b"\xff\xd8\xff" + bytes(100))
    (src / "notes.docx").write_bytes(b"PK\x03\x04" + bytes(100))
    (src / "qa-conversation-20261127-101500.md").write_text("# qa conversation\n\n## Who?\n\n> the harbour flooded\n")
    index = tmp_path / "index"
    result = run_qa("index", str(src), "--index", str(index), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "skipped 2 files of unsupported types (.docx 1, .jpg 1): notes.docx, photo.jpg" in result.stderr
    assert "qa-conversation-20261127-101500.md: written by qa" in result.stderr
    assert len(doc_paths(index)) == 5
    result = run_qa("index", "--index", str(index), "--json", cwd=tmp_path)
    skipped = json.loads(result.stdout)["skipped_files"]
    assert skipped[str(src / "photo.jpg")] == "unsupported file type (.jpg)"
    assert set(skipped) == {str(src / n) for n in ("photo.jpg", "notes.docx", "qa-conversation-20261127-101500.md")}


# -- change detection (issue 13) --------------------------------------------------------------------

def test_a_same_size_edit_with_its_mtime_put_back_is_seen(tmp_path):
    src = make_library(tmp_path)
    index = tmp_path / "index"
    emb = HashEmbedder()
    sync(index, [src], embedder=emb)
    path = src / "a1.txt"
    before = os.stat(path)
    new = story(1).replace("harbour", "airport")
    assert len(new) == len(story(1))
    path.write_text(new)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (os.stat(path).st_size, os.stat(path).st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert pending_changes(index).changed == [str(path)]
    report = sync(index, embedder=emb)
    assert report.updated == 1 and report.unchanged == 4
    assert "airport" in passage_texts(index)["a1.txt"]


def test_an_older_index_without_inode_columns_is_not_reread(tmp_path, monkeypatch):
    src = make_library(tmp_path)
    index = tmp_path / "index"
    emb = HashEmbedder()
    sync(index, [src], embedder=emb)
    conn = sqlite3.connect(index / store.DB_NAME)
    conn.execute("ALTER TABLE documents DROP COLUMN ctime_ns")
    conn.execute("ALTER TABLE documents DROP COLUMN inode")
    conn.execute("PRAGMA user_version = 0")  # as a qa that recorded no schema version left it
    conn.commit()
    conn.close()
    assert not pending_changes(index)  # a reader does without the columns
    reads = []
    real_parse = sync_read.parse
    monkeypatch.setattr(sync_read, "parse", lambda p, d: reads.append(p) or real_parse(p, d))
    report = sync(index, embedder=emb)
    assert reads == [] and report.unchanged == 5 and report.embedded == 0
    conn = sqlite3.connect(index / store.DB_NAME)
    rows = conn.execute("SELECT path, ctime_ns, inode FROM documents").fetchall()
    conn.close()
    assert all(os.stat(p).st_ino == ino and os.stat(p).st_ctime_ns == ctime for p, ctime, ino in rows)


# -- qa sources, qa remove ----------------------------------------------------------------------------

def test_sources_and_remove_on_the_command_line(tmp_path, run_qa):
    src = make_library(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "c.txt").write_text(story(20, "school"))
    index = tmp_path / "index"
    sync(index, [src, other], embedder=HashEmbedder())
    os.rename(other, tmp_path / "other-away")

    result = run_qa("sources", "--json", "--index", str(index), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["path"], r["documents"], r["state"]) for r in rows] == [(str(other), 1, "missing"), (str(src), 5, "ok")]
    assert all(r["passages"] >= r["documents"] for r in rows)

    result = run_qa("remove", str(other), "--json", "--index", str(index), cwd=tmp_path)  # the only way out
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"removed": str(other), "kind": "source", "documents": 1, "passages": 1}

    result = run_qa("remove", "src/sub/b0.txt", "--index", str(index), cwd=tmp_path)  # one file, relative
    assert result.returncode == 0 and "removed file" in result.stdout
    assert sync(index, embedder=HashEmbedder()).added == 0  # not brought back by a sync
    assert str(src / "sub" / "b0.txt") not in doc_paths(index)
    assert sync(index, [src / "sub" / "b0.txt"], embedder=HashEmbedder()).added == 1  # named again: back
    check_consistent(index)

    result = run_qa("remove", str(tmp_path / "never-indexed"), "--index", str(index), cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("qa: error:") and "not indexed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert len(doc_paths(index)) == 5


# -- PDF (the readers are qa/ingest/pdf.py's; here: a source folder's PDFs are indexed with their page) ------

def test_a_file_named_again_inside_its_folder_source_is_no_second_source(tmp_path):
    """qa remove FOLDER/file then qa index FOLDER/file lifts the exclusion: one document, counted
    once, under the folder (no second source beside it); so too a subfolder named."""
    src = make_library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    library.remove(index, src / "a1.txt")
    assert sync(index, [src / "a1.txt"], embedder=HashEmbedder()).added == 1
    sync(index, [src / "sub", src], embedder=HashEmbedder())
    assert [(s.path, s.documents) for s in library.list_sources(index)] == [(str(src), 5)]
    library.remove(index, src / "a1.txt")  # still a file of the folder, taken out again
    assert [(s.path, s.documents) for s in library.list_sources(index)] == [(str(src), 4)]


def test_an_index_holding_a_source_inside_another_counts_each_document_once(tmp_path):
    """Indexes made before the fix may record a file source inside a folder source: the file is
    counted under the deepest source, so the counts add up to the documents."""
    src = make_library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    with store.IndexStore.open(index) as db, db.transaction():
        db.add_sources([str(src / "a1.txt")], 0.0)
    rows = [(s.path, s.documents) for s in library.list_sources(index)]
    assert rows == [(str(src), 4), (str(src / "a1.txt"), 1)]


def test_pdfs_in_a_source_are_indexed_with_the_page_of_each_passage(tmp_path):
    from pdf_util import make_pdf

    src = make_library(tmp_path)
    first = ["Port report", ""] + [f"The harbour of Leith reopened on Monday after repairs number {i} to its gates."
                                   for i in range(14)]
    second = [f"The Tobermory lighthouse keeper retired on Friday after forty years, said report {i}." for i in range(14)]
    (src / "report.pdf").write_bytes(make_pdf([first, second]))
    (src / "scan.pdf").write_bytes(make_pdf([[]]))
    index = tmp_path / "index"
    report = sync(index, [src], embedder=HashEmbedder())
    assert report.added == 6 and "no text layer" in report.skipped_files[str(src / "scan.pdf")]
    conn = sqlite3.connect(index / store.DB_NAME)
    pages = conn.execute("SELECT p.text, p.page FROM passages p JOIN documents d ON d.id = p.doc_id "
                         "WHERE d.path = ? ORDER BY p.ordinal", (str(src / "report.pdf"),)).fetchall()
    others = {row[0] for row in conn.execute("SELECT p.page FROM passages p JOIN documents d ON d.id = p.doc_id "
                                             "WHERE d.path != ?", (str(src / "report.pdf"),))}
    conn.close()
    assert [page for _, page in pages] == [1, 1, 2, 2]
    assert all(("Leith" in text) == (page == 1) for text, page in pages)
    assert others == {None}


def _ask(run_qa: Cli, index: Path, question: str, cwd: Path, *extra: str) -> Result:
    return run_qa("ask", question, "--mode", "bm25", "--index", str(index), *extra, cwd=cwd)


def test_answers_cite_the_documents_of_a_folder_away_marked_unavailable(tmp_path, run_qa):
    src = make_library(tmp_path)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    os.rename(src, tmp_path / "away")
    sync(index, embedder=HashEmbedder())
    result = _ask(run_qa, index, "Which bridge collapsed?", tmp_path, "--json")
    assert result.returncode == 0, result.stderr
    top = json.loads(result.stdout)["passages"][0]
    assert top["source"] == "src/sub/b0.txt" or top["source"] == "src/sub/b1.txt"
    assert top["available"] is False and top["page"] is None
    assert "(file unavailable now)" in _ask(run_qa, index, "Which bridge collapsed?", tmp_path).stdout
    os.rename(tmp_path / "away", src)
    top = json.loads(_ask(run_qa, index, "Which bridge collapsed?", tmp_path, "--json").stdout)["passages"][0]
    assert top["available"] is True


def test_a_pdf_is_answered_with_its_page(tmp_path, run_qa):
    from pdf_util import make_pdf

    src = make_library(tmp_path)
    first = [f"The harbour of Leith reopened on Monday after repairs number {i} to its gates." for i in range(14)]
    second = [f"The Tobermory lighthouse keeper retired on Friday after forty years, said report {i}." for i in range(14)]
    (src / "report.pdf").write_bytes(make_pdf([["Port report", ""] + first, second]))
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    result = _ask(run_qa, index, "When did the Tobermory lighthouse keeper retire?", tmp_path, "--json")
    top = json.loads(result.stdout)["passages"][0]
    assert top["source"] == "src/report.pdf" and top["page"] == 2 and "Tobermory" in top["text"]
    assert "src/report.pdf, p. 2, ¶" in _ask(run_qa, index, "When did the Tobermory lighthouse keeper retire?", tmp_path).stdout


def test_an_older_index_with_paths_through_a_link_is_adopted_without_reembedding(tmp_path):
    src = make_library(tmp_path)
    os.symlink(src, tmp_path / "link")
    index = tmp_path / "index"
    emb = HashEmbedder()
    sync(index, [src], embedder=emb)
    conn = sqlite3.connect(index / store.DB_NAME)  # as an older qa recorded them: unresolved
    conn.execute("UPDATE documents SET path = replace(path, ?, ?)", (str(src), str(tmp_path / "link")))
    conn.execute("UPDATE sources SET path = ?", (str(tmp_path / "link"),))
    conn.commit()
    conn.close()
    emb.texts.clear()
    report = sync(index, embedder=emb)
    assert (report.added, report.removed, report.unchanged, emb.texts) == (0, 0, 5, [])
    assert all(p.startswith(str(src) + os.sep) for p in doc_paths(index))
    check_consistent(index)
