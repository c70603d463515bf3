"""Our sparse BM25 gives rank-bm25's BM25Okapi scores exactly (up to float32 rounding)."""

from __future__ import annotations

import numpy as np
from rank_bm25 import BM25Okapi

from qa.bm25 import B, K1, BM25Index
from qa.chunking import chunk
from qa.documents import load
from qa.text import tokenize

from conftest import SEEDS, bbc_sample


def _corpus() -> list[list[str]]:
    paths = sorted(SEEDS.glob("*.txt"))
    try:
        paths += bbc_sample(150)
    except BaseException:  # no shared data: the seeds alone still make a corpus
        pass
    return [tokenize(p.text) for path in paths for p in chunk(load(path))]


def test_scores_equal_rank_bm25_on_a_sample():
    corpus = _corpus()
    ours, reference = BM25Index(corpus), BM25Okapi(corpus, k1=K1, b=B)
    queries = ["Who heads Ansar al-Sharia in Derna?", "profits at Time Warner", "election campaign Blair Brown",
               "the the the", "mobile phone mobile", "zzzz unknownword", "Derna Derna militia"]
    for query in queries:
        tokens = tokenize(query)
        np.testing.assert_allclose(ours.scores(tokens), reference.get_scores(tokens), rtol=1e-5, atol=1e-5)


def test_top_returns_best_positive_scores_in_order():
    corpus = [["apple", "pie"], ["apple"], ["pear"], ["banana", "split"], ["cherry"]]
    index = BM25Index(corpus)
    positions, scores = index.top(["apple"], 10)
    assert list(positions) == [1, 0]
    assert scores[0] >= scores[1] > 0
    assert index.top(["nothing"], 10)[0].size == 0
