"""Passages encoded through the model's ONNX export: torch's vectors, in order, without torch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.ingest import documents
from qa.embedding import onnx_encoder
from qa.ingest.chunking import chunk
from qa.config import ChunkSettings
from qa.embedding.embedder import Embedder, passage_encoder, resolve_model
from qa.settings import DEFAULT_ENCODE
from qa.index.indexer import embedding_text
from conftest import BBC, ROOT, SEEDS


@pytest.fixture(autouse=True)
def remembered_export(export_memo):
    """Exports into the tests' own caches copy the session's traced and fused graphs
    (tests/export_memo.py): what is tested is what export() does around them."""
    with export_memo.installed():
        yield


@pytest.fixture(scope="module")
def exported(model, fast_model) -> Path:
    folder = onnx_encoder.export(model, resolve_model(model.model_name))
    assert folder is not None
    return folder


def passage_texts(files: list[Path]) -> list[str]:
    """What the indexer gives the model: each passage of each article, with its title."""
    texts = []
    for path in files:
        doc = documents.load(path)
        texts += [embedding_text(doc.title, p.text, ChunkSettings()) for p in chunk(doc)]
    return texts


def test_passages_through_the_export_get_torchs_vectors(model, exported):
    if not BBC.is_dir():
        pytest.skip("../shared/data/bbc-news is not present (the seeds alone are 9 passages)")
    files = sorted(SEEDS.glob("*.txt")) + sorted(BBC.glob("*/*.txt"))[::150]  # BBC: 15 articles
    texts = passage_texts(files)
    assert len(texts) >= 10
    encoder = passage_encoder(model.model_name)
    assert isinstance(encoder, onnx_encoder.OnnxEncoder)
    assert encoder.model_name == model.model_name and encoder.dim == model.dim
    got, want = encoder.encode(texts), model.encode(texts)
    assert got.dtype == np.float32 and got.shape == want.shape
    cosines = (got * want).sum(axis=1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
    assert cosines.min() >= DEFAULT_ENCODE.min_probe_cosine


def test_batches_are_cut_from_texts_sorted_by_length_and_returned_in_order(exported):
    encoder = onnx_encoder.OnnxEncoder(exported)
    texts = ["word " * n for n in (40, 1, 300, 7, 90, 2, 15, 60, 3, 120, 5)]
    shapes: list[np.ndarray] = []
    session_run = encoder._session.run

    def recording(names, feeds):
        shapes.append(feeds["attention_mask"].sum(axis=1))
        return session_run(names, feeds)

    encoder._session.run = recording
    batches: list[int] = []
    got = encoder.encode(texts, batch_size=3, on_batch=batches.append)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    np.testing.assert_allclose(got, alone, atol=1e-5)  # each text's own vector, in input order
    assert batches == [3, 3, 3, 2]
    lengths = shapes[:len(batches)]
    assert all(a.max() <= b.min() for a, b in zip(lengths, lengths[1:]))  # little padding in each batch
    assert encoder.encode([], on_batch=batches.append).shape == (0, encoder.dim) and len(batches) == 4


def test_onnxruntime_uses_a_thread_per_core_without_spinning(exported):
    encoder = onnx_encoder.OnnxEncoder(exported)
    options = encoder._session.get_session_options()
    assert encoder.threads == len(os.sched_getaffinity(0)) == options.intra_op_num_threads
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert onnx_encoder.OnnxEncoder(exported, onnx_encoder.EncodeSettings(threads=1)).threads == 1


def test_qa_index_with_an_export_does_not_import_torch_and_stores_torchs_vectors(exported, seed_index, tmp_path):
    from qa.search import Searcher

    script = ("import sys\nfrom qa.cli import main\n"
              f"code = main(['index', {str(SEEDS)!r}, '--index', {str(tmp_path / 'index')!r}])\n"
              "print(code, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            env=os.environ | {"PYTHONPATH": str(ROOT)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0 False False"
    fast, slow = Searcher(tmp_path / "index").snapshot.vectors, Searcher(seed_index).snapshot.vectors
    ids = slow.ids().tolist()  # every segment's live passages (qa/index/segments.py)
    assert fast.ids().tolist() == ids and ids
    got, want = np.vstack([fast.reconstruct(i) for i in ids]), np.vstack([slow.reconstruct(i) for i in ids])
    assert (got * want).sum(axis=1).min() >= DEFAULT_ENCODE.min_probe_cosine


def test_without_an_export_the_model_is_exported_once_then_used(model, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    path = resolve_model(model.model_name)
    assert onnx_encoder.load(path) is None
    encoder = passage_encoder(model.model_name)
    assert isinstance(encoder, onnx_encoder.OnnxEncoder)
    assert isinstance(onnx_encoder.load(path), onnx_encoder.OnnxEncoder)


def test_an_unwritable_cache_keeps_the_torch_model_for_passages(model, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("QA_CACHE_DIR", str(blocker / "cache"))
    said: list[str] = []
    encoder = passage_encoder(model.model_name, warn=said.append)
    assert isinstance(encoder, Embedder) and len(said) == 1 and "QA_CACHE_DIR" in said[0]
    np.testing.assert_allclose(encoder.encode(["a passage"]), model.encode(["a passage"]), atol=1e-6)


@pytest.mark.slow  # indexes with the real model in a cache of its own
def test_ctrl_c_while_exporting_before_embedding_leaves_no_index_and_no_half_export(tmp_path, monkeypatch):
    from qa.index.indexer import sync

    def interrupted(*_):
        raise KeyboardInterrupt

    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(onnx_encoder, "_write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sync(tmp_path / "index", [SEEDS])
    assert list((tmp_path / "cache" / "encoders").iterdir()) == []
    assert onnx_encoder.load(resolve_model("all-MiniLM-L6-v2")) is None
    monkeypatch.undo()
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    report = sync(tmp_path / "index", [SEEDS])  # the next run starts over and finishes
    assert report.added == 2 and report.embedded == report.passages > 0


def test_watch_embeds_through_the_one_passage_encoder(monkeypatch):
    """qa index --watch keeps the encoder every sync uses (the ONNX export), not a torch model:
    its first sync after a change does not wait for torch."""
    import qa.embedding.embedder
    from qa.index.watch import LazyEmbedder

    from robust_util import HashEmbedder

    asked: list[str] = []
    stand_in = HashEmbedder()
    monkeypatch.setattr(qa.embedding.embedder, "passage_encoder", lambda name, warn=None: asked.append(name) or stand_in)
    monkeypatch.setattr(qa.embedding.embedder, "Embedder", lambda *_: pytest.fail("a torch model was loaded"))
    lazy = LazyEmbedder("all-MiniLM-L6-v2")
    assert lazy.dim == 384 and lazy.encode(["a passage"]).shape == (1, 384)
    assert asked == ["all-MiniLM-L6-v2"] and stand_in.texts == ["a passage"]
