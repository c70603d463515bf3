"""The approximate (IVF) vector index: same answers as the exact one where both are run, filters
kept, articles added and removed in place (qa/index/vectors.py; figures in BENCHMARKS.md)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from conftest import Remembering, bbc_sample
from robust_util import HashEmbedder
from qa.index import store, vectors
from qa.index.store import IndexStore
from qa.index.indexer import sync
from qa.retrieval.candidates import dense_search
from qa.retrieval.snapshot import IndexSnapshot
from qa.search import Searcher
from qa.settings import DEFAULT_SETTINGS

#: every index approximate, whatever its size; one list of the seven searched a question
FORCED = replace(DEFAULT_SETTINGS, approximate_above=0, nprobe=1)


def _unit(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _exact(n: int, dim: int = 32, seed: int = 0):
    index = vectors.new(dim)
    vectors.add(index, list(range(1, n + 1)), _unit(n, dim, seed))
    return index


def _snapshot(index_dir: Path) -> IndexSnapshot:
    conn = store.connect(index_dir)
    try:
        return IndexSnapshot.load(conn, index_dir)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def remembering(fast_model) -> Remembering:
    """The real model (through its export: the vectors of torch's, faster): whether a question
    falls in the list of its nearest passage depends on how the model places texts."""
    return Remembering(fast_model)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bbc") / "articles"
    for path in bbc_sample(120):
        (folder / path.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, folder / path.parent.name / path.name)
    return folder


@pytest.fixture(scope="module")
def both(tmp_path_factory, corpus, remembering) -> tuple[Path, Path]:
    """The same articles indexed exactly (shipped settings) and approximately (FORCED)."""
    root = tmp_path_factory.mktemp("indexes")
    sync(root / "exact", [corpus], embedder=remembering)
    sync(root / "ivf", [corpus], embedder=remembering, retrieval=FORCED)
    return root / "exact", root / "ivf"


def _titles(corpus: Path, n: int = 25) -> list[str]:
    files = sorted(corpus.glob("*/*.txt"))
    return [p.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0] for p in files[:: len(files) // n]][:n]


def test_the_approximate_index_returns_the_exact_top_passage(both, corpus, fast_model):
    model = fast_model
    exact, ivf = _snapshot(both[0]), _snapshot(both[1])
    assert len(exact.vectors.parts) == len(ivf.vectors.parts) == 1  # one segment each
    assert vectors.ivf_of(exact.vectors.parts[0]) is None
    lists = vectors.ivf_of(ivf.vectors.parts[0])
    assert lists is not None and lists.nlist > FORCED.nprobe  # a question does not scan every list
    for question in _titles(corpus):
        vector = model.encode([question])[0]
        want, _ = dense_search(exact, vector, 10, None)
        got, scores = dense_search(ivf, vector, 10, None, FORCED)
        assert got[0] == want[0], question
        assert scores[0] == pytest.approx(ivf.cosine(int(got[0]), vector), abs=1e-5)  # stored whole


def test_whole_answers_are_the_same_through_the_searcher(both, corpus, fast_model):
    model = fast_model
    exact, ivf = Searcher(both[0]), Searcher(both[1], settings=FORCED)
    for question in _titles(corpus, 8):
        a, b = exact.search(question, k=3, embedder=model), ivf.search(question, k=3, embedder=model)
        assert [(h.path, h.start) for h in a.hits][:1] == [(h.path, h.start) for h in b.hits][:1]


def test_filters_apply_to_the_approximate_search(both, corpus, fast_model):
    model = fast_model
    ivf = _snapshot(both[1])
    business = np.array(["/business/" in p for p in _paths_by_position(both[1], ivf)])
    assert 0 < business.sum() < business.size
    vector = model.encode(["football match result"])[0]  # a sport question, asked of business only
    got, _ = dense_search(ivf, vector, 20, business, FORCED)
    allowed = set(ivf.passage_ids[business].tolist())
    assert len(got) == 20 and set(got.tolist()) <= allowed
    exact, _ = dense_search(_snapshot(both[0]), vector, 20, business)
    assert got[0] == exact[0]


def _paths_by_position(index_dir: Path, snapshot: IndexSnapshot) -> list[str]:
    conn = store.connect(index_dir)
    try:
        path_of = dict(conn.execute("SELECT p.id, d.path FROM passages p JOIN documents d ON d.id = p.doc_id"))
    finally:
        conn.close()
    return [path_of[int(i)] for i in snapshot.passage_ids]


def test_adding_and_removing_an_article_in_place_answers_as_a_fresh_build(tmp_path, corpus):
    model = Remembering(HashEmbedder())  # the stand-in: what is compared is two indexes of one embedder
    folder = tmp_path / "articles"
    shutil.copytree(corpus, folder)
    extra = sorted(folder.glob("tech/*.txt"))[0]
    question = extra.read_text(encoding="utf-8").split("\n", 1)[0]
    kept = extra.read_bytes()
    extra.unlink()
    sync(tmp_path / "index", [folder], embedder=model, retrieval=FORCED)
    before = _snapshot(tmp_path / "index")
    centroids = _centroids(before.vectors.parts[0])
    questions = [question, *_titles(corpus, 6)]
    answers_without = _answers(tmp_path / "index", questions, model)

    extra.write_bytes(kept)
    report = sync(tmp_path / "index", embedder=model, retrieval=FORCED)
    assert report.added == 1
    after = _snapshot(tmp_path / "index")
    assert np.array_equal(_centroids(after.vectors.parts[0]), centroids)  # its segment kept, not trained again
    sync(tmp_path / "fresh", [folder], embedder=model, retrieval=FORCED)
    with_extra = _answers(tmp_path / "index", questions, model)
    assert with_extra == _answers(tmp_path / "fresh", questions, model)
    assert with_extra[0][0][0] == str(extra.resolve())  # the added article answers its own title

    extra.unlink()
    assert sync(tmp_path / "index", embedder=model, retrieval=FORCED).removed == 1
    assert _answers(tmp_path / "index", questions, model) == answers_without
    assert vectors.ivf_of(_snapshot(tmp_path / "index").vectors.parts[0]) is not None


def _centroids(index) -> np.ndarray:
    quantizer = vectors.faiss.downcast_index(vectors.ivf_of(index).quantizer)
    return vectors.faiss.rev_swig_ptr(quantizer.get_xb(), quantizer.ntotal * quantizer.d).copy()


def _answers(index_dir: Path, questions: list[str], model) -> list[list[tuple[str, int, int]]]:
    searcher = Searcher(index_dir, settings=FORCED)
    try:
        return [[(h.path, h.start, h.end) for h in searcher.search(q, k=3, embedder=model).hits] for q in questions]
    finally:
        searcher.close()


def test_an_index_goes_approximate_at_the_threshold_and_keeps_its_centroids_while_it_grows():
    settings = replace(DEFAULT_SETTINGS, approximate_above=2_000, lists_per_sqrt=0.25, retrain_growth=2.0)
    small = _exact(1_999)
    assert vectors.approximate(small, settings) is small  # below: exact, untouched
    ivf = vectors.approximate(_exact(2_000), settings)
    lists = vectors.ivf_of(ivf)
    assert lists is not None and lists.nlist == vectors.lists_for(2_000, settings) and ivf.ntotal == 2_000
    vectors.add(ivf, list(range(5_001, 8_001)), _unit(3_000, seed=1))  # lists_for(5,000) < 2 x trained lists
    assert vectors.approximate(ivf, settings) is ivf
    vectors.add(ivf, list(range(10_001, 20_001)), _unit(10_000, seed=2))  # far past: trained again
    retrained = vectors.approximate(ivf, settings)
    assert vectors.ivf_of(retrained).nlist == vectors.lists_for(15_000, settings) > lists.nlist
    assert sorted(vectors.stored_ids(retrained)) == sorted(vectors.stored_ids(ivf))
    vectors.remove(retrained, list(range(5_001, 8_001)) + list(range(10_001, 20_001)) + list(range(1, 1_200)))
    back = vectors.approximate(retrained, settings)  # 801 left, under half the threshold: exact again
    assert vectors.ivf_of(back) is None and sorted(vectors.stored_ids(back)) == list(range(1_200, 2_001))


def test_an_approximate_index_gives_back_stored_vectors_and_forgets_removed_ones(tmp_path):
    data = _unit(3_000)
    ivf = vectors.approximate(_exact(3_000), replace(DEFAULT_SETTINGS, approximate_above=0))
    vectors.save(ivf, tmp_path / "v.faiss")
    loaded = vectors.load(tmp_path / "v.faiss")
    assert np.array_equal(vectors.reconstruct(loaded, [7, 2_999]), data[[6, 2_998]])
    vectors.remove(loaded, [7])
    ids, _ = vectors.search(loaded, data[6], 5, settings=replace(DEFAULT_SETTINGS, nprobe=1_000))
    assert 7 not in ids.tolist() and loaded.ntotal == 2_999 and vectors.all_finite(loaded)
    got_ids, got = vectors.contents(loaded)
    order = np.argsort(got_ids)
    assert np.array_equal(got[order], np.delete(data, 6, axis=0))


# -- the threshold lowered (issue 23: a 10k segment searched approximate) --------------------------

def _seed_answers(index_dir: Path, settings=DEFAULT_SETTINGS) -> list[list[tuple[int, float, int, int]]]:
    searcher = Searcher(index_dir, settings=settings)
    try:
        return [[(h.passage_id, round(h.score, 6), h.highlight_start, h.highlight_end)
                 for h in searcher.search(q, k=3, embedder=HashEmbedder()).hits]
                for q in ("Who heads Ansar al-Sharia in Derna?", "How many people were killed?", "harbour")]
    finally:
        searcher.close()


def _kinds(index_dir: Path) -> list[bool]:
    """Per current segment, whether its vector file holds an exact index."""
    conn = store.connect(index_dir)
    try:
        from qa.index.segments import current_segments

        meta = store.read_meta(conn)
        return [vectors.saved_exact(s.vector_file(index_dir)) for s in current_segments(IndexStore(conn), meta)]
    finally:
        conn.close()


def test_an_existing_index_is_saved_again_as_its_size_asks_by_the_next_sync_and_answers_the_same(tmp_path):
    """A segment saved exact under a higher threshold is rewritten approximate by the next writer
    once it is at or above the threshold, and exact again far below it; the answers do not move
    (the seeds' few passages make one list, all of it searched)."""
    from conftest import SEEDS

    index = tmp_path / "index"
    sync(index, [SEEDS], embedder=HashEmbedder())
    assert _kinds(index) == [True]
    exact = _seed_answers(index)
    lower = replace(DEFAULT_SETTINGS, approximate_above=2)
    report = sync(index, embedder=HashEmbedder(), retrieval=lower)  # no file changed: the segment alone rewritten
    assert report.embedded == 0 and _kinds(index) == [False]
    assert _seed_answers(index, lower) == exact
    sync(index, embedder=HashEmbedder(), retrieval=lower)
    assert _kinds(index) == [False]  # rewritten once, not at every sync
    higher = replace(DEFAULT_SETTINGS, approximate_above=10**6)
    sync(index, embedder=HashEmbedder(), retrieval=higher)
    assert _kinds(index) == [True] and _seed_answers(index) == exact


def test_a_small_ivf_index_searches_at_most_its_probe_share_of_lists(monkeypatch):
    ivf = vectors.approximate(_exact(3_000), replace(DEFAULT_SETTINGS, approximate_above=0, lists_per_sqrt=0.25))
    lists = vectors.ivf_of(ivf).nlist
    asked: list[int] = []
    real = vectors.faiss.SearchParametersIVF

    def recording(**kwargs):
        asked.append(kwargs["nprobe"])
        return real(**kwargs)

    monkeypatch.setattr(vectors.faiss, "SearchParametersIVF", recording)
    query = _unit(1, seed=3)[0]
    vectors.search(ivf, query, 10, settings=replace(DEFAULT_SETTINGS, nprobe=128, probe_share=0.25))
    vectors.search(ivf, query, 10, settings=replace(DEFAULT_SETTINGS, nprobe=2, probe_share=0.25))
    vectors.search(ivf, query, 10, np.arange(1, 1_501), replace(DEFAULT_SETTINGS, nprobe=128, probe_share=0.25))
    assert lists == 14 and asked == [4, 2, 8]  # a quarter of 14 lists, rounded up; twice that for half the ids
