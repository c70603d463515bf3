"""What a sync and a question need of a model: the Encoder protocol. Its implementations are
qa/embedding/embedder.py's `Embedder` (the torch model) and qa/embedding/onnx_encoder.py's `OnnxEncoder` (its export),
made by the factories embedder.passage_encoder and embedder.question_encoder; tests use stand-ins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
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


@runtime_checkable
class SpanEncoder(Protocol):
    """An Encoder that can also give, per text, vectors pooled from the same pass's token
    embeddings over given character spans of it (a passage's sentences: "late chunking",
    qa/embedding/sentences.py), so no second model pass is paid. Optional: an encoder without it
    simply gives no sentence vectors."""

    def encode_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                     batch_size: int = ..., on_batch: Callable[[int], None] | None = None
                     ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """(encode(texts), per text an array of one L2-normalised row per span, NaN for a span
        no token starts in (past the model's truncation), or None when it cannot be had)."""
        ...


@runtime_checkable
class SoonEncoder(Protocol):
    """An Encoder that can start one text's model call and let its caller go on meanwhile (the
    ONNX export: onnxruntime computes without holding Python's GIL). Optional."""

    def encode_soon(self, text: str) -> Callable[[], np.ndarray] | None:
        """Start `encode([text])`; the call returned waits for it and gives its row. None: not
        started (the encoder's settings say one step after the other)."""
        ...


def encode_meanwhile(encoder: Encoder, text: str) -> Callable[[], np.ndarray] | None:
    """One text's vector, `encode([text])[0]`, as a call that gives it, computed while the caller
    goes on (SoonEncoder); asked again, the same array (a question's search asks for it in two
    places). None when the encoder does not start it so: the caller encodes as it needs."""
    soon = getattr(encoder, "encode_soon", None)  # not isinstance: a runtime Protocol's check costs ~20-70 us
    started = soon(text) if soon is not None else None
    return cache(started) if started is not None else None
