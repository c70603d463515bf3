"""What a sync and a question need of a model: the Encoder protocol. Its implementations are
qa/embedding/embedder.py's `Embedder` (the torch model) and qa/embedding/onnx_encoder.py's `OnnxEncoder` (its export),
made by the factories embedder.passage_encoder and embedder.question_encoder; tests use stand-ins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np


@runtime_checkable
class Encoder(Protocol):
    """Texts to L2-normalised float32 vectors (inner product = cosine), one row per text in order;
    on_batch(n) after each batch of n texts (progress bars)."""

    model_name: str

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str], batch_size: int = ...,
               on_batch: Callable[[int], None] | None = None) -> np.ndarray: ...
