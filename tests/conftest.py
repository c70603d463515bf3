"""Shared fixtures: one embedding model per test session (loading it costs seconds), data paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
BBC = SHARED / "data" / "bbc-news"
SQUAD = SHARED / "data" / "squad"


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


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory) -> Path:
    """Model exports (qa/onnx_encoder.py) go to this session's folder, never the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("QA_CACHE_DIR", str(folder))
    yield folder
    patch.undo()


@pytest.fixture(scope="session")
def model():
    from qa.embedder import Embedder

    return Embedder()


@pytest.fixture
def embedder(model) -> CountingEmbedder:
    return CountingEmbedder(model)


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, model) -> Path:
    """An index of the seed articles, built once, read by many tests (do not modify)."""
    from qa.indexer import sync

    folder = tmp_path_factory.mktemp("seed-index")
    sync(folder / "index", [SEEDS], embedder=model)
    return folder / "index"


def bbc_sample(n: int) -> list[Path]:
    if not BBC.is_dir():
        pytest.skip("../shared/data/bbc-news is not present")
    files = sorted(BBC.glob("*/*.txt"))
    step = max(1, len(files) // n)
    return files[::step][:n]
