"""Our sparse BM25 gives rank-bm25's BM25Okapi scores exactly (up to float32 rounding)."""

from __future__ import annotations

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from qa.index.bm25 import B, K1, BM25Index
from qa.ingest.chunking import chunk
from qa.ingest.documents import load
from qa.index.text import tokenize

from conftest import BBC, SEEDS, bbc_sample


def _corpus(bbc: bool = False) -> list[list[str]]:
    """The seed passages (9), and with bbc=True 150 BBC articles' (the test skips without them)."""
    paths = sorted(SEEDS.glob("*.txt")) + (bbc_sample(150) if bbc else [])
    return [tokenize(p.text) for path in paths for p in chunk(load(path))]


def test_scores_equal_rank_bm25_on_a_sample():
    corpus = _corpus(bbc=BBC.is_dir())  # the seeds alone still make a corpus
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


def _segments(tmp_path, corpus: list[list[str]], bounds: list[int]):
    """The corpus cut into segments at `bounds` (passage id = position), each saved and read back mapped."""
    from qa.index.bm25 import TermCounts
    from qa.index.postings import Postings

    parts = []
    for i, (lo, hi) in enumerate(zip([0, *bounds], [*bounds, len(corpus)])):
        path = tmp_path / f"terms.{i}.npz"
        TermCounts.build(range(lo, hi), corpus[lo:hi]).save(path)
        parts.append(Postings.load(path))
    return parts


def test_segments_with_deleted_passages_score_as_bm25okapi_over_the_live_ones(tmp_path):
    corpus = _corpus(bbc=True)[:400] + [["onlyindeleted", "derna"], ["onlyindeleted"]]
    deleted = np.asarray([3, 150, 151, 299, len(corpus) - 2, len(corpus) - 1])
    live = [doc for i, doc in enumerate(corpus) if i not in set(deleted.tolist())]
    ours = BM25Index.from_segments(_segments(tmp_path, corpus, [100, 250]), deleted)
    fresh, reference = BM25Index(live), BM25Okapi(live, k1=K1, b=B)
    assert ours.passage_ids.tolist() == [i for i in range(len(corpus)) if i not in set(deleted.tolist())]
    for query in ["profits at Time Warner", "election campaign Blair Brown", "the the the", "Derna Derna militia",
                  "onlyindeleted derna"]:
        tokens = tokenize(query)
        np.testing.assert_allclose(ours.scores(tokens), reference.get_scores(tokens), rtol=1e-5, atol=1e-5)
        for token in tokens:
            assert ours.idf_of(token) == fresh.idf_of(token)
            assert ours.postings(token).tolist() == fresh.postings(token).tolist()
            np.testing.assert_allclose(ours.term_weights(token)[1], fresh.term_weights(token)[1], rtol=1e-6)
    assert "onlyindeleted" not in ours.vocabulary and sorted(ours.vocabulary) == sorted(fresh.vocabulary)
    assert [ours.document_frequency[ours.vocabulary[t]] for t in fresh.vocabulary] == \
        fresh.document_frequency[[fresh.vocabulary[t] for t in fresh.vocabulary]].tolist()


def test_a_term_file_of_format_1_reads_as_the_same_postings(tmp_path):
    """Indexes written before format 2 stored the counts passages x terms: they still open, unchanged."""
    from qa.index.bm25 import TermCounts
    from qa.index.postings import Postings

    corpus = _corpus()[:200]
    counts = TermCounts.build(range(10, 10 + len(corpus)), corpus)
    old = tmp_path / "terms.1.npz"
    np.savez(old, passage_ids=counts.passage_ids, data=counts.matrix.data, indices=counts.matrix.indices,
             indptr=counts.matrix.indptr, shape=np.asarray(counts.matrix.shape, dtype=np.int64),
             vocabulary=np.frombuffer("\n".join(counts.terms()).encode("utf-8"), dtype=np.uint8))
    before = old.read_bytes()
    ours = BM25Index.from_segments([Postings.load(old)], np.zeros(0, np.int64))
    tokens = tokenize("election campaign Blair Brown profits")
    np.testing.assert_allclose(ours.scores(tokens), BM25Okapi(corpus, k1=K1, b=B).get_scores(tokens), rtol=1e-5, atol=1e-5)
    assert ours.passage_ids.tolist() == list(range(10, 10 + len(corpus)))
    assert old.read_bytes() == before  # read, never rewritten
    assert (TermCounts.load(old).matrix != counts.matrix).nnz == 0


def test_a_term_file_cut_short_is_refused(tmp_path):
    from qa.index.bm25 import TermCounts
    from qa.index.postings import Postings

    path = tmp_path / "terms.1.npz"
    TermCounts.build(range(50), _corpus()[:50]).save(path)
    path.write_bytes(path.read_bytes()[:-2000])
    with pytest.raises(ValueError):
        Postings.load(path)


@pytest.mark.parametrize("kept", [1 << 21, 40, 0])
def test_postings_kept_between_questions_give_the_same_scores(monkeypatch, kept):
    """A term's postings are weighed once and kept for the next question (bm25.POSTINGS_KEPT, all
    forgotten past it): the same scores, postings and weights as an index that kept nothing, and
    read-only (every question shares them)."""
    from qa.index import bm25

    corpus = _corpus()
    counts = bm25.TermCounts.build(range(len(corpus)), corpus)
    parts = [bm25.TermCounts(counts.passage_ids[:5], counts.matrix[:5], counts.vocabulary).postings(),
             bm25.TermCounts(counts.passage_ids[5:], counts.matrix[5:], counts.vocabulary).postings()]
    deleted = counts.passage_ids[[1, 6]]
    monkeypatch.setattr(bm25, "POSTINGS_KEPT", kept)
    ours = BM25Index.from_segments(parts, deleted)
    queries = [tokenize(q) for q in ("Who heads Ansar al-Sharia in Derna?", "Derna Derna militia", "the council budget")]
    for _ in range(2):  # the second time from what was kept
        for tokens in queries:
            fresh = BM25Index.from_segments(parts, deleted)
            assert (ours.scores(tokens) == fresh.scores(tokens)).all()
            for token in tokens:
                assert (ours.postings(token) == fresh.postings(token)).all()
                assert all((a == b).all() for a, b in zip(ours.term_weights(token), fresh.term_weights(token)))
    assert ours._kept_size <= kept
    assert all(not array.flags.writeable for key, value in ours._kept.items()
               for array in (value if key[0] == "postings" else [a for pair in value for a in pair]))
