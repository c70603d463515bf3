"""The schema's one story (qa/index/store.py): a version in sqlite's user_version, ordered migrations run
by the next writer, readers that learn the schema once at open, and no SQL outside the store."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from qa.index import store
from qa.index.changes import pending_changes
from qa.errors import QAError
from qa.index.indexer import sync
from qa.search import Searcher
from qa.index import sync_commit, sync_write, text
from qa.index.store import IndexStore
from qa.index.text import ANALYSIS_VERSION, ANALYZER, StoredAnalysis, pack, unpack

from conftest import SEEDS
from robust_util import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Who heads Ansar al-Sharia in Derna?"

#: what runs SQL or reads the schema: only qa/index/store.py may
SQL_CALL = re.compile(r"\.(execute|executemany|executescript)\(|sqlite3\.connect\(|PRAGMA |sqlite_master")


def test_no_module_but_the_store_runs_sql():
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for folder in ("qa", "benchmarks") for path in sorted((ROOT / folder).rglob("*.py"))
                 if path != ROOT / "qa" / "index" / "store.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if SQL_CALL.search(line)]
    assert offenders == []


def _probed(index: Path) -> dict[str, frozenset[str]]:
    with sqlite3.connect(index / store.DB_NAME) as conn:
        schema = store.read_schema(conn) if store.schema_version(conn) == 0 else store._probe(conn, 0)
    conn.close()
    return {t: c for t, c in schema.tables.items() if not t.startswith("story_bands")}


def _before_user_version(index: Path) -> None:
    """Make an index look as a qa from before schema versions (and before every column and table
    the migrations add) left it: user_version 0."""
    conn = sqlite3.connect(index / store.DB_NAME)
    conn.execute("DROP INDEX passages_by_story")
    conn.execute("DROP INDEX passages_unprinted")
    conn.execute("DROP TABLE excluded")
    _before_analyses(conn)
    _before_sentence_vectors(conn)
    added = [(t, c) for t, c, _ in store.ADDED_COLUMNS if c not in ("text_sha1", "passages")]
    added += [(t, c) for t, columns in store.NEWS_COLUMNS.items() for c in columns]
    for table, column in added:
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()


def _before_sentence_vectors(conn: sqlite3.Connection) -> None:
    """What migration 3 adds taken away (the schema of main before issue 24's sentence vectors)."""
    conn.execute("DROP TABLE sentence_vectors")
    conn.execute("ALTER TABLE pending_vectors DROP COLUMN sentences")


def _before_analyses(conn: sqlite3.Connection) -> None:
    """What migration 4 adds taken away (the schema before passages' analyses were stored)."""
    conn.execute("DROP TABLE passage_analysis")
    conn.execute("DELETE FROM meta WHERE key = ?", (store.ANALYSED_KEY,))
    conn.execute("PRAGMA user_version = 3")


def _built(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    sync(tmp_path / "index", [src], embedder=HashEmbedder())
    return tmp_path / "index"


def test_a_new_index_has_the_current_version_and_the_schema_migrations_describe(tmp_path):
    index = _built(tmp_path)
    assert [m.version for m in store.MIGRATIONS] == list(range(1, store.SCHEMA_VERSION + 1))
    with IndexStore.open(index) as db:
        assert db.schema.version == store.SCHEMA_VERSION
        assert db.schema == store.schema_at(store.SCHEMA_VERSION)
    assert _probed(index) == dict(store.schema_at(store.SCHEMA_VERSION).tables)


def _statements(searcher: Searcher) -> list[str]:
    seen: list[str] = []
    searcher.index._conn.set_trace_callback(seen.append)  # the local engine's connection
    return seen


def test_an_index_from_before_schema_versions_is_read_then_migrated_by_the_next_sync(tmp_path):
    index = _built(tmp_path)
    _before_user_version(index)
    assert "excluded" not in _probed(index)
    searcher = Searcher(index)  # a reader: learns the old schema once, migrates nothing
    seen = _statements(searcher)
    old = searcher.search(QUESTION, mode="bm25", k=2)
    assert old.hits and all(h.date is None for h in old.hits)
    assert seen and not [s for s in seen if "table_info" in s or "sqlite_master" in s]  # no probe per question
    assert not pending_changes(index)
    assert [d.date for d in searcher.document_details()] == [None, None]
    with IndexStore.open(index) as db:
        assert db.schema.version == 0 and not db.has_news() and db.held_skips() == {} and db.excluded() == set()

    sync(index, embedder=HashEmbedder())  # the next writer migrates it, under its lock
    assert _probed(index) == dict(store.schema_at(store.SCHEMA_VERSION).tables)
    with IndexStore.open(index) as db:
        assert db.schema.version == store.SCHEMA_VERSION and db.documents_without_news() == set()
    seen.clear()
    assert searcher.search(QUESTION, mode="bm25", k=2).hits  # the open reader notices the migration
    assert searcher.index._conn.schema == store.schema_at(store.SCHEMA_VERSION)
    assert not [s for s in seen if "table_info" in s or "sqlite_master" in s]
    searcher.close()


def test_a_question_on_a_current_index_probes_nothing(stand_in_seed_index):
    searcher = Searcher(stand_in_seed_index)
    seen = _statements(searcher)
    assert searcher.search(QUESTION, mode="bm25").hits
    assert seen and not [s for s in seen if "table_info" in s or "sqlite_master" in s or "user_version" in s]
    searcher.close()


def test_a_migration_that_fails_leaves_the_index_as_it_was(tmp_path, monkeypatch):
    index = _built(tmp_path)
    _before_user_version(index)
    before = _probed(index)

    def broken(conn: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "MIGRATIONS", (store.MIGRATIONS[0], store.Migration(2, broken)))
    with pytest.raises(QAError, match="disk I/O error"):
        store.connect(index, create=True)
    assert _probed(index) == before  # step 1's columns rolled back with it: all or none
    with sqlite3.connect(index / store.DB_NAME) as conn:
        assert store.schema_version(conn) == 0
    conn.close()
    monkeypatch.undo()
    assert Searcher(index).search(QUESTION, mode="bm25").hits  # still read as it was
    sync(index, embedder=HashEmbedder())
    assert _probed(index) == dict(store.schema_at(store.SCHEMA_VERSION).tables)


def _answers(index: Path) -> list[tuple]:
    searcher = Searcher(index)
    try:
        return [(h.passage_id, h.highlight_start, h.highlight_end, h.answer, round(h.score, 6)) for question in
                (QUESTION, "How many people were killed?", "Who was the ambassador?")
                for h in searcher.search(question, k=3, embedder=HashEmbedder()).hits]
    finally:
        searcher.close()


def _stored(index: Path, version: int = ANALYSIS_VERSION) -> dict[int, tuple]:
    """The stored analyses of this version, by passage id."""
    with IndexStore.open(index) as db:
        return db.analyses([pid for pid, _ in db.unanalysed_passages(-1)], version)  # (-1: every passage)


def test_passages_analyses_are_stored_and_an_older_index_gets_them_from_its_next_writer(tmp_path):
    index = _built(tmp_path)
    stored = _stored(index)
    with IndexStore.open(index) as db:
        texts = dict(db.unanalysed_passages(-1))  # every passage, by id
    assert stored and set(stored) == set(texts)
    assert all(unpack(StoredAnalysis(*stored[pid])) == ANALYZER._analyse(text) for pid, text in texts.items())
    answers = _answers(index)
    conn = sqlite3.connect(index / store.DB_NAME)
    _before_analyses(conn)
    conn.commit()
    conn.close()
    assert _answers(index) == answers  # read as before: every passage analysed as it is asked for
    sync(index, embedder=HashEmbedder())  # nothing changed in the files: the migration and the analyses only
    assert _stored(index) == stored and _answers(index) == answers


def test_analyses_of_another_analyzer_version_are_not_read_and_are_made_again(tmp_path, monkeypatch):
    index = _built(tmp_path)
    answers = _answers(index)
    with IndexStore.open(index) as db, db.transaction():
        db.add_analyses([(pid, ANALYSIS_VERSION, *pack(ANALYZER._analyse("Not this passage. Another one.")))
                         for pid, _ in db.unanalysed_passages(-1)])  # wrong for every passage
    ANALYZER.analyse.cache_clear()
    assert _answers(index) != answers  # (the stored analysis is what a question reads)
    monkeypatch.setattr(text, "ANALYSIS_VERSION", ANALYSIS_VERSION + 1)
    for module in (sync_commit, sync_write):
        monkeypatch.setattr(module, "ANALYSIS_VERSION", ANALYSIS_VERSION + 1)
    ANALYZER.analyse.cache_clear()
    assert _answers(index) == answers  # another version's rows are not read
    sync(index, embedder=HashEmbedder())  # the next writer analyses every passage again
    with IndexStore.open(index) as db:
        passages = db.passage_count()
    assert len(_stored(index, ANALYSIS_VERSION + 1)) == passages and _stored(index, ANALYSIS_VERSION) == {}


def test_an_older_index_is_analysed_a_batch_a_transaction_and_a_stopped_run_keeps_its_batches(tmp_path, monkeypatch):
    """The analyses an older index lacks are filled in after the commit, a transaction a batch: a
    run stopped in the middle (Ctrl-C at a million passages, ~2 min) keeps the batches it did, the
    next one does the rest, and only then is the index marked as analysed throughout."""
    index = _built(tmp_path)
    stored = _stored(index)
    with IndexStore.open(index) as db, db.transaction():
        db.conn.execute("DELETE FROM passage_analysis")
        db.conn.execute("DELETE FROM meta WHERE key = ?", (store.ANALYSED_KEY,))
    assert len(stored) > 4
    analyse, calls = ANALYZER._analyse, []

    def stopped_at_the_fifth(passage: str):
        calls.append(passage)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return analyse(passage)

    monkeypatch.setattr(sync_commit.Analyzer, "_analyse", staticmethod(stopped_at_the_fifth))
    with IndexStore.open(index) as db, pytest.raises(KeyboardInterrupt):
        sync_commit._analyse_missing(db, None, batch=2)
    assert len(_stored(index)) == 4  # two batches of two kept, the third rolled back
    with IndexStore.open(index) as db:
        assert db.analysed_version() is None
    monkeypatch.setattr(sync_commit.Analyzer, "_analyse", staticmethod(analyse))
    with IndexStore.open(index) as db:
        sync_commit._analyse_missing(db, None, batch=2)
        assert db.analysed_version() == ANALYSIS_VERSION
    assert _stored(index) == stored
