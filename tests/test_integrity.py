"""Integrity (issue 13): a healthy index is never called damaged, damage is never served, every
fault is named. Real files and real processes: a second process holding the database, bytes
overwritten inside a generation file, rows edited or deleted behind qa's back, write.lock deleted
while a reindex runs."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from qa import cli
from qa.index import inspection, integrity, store, vectors
from qa.errors import IndexBusy, IndexCorrupt
from qa.index.indexer import sync
from qa.index.lock import LOCK_NAME, write_lock
from qa.index.store import IndexStore

from cli_util import check
from conftest import ROOT, SEEDS
from robust_util import HashEmbedder, check_consistent

QUESTION = "Who heads Ansar al-Sharia in Derna?"


def env_now(**extra: str) -> dict[str, str]:
    """The environment for a `qa` subprocess, read when it starts: the session's private model
    cache (conftest.private_cache) is set after this module is imported."""
    return dict(os.environ, PYTHONPATH=str(ROOT), **extra)


def hold_exclusive(db: Path, seconds: float) -> subprocess.Popen:
    """Another program (python's sqlite3) holding the database with BEGIN EXCLUSIVE for `seconds`;
    returns once it holds it."""
    code = ("import sqlite3, sys, time\n"
            f"conn = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
            "conn.execute('BEGIN EXCLUSIVE')\n"
            "print('held', flush=True)\n"
            f"time.sleep({seconds})\n"
            "conn.execute('COMMIT')\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def ranked(index: Path) -> list[tuple[str, str]]:
    """(path, text) of the top passages for a few questions, dense and keyword alike."""
    from qa.search import Searcher

    searcher = Searcher(index)
    try:
        return [(h.path, h.text) for q in (QUESTION, "Islamic State driven out of Derna", "militia Benghazi")
                for h in searcher.search(q, k=3, embedder=HashEmbedder(), mode="hybrid").hits]
    finally:
        searcher.close()


# -- busy is not damaged ----------------------------------------------------------------------------

def test_a_held_database_is_waited_for_then_answered(built, tmp_path, run_qa):
    index, _ = built
    holder = hold_exclusive(index / store.DB_NAME, 4.0)
    started = time.monotonic()
    result = run_qa("ask", QUESTION, "--mode", "bm25", "--index", str(index), cwd=tmp_path)
    holder.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started >= 3.0  # it did wait for the holder
    assert "Sufian al Qumu" in result.stdout
    assert "the index is busy" in result.stderr and "waiting" in result.stderr
    assert f"pid {holder.pid}" in result.stderr  # who holds it, read from /proc/locks
    assert "damaged" not in result.stderr and "--rebuild" not in result.stderr


def test_a_database_held_too_long_is_busy_never_damaged(built, tmp_path, run_qa):
    index, src = built
    holder = hold_exclusive(index / store.DB_NAME, 90.0)  # killed when done
    try:
        env = {"QA_BUSY_WAIT": "1"}  # given up at sqlite's first busy timeout (1.5 s), not its second (3 s)
        for args in (["ask", QUESTION, "--mode", "bm25"], ["docs"], ["index", "--rebuild", str(src)]):
            result = run_qa(*args, "--index", str(index), cwd=tmp_path, env=env)
            assert result.returncode == 1, result.stderr
            last = result.stderr.strip().splitlines()[-1]
            assert last.startswith("qa: error:") and "busy" in last and f"pid {holder.pid}" in last, result.stderr
            assert "damaged" not in result.stderr and "rebuild with" not in result.stderr
    finally:
        holder.kill()
        holder.wait()
    assert not list(index.glob("qa.sqlite.damaged-*"))  # --rebuild never moved a busy database aside
    code, report = check(index)
    assert code == 0 and report["whole"]


def test_sqlite_errors_are_told_apart():
    busy = sqlite3.OperationalError("database is locked")
    assert store.is_busy(busy)
    assert isinstance(store.database_error(busy, Path("x")), IndexBusy)
    for damage in (sqlite3.DatabaseError("file is not a database"),
                   sqlite3.DatabaseError("database disk image is malformed")):
        assert not store.is_busy(damage)
        error = store.database_error(damage, Path("x"))
        assert "damaged" in str(error) and "--rebuild" in str(error)


# -- damage inside the generation files ----------------------------------------------------------

def _overwrite_middle(path: Path, data: bytes) -> None:
    with open(path, "r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        handle.write(data)


def test_nan_vectors_are_detected_and_only_they_reembedded(built, tmp_path, run_qa):
    index, src = built
    before = ranked(index)
    (vector_file,) = index.glob("vectors.*.faiss")
    _overwrite_middle(vector_file, b"\xff" * 4096)  # 0xffffffff floats are NaN: ~3 vectors
    code, report = check(index)
    assert code == 1 and not report["whole"]
    assert any(str(vector_file) in p and "damaged" in p for p in report["problems"])
    result = run_qa("index", "--check", "--index", str(index), cwd=tmp_path)  # a person's view: a line per problem
    assert result.returncode == 1 and str(vector_file) in result.stdout and "repair with: qa index" in result.stderr
    embedder = HashEmbedder()
    repaired = sync(index, embedder=embedder)
    assert repaired.warnings[0].startswith("repaired:") and str(vector_file) in repaired.warnings[0]
    assert 2 <= len(embedder.texts) <= 4  # only the damaged vectors, not the index's 9
    assert check(index)[1]["whole"] and ranked(index) == before
    check_consistent(index)


def test_a_repair_embeds_through_the_one_passage_encoder(built, monkeypatch):
    """Repair embeds lost vectors with what every sync uses (passage_encoder: the ONNX export),
    never a torch model of its own."""
    import qa.embedding.embedder

    index, _ = built
    asked: list[str] = []
    stand_in = HashEmbedder()

    def factory(model_name, warn=None):
        asked.append(model_name)
        return stand_in

    def no_torch(*_args, **_kw):
        raise AssertionError("a torch model was loaded outside passage_encoder")

    monkeypatch.setattr(qa.embedding.embedder, "passage_encoder", factory)
    monkeypatch.setattr(qa.embedding.embedder, "Embedder", no_torch)
    (vector_file,) = index.glob("vectors.*.faiss")
    _overwrite_middle(vector_file, b"\xff" * 4096)
    repaired = sync(index)
    assert repaired.warnings[0].startswith("repaired:") and asked == [HashEmbedder.model_name]
    assert 2 <= len(stand_in.texts) <= 4 and check(index)[1]["whole"]


def test_nan_vectors_stop_qa_ask_with_one_line_until_repaired(built, tmp_path, fast_model, run_qa):
    """fast_model: its qa index repairs with the real model, through the session's export."""
    index, _ = built
    before = run_qa("ask", QUESTION, "--mode", "bm25", "--json", "--index", str(index), cwd=tmp_path)
    (vector_file,) = index.glob("vectors.*.faiss")
    _overwrite_middle(vector_file, b"\xff" * 4096)
    for mode in ("bm25", "hybrid"):  # the vectors are checked whether or not a question uses them
        result = run_qa("ask", QUESTION, "--mode", mode, "--index", str(index), cwd=tmp_path)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1 and result.stdout == "" and len(lines) == 1, result.stderr
        assert lines[0].startswith("qa: error:") and str(vector_file) in lines[0] and "damaged" in lines[0]
        assert lines[0].endswith(f"repair with: qa index --index {index}")
    assert run_qa("index", "--index", str(index), cwd=tmp_path).returncode == 0  # the real model, as a user runs it
    after = run_qa("ask", QUESTION, "--mode", "bm25", "--json", "--index", str(index), cwd=tmp_path)
    assert after.returncode == 0 and after.stdout == before.stdout


def test_an_edited_passage_is_never_served_as_a_citation(built):
    from qa.search import Searcher

    index, _ = built
    with sqlite3.connect(index / store.DB_NAME) as conn:
        conn.execute("UPDATE passages SET text = replace(text, 'Sufian al Qumu', 'Someone Else') "
                     "WHERE text LIKE '%Sufian al Qumu%'")
    searcher = Searcher(index)
    with pytest.raises(IndexCorrupt, match=r"was changed after it was indexed\); repair with: qa index"):
        searcher.search(QUESTION, k=3, mode="bm25")
    searcher.close()
    sync(index, embedder=HashEmbedder())  # read again from the file
    hits = Searcher(index).search(QUESTION, k=3, mode="bm25").hits
    assert any("Sufian al Qumu" in h.text for h in hits) and not any("Someone Else" in h.text for h in hits)


def test_a_damaged_term_file_is_rebuilt_from_stored_tokens(built):
    index, _ = built
    before = ranked(index)
    (terms_file,) = index.glob("terms.*.npz")
    _overwrite_middle(terms_file, b"\x00\x01" * 64)
    code, report = check(index)
    assert code == 1 and any(str(terms_file) in p for p in report["problems"])
    embedder = HashEmbedder()
    sync(index, embedder=embedder)
    assert embedder.texts == []  # vectors were whole: nothing embedded
    assert check(index)[1]["whole"] and ranked(index) == before


def test_a_whole_index_checks_whole(built, tmp_path, run_qa):
    index, _ = built
    result = run_qa("index", "--check", "--index", str(index), cwd=tmp_path)
    assert result.returncode == 0 and "is whole: 2 documents, 9 passages" in result.stdout, result.stderr
    code, report = check(index)
    assert code == 0 and report["whole"] and report["problems"] == [] and report["passages"] == 9
    mtimes = {p.name: p.stat().st_mtime_ns for p in index.iterdir()}
    check(index)
    assert {p.name: p.stat().st_mtime_ns for p in index.iterdir()} == mtimes  # nothing was changed


# -- damage inside the database -----------------------------------------------------------------------

def test_passage_rows_deleted_for_one_article_are_detected_and_read_again(built):
    index, src = built
    before = ranked(index)
    with sqlite3.connect(index / store.DB_NAME) as conn:
        doc_id, path = conn.execute("SELECT id, path FROM documents ORDER BY path LIMIT 1").fetchone()
        conn.execute("DELETE FROM passages WHERE id IN (SELECT id FROM passages WHERE doc_id = ? "
                     "ORDER BY ordinal DESC LIMIT 2)", (doc_id,))
    code, report = check(index)
    assert code == 1 and any(path in p and "passages are in the database" in p for p in report["problems"])
    report = sync(index, embedder=HashEmbedder())
    assert any(path in w for w in report.warnings)
    assert check(index)[1]["whole"] and ranked(index) == before
    assert check_consistent(index)[path] >= 2


def test_an_edited_passage_text_is_detected_and_read_again(built):
    index, _ = built
    with sqlite3.connect(index / store.DB_NAME) as conn:
        pid, path = conn.execute("SELECT p.id, d.path FROM passages p JOIN documents d ON d.id = p.doc_id "
                                 "WHERE p.text LIKE '%Sufian%' LIMIT 1").fetchone()
        conn.execute("UPDATE passages SET text = replace(text, 'Sufian al Qumu', 'Someone Else') WHERE id = ?", (pid,))
    code, report = check(index)
    # the words of the citation check (one check for both): "passage N is damaged (its text in the database was changed ...)"
    assert code == 1 and any(f"passage {pid} is damaged (its text in the database was changed" in p
                             for p in report["problems"])
    sync(index, embedder=HashEmbedder())
    assert check(index)[1]["whole"]
    with sqlite3.connect(index / store.DB_NAME) as conn:
        assert not conn.execute("SELECT count(*) FROM passages WHERE text LIKE '%Someone Else%'").fetchone()[0]
    check_consistent(index)


def test_citation_problem_checks_hash_and_file(built):
    index, _ = built
    with sqlite3.connect(index / store.DB_NAME) as conn:
        text, recorded, path, encoding, sha256, start, end = conn.execute(
            "SELECT p.text, p.text_sha1, d.path, d.encoding, d.sha256, p.start, p.end FROM passages p "
            "JOIN documents d ON d.id = p.doc_id LIMIT 1").fetchone()
    assert integrity.citation_problem(text, recorded, path, encoding, sha256, start, end) is None
    assert "changed" in integrity.citation_problem(text + "!", recorded, path, encoding, sha256, start, end)
    # text and hash both edited: the file, unchanged since indexing, still tells
    edited = text.replace(text[:5], "XXXXX")
    assert "file" in integrity.citation_problem(edited, store.passage_hash(edited), path, encoding, sha256,
                                                start, end)


def test_an_older_database_gets_the_new_columns(built):
    index, _ = built
    with sqlite3.connect(index / store.DB_NAME) as conn:  # as a qa from before issue 13 left it
        conn.execute("ALTER TABLE passages DROP COLUMN text_sha1")
        conn.execute("ALTER TABLE documents DROP COLUMN passages")
        conn.execute("DELETE FROM meta WHERE key = 'record'")
        conn.execute("PRAGMA user_version = 0")  # it recorded no schema version
    assert check(index)[1]["whole"]  # nothing recorded is not damage
    sync(index, embedder=HashEmbedder())  # a writer migrates it, filling the columns from the rows
    with sqlite3.connect(index / store.DB_NAME) as conn:
        assert conn.execute("SELECT count(*) FROM passages WHERE text_sha1 IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT sum(passages) FROM documents").fetchone()[0] == 9


# -- the writer lock and passage ids ----------------------------------------------------------------

def test_deleting_write_lock_lets_no_second_writer_in(tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    with write_lock(index):
        (index / LOCK_NAME).unlink()
        with pytest.raises(IndexBusy, match="still being updated"):
            with write_lock(index, wait=0.5):
                pass
    with write_lock(index, wait=0.5):  # released: free again
        pass


def test_write_lock_deleted_mid_reindex_second_writer_waits(built, tmp_path):
    """Both writers embed with the stand-in (tests/standin_qa.py): the lock is the point."""
    index, src = built
    standin_qa = [sys.executable, str(ROOT / "tests" / "standin_qa.py")]
    (src / "port.txt").write_text("Port story\n\nThe harbour of Port Elspeth reopened on Friday, the mayor said.\n")
    go_on = tmp_path / "go-on"  # made once the second has been seen waiting: the first then goes on
    env = env_now(QA_TEST_PAUSE_AT="reading", QA_TEST_PAUSE_SECONDS="60", QA_TEST_PAUSE_UNTIL=str(go_on))
    first = subprocess.Popen([*standin_qa, "index", "--json", "--index", str(index)], cwd=tmp_path,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    timer = threading.Timer(150, first.kill)
    timer.start()
    try:
        assert "test pause at reading" in first.stderr.readline()
        (index / LOCK_NAME).unlink()  # a user tidying up
        (src / "storm.txt").write_text("Storm story\n\nA storm closed the harbour of Port Elspeth again.\n")
        second = subprocess.Popen([*standin_qa, "index", "--json", "--index", str(index)],
                                  cwd=tmp_path, env=env_now(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert "waiting for it to finish" in second.stderr.readline()
        assert first.poll() is None  # the second really waited for the first
        go_on.touch()
        out1, err1 = first.communicate(timeout=120)
        out2, err2 = second.communicate(timeout=120)
    finally:
        timer.cancel()
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert "UNIQUE" not in err1 + err2
    assert json.loads(out1)["added"] == 1 and json.loads(out2)["added"] == 1
    for _ in range(2):  # and every later sync works
        (src / "more.txt").write_text(f"More story\n\nMore boats {time.time()} sailed from Port Elspeth.\n")
        sync(index, embedder=HashEmbedder())
    assert len(check_consistent(index)) == 5
    assert check(index)[1]["whole"]


def test_passage_ids_never_reuse_an_id_in_use(built):
    index, src = built
    with sqlite3.connect(index / store.DB_NAME) as conn:  # a meta left behind by a lost race
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'next_passage_id'")
    (src / "port.txt").write_text("Port story\n\nThe harbour of Port Elspeth reopened on Friday, the mayor said.\n")
    assert sync(index, embedder=HashEmbedder()).added == 1  # no UNIQUE constraint failed
    check_consistent(index)


# -- --rebuild keeps the recorded sources -----------------------------------------------------------

def test_rebuild_of_a_damaged_database_keeps_recorded_sources(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(SEEDS, one)
    two.mkdir()
    (two / "port.txt").write_text("Port story\n\nThe harbour of Port Elspeth reopened on Friday, the mayor said.\n")
    index = tmp_path / "index"
    sync(index, [one, two], embedder=HashEmbedder())
    db = index / store.DB_NAME  # damage that leaves the sources table (an early page) readable
    size = db.stat().st_size
    with open(db, "r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xaa" * (size - size // 2))
    with pytest.raises(IndexCorrupt, match="damaged"):
        sync(index, embedder=HashEmbedder())
    report = sync(index, [two], rebuild=True, embedder=HashEmbedder())
    assert "moved to" in report.warnings[0] and str(one) in report.warnings[1]
    with IndexStore.open(index) as db:
        assert db.sources() == sorted([str(one), str(two)])
    assert len(check_consistent(index)) == 3  # the two seeds and the port story


def test_rebuild_of_a_healthy_index_keeps_every_source(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(SEEDS, one)
    two.mkdir()
    (two / "port.txt").write_text("Port story\n\nThe harbour of Port Elspeth reopened on Friday, the mayor said.\n")
    index = tmp_path / "index"
    sync(index, [one, two], embedder=HashEmbedder())
    report = sync(index, [two], rebuild=True, embedder=HashEmbedder())
    assert report.rebuilt and report.passages == 10
    assert len(check_consistent(index)) == 3


# -- an empty index ---------------------------------------------------------------------------------

def test_an_index_without_documents_says_so(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    (src / "blank.txt").write_text("\n\n")
    sync(tmp_path / "index", [src], embedder=HashEmbedder())
    for args in (["ask", QUESTION, "--mode", "bm25"], ["docs"]):
        assert cli.main([*args, "--index", str(tmp_path / "index")]) == 1
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1
        assert f"the index in {tmp_path / 'index'}/ is empty: it has no documents; add some with: qa index PATH" in err
        assert "Not found" not in err


def test_recorded_counts_agree_after_syncs(built):
    index, src = built
    (src / "port.txt").write_text("Port story\n\nThe harbour of Port Elspeth reopened on Friday, the mayor said.\n")
    sync(index, embedder=HashEmbedder())
    with IndexStore.open(index) as db:
        meta = db.read_meta()
        assert meta.record is not None and meta.record.generation == meta.generation
        assert meta.record.vectors == meta.record.terms == meta.record.passages == db.passage_count() == 10
        assert [s.id for s in meta.segments] == [1, 2]  # the seeds' segment, and the new article's
        for segment in meta.segments:
            assert store.file_crc32(segment.vector_file(index)) == (segment.vectors_size, segment.vectors_crc32)
            assert store.file_crc32(segment.terms_file(index)) == (segment.terms_size, segment.terms_crc32)
            assert np.isfinite(inspection.vector_array(vectors.load(segment.vector_file(index)))[1]).all()
        assert sum(s.passages for s in meta.segments) == 10


# -- the cheap check at every sync (issue 17) ------------------------------------------------------

def test_a_sync_inspects_every_row_only_when_the_cheap_check_finds_a_change(built, monkeypatch):
    import qa.index.repair

    index, src = built
    inspected = []
    monkeypatch.setattr(qa.index.repair, "inspect", lambda *a: inspected.append(a) or inspection.inspect(*a))
    (src / "port.txt").write_text("Port story\n\nThe harbour of Port Elspeth reopened on Friday, the mayor said.\n")
    assert sync(index, embedder=HashEmbedder()).added == 1
    (src / "port.txt").unlink()
    assert sync(index, embedder=HashEmbedder()).removed == 1
    assert inspected == []  # the index was as the previous sync left it
    with sqlite3.connect(index / store.DB_NAME) as conn:  # any other writer: every row is inspected
        conn.execute("UPDATE passages SET text = text || ' Someone Else' WHERE id = (SELECT min(id) FROM passages)")
    sync(index, embedder=HashEmbedder())
    assert len(inspected) == 1 and check(index)[1]["whole"]


def test_damage_a_reader_finds_is_repaired_by_the_qa_index_it_names(built):
    from qa.search import Searcher
    from qa.settings import IndexingSettings

    index, _ = built
    sizes_only = IndexingSettings(open_crc_max_bytes=0)  # as for a vector file too large to crc at each sync
    (vector_file,) = index.glob("vectors.*.faiss")
    _overwrite_middle(vector_file, b"\xff" * 4096)
    with pytest.raises(IndexCorrupt, match="repair with: qa index"):
        Searcher(index)
    report = sync(index, embedder=HashEmbedder(), indexing=sizes_only)
    assert report.warnings and report.warnings[0].startswith("repaired:") and str(vector_file) in report.warnings[0]
    assert check(index)[1]["whole"]
