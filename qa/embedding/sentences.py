"""Sentence vectors from a passage's own model pass (issue 24, BENCHMARKS.md "Third pass:
sentence-level dense evidence"): the token embeddings of the passage's embedding text mean-pooled
over each sentence's tokens ("late chunking"), then centred: each less the passage's mean sentence
vector, renormalised. The attention mixes the passage into every token, so the plain pooled
vectors of one passage are much alike (mean cosine 0.76); less their shared part they tell a
sentence from its neighbours (+1.45 held-out highlight where the plain ones gave +1.05). A
passage of one sentence has nothing to tell apart: it gets none.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pool_spans(tokens: np.ndarray, offsets: Sequence[tuple[int, int]], special: Sequence[int],
               spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """One L2-normalised row per span: the mean of the token embeddings (`tokens`, one row per
    token of one text, no padding) whose character offset starts inside it, special tokens left
    out; a NaN row for a span no token starts in (past the truncation)."""
    starts = np.fromiter((s if not m else -1 for (s, _), m in zip(offsets, special)), dtype=np.int64,
                         count=len(offsets))
    out = np.full((len(spans), tokens.shape[1]), np.nan, dtype=np.float32)
    for j, (a, b) in enumerate(spans):
        inside = (starts >= a) & (starts < b)
        if inside.any():
            v = tokens[inside].mean(axis=0)
            out[j] = v / max(float(np.linalg.norm(v)), 1e-12)
    return out


def centred(vectors: np.ndarray) -> np.ndarray:
    """A passage's sentence vectors less their mean (over the rows that are numbers), each
    renormalised; none (0 rows) for a passage of one sentence. NaN rows stay NaN."""
    if len(vectors) < 2 or not np.isfinite(vectors).all(axis=1).any():
        return np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0), dtype=np.float32)
    diff = vectors - np.nanmean(vectors, axis=0)
    return (diff / np.maximum(np.linalg.norm(diff, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def to_blob(vectors: np.ndarray) -> bytes:
    """A passage's sentence vectors as stored: float16, row after row (~5 sentences x 384 x 2
    bytes = ~3.8 KB a passage). float16 keeps a cosine to ~1e-3, far below what moves a sentence's
    score (0.75 x cosine), and is what the benchmark measured the gain with; int8 would halve it
    again at a scale per row and a coarser cosine."""
    return np.ascontiguousarray(vectors, dtype=np.float16).tobytes()


def from_blob(blob: bytes, dim: int) -> np.ndarray:
    """The rows of a stored blob, float16 as stored (a view; the local index's reader casts them
    to float32 once as it reads them, qa/retrieval/local_index.py); NaN rows kept (past the
    truncation). A blob that is not whole rows of `dim` (damaged) gives none: the words alone,
    not an error."""
    if not dim or len(blob) % (2 * dim):
        return np.zeros((0, dim), dtype=np.float16)
    return np.frombuffer(blob, dtype=np.float16).reshape(-1, dim)
