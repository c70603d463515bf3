"""A passage as a row of the Milvus collection, and a row back as the citation it makes.

BM25 runs in Milvus as a sparse inner product over weights the project computes with its own
analyzer (qa/index/text.py: stemming, the same tokens the local BM25 counts): a passage's weight
for a term is (k1 + 1) tf / (tf + k1 (1 - b + b len / avgdl)), the question's is the term's IDF
from the catalogue times its count, so the product is the local engine's BM25 score exactly
(avgdl as of the publish that added the passage). Terms are keyed by crc32 of the term.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from qa.index.store import CitationRow

#: Milvus sparse vector indices are uint32 below 2**32 - 1
_INDEX_SPACE = 0xFFFFFFFF
#: the citation row's fields kept in the row's JSON field (the rest are fields of their own)
_CITE_FIELDS = [f for f in CitationRow._fields if f not in ("passage_id", "doc_id", "text")]


def term_key(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) % _INDEX_SPACE


def passage_weights(tokens: Sequence[str], k1: float, b: float, mean_length: float) -> dict[int, float]:
    """The passage's BM25 term weights without IDF (the question's side carries it)."""
    norm = k1 * (1 - b + b * len(tokens) / mean_length)
    weights: dict[int, float] = {}
    for token, tf in Counter(tokens).items():
        key = term_key(token)
        weights[key] = weights.get(key, 0.0) + float(np.float32(tf * (k1 + 1) / (tf + norm)))
    return weights


def query_weights(tokens: Iterable[str], aliases: Iterable[str], idf: Mapping[str, float] | object,
                  alias_weight: float) -> dict[int, float]:
    """The question's sparse vector: each known term's IDF per occurrence (a repeated term counts
    again, as in the local BM25), other spellings of its names weighed alias_weight."""
    weights: dict[int, float] = {}
    for scale, words in ((1.0, tokens), (alias_weight, aliases)):
        for token in words:
            value = idf(token)  # type: ignore[operator]
            if value:
                key = term_key(token)
                weights[key] = weights.get(key, 0.0) + scale * value
    return weights


def date_key(date: str | None) -> int:
    """'2024-03-12' -> 20240312; 0 for an unknown date (left out by any date bound)."""
    return int(date.replace("-", "")) if date else 0


def row_of(cite: CitationRow, generation: int, vector: np.ndarray, sparse: dict[int, float]) -> dict[str, object]:
    return {"id": int(cite.passage_id), "gen": int(generation), "doc_id": int(cite.doc_id),
            "date": date_key(cite.date), "text": cite.text,
            "cite": {name: getattr(cite, name) for name in _CITE_FIELDS},
            "vector": np.asarray(vector, dtype=np.float32).tolist(), "sparse": sparse or {_INDEX_SPACE - 1: 0.0}}


def citation_of(entity: Mapping[str, object]) -> CitationRow:
    """The citation row a collection row carries (what `qa ask` prints, with no file at hand)."""
    cite = entity["cite"]
    return CitationRow(passage_id=int(entity["id"]), doc_id=int(entity["doc_id"]), text=str(entity["text"]),
                       **{name: cite.get(name) for name in _CITE_FIELDS})  # type: ignore[union-attr]
