"""An encoder that embeds each text once and gives its vector back after: for work that indexes
the same articles again and again in one process (the scale benchmark's 10k, 100k and 1M
indexes, the test suite's fixtures), so the model is paid once per distinct text."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


class Remembering:
    """Wraps an Encoder (qa/embedding/encoder.py); `known` maps a text to its vector and may be
    filled beforehand (e.g. with the vectors of an index already built)."""

    def __init__(self, inner) -> None:
        self.inner, self.dim, self.model_name = inner, inner.dim, inner.model_name
        self.known: dict[str, np.ndarray] = {}
        self.known_spans: dict[tuple[str, tuple[tuple[int, int], ...]], np.ndarray | None] = {}

    def encode(self, texts: Sequence[str], batch_size: int = 64,
               on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.known))
        if missing:
            self.known.update(zip(missing, self.inner.encode(missing, batch_size=batch_size)))
        if on_batch:
            on_batch(len(texts))
        return np.vstack([self.known[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def encode_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], batch_size: int = 64,
                     on_batch: Callable[[int], None] | None = None) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """As encode, with the inner encoder's sentence vectors (qa.embedding.encoder.SpanEncoder),
        each (text, spans) pooled once. None for a text whose vector is known without them (filled
        beforehand from an index, or encoded plainly): no model pass is paid for them, so an index
        built on such vectors has none (as with an inner encoder that cannot pool)."""
        keys = [(t, tuple(map(tuple, s))) for t, s in zip(texts, spans)]
        missing = list(dict.fromkeys(k for k in keys if k not in self.known_spans))
        inner = getattr(self.inner, "encode_spans", None)
        fresh = [k for k in missing if k[0] not in self.known] if inner is not None else []
        if fresh:
            vecs, pooled = inner([t for t, _ in fresh], [s for _, s in fresh], batch_size=batch_size)
            self.known.update((t, v) for (t, _), v in zip(fresh, vecs))
            self.known_spans.update(zip(fresh, pooled))
        self.known_spans.update((k, None) for k in missing if k not in self.known_spans)
        return self.encode(texts, batch_size, on_batch), [self.known_spans[k] for k in keys]
