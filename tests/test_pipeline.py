"""The pipeline's parts agree with each other: the benchmarks' cached-candidate path is the
Searcher's, the store's batched reads, settings reaching the Retriever."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from qa.index import store
from qa.search import Searcher
from qa.settings import DEFAULT_SETTINGS
from conftest import ROOT

QUESTIONS = ["Who heads Ansar al-Sharia in Derna?", "Who drove IS out of Derna?", "Was Salem Derbi killed?",
             "What is the recipe for a chocolate sponge cake?", "Derna"]


class _Vectors:
    """A CachedEmbedder stand-in: question vectors by text."""

    def __init__(self, model, texts: list[str]) -> None:
        self.vectors = dict(zip(texts, model.encode(texts)))

    def encode(self, texts, batch_size=64, on_batch=None):
        import numpy as np

        return np.vstack([self.vectors[t] for t in texts])


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_benchmark_bench_runs_exactly_what_the_searcher_runs(seed_index, model, mode):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.common import Bench

    vectors = _Vectors(model, QUESTIONS)
    bench = Bench.load(seed_index, QUESTIONS, vectors, DEFAULT_SETTINGS, mode)
    searcher = Searcher(seed_index)
    for question, ranking in zip(QUESTIONS, bench.rankings(DEFAULT_SETTINGS, k=5)):
        answer = searcher.search(question, k=5, embedder=vectors, mode=mode)
        assert [h.as_json() for h in ranking.hits] == [h.as_json() for h in answer.hits]
        assert ranking.answered == answer.answered
    searcher.close()


def test_settings_reach_the_searcher(seed_index, model):
    question = "Who heads Ansar al-Sharia in Derna?"
    shipped = Searcher(seed_index).search(question, k=5, embedder=model)
    strict = Searcher(seed_index, settings=replace(DEFAULT_SETTINGS, min_answer_score=5.0)).search(question, k=5, embedder=model)
    keyword = Searcher(seed_index, settings=replace(DEFAULT_SETTINGS, bm25_share=1.0, sentence_weight=0.0))
    by_bm25 = keyword.search(question, k=5, embedder=model)
    bm25_only = keyword.search(question, k=5, embedder=None)
    assert shipped.answered and not strict.answered
    assert [h.passage_id for h in by_bm25.hits] == [h.passage_id for h in bm25_only.hits]  # ranks like BM25


def test_bm25_params_reach_the_snapshot(stand_in_seed_index):
    plain = Searcher(stand_in_seed_index)
    other = Searcher(stand_in_seed_index, settings=replace(DEFAULT_SETTINGS, k1=1.5, b=0.75))
    question = "Who heads Ansar al-Sharia in Derna?"
    scores = [h.bm25_score for h in plain.search(question, k=3).hits]
    assert scores != [h.bm25_score for h in other.search(question, k=3).hits]


def test_an_index_is_searched_with_the_bm25_params_it_records(tmp_path, stand_in):
    from qa.index.indexer import sync

    sync(tmp_path / "index", [ROOT / "seeds"], embedder=stand_in, bm25={"k1": 1.5, "b": 0.75})
    question = "Who heads Ansar al-Sharia in Derna?"
    recorded = Searcher(tmp_path / "index")
    assert (recorded.settings.k1, recorded.settings.b) == (1.5, 0.75)
    same = Searcher(tmp_path / "index", settings=replace(DEFAULT_SETTINGS, k1=1.5, b=0.75))
    shipped = Searcher(tmp_path / "index", settings=DEFAULT_SETTINGS)
    scores = [h.bm25_score for h in recorded.search(question, k=3, embedder=stand_in).hits]
    assert scores == [h.bm25_score for h in same.search(question, k=3, embedder=stand_in).hits]
    assert scores != [h.bm25_score for h in shipped.search(question, k=3, embedder=stand_in).hits]


def test_batched_reads_take_more_ids_than_one_statement_may_bind(stand_in_seed_index):
    conn = store.connect(stand_in_seed_index)
    rows = store.all_citation_rows(conn)
    ids = [r.passage_id for r in rows] + list(range(10**6, 10**6 + 3 * store.IN_BATCH))  # unknown ids too
    got = store.citation_rows(conn, ids)
    assert set(got) == {r.passage_id for r in rows}
    assert got[rows[0].passage_id] == rows[0]
    docs = {r.doc_id for r in rows}
    assert {p.passage_id for p in store.passages_of_documents(conn, docs)} == set(got)
    listed = store.document_list(conn)
    assert sum(d.passages for d in listed) == len(rows) and [d.path for d in listed] == sorted(d.path for d in listed)
    conn.close()
