"""Helpers for the robustness tests: a fast stand-in embedder and index invariants.

HashEmbedder gives every text a deterministic unit vector from its hashed words, so syncs of
thousands of files or hundreds of fuzzed documents run in seconds; tests that use it check file
handling and index consistency, never answer quality (those use the real model).
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
from pathlib import Path

import numpy as np

from qa.index import segments, store, vectors
from qa.index.text import words


class HashEmbedder:
    dim = 384
    model_name = "all-MiniLM-L6-v2"

    def __init__(self) -> None:
        self.texts: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in words(text) or ["\0empty"]:
            h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else np.eye(1, self.dim, dtype=np.float32)[0]

    def encode(self, texts, batch_size=64, on_batch=None):
        self.texts.extend(texts)
        out = np.vstack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
        if on_batch:
            on_batch(len(texts))
        return out


class SpanHashEmbedder(HashEmbedder):
    """HashEmbedder that also gives sentence vectors (qa.embedding.encoder.SpanEncoder): each
    span's vector is the hashed words of the span's text, deterministic and model-free."""

    def encode_spans(self, texts, spans, batch_size=64, on_batch=None):
        vecs = self.encode(texts, batch_size, on_batch)
        pooled = [np.vstack([self._vector(t[a:b]) for a, b in s]) if s else np.zeros((0, self.dim), np.float32)
                  for t, s in zip(texts, spans)]
        return vecs, pooled


def decoded(path: Path, encoding: str) -> str:
    """The file as the README says a citation is checked: open(..., newline="").read()."""
    return io.TextIOWrapper(io.BytesIO(Path(path).read_bytes()), encoding=encoding, newline="").read()


def check_consistent(index_dir: Path) -> dict[str, int]:
    """Invariants of a committed index: one row per path, every passage has exactly one vector,
    stored spans match the files' decoded text. Returns {path: passages}."""
    conn = sqlite3.connect(index_dir / store.DB_NAME)
    try:
        meta = store.read_meta(conn)
        docs = conn.execute("SELECT id, path, encoding, size, mtime_ns FROM documents").fetchall()
        assert len({d[1] for d in docs}) == len(docs)
        ids = [r[0] for r in conn.execute("SELECT id FROM passages ORDER BY id")]
        db = store.IndexStore(conn)
        deleted = set(db.deleted_ids())
        loaded = [vectors.load(s.vector_file(index_dir)) for s in segments.current_segments(db, meta)]
        held = [int(i) for index in loaded for i in vectors.faiss.vector_to_array(index.id_map)]
        live = [i for i in held if i not in deleted]  # segments hold each passage once, deleted ones marked
        assert len(held) == len(set(held)) and sorted(live) == ids == sorted(set(ids))
        counts = {}
        for doc_id, path, encoding, size, mtime_ns in docs:
            rows = conn.execute("SELECT start, end, text FROM passages WHERE doc_id = ?", (doc_id,)).fetchall()
            counts[path] = len(rows)
            assert rows, f"a document without passages: {path}"
            try:
                st = Path(path).stat()
            except OSError:
                continue  # deleted since: the next sync removes it
            if (st.st_size, st.st_mtime_ns) == (size, mtime_ns) and not encoding.startswith("html:"):
                text = decoded(Path(path), encoding)
                assert all(text[s:e] == t for s, e, t in rows), f"spans do not match {path}"
        return counts
    finally:
        conn.close()


def passage_texts(index_dir: Path) -> dict[str, str]:
    """File name -> its indexed passages' text, joined (what a search would show)."""
    conn = sqlite3.connect(index_dir / store.DB_NAME)
    try:
        out: dict[str, str] = {}
        for path, text in conn.execute("SELECT d.path, p.text FROM passages p JOIN documents d "
                                       "ON d.id = p.doc_id ORDER BY p.doc_id, p.ordinal"):
            out[Path(path).name] = out.get(Path(path).name, "") + text + "\n"
        return out
    finally:
        conn.close()


def story(n: int, topic: str = "harbour") -> str:
    """A one-paragraph article numbered n (its town and topic make it findable)."""
    return f"Story {n}\n\nThe {topic} of town number {n} flooded on Monday, the mayor said.\n"


def make_library(root: Path) -> Path:
    """src/ with three stories and sub/ with two."""
    src = root / "src"
    (src / "sub").mkdir(parents=True)
    for i in range(3):
        (src / f"a{i}.txt").write_text(story(i))
    for i in range(2):
        (src / "sub" / f"b{i}.txt").write_text(story(10 + i, "bridge"))
    return src
