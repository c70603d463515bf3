"""The torch-free question encoder: an ONNX export of the model, kept only when it is faithful."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.embedding import onnx_encoder
from qa.embedding.embedder import question_encoder, resolve_model
from qa.settings import EncodeSettings
from tests.conftest import ROOT, SEEDS

#: the question encoder overlapping whether it spins or not (EncodeSettings.overlap_spinning_only)
OVERLAPPING = EncodeSettings(overlap=True, overlap_spinning_only=False)

TEXTS = [
    "Who heads Ansar al-Sharia in Derna?",
    "What did the minister say about the budget?",
    "Köln, Zürich — 3,000 km² of “quoted” text",
    "x",
    "word " * 600,  # longer than the model's 256 tokens: truncated alike
]


@pytest.fixture(autouse=True)
def remembered_export(export_memo):
    """Exports into the tests' own caches copy the session's traced and fused graphs
    (tests/export_memo.py): what is tested is what export() does around them."""
    with export_memo.installed():
        yield


@pytest.fixture(scope="session")
def exported(model, fast_model, private_cache) -> Path:
    """The session's export (made by fast_model, the real tracer and optimizer)."""
    folder = onnx_encoder.export(model, resolve_model(model.model_name))
    assert folder is not None and (folder / onnx_encoder.MANIFEST).is_file()
    return folder


def test_export_gives_the_torch_models_vectors(model, exported):
    fast = onnx_encoder.OnnxEncoder(exported)
    want = model.encode(TEXTS)
    for got in (fast.encode(TEXTS), np.vstack([fast.encode([t]) for t in TEXTS])):  # padded and alone
        assert got.dtype == np.float32 and got.shape == want.shape
        np.testing.assert_allclose(got, want, atol=1e-5)
    assert fast.encode([]).shape == (0, model.dim)


def test_sentence_vectors_come_from_the_same_pass_as_torchs(model, exported):
    """encode_spans (qa.embedding.encoder.SpanEncoder): the texts' vectors as encode gives them, and
    per span the mean of its tokens' embeddings, the export's as the torch model's; a span past the
    truncation gets a NaN row."""
    fast = onnx_encoder.OnnxEncoder(exported)
    spans = [[(0, 8), (9, len(t))] if len(t) > 9 else [(0, len(t))] for t in TEXTS]
    spans[-1] = [(0, 10), (len(TEXTS[-1]) - 10, len(TEXTS[-1]))]  # the last words lie past 256 tokens
    vecs, pooled = fast.encode_spans(TEXTS, spans)
    want_vecs, want = model.encode_spans(TEXTS, spans)
    np.testing.assert_allclose(vecs, model.encode(TEXTS), atol=1e-5)
    np.testing.assert_allclose(want_vecs, model.encode(TEXTS), atol=1e-5)
    for got, expected, wanted in zip(pooled, want, spans):
        assert got.shape == (len(wanted), model.dim)
        np.testing.assert_allclose(got, expected, atol=1e-4)
    assert np.isfinite(pooled[0]).all() and np.isnan(pooled[-1][1]).all() and np.isfinite(pooled[-1][0]).all()


def test_question_encoder_prefers_the_export(model, exported):
    encoder = question_encoder(model.model_name)
    assert isinstance(encoder, onnx_encoder.OnnxEncoder)
    assert encoder.model_name == model.model_name and encoder.dim == model.dim


def test_the_question_encoder_spins_only_while_it_encodes(model, exported, monkeypatch):
    """Questions on a quiet machine: onnxruntime's threads busy-wait between operators within a
    call (settings' DEFAULT_QUESTION_ENCODE), and stop as the call returns: a UI waiting for its
    next question burns no core. On a busy machine, and for passages (qa index), no spinning."""
    import resource
    import time

    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    encoder = question_encoder(model.model_name)
    options = encoder._session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "1"
    assert options.get_session_config_entry("session.force_spinning_stop") == "1"
    passages = onnx_encoder.OnnxEncoder(exported)._session.get_session_options()
    assert passages.get_session_config_entry("session.intra_op.allow_spinning") == "0"

    def cpu() -> float:
        used = resource.getrusage(resource.RUSAGE_SELF)
        return used.ru_utime + used.ru_stime

    encoder.encode(["Who heads Ansar al-Sharia in Derna?"])
    before = cpu()
    time.sleep(0.5)
    assert cpu() - before < 0.01  # spinning on after the call: ~35 ms of CPU in this half second

    monkeypatch.setattr(os, "getloadavg", lambda: (2.0 * onnx_encoder.cores(), 1.0, 1.0))
    busy = question_encoder(model.model_name)._session.get_session_options()
    assert busy.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def _own_copy(exported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_name: str) -> Path:
    """The session's export copied into a cache of this test's own, without an int8 copy."""
    import shutil

    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    folder = onnx_encoder.export_dir(resolve_model(model_name))
    shutil.copytree(exported, folder)
    (folder / onnx_encoder.INT8).unlink(missing_ok=True)
    return folder


def _int8():
    from dataclasses import replace

    from qa.settings import DEFAULT_QUESTION_ENCODE

    return replace(DEFAULT_QUESTION_ENCODE, int8=True)


def test_questions_can_be_encoded_by_an_int8_copy_made_once(model, exported, tmp_path, monkeypatch):
    """With `int8` (off as shipped: BENCHMARKS.md, speed23i) questions go through the export's int8
    copy (about half the CPU), made at the first load from the float32 graph and read by later ones;
    its vectors stay near the model's, each text alone whatever is beside it. Passages keep the
    float32 graph, and so do questions as shipped."""
    from onnxruntime import quantization

    folder = _own_copy(exported, tmp_path, monkeypatch, model.model_name)
    path = resolve_model(model.model_name)
    assert not question_encoder(model.model_name).int8 and not (folder / onnx_encoder.INT8).exists()
    encoder = onnx_encoder.load(path, _int8())
    assert encoder.int8 and (folder / onnx_encoder.INT8).is_file()
    alone = np.vstack([encoder.encode([t]) for t in TEXTS])
    np.testing.assert_array_equal(encoder.encode(TEXTS), alone)
    cosines = (alone * model.encode(TEXTS)).sum(axis=1)
    assert cosines.min() >= 0.98 and cosines.max() < 0.99999  # near the model's, not the float32 graph's
    made = []
    monkeypatch.setattr(quantization, "quantize_dynamic", lambda *a, **k: made.append(a))
    assert onnx_encoder.load(path, _int8()).int8 and made == []
    passages = onnx_encoder.load(resolve_model(model.model_name))
    assert not passages.int8
    np.testing.assert_allclose(passages.encode(TEXTS), model.encode(TEXTS), atol=1e-5)


def test_an_int8_copy_too_far_from_the_model_is_not_kept(model, exported, tmp_path, monkeypatch):
    """A copy whose probes fall short leaves a note (not tried again on every start), and the
    float32 graph encodes the questions; a copy damaged since is deleted, to be made again; a killed
    run's half-written copy is removed."""
    from dataclasses import replace

    from onnxruntime import quantization

    INT8 = _int8()
    folder = _own_copy(exported, tmp_path, monkeypatch, model.model_name)
    (folder / f".{onnx_encoder.INT8}.999999999").write_bytes(b"a killed run's")
    path = resolve_model(model.model_name)
    strict = replace(INT8, min_int8_cosine=0.99999)
    encoder = onnx_encoder.load(path, strict)
    assert not encoder.int8 and not (folder / onnx_encoder.INT8).exists()
    assert "differ" in (folder / (onnx_encoder.INT8 + ".failed")).read_text()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary left, nor a killed run's
    np.testing.assert_allclose(encoder.encode(TEXTS[:2]), model.encode(TEXTS[:2]), atol=1e-5)
    made = []
    monkeypatch.setattr(quantization, "quantize_dynamic", lambda *a, **k: made.append(a))
    assert not onnx_encoder.load(path, INT8).int8 and made == []
    monkeypatch.undo()

    folder = _own_copy(exported, tmp_path / "again", monkeypatch, model.model_name)
    assert onnx_encoder.load(path, INT8).int8
    (folder / onnx_encoder.INT8).write_bytes(b"not a graph")
    encoder = onnx_encoder.load(path, INT8)
    assert not encoder.int8 and not (folder / onnx_encoder.INT8).exists()
    assert onnx_encoder.load(path, INT8).int8


def test_qa_ask_answers_without_importing_torch(seed_index, exported, model):
    """The point of the export: `qa ask` never imports torch, and answers as the torch path does
    (the same passages, the same vectors)."""
    from qa.search import Searcher

    question = "Who heads Ansar al-Sharia in Derna?"
    script = ("import sys, io, contextlib\nfrom qa.cli import main\nout = io.StringIO()\n"
              "with contextlib.redirect_stdout(out):\n"
              f"    code = main(['ask', {question!r}, '--index', {str(seed_index)!r}, '--json', '-k', '3'])\n"
              "print(out.getvalue().strip())\nprint(code, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            env=os.environ | {"PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.returncode == 0, result.stderr
    answer_line, status = result.stdout.strip().splitlines()
    assert status == "0 False False"
    got = json.loads(answer_line)
    want = Searcher(seed_index).search(question, k=3, embedder=model).as_json()
    assert [p["start"] for p in got["passages"]] == [p["start"] for p in want["passages"]]
    assert [p["dense"] for p in got["passages"]] == pytest.approx([p["dense"] for p in want["passages"]], abs=1e-4)
    assert got["mode"] == "hybrid" and got["answered"] == want["answered"]


def test_an_unfaithful_export_is_not_kept(model, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    real_spec = onnx_encoder._pipeline_spec
    monkeypatch.setattr(onnx_encoder, "_pipeline_spec", lambda e: real_spec(e) | {"pooling": "cls"})
    path = resolve_model(model.model_name)
    assert onnx_encoder.export(model, path) is None
    assert onnx_encoder.load(path) is None
    left = [p.name for p in (tmp_path / "encoders").iterdir()]
    assert len(left) == 1 and left[0].endswith(".failed")  # a note, no half-written folder
    assert "differ" in (tmp_path / "encoders" / left[0]).read_text()
    writes = []
    monkeypatch.setattr(onnx_encoder, "_write", lambda *a: writes.append(a))
    assert onnx_encoder.export(model, path) is None and writes == []  # not tried again on every run


def test_models_that_are_not_transformer_and_pooling_keep_the_torch_path(model, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))

    class WithDense:  # a pipeline with one more step after pooling
        model_name, dim = model.model_name, model.dim
        _model = [*model._model, model._model[-1]]

    assert onnx_encoder._pipeline_spec(WithDense()) is None
    assert onnx_encoder.export(WithDense(), resolve_model(model.model_name)) is None
    assert not (tmp_path / "encoders").exists()


@pytest.mark.parametrize("manifest", ["{not json", json.dumps({"format": 1, "pooling": "mean"})])
def test_a_damaged_export_falls_back_to_torch_and_is_made_again(model, manifest, tmp_path, monkeypatch):
    model_dir = resolve_model(model.model_name)
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    folder = onnx_encoder.export_dir(model_dir)
    folder.mkdir(parents=True)
    (folder / onnx_encoder.MANIFEST).write_text(manifest, encoding="utf-8")
    assert onnx_encoder.load(model_dir) is None
    assert not folder.exists()  # deleted, or export() would take it for a good one forever
    assert onnx_encoder.export(model, model_dir) == folder
    assert isinstance(onnx_encoder.load(model_dir), onnx_encoder.OnnxEncoder)


def test_the_export_is_named_by_the_models_files(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "weights.bin").write_bytes(b"1234")
    first = onnx_encoder.export_dir(str(model_dir))
    assert first == onnx_encoder.export_dir(str(model_dir)) and first.parent == tmp_path / "cache" / "encoders"
    (model_dir / "weights.bin").write_bytes(b"12345")  # the model replaced in place
    assert onnx_encoder.export_dir(str(model_dir)) != first
    assert onnx_encoder.export_dir("some-org/a-hub-name") is None  # not a folder: torch path


def test_an_unwritable_cache_only_costs_the_fast_path(model, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("QA_CACHE_DIR", str(blocker / "cache"))
    with pytest.raises(onnx_encoder.CacheUnwritable):
        onnx_encoder.export(model, resolve_model(model.model_name))
    assert onnx_encoder.load(resolve_model(model.model_name)) is None


def test_an_unwritable_cache_is_said_once_with_the_way_out(model, tmp_path, monkeypatch):
    from qa.embedding.embedder import prepare_question_encoder

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("QA_CACHE_DIR", str(blocker / "cache"))
    said: list[str] = []
    prepare_question_encoder(model, warn=said.append)
    assert len(said) == 1
    assert "cannot write the model cache" in said[0] and "QA_CACHE_DIR" in said[0]


def test_temporaries_of_a_killed_export_are_removed(tmp_path):
    import subprocess
    import time

    dead = subprocess.Popen(["true"])
    dead.wait()
    parent = tmp_path / "encoders"
    left = parent / f".export-{dead.pid}-abc"
    live = parent / f".export-{os.getpid()}-def"
    old = parent / f".export-{os.getpid()}-old"
    for folder in (left, live, old):
        folder.mkdir(parents=True)
        (folder / "model.onnx").write_bytes(b"x" * 1000)
    stale = time.time() - onnx_encoder.STALE_EXPORT_SECONDS - 60
    os.utime(old, (stale, stale))
    removed = onnx_encoder.remove_stale_exports(parent)
    assert sorted(removed) == sorted([left, old])
    assert live.is_dir() and not left.exists() and not old.exists()


@pytest.mark.slow  # indexes with the real model, made and exported in its own cache
def test_indexing_with_the_model_leaves_an_export(tmp_path, monkeypatch):
    """`qa index` loads torch anyway; the first `qa ask` after it should not have to."""
    from qa.index.indexer import sync

    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    assert onnx_encoder.load(resolve_model("all-MiniLM-L6-v2")) is None
    sync(tmp_path / "index", [SEEDS])  # no embedder given: the indexer loads the model itself
    assert isinstance(onnx_encoder.load(resolve_model("all-MiniLM-L6-v2")), onnx_encoder.OnnxEncoder)


@pytest.mark.slow  # indexes with the real model, made and exported in its own cache
def test_ctrl_c_during_the_export_keeps_the_committed_index(tmp_path, monkeypatch):
    """The export runs after the commit: an interrupt there must not be reported as 'the index is
    as it was before this run'."""
    from qa.embedding import embedder as embedder_module
    from qa.index.indexer import sync
    from qa.search import Searcher

    def interrupted(_):
        raise KeyboardInterrupt

    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(embedder_module, "prepare_question_encoder", interrupted)
    report = sync(tmp_path / "index", [SEEDS])
    assert report.added == 2 and any("interrupted while exporting" in w for w in report.warnings)
    assert Searcher(tmp_path / "index").passage_count == report.passages > 0


def test_a_cache_damaged_by_random_bytes_is_detected_and_made_again(model, exported, tmp_path, monkeypatch):
    """Random bytes over the weights load fine and gave NaN vectors ("Not found", score nan):
    the load's probe tells, the cache is deleted and the next load makes it again from the model."""
    import shutil

    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    model_dir = resolve_model(model.model_name)
    folder = onnx_encoder.export_dir(model_dir)
    shutil.copytree(exported, folder)
    weights = folder / "model.onnx"
    data = bytearray(weights.read_bytes())
    middle = len(data) // 2
    data[middle:middle + (1 << 20)] = np.random.default_rng(7).bytes(1 << 20)
    weights.write_bytes(bytes(data))
    assert onnx_encoder.load(model_dir) is None and not folder.exists()
    encoder = question_encoder(model.model_name)  # the model, which makes the cache again
    assert np.isfinite(encoder.encode(TEXTS[:2])).all()
    again = onnx_encoder.load(model_dir)
    assert isinstance(again, onnx_encoder.OnnxEncoder)
    np.testing.assert_allclose(again.encode(TEXTS[:2]), model.encode(TEXTS[:2]), atol=1e-5)


def test_vectors_that_are_not_numbers_are_never_written_into_an_index(tmp_path):
    from qa.errors import QAError
    from qa.index.indexer import sync

    from robust_util import HashEmbedder, story

    class Broken(HashEmbedder):
        def encode(self, texts, batch_size=64, on_batch=None):
            return super().encode(texts, batch_size, on_batch) * np.float32("nan")

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(story(1))
    with pytest.raises(QAError, match="not numbers"):
        sync(tmp_path / "index", [src], embedder=Broken())
    assert not list((tmp_path / "index").glob("vectors.*"))


def test_the_export_is_the_fused_graph(exported):
    """onnxruntime's transformer fusions (attention, skip + LayerNorm, bias + GELU as single
    kernels) are what is kept; its vectors are torch's (test_export_gives_the_torch_models_vectors)."""
    import onnx

    spec = json.loads((exported / onnx_encoder.MANIFEST).read_text(encoding="utf-8"))
    graph = onnx.load(str(exported / "model.onnx"), load_external_data=False).graph
    kinds = {node.op_type for node in graph.node}
    assert spec["fused"] is True and {"Attention", "SkipLayerNormalization", "EmbedLayerNormalization"} <= kinds
    assert len(graph.node) < 100  # the plain export: ~700
    assert sorted(p.name for p in exported.iterdir()) == ["encoder.json", "model.onnx", "tokenizer.json"]


@pytest.mark.parametrize("how", ["differs", "fails"])
def test_a_fused_graph_that_is_not_the_models_leaves_the_plain_export(model, how, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    if how == "differs":
        real, checks = onnx_encoder._probe_cosine, []

        def fused_differs(work, want):
            checks.append(work)
            return 0.5 if len(checks) == 1 else real(work, want)  # the first check is the fused graph's

        monkeypatch.setattr(onnx_encoder, "_probe_cosine", fused_differs)
    else:
        monkeypatch.setattr(onnx_encoder, "_fuse", lambda plain, fused, spec: fused.write_bytes(b"not a graph") or True)
    import onnx

    path = resolve_model(model.model_name)
    folder = onnx_encoder.export(model, path)
    assert folder is not None and json.loads((folder / onnx_encoder.MANIFEST).read_text())["fused"] is False
    assert "Attention" not in {n.op_type for n in onnx.load(str(folder / "model.onnx"), load_external_data=False).graph.node}
    assert sorted(p.name for p in folder.iterdir()) == ["encoder.json", "model.onnx", "tokenizer.json"]
    np.testing.assert_allclose(onnx_encoder.load(path).encode(TEXTS), model.encode(TEXTS), atol=1e-5)


def test_an_encoding_started_early_gives_the_same_vector(exported):
    """encode_soon (the question's model call on the encoder's worker thread while its keyword
    ranking is made, qa/retrieval/retriever.py): byte for byte the vector encode gives the text
    alone, the worker's model call started before it returns."""
    from concurrent.futures import ThreadPoolExecutor

    fast = onnx_encoder.OnnxEncoder(exported, OVERLAPPING)
    pending = [fast.encode_soon(t) for t in TEXTS[:3]]  # queued one after another on the one worker
    assert isinstance(fast._calls, ThreadPoolExecutor)
    for text, wait in zip(TEXTS, pending):
        got = wait()
        assert got.dtype == np.float32 and np.array_equal(got, fast.encode([text])[0])


def test_one_text_is_tokenized_without_the_batch_call(exported):
    """A question is one text: the tokenizer's single `encode` (~0.04 ms) gives the encoding its
    `encode_batch` gives (~0.18 ms, a hand-over to its thread pool), so the vector is the same."""

    class Counting:
        def __init__(self, inner, calls: list[str]) -> None:
            self.inner, self.calls = inner, calls

        def encode(self, text):
            self.calls.append("encode")
            return self.inner.encode(text)

        def encode_batch(self, texts):
            self.calls.append("encode_batch")
            return self.inner.encode_batch(texts)

    fast, batched = onnx_encoder.OnnxEncoder(exported, OVERLAPPING), onnx_encoder.OnnxEncoder(exported)
    calls: list[str] = []
    fast._tokenizer = Counting(fast._tokenizer, calls)
    wanted = [batched._pooled(*batched._token_embeddings(batched._tokenizer.encode_batch(
        [text.lower() if batched._lower else text])))[0] for text in TEXTS]
    for text, vector in zip(TEXTS, wanted):
        assert np.array_equal(fast.encode([text])[0], vector)
    assert calls == ["encode"] * len(TEXTS)
    for text, vector in zip(TEXTS, wanted):
        assert np.array_equal(fast.encode_soon(text)(), vector)
    assert calls == ["encode"] * (2 * len(TEXTS))


def test_an_encoder_set_not_to_overlap_starts_nothing(exported):
    """EncodeSettings.overlap False (as shipped), or overlap_spinning_only and an encoder that does
    not spin (a busy machine): encode_soon starts nothing and says so (None: the search encodes the question
    when it needs the vector, one step after the other); a spinning one starts the call."""
    from dataclasses import replace

    from qa.embedding.encoder import encode_meanwhile
    from qa.settings import DEFAULT_QUESTION_ENCODE

    for settings in (DEFAULT_QUESTION_ENCODE, replace(DEFAULT_QUESTION_ENCODE, overlap=True, spin=False)):
        plain = onnx_encoder.OnnxEncoder(exported, settings)
        assert plain.encode_soon(TEXTS[0]) is None and encode_meanwhile(plain, TEXTS[0]) is None
        assert plain._calls is None
    spinning = onnx_encoder.OnnxEncoder(exported, replace(DEFAULT_QUESTION_ENCODE, overlap=True, spin_max_load=0.0))
    assert spinning.spinning and np.array_equal(encode_meanwhile(spinning, TEXTS[0])(), spinning.encode([TEXTS[0]])[0])
