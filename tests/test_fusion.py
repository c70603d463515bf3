"""Fusion of the BM25 and dense rankings: the formulas the search ranks by."""

from __future__ import annotations

import pytest

from qa.search import fuse_convex, fuse_rrf


def test_convex_keeps_score_gaps():
    bm25 = {1: 10.0, 2: 5.0}
    dense = {2: 0.6, 3: 0.5}
    fused = fuse_convex(bm25, dense, 0.5)
    # 1: 0.5 * 10/10 + 0;  2: 0.5 * 5/10 + 0.5 * 0.6;  3: 0 + 0.5 * 0.5
    assert fused == pytest.approx({1: 0.5, 2: 0.55, 3: 0.25})
    assert sorted(fused, key=lambda pid: -fused[pid]) == [2, 1, 3]


def test_convex_share_moves_the_order():
    bm25 = {1: 10.0, 2: 2.0}
    dense = {1: 0.3, 2: 0.7}
    keyword_heavy = fuse_convex(bm25, dense, 0.8)
    meaning_heavy = fuse_convex(bm25, dense, 0.2)
    assert keyword_heavy[1] > keyword_heavy[2]
    assert meaning_heavy[2] > meaning_heavy[1]


def test_convex_without_keyword_matches_ranks_by_cosine():
    fused = fuse_convex({}, {4: 0.2, 5: 0.9}, 0.4)
    assert fused == pytest.approx({4: 0.6 * 0.2, 5: 0.6 * 0.9})


def test_rrf_adds_reciprocal_ranks():
    fused = fuse_rrf([(1.0, [7, 8]), (2.0, [8])], k=10)
    assert fused == pytest.approx({7: 1 / 11, 8: 1 / 12 + 2 / 11})


def test_answered_needs_the_questions_words_not_only_a_similar_topic(seed_index):
    from qa.search import Hit, Searcher
    from qa.text import tokenize

    searcher = Searcher(seed_index)
    tokens = tokenize("Who heads Ansar al-Sharia in Derna?")

    def hit(text: str, cosine: float) -> Hit:
        return Hit(1, 1, "t", "p", 1, 1, 0, len(text), text, 0.0, 0.0, cosine, 0, len(text))

    # the same middling cosine: answered when the passage holds the question's words, not otherwise
    assert searcher._is_answer(hit("Sufian al Qumu heads Ansar al-Sharia in Derna.", 0.45), tokens)
    assert not searcher._is_answer(hit("Militias in eastern Libya clashed again on Tuesday.", 0.45), tokens)
    searcher.close()


def test_rankings_agreeing_on_the_article_tip_the_answered_rule(seed_index):
    from qa.search import AGREEMENT_WEIGHT, MIN_ANSWER_SCORE, Hit, Searcher
    from qa.text import tokenize

    searcher = Searcher(seed_index)
    tokens = tokenize("Who heads Ansar al-Sharia in Derna?")
    text = "The weather was mild."  # none of the question's words: coverage and sentence score 0
    cosine = MIN_ANSWER_SCORE - AGREEMENT_WEIGHT / 2
    hit = Hit(1, 1, "t", "p", 1, 1, 0, len(text), text, 0.0, 0.0, cosine, 0, len(text))
    assert not searcher._is_answer(hit, tokens, 0.0, agree=False)
    assert searcher._is_answer(hit, tokens, 0.0, agree=True)
    by_doc: dict[int, list[int]] = {}
    for pid, doc in searcher._conn.execute("SELECT id, doc_id FROM passages"):
        by_doc.setdefault(doc, []).append(pid)
    (a1, a2, *_), (b1, *_) = sorted(by_doc.values(), key=len, reverse=True)[:2]
    assert searcher._same_article([a1, a2])
    assert not searcher._same_article([a1, b1])
    assert not searcher._same_article([a1])  # one ranking empty: no agreement
    searcher.close()
