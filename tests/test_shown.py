"""The answer phrase is looked for only in the passages that may be shown (qa/retrieval/shown.py):
what is shown, and each shown passage's support, are as when every passage of the head has one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.retrieval import pipeline
from qa.retrieval.shown import could_be_shown
from qa.search import Searcher
from qa.settings import DEFAULT_SETTINGS
from tests.robust_util import HashEmbedder
from tests.test_answers import FED, _write_articles

#: the re-rank's hand weights of test_answers' Volcker test: Johnson's passage first without support
HAND = {"rerank_match": 1.0, "rerank_best_match": 0.0, "rerank_context": 1.0, "rerank_title": 0.0,
        "rerank_dense": 1.0, "rerank_answer_type": 1.0, "rerank_bm25": 0.0}


def test_a_passage_the_support_bonus_could_lift_into_the_k_keeps_its_phrase():
    """k others outscoring a passage by more than the bonus leave it out; by less, it stays."""
    scores = {1: 1.0, 2: 0.95, 3: 0.9, 4: 0.85, 5: 0.5, 6: 0.79}
    shipped = replace(DEFAULT_SETTINGS, support_weight=0.1)
    assert could_be_shown([1, 2, 3, 4, 6, 5], scores, 10, 3, shipped) == [1, 2, 3, 4]
    assert could_be_shown([1, 2, 3, 4, 6, 5], scores, 10, 3, replace(shipped, support_weight=0.2)) == [1, 2, 3, 4, 6]
    assert could_be_shown([1, 2, 3, 4, 6, 5], scores, 4, 1, shipped) == [1, 2, 3]  # the head only; 3 ties with the bonus
    assert could_be_shown([1, 5], scores, 10, 1, replace(shipped, support_weight=-0.1)) == [1, 5]


@pytest.fixture(scope="module")
def fed_index(tmp_path_factory):
    from qa.index.indexer import sync

    root = tmp_path_factory.mktemp("fed")
    _write_articles(root / "articles", FED)
    sync(root / "index", [root / "articles"], embedder=HashEmbedder())
    return root / "index"


def _first(index, k: int, **settings):
    searcher = Searcher(index, settings=replace(DEFAULT_SETTINGS, **settings))
    try:
        return searcher.search("Who is chairman of the Federal Reserve Board?", k=k, embedder=HashEmbedder())
    finally:
        searcher.close()


@pytest.mark.parametrize("k", [1, 2, 3])
def test_what_is_shown_is_what_every_phrase_found_would_show(fed_index, monkeypatch, k):
    """Volcker's passage comes first only by its support (two stories name him): with one passage
    shown it is still looked in for its phrase, and the answer is the same as with every passage's."""
    lazy = _first(fed_index, k, **HAND)
    monkeypatch.setattr(pipeline, "could_be_shown", lambda ranked, scores, depth, k, settings: ranked[:depth])
    every = _first(fed_index, k, **HAND)
    assert [h.as_json() for h in lazy.hits] == [h.as_json() for h in every.hits]
    assert lazy.hits[0].support == 1 and "Volcker" in lazy.hits[0].text
