"""Shared fixtures: one embedding model per test session (loading it costs seconds), data paths."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from qa.embedding.remembering import Remembering  # remembered_model below; test_vectors imports it from here

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
BBC = SHARED / "data" / "bbc-news"
SQUAD = SHARED / "data" / "squad"
#: where the tests' temporary folders go when it is there with room (pytest_configure below)
SCRATCH = Path("/dev/shm")
SCRATCH_FREE = 2 << 30  # bytes: a session's folders (the model's exports are ~90 MB each), with margin


class CountingEmbedder:
    """Wraps the real model and counts the texts it embeds (to prove what was not re-embedded)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.dim = inner.dim
        self.model_name = inner.model_name
        self.texts: list[str] = []

    def encode(self, texts, batch_size=64, on_batch=None):
        self.texts.extend(texts)
        return self.inner.encode(texts, batch_size=batch_size, on_batch=on_batch)


def pytest_configure(config) -> None:
    """The tests' temporary folders (tmp_path) in RAM when the machine has a RAM filesystem with
    room: sqlite and the index writer fsync at every commit, and on a disk those waits were much
    of the suite's time (the stand-in sync of the seeds: 0.26 s on this disk, 0.03 s in RAM, the
    same CPU). What the tests check is unchanged: a killed or interrupted process never loses
    what the page cache holds, on either. --basetemp or $PYTEST_DEBUG_TEMPROOT choose another
    place; pyproject.toml keeps only failed tests' folders, so RAM is given back."""
    if config.option.basetemp or os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        return
    try:
        roomy = os.access(SCRATCH, os.W_OK | os.X_OK) and shutil.disk_usage(SCRATCH).free >= SCRATCH_FREE
    except OSError:
        roomy = False
    if roomy:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(SCRATCH)


def pytest_collection_modifyitems(config, items) -> None:
    """Every test that loads the embedding model (the `model` fixture, directly or through
    fast_model, embedder, seed_index...) is `slow`; `pytest -m "not slow"` runs the rest. Tests
    whose subprocesses load the model carry the mark themselves."""
    for item in items:
        if "model" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory) -> Path:
    """Model exports (qa/embedding/onnx_encoder.py) go to this session's folder, never the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("QA_CACHE_DIR", str(folder))
    yield folder
    patch.undo()


@pytest.fixture(scope="session")
def model():
    from qa.embedding.embedder import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def export_memo(tmp_path_factory):
    """The ONNX export's two costly steps, run once per session (tests/export_memo.py)."""
    from export_memo import ExportMemo

    return ExportMemo(tmp_path_factory.mktemp("export-memo"))


@pytest.fixture(scope="session")
def fast_model(model, export_memo):
    """The same model through its ONNX export, the encoder `qa index` uses: torch's vectors
    (cosine >= 0.99999, tests/test_passage_encoder.py) at 1.75-3x the rate. For tests that need
    the real model's behaviour but are not about torch itself. Tests whose `qa` subprocesses
    load the model take it too: the export is then in the session's cache (a subprocess loads it
    in ~0.4 s instead of importing torch to make it), and they are marked slow."""
    from qa.embedding import onnx_encoder
    from qa.embedding.embedder import resolve_model

    with export_memo.installed():  # the real export, kept for the tests that export again
        folder = onnx_encoder.export(model, resolve_model(model.model_name))
    encoder = onnx_encoder.load(resolve_model(model.model_name)) if folder is not None else None
    if encoder is None:
        return model
    encoder.model_name = model.model_name
    return encoder


@pytest.fixture(scope="session")
def remembered_model(fast_model) -> Remembering:
    """fast_model, each text embedded once per session: for fixtures that index a fresh copy of
    the seeds for every test (the model's vectors, without paying for them each time)."""
    return Remembering(fast_model)


@pytest.fixture
def embedder(fast_model) -> CountingEmbedder:
    """The real model, counting what it embeds (tests of answers; logic tests use HashEmbedder)."""
    return CountingEmbedder(fast_model)


@pytest.fixture
def stand_in():
    """The suite's stand-in embedder (tests/robust_util.py HashEmbedder: a vector from the hashed
    words, counting what it embeds), for tests of logic rather than of the model's answers."""
    from robust_util import HashEmbedder

    return HashEmbedder()


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, model) -> Path:
    """An index of the seed articles, built once, read by many tests (do not modify)."""
    from qa.index.indexer import sync

    folder = tmp_path_factory.mktemp("seed-index")
    sync(folder / "index", [SEEDS], embedder=model)
    return folder / "index"


@pytest.fixture(scope="session")
def stand_in_seed_index(tmp_path_factory) -> Path:
    """The seed articles indexed with the stand-in embedder, once, for tests of the index's
    files, reads and BM25 (not of the model's answers): they need no model (do not modify)."""
    from qa.index.indexer import sync
    from robust_util import HashEmbedder

    folder = tmp_path_factory.mktemp("stand-in-seed-index")
    sync(folder / "index", [SEEDS], embedder=HashEmbedder())
    return folder / "index"


@pytest.fixture
def built(tmp_path) -> tuple[Path, Path]:
    """(index, sources): a copy of the seed articles indexed with the stand-in embedder."""
    from qa.index.indexer import sync
    from robust_util import HashEmbedder

    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    sync(tmp_path / "index", [src], embedder=HashEmbedder())
    return tmp_path / "index", src


@pytest.fixture
def run_qa(capsys, monkeypatch):
    """qa's command line run in this process (tests/cli_util.py): run_qa("docs", "--json", cwd=...)."""
    from cli_util import Cli

    return Cli(capsys, monkeypatch)


def bbc_sample(n: int) -> list[Path]:
    if not BBC.is_dir():
        pytest.skip("../shared/data/bbc-news is not present")
    files = sorted(BBC.glob("*/*.txt"))
    step = max(1, len(files) // n)
    return files[::step][:n]
