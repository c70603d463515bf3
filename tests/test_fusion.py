"""The stages after retrieval: fusion, the answered rule, and settings that change what they say."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import pytest

from qa.retrieval.fusion import fuse, fuse_convex, rank
from qa.retrieval.records import Candidates
from qa.retrieval.verdict import AnswerSignals, decide
from qa.settings import DEFAULT_SETTINGS, RetrievalSettings


def test_convex_keeps_score_gaps():
    bm25 = {1: 10.0, 2: 5.0}
    dense = {2: 0.6, 3: 0.5}
    fused = fuse_convex(bm25, dense, 0.5)
    # 1: 0.5 * 10/10 + 0;  2: 0.5 * 5/10 + 0.5 * 0.6;  3: 0 + 0.5 * 0.5
    assert fused == pytest.approx({1: 0.5, 2: 0.55, 3: 0.25})
    assert rank(fused) == [2, 1, 3]


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


def test_fusion_is_pure_and_independent_of_the_inputs_order():
    bm25 = {1: 3.0, 2: 9.0, 3: 0.0}
    dense = {1: 0.8, 2: 0.1, 3: 0.5}
    before = (dict(bm25), dict(dense))
    forward = fuse_convex(bm25, dense, 0.3)
    backward = fuse_convex(dict(reversed(bm25.items())), dict(reversed(dense.items())), 0.3)
    assert (bm25, dense) == before  # inputs untouched
    assert forward == pytest.approx(backward)
    assert rank(forward) == rank(backward)


def _candidates() -> Candidates:
    # passage 1 leads BM25 by far, passage 2 leads on meaning
    bm25 = {1: 12.0, 2: 3.0, 3: 6.0}
    dense = {1: 0.2, 2: 0.9, 3: 0.4}
    return Candidates([1, 3, 2], [2, 3, 1], bm25, dense)


def test_bm25_share_one_ranks_like_bm25_and_zero_like_the_cosine():
    candidates = _candidates()
    keyword = replace(DEFAULT_SETTINGS, bm25_share=1.0)
    meaning = replace(DEFAULT_SETTINGS, bm25_share=0.0)
    assert rank(fuse(candidates, "hybrid", keyword)) == candidates.bm25_ranked
    assert rank(fuse(candidates, "hybrid", meaning)) == candidates.dense_ranked
    assert rank(fuse(candidates, "hybrid", DEFAULT_SETTINGS)) == [2, 1, 3]  # 0.3 x 1 + 0.14 < 0.3 x 0.25 + 0.63


def test_single_modes_rank_by_their_own_list():
    only_bm25 = Candidates([1, 3, 2], [], {1: 12.0, 3: 6.0, 2: 3.0}, {})
    assert rank(fuse(only_bm25, "bm25", DEFAULT_SETTINGS)) == [1, 3, 2]
    assert fuse(only_bm25, "bm25", DEFAULT_SETTINGS)[1] == pytest.approx(1.0)  # BM25 / best
    only_dense = Candidates([], [2, 3, 1], {}, {2: 0.9, 3: 0.4, 1: 0.2})
    assert fuse(only_dense, "dense", DEFAULT_SETTINGS) == pytest.approx(only_dense.dense)  # the cosine


def test_settings_are_frozen_and_replace_makes_a_variant():
    with pytest.raises(FrozenInstanceError):
        DEFAULT_SETTINGS.bm25_share = 0.5  # type: ignore[misc]
    variant = replace(DEFAULT_SETTINGS, min_answer_score=1.2)
    assert variant.min_answer_score == 1.2 and DEFAULT_SETTINGS.min_answer_score == RetrievalSettings().min_answer_score
    assert DEFAULT_SETTINGS.bm25_params == (DEFAULT_SETTINGS.k1, DEFAULT_SETTINGS.b, DEFAULT_SETTINGS.epsilon)


def test_answered_rule_weighs_cosine_coverage_sentence_and_agreement():
    s = DEFAULT_SETTINGS
    verdict = decide(AnswerSignals(0.5, 0.6, 0.3, True), s)
    assert verdict.value == pytest.approx(0.5 + s.coverage_weight * 0.6 + s.sentence_answer_weight * 0.3
                                          + s.agreement_weight)
    assert verdict.threshold == s.min_answer_score
    cosine = s.min_answer_score - s.agreement_weight / 2  # no words, no sentence: agreement tips it
    assert not decide(AnswerSignals(cosine, 0.0, 0.0, False), s).answered
    assert decide(AnswerSignals(cosine, 0.0, 0.0, True), s).answered
    assert not decide(AnswerSignals(cosine, 0.0, 0.0, True), replace(s, agreement_weight=0.0)).answered


def test_keyword_only_rule_is_coverage_alone():
    s = DEFAULT_SETTINGS
    assert decide(AnswerSignals(None, s.min_keyword_coverage, 0.0, False), s).answered
    assert not decide(AnswerSignals(None, s.min_keyword_coverage - 0.01, 1.0, True), s).answered  # sentence, agreement ignored
    assert not decide(AnswerSignals(None, 0.7, 0.0, False), replace(s, min_keyword_coverage=0.8)).answered


def test_answered_needs_the_questions_words_not_only_a_similar_topic(seed_index):
    from qa.index import store
    from qa.retrieval.snapshot import IndexSnapshot
    from qa.retrieval.verdict import keyword_coverage
    from qa.index.text import tokenize

    conn = store.connect(seed_index)
    snapshot = IndexSnapshot.load(conn, seed_index)
    tokens = tokenize("Who heads Ansar al-Sharia in Derna?")

    def answered(text: str, cosine: float) -> bool:
        return decide(AnswerSignals(cosine, keyword_coverage(snapshot, text, tokens), 0.0, False), DEFAULT_SETTINGS).answered

    # the same middling cosine: answered when the passage holds the question's words, not otherwise
    assert keyword_coverage(snapshot, "Sufian al Qumu heads Ansar al-Sharia in Derna.", tokens) == pytest.approx(1.0)
    assert answered("Sufian al Qumu heads Ansar al-Sharia in Derna.", 0.45)
    assert not answered("Militias in eastern Libya clashed again on Tuesday.", 0.45)
    conn.close()


def test_same_article_check_reads_the_passages_documents(stand_in_seed_index):
    from qa.index import store

    conn = store.connect(stand_in_seed_index)
    by_doc: dict[int, list[int]] = {}
    for row in store.all_citation_rows(conn):
        by_doc.setdefault(row.doc_id, []).append(row.passage_id)
    (a1, a2, *_), (b1, *_) = sorted(by_doc.values(), key=len, reverse=True)[:2]
    assert store.same_document(conn, [a1, a2])
    assert not store.same_document(conn, [a1, b1])
    assert not store.same_document(conn, [a1])  # one ranking empty: no agreement
    conn.close()
