"""What one question reads (issue 23, per question): the index meta only after a commit, rows read
for earlier questions kept until one, the BM25-only candidates' vectors in one call per segment.
Same answers as reading everything again; the figures are in BENCHMARKS.md."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import numpy as np
import pytest

from robust_util import HashEmbedder
from qa.index import store, vectors
from qa.index.indexer import sync
from qa.index.segments import SegmentedVectors
from qa.index.store import SegmentRecord
from qa.retrieval.local_index import KeptRows, LocalIndexReader
from qa.search import Searcher
from qa.settings import DEFAULT_SETTINGS

QUESTION = "Who heads Ansar al-Sharia in Derna?"


def _commit_elsewhere(index, sql: str) -> None:
    """A commit by another connection (as `qa index` in another process makes one)."""
    other = sqlite3.connect(index / store.DB_NAME)
    try:
        with other:
            other.execute(sql)
    finally:
        other.close()


def _counting(monkeypatch, name: str) -> list:
    calls: list = []
    real = getattr(store, name)
    monkeypatch.setattr(store, name, lambda conn, *a: calls.append(a) or real(conn, *a))
    return calls


def test_the_meta_is_read_only_after_a_commit(built, monkeypatch):
    index, src = built
    searcher = Searcher(index)
    reads = _counting(monkeypatch, "read_meta")
    for _ in range(3):
        searcher.search(QUESTION, mode="bm25")
    assert reads == []  # nothing committed since the load: nothing read
    _commit_elsewhere(index, "UPDATE documents SET title = 'Renamed' WHERE id = (SELECT min(id) FROM documents)")
    assert searcher.refresh() is False and len(reads) == 1  # committed, same generation
    assert searcher.refresh() is False and len(reads) == 1
    (src / "new.txt").write_text("Port story\n\nThe harbour of Port Elspeth reopened on Friday.\n")
    sync(index, embedder=HashEmbedder())
    assert searcher.refresh() is True
    assert "Port Elspeth" in searcher.search("Which harbour reopened?", mode="bm25").hits[0].text


def test_rows_are_kept_between_questions_until_something_is_committed(built, monkeypatch):
    index, _ = built
    reader = LocalIndexReader(index)
    ids = reader.passage_ids[:6].tolist()
    want = store.citation_rows(reader._conn, ids)
    reads = _counting(monkeypatch, "analysed_citation_rows")  # (with the passages' stored analyses)
    first = reader.citation_rows(ids[::-1] + [10**9])  # an id no passage has: absent, as from sqlite
    assert first == want and list(first) == sorted(ids)  # sqlite's order: ascending ids
    assert reader.citation_rows(ids[:3]) == {pid: want[pid] for pid in ids[:3]} and len(reads) == 1
    doc_passages = store.passages_of_documents(reader._conn, {want[ids[0]].doc_id})
    assert reader.passages_of_documents([want[ids[0]].doc_id]) == doc_passages
    _commit_elsewhere(index, f"UPDATE documents SET title = 'Renamed' WHERE id = {want[ids[0]].doc_id}")
    assert reader.citation_rows(ids)[ids[0]].title != "Renamed"  # not looked at before the next question
    assert reader.refresh() is False
    assert reader.citation_rows(ids)[ids[0]].title == "Renamed" and len(reads) == 2


def test_stories_and_same_document_read_as_the_store_does(built, monkeypatch):
    index, _ = built
    reader = LocalIndexReader(index)
    ids = reader.passage_ids.tolist()
    assert reader.stories_of(ids) == store.stories_of(reader._conn, ids)
    reads = _counting(monkeypatch, "stories_of")
    reader.stories_of(ids[:4])
    assert reads == []
    pairs = [ids[:2], [ids[0], ids[-1]], [ids[0], ids[0]], ids[:1], [ids[0], 10**9]]
    assert [reader.same_document(p) for p in pairs] == [store.same_document(reader._conn, p) for p in pairs]


def test_the_folds_dates_are_the_rows_dates_without_the_rows(built, monkeypatch):
    """Folding a story's copies compares their dates: read without the passages' texts and
    analyses (none of the ~3 new copies a question folds is cited), kept until a commit."""
    index, _ = built
    reader = LocalIndexReader(index)
    ids = reader.passage_ids[:6].tolist()
    rows = store.citation_rows(reader._conn, ids)
    reads, dated = _counting(monkeypatch, "analysed_citation_rows"), _counting(monkeypatch, "passage_dates")
    assert reader.passage_dates(ids + [10**9]) == {pid: rows[pid].date for pid in ids}
    assert reads == [] and len(dated) == 1
    reader.citation_rows(ids[:2])
    assert reader.passage_dates(ids[::-1]) == {pid: rows[pid].date for pid in ids[::-1]} and len(dated) == 1
    _commit_elsewhere(index, f"UPDATE documents SET date = '2001-02-03' WHERE id = {rows[ids[-1]].doc_id}")
    assert reader.refresh() is False and reader.passage_dates(ids[-1:]) == {ids[-1]: "2001-02-03"}


def test_kept_rows_are_bounded():
    kept = KeptRows(limit=3)
    fetched: list[list[int]] = []

    def fetch(keys):
        fetched.append(keys)
        return {k: f"row {k}" for k in keys if k != 2}

    assert kept.read([3, 1, 2], fetch) == {1: "row 1", 3: "row 3"}
    assert kept.read([2, 3], fetch) == {3: "row 3"} and fetched == [[1, 2, 3]]  # "no row" is kept too
    assert kept.read([4], fetch) == {4: "row 4"} and len(kept.rows) <= 3  # over the limit: forgotten
    assert kept.read([1], fetch) == {1: "row 1"} and fetched[-1] == [1]
    # over the limit with some of the keys kept: those are read again with the rest, not lost
    assert kept.read([1, 5, 6], fetch) == {1: "row 1", 5: "row 5", 6: "row 6"} and fetched[-1] == [1, 5, 6]


def test_article_counts_kept_or_forgotten_give_the_same_weights(built, monkeypatch):
    """A document's counts per question term are kept per generation (rerank.article_weights):
    the weights are those counted afresh, also when the kept counts are over their bound and
    forgotten between two questions sharing a document and a word."""
    from qa.retrieval import rerank

    from collections import Counter

    from qa.index.text import tokenize

    index, _ = built
    searcher = Searcher(index)
    reader = searcher.index
    rows = reader.citation_rows(reader.passage_ids.tolist()).values()
    docs = {row.doc_id for row in rows}
    passages = reader.passages_of_documents(docs)
    held = Counter(t for row in rows for t in set(tokenize(row.text)))
    t = [term for term, _ in held.most_common(6)]  # each held by several passages of an article
    questions = [[t[0], t[1], t[2]], [t[2], t[3], t[4]], [t[0], t[4], t[5]]]

    def afresh(tokens):
        searcher.snapshot.article_counts.clear()
        return rerank.article_weights(searcher.snapshot, passages, docs, tokens, 0.5)

    want = [afresh(tokens) for tokens in questions]
    assert any(w < searcher.snapshot.idf(term) for weights in want[0].values() for term, w in weights.items())
    searcher.snapshot.article_counts.clear()
    assert [rerank.article_weights(searcher.snapshot, passages, docs, t, 0.5) for t in questions] == want
    searcher.snapshot.article_counts.clear()
    monkeypatch.setattr(rerank, "ARTICLE_COUNTS_KEPT", 0)  # every question over the bound
    assert [rerank.article_weights(searcher.snapshot, passages, docs, t, 0.5) for t in questions] == want


def _unit(n: int, dim: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_cosines_of_many_passages_are_each_passages_cosine():
    """An exact segment and an approximate one: one faiss call per segment, each product the
    same bits as the one-by-one cosine (answers unchanged)."""
    flat = vectors.new(16)
    vectors.add(flat, list(range(1, 101)), _unit(100, 16, 0))
    ivf = vectors.new(16)
    vectors.add(ivf, list(range(101, 3_101)), _unit(3_000, 16, 1))
    ivf = vectors.approximate(ivf, replace(DEFAULT_SETTINGS, approximate_above=0))
    assert vectors.ivf_of(ivf) is not None
    live = np.arange(1, 3_101, dtype=np.int64)
    segments = [SegmentRecord(1, 100, 1, 100), SegmentRecord(2, 3_000, 101, 3_100)]
    both = SegmentedVectors([flat, ivf], segments, 16, live, np.zeros(0, np.int64))
    wanted = [2_900, 5, 101, 100, 1, 3_100, 5]
    got = both.reconstruct_many(wanted)
    assert np.array_equal(got, np.vstack([both.reconstruct(pid) for pid in wanted]))
    query = _unit(1, 16, 2)[0]
    assert [float(row @ query) for row in got] == [float(both.reconstruct(pid) @ query) for pid in wanted]
    assert both.reconstruct_many([]).shape == (0, 16)
    with pytest.raises(KeyError):
        both.reconstruct_many([0])


def test_postings_kept_for_questions_are_a_generations_own(built):
    """What BM25 kept of a term for one question (qa/index/bm25.py POSTINGS_KEPT) is not read for
    the next generation: a sync while the reader is open (the UI keeps it open) is searched whole."""
    index, src = built
    searcher = Searcher(index)
    question = "Where is the Derna militia?"
    assert all("Derna militia gathered" not in hit.text for hit in searcher.search(question, mode="bm25").hits)
    assert searcher.snapshot.bm25._kept  # the question's terms were kept
    (src / "new.txt").write_text("Militia story\n\nThe Derna militia gathered. Derna militia, Derna militia.\n")
    sync(index, embedder=HashEmbedder())
    assert "Derna militia gathered" in searcher.search(question, mode="bm25").hits[0].text


def test_stored_rows_are_the_reconstructed_vectors_in_any_stored_order():
    """vectors.StoredRows reads an exact index's vectors from its storage by id: the same numbers
    as faiss's reconstruct, whatever order the ids were stored in; an id it lacks is a KeyError;
    and the cosines taken with them are each passage's own, bit for bit (384 dimensions: enough
    for the order of a sum to matter)."""
    from types import SimpleNamespace

    from qa.retrieval.snapshot import IndexSnapshot

    ids = np.random.default_rng(3).permutation(np.arange(1, 501)).tolist()
    flat = vectors.new(384)
    vectors.add(flat, ids, _unit(500, 384, 4))
    vectors.remove(flat, [7])
    rows = vectors.StoredRows(flat)
    wanted = np.asarray([500, 3, 250, 3, 1], dtype=np.int64)
    assert np.array_equal(rows(wanted), vectors.reconstruct(flat, wanted.tolist()))
    with pytest.raises(KeyError):
        rows(np.asarray([3, 7], dtype=np.int64))
    both = SegmentedVectors([flat], [SegmentRecord(1, 500, 1, 500)], 384,
                            np.asarray(sorted(set(ids) - {7}), dtype=np.int64), np.asarray([7], dtype=np.int64))
    query = _unit(1, 384, 5)[0]
    snapshot = SimpleNamespace(vectors=both)
    assert IndexSnapshot.cosines(snapshot, wanted.tolist(), query) == [float(flat.reconstruct(int(pid)) @ query)
                                                                      for pid in wanted]
