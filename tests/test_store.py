"""The index database (qa/index/store.py): the batched IN helper, the BM25 parameters an index records,
and the one format check."""

from __future__ import annotations

import shutil
import sqlite3

import numpy as np
import pytest

from qa.index import store
from qa.config import FORMAT_VERSION
from qa.errors import IndexCorrupt, IndexTooNew, IndexTooOld, QAError
from qa.index.indexer import sync
from qa.search import Searcher
from qa.index.store import IndexStore, NewDocument, NewPassage

from conftest import SEEDS
from robust_util import HashEmbedder

MANY = 40_000


@pytest.fixture
def small_limit_store(tmp_path) -> IndexStore:
    """A new index database whose connection allows 999 variables per statement (sqlite's
    default before 3.32; distributions often raise it, which would hide a missing batch)."""
    db = IndexStore.open(tmp_path / "index", create=True)
    db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    yield db
    db.close()


def _fill(db: IndexStore, n: int) -> list[int]:
    """n documents of one passage each; their ids."""
    ids = []
    with db.transaction():
        for i in range(n):
            doc = NewDocument(f"/articles/{i}.txt", f"Title {i}", f"sha{i}", 10, 1, "utf-8")
            ids.append(db.add_document(doc, [NewPassage(i + 1, 0, 0, 5, 1, 1, f"text {i}", f"text {i}")], 0.0))
    return ids


def test_batched_in_over_more_ids_than_sqlite_allows(small_limit_store):
    db = small_limit_store
    doc_ids = _fill(db, MANY)
    marks = ",".join("?" * MANY)
    with pytest.raises(sqlite3.OperationalError, match="too many SQL variables"):  # one statement would fail
        db.conn.execute(f"SELECT id FROM passages WHERE doc_id IN ({marks})", doc_ids)

    assert sorted(db.passage_ids_of(doc_ids)) == list(range(1, MANY + 1))
    rows = store.execute_in(db.conn, "SELECT id, title FROM documents WHERE id IN ({marks})", doc_ids[::-1])
    assert len(rows) == MANY and {title for _, title in rows} == {f"Title {i}" for i in range(MANY)}
    stored = db.passages_of(doc_ids[-3:])
    assert sorted((p.id, p.title, p.text) for p in stored) == [
        (MANY - 2, f"Title {MANY - 3}", f"text {MANY - 3}"), (MANY - 1, f"Title {MANY - 2}", f"text {MANY - 2}"),
        (MANY, f"Title {MANY - 1}", f"text {MANY - 1}")]

    db.save_pending_vectors((f"key{i}", np.full(4, i, np.float32)) for i in range(MANY))
    found = db.pending_vectors([f"key{i}" for i in range(MANY)] + ["absent"])
    assert len(found) == MANY and found["key39999"].tolist() == [39999.0] * 4

    with db.transaction():
        db.delete_documents(doc_ids[:MANY - 1])
    assert db.passage_count() == 1 and [d.path for d in db.documents()] == [f"/articles/{MANY - 1}.txt"]


def test_execute_in_with_no_values_and_without_marks(small_limit_store):
    assert store.execute_in(small_limit_store.conn, "SELECT id FROM passages WHERE id IN ({marks})", []) == []
    with pytest.raises(ValueError):
        store.execute_in(small_limit_store.conn, "SELECT id FROM passages WHERE id = ?", [1])


def test_a_failed_transaction_leaves_nothing(small_limit_store):
    db = small_limit_store
    with pytest.raises(RuntimeError):
        with db.transaction():
            doc = NewDocument("/a.txt", "A", "sha", 1, 1, "utf-8")
            db.add_document(doc, [NewPassage(1, 0, 0, 1, 1, 1, "a", "a")], 0.0)
            raise RuntimeError("stop")
    assert db.documents() == [] and db.passage_count() == 0 and not db.conn.in_transaction


@pytest.fixture
def built(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    return tmp_path / "index", src


def _meta(index) -> store.IndexMeta:
    with IndexStore.open(index) as db:
        return db.read_meta()


def test_index_records_the_bm25_parameters_it_was_built_with(built):
    index, src = built
    sync(index, [src], embedder=HashEmbedder())
    assert _meta(index).bm25 == {"k1": 0.9, "b": 0.4, "epsilon": 0.25} == dict(store.BM25_DEFAULTS)

    before = _meta(index)
    report = sync(index, bm25={"k1": 1.2, "b": 0.75}, embedder=HashEmbedder())  # no file changed
    after = _meta(index)
    assert after.bm25 == {"k1": 1.2, "b": 0.75, "epsilon": 0.25}
    assert after.generation == before.generation + 1 and report.embedded == 0  # readers reload; nothing re-embedded
    assert Searcher(index).search("Who heads Ansar al-Sharia in Derna?", mode="bm25").hits

    same = sync(index, bm25={"k1": 1.2, "b": 0.75}, embedder=HashEmbedder())
    assert _meta(index).generation == after.generation and same.unchanged == 2  # nothing to record anew
    with pytest.raises(QAError, match="unknown BM25 parameter k3"):
        sync(index, bm25={"k3": 1.0}, embedder=HashEmbedder())


def test_an_index_written_before_bm25_was_recorded_reads_as_the_defaults(built):
    index, src = built
    sync(index, [src], bm25={"k1": 2.0}, embedder=HashEmbedder())
    with sqlite3.connect(index / store.DB_NAME) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'bm25'")  # as an index of an earlier qa has it
    conn.close()
    meta = _meta(index)
    assert meta.bm25 == dict(store.BM25_DEFAULTS) and meta.generation == 1
    assert Searcher(index).search("Who heads Ansar al-Sharia in Derna?", mode="bm25").hits
    report = sync(index, embedder=HashEmbedder())  # the defaults: nothing to do, nothing rebuilt
    assert (report.unchanged, report.embedded, report.rebuilt) == (2, 0, False)
    assert _meta(index).generation == 1

    with sqlite3.connect(index / store.DB_NAME) as conn:
        conn.execute("INSERT INTO meta(key, value) VALUES ('bm25', '{\"k1\": \"high\"}')")
    conn.close()
    with pytest.raises(IndexCorrupt, match="settings are damaged"):
        _meta(index)


def test_one_format_check_for_readers_and_the_indexer(tmp_path):
    meta = store.IndexMeta(FORMAT_VERSION, "m", 4, {}, 1, 1)
    store.check_format(meta, tmp_path)  # the current format passes
    with pytest.raises(IndexTooNew, match="newer qa"):
        store.check_format(store.IndexMeta(FORMAT_VERSION + 1, "m", 4, {}, 1, 1), tmp_path)
    with pytest.raises(IndexTooOld, match="rebuild"):
        store.check_format(store.IndexMeta(0, "m", 4, {}, 1, 1), tmp_path)
