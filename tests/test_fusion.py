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
