"""Sentence vectors shipped (issue 24): made at index time from the passage's own pass
(qa/embedding/sentences.py), stored with the passages (qa/index/store.py's sentence_vectors
table), reused and dropped with them, read for the passages a question scores
(qa/retrieval/sentence_vectors.py), and used only where the index says every passage has them."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qa.embedding.sentences import centred, from_blob, to_blob
from qa.errors import QAError
from qa.index import pause, store
from qa.index.indexer import sync
from qa.index.store import CitationRow, IndexStore
from qa.index.text import ANALYZER, tokenize
from qa.retrieval.highlight import scored_best_sentence
from qa.retrieval.pipeline import PassagesInMemory
from qa.retrieval.sentence_vectors import dense_evidence
from qa.search import Searcher
from qa.settings import DEFAULT_SETTINGS

from conftest import SEEDS
from robust_util import HashEmbedder, SpanHashEmbedder

QUESTIONS = ("Who heads Ansar al-Sharia in Derna?", "What happened to the convoy of cars?",
             "Where did the attack happen?", "What did residents say?")


def _index(tmp_path: Path, embedder=None) -> tuple[Path, Path]:
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    sync(tmp_path / "index", [src], embedder=embedder or SpanHashEmbedder())
    return tmp_path / "index", src


def _stored(index: Path) -> tuple[store.IndexMeta, dict[int, bytes], dict[int, str]]:
    with IndexStore.open(index) as db:
        rows = db.all_citation_rows()
        return db.read_meta(), db.all_sentence_vectors(), {r.passage_id: r.text for r in rows}


def _by_text(index: Path) -> dict[str, bytes]:
    _, blobs, texts = _stored(index)
    return {texts[pid]: blob for pid, blob in blobs.items()}


def test_a_new_index_stores_each_passages_centred_sentence_vectors(tmp_path):
    index, _ = _index(tmp_path)
    meta, blobs, texts = _stored(index)
    assert meta.sentence_vectors
    assert set(blobs) == set(texts)  # every passage, in the commit that wrote it
    embedder = SpanHashEmbedder()
    for pid, text in texts.items():
        spans = ANALYZER.analyse(text).spans
        got = from_blob(blobs[pid], meta.dim)
        assert len(got) == (len(spans) if len(spans) > 1 else 0)  # one sentence: nothing to tell apart
        if len(spans) > 1:
            want = centred(np.vstack([embedder._vector(text[a:b]) for a, b in spans]))
            assert np.allclose(got, want, atol=2e-3)  # float16


def test_an_encoder_without_sentence_vectors_makes_an_index_without_the_flag(tmp_path):
    index, _ = _index(tmp_path, HashEmbedder())
    meta, blobs, _ = _stored(index)
    assert not meta.sentence_vectors and blobs == {}


def test_an_unchanged_passage_keeps_its_sentence_vectors_without_embedding_again(tmp_path):
    index, src = _index(tmp_path)
    before = _by_text(index)
    article = src / "000_cd1c624dfe4b4cd0.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\nA new closing paragraph was added. It says more.\n",
                       encoding="utf-8")
    again = SpanHashEmbedder()
    sync(index, embedder=again)
    meta, _, texts = _stored(index)
    after = _by_text(index)
    kept = [t for t in after if t in before]
    assert kept and all(after[t] == before[t] for t in kept)
    assert len(again.texts) < len(texts) and all("closing paragraph" in t for t in again.texts)
    assert meta.sentence_vectors and set(after) == set(texts.values())


def test_a_removed_article_takes_its_sentence_vectors_with_it(tmp_path):
    index, src = _index(tmp_path)
    (src / "002_0e2a9cc3038cee0a.txt").unlink()
    sync(index, embedder=SpanHashEmbedder())
    meta, blobs, texts = _stored(index)
    assert set(blobs) == set(texts) and meta.sentence_vectors


def test_an_interrupted_sync_keeps_its_sentence_vectors_aside_for_the_next(tmp_path, monkeypatch):
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)

    def killed(phase: str) -> None:
        if phase == "saved":
            raise KeyboardInterrupt

    monkeypatch.setattr(pause, "at", killed)
    with pytest.raises(KeyboardInterrupt):
        sync(tmp_path / "index", [src], embedder=SpanHashEmbedder())
    monkeypatch.undo()
    again = SpanHashEmbedder()
    sync(tmp_path / "index", embedder=again)
    assert again.texts == []  # every vector, and its sentences, taken back from the pending ones
    fresh, _ = _index(tmp_path / "fresh")
    assert _by_text(tmp_path / "index") == _by_text(fresh) and _stored(tmp_path / "index")[0].sentence_vectors


def _answers(index: Path, settings=None) -> list:
    searcher = Searcher(index, settings)
    embedder = SpanHashEmbedder()
    try:
        return [[(h.passage_id, round(h.score, 9), h.highlight_start, h.highlight_end)
                 for h in searcher.search(q, k=5, embedder=embedder).hits] for q in QUESTIONS]
    finally:
        searcher.close()


def test_an_index_without_the_flag_answers_as_without_the_feature(tmp_path):
    index, _ = _index(tmp_path)
    on, off = _answers(index), _answers(index, replace(DEFAULT_SETTINGS, sentence_vector_weight=0.0))
    assert on != off  # the stored vectors move the scores where the index says they are whole
    conn = sqlite3.connect(index / store.DB_NAME)  # an older qa committed since: its flag is stale
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'sentence_vectors'")
    conn.commit()
    conn.close()
    assert not _stored(index)[0].sentence_vectors
    assert _answers(index) == off


def test_a_sync_by_an_encoder_without_them_turns_the_feature_off(tmp_path):
    index, src = _index(tmp_path)
    (src / "new.txt").write_text("A new article about the harbour. It opened on Monday.\n", encoding="utf-8")
    sync(index, embedder=HashEmbedder())
    assert not _stored(index)[0].sentence_vectors  # one passage without them: none are read


PASSAGE = "The council met in the town hall. The council met in the old school."


def _rows() -> dict[int, CitationRow]:
    fields = {name: None for name in CitationRow._fields}
    return {1: CitationRow(**{**fields, "passage_id": 1, "doc_id": 1, "text": PASSAGE, "title": "Council"})}


def _highlight(vectors: np.ndarray | None, question: np.ndarray) -> str:
    rows = _rows()
    source = PassagesInMemory(rows.values(), {1: to_blob(vectors)} if vectors is not None else None, 2)
    dense = dense_evidence(source, rows, question, DEFAULT_SETTINGS.sentence_vector_weight)
    tokens = tokenize("Where did the council meet?")
    best = scored_best_sentence(PASSAGE, tokens, lambda t: 1.0, float(len(tokens)), 0.4,
                                dense=dense.get(1) if dense else None)
    return PASSAGE[best.start:best.end]


def test_the_sentence_whose_vector_is_nearest_the_question_wins_a_tie_of_words():
    question = np.array([0.0, 1.0], dtype=np.float32)
    assert _highlight(None, question).startswith("The council met in the town")  # a tie: the earlier
    assert _highlight(np.array([[1.0, 0.0], [0.0, 1.0]]), question).startswith("The council met in the old")
    assert _highlight(np.array([[0.0, 1.0], [1.0, 0.0]]), question).startswith("The council met in the town")


def test_vectors_of_another_sentence_count_or_no_question_vector_add_nothing():
    rows = _rows()
    source = PassagesInMemory(rows.values(), {1: to_blob(np.eye(3, 2))}, 2)  # 3 rows, 2 sentences
    assert dense_evidence(source, rows, np.array([0.0, 1.0]), 0.75) is None
    source = PassagesInMemory(rows.values(), {1: to_blob(np.eye(2))}, 2)
    assert dense_evidence(source, rows, None, 0.75) is None
    assert dense_evidence(source, rows, np.array([0.0, 1.0]), 0.0) is None
    assert np.allclose(dense_evidence(source, rows, np.array([0.0, 1.0]), 0.75)[1], [0.0, 0.75])
    damaged = PassagesInMemory(rows.values(), {1: to_blob(np.eye(2))[:-1]}, 2)
    assert dense_evidence(damaged, rows, np.array([0.0, 1.0]), 0.75) is None  # the words alone, no error
    past = PassagesInMemory(rows.values(), {1: to_blob(np.array([[np.nan, np.nan], [0.0, 1.0]]))}, 2)
    assert np.allclose(dense_evidence(past, rows, np.array([0.0, 1.0]), 0.75)[1], [0.0, 0.75])  # past the truncation


def test_an_index_of_mains_schema_is_read_then_migrated_by_the_next_sync(tmp_path):
    index, src = _index(tmp_path, HashEmbedder())
    conn = sqlite3.connect(index / store.DB_NAME)  # as main before issue 24 left it: user_version 2
    conn.execute("DROP TABLE sentence_vectors")
    conn.execute("ALTER TABLE pending_vectors DROP COLUMN sentences")
    conn.execute("DROP TABLE passage_analysis")  # (migration 4, after it)
    conn.execute("DELETE FROM meta WHERE key = ?", (store.ANALYSED_KEY,))
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with IndexStore.open(index) as db:
        assert db.schema.version == 2 and db.all_sentence_vectors() == {} and db.pending_sentences(["x"]) == {}
    assert all(_answers(index))  # a reader reads it as it is
    (src / "new.txt").write_text("A new article about the harbour. It opened on Monday.\n", encoding="utf-8")
    sync(index, embedder=SpanHashEmbedder())  # the next writer migrates it
    meta, blobs, texts = _stored(index)
    with IndexStore.open(index) as db:
        assert db.schema.version == store.SCHEMA_VERSION
    assert len(blobs) == 1 and not meta.sentence_vectors  # the older passages have none: off until a rebuild
    sync(index, rebuild=True, embedder=SpanHashEmbedder())
    meta, blobs, texts = _stored(index)
    assert meta.sentence_vectors and set(blobs) == set(texts)


def test_the_remembering_encoder_pools_once_and_only_with_an_inner_that_can():
    from qa.embedding.remembering import Remembering

    inner = SpanHashEmbedder()
    remembering = Remembering(inner)
    texts, spans = ["One thing. Another thing."] * 2, [[(0, 10), (11, 25)]] * 2
    vecs, pooled = remembering.encode_spans(texts, spans)
    again, pooled_again = remembering.encode_spans(texts[:1], spans[:1])
    assert len(inner.texts) == 1 and np.array_equal(again[0], vecs[0]) and np.array_equal(pooled_again[0], pooled[0])
    assert pooled[0].shape == (2, inner.dim)
    assert Remembering(HashEmbedder()).encode_spans(texts, spans)[1] == [None, None]
    filled = Remembering(SpanHashEmbedder())  # vectors taken from an index: no pass paid for sentences
    filled.known[texts[0]] = vecs[0]
    assert filled.encode_spans(texts, spans)[1] == [None, None] and filled.inner.texts == []


def test_qa_index_says_when_highlights_lack_sentence_vectors_and_how_to_get_them(tmp_path, capsys):
    """An index whose passages have no sentence vectors (made before them; here by an encoder
    that gives none) is told so after its sync, with the command that adds them; one that has
    them is not, and `--json` carries the flag."""
    from qa.cli import print_report

    words_only = sync(tmp_path / "old", [SEEDS], embedder=HashEmbedder())
    assert words_only.sentence_vectors is False and words_only.as_json()["sentence_vectors"] is False
    [note] = words_only.notes()
    assert "qa index --rebuild" in note and f"{words_only.passages} passages" in note
    with_vectors = sync(tmp_path / "new", [SEEDS], embedder=SpanHashEmbedder())
    assert with_vectors.sentence_vectors is True and with_vectors.notes() == []
    print_report(with_vectors)
    assert "sentence vectors" not in capsys.readouterr().err


def test_the_index_reads_sentence_vectors_once_as_float32_with_the_cosines_of_the_stored_blobs(tmp_path):
    """The local index turns each passage's float16 blob into float32 as it reads it (numpy casts
    float16 one value at a time: ~0.08 ms a question when done for every question) and keeps that:
    the values, and the cosines dense_evidence takes with them, are the stored blobs' to the bit."""
    index, _ = _index(tmp_path)
    meta, blobs, texts = _stored(index)
    from qa.retrieval.local_index import LocalIndexReader

    reader = LocalIndexReader(index)
    ids = sorted(blobs)
    read = reader.sentence_vectors(ids)
    assert all(read[pid].dtype == np.float32 for pid in ids)
    assert all(np.array_equal(read[pid], from_blob(blobs[pid], meta.dim).astype(np.float32)) for pid in ids)
    assert reader.sentence_vectors(ids[:1])[ids[0]] is read[ids[0]]  # kept, not read and cast again
    rows = dict(reader.citation_rows(ids))
    question = np.random.default_rng(0).standard_normal(meta.dim).astype(np.float32)
    got = dense_evidence(reader, rows, question, 0.75)
    want = dense_evidence(PassagesInMemory(rows.values(), blobs, meta.dim), rows, question, 0.75)
    assert got.keys() == want.keys() and all(got[pid].tobytes() == want[pid].tobytes() for pid in got)
