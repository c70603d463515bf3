"""The sync's embed stage: a vector for every new passage, from the cheapest place that has it.

An unchanged passage of an updated file keeps its stored vector; one embedded by an interrupted
run was kept aside (IndexStore.save_pending_vectors) and is taken back; the rest are embedded,
identical texts once, in checkpoints of CHECKPOINT_PASSAGES whose vectors are saved aside before
going on. `VectorSupply.take` does this for a group of documents, so the same code serves the
sequential stage (`embed`) and the overlapped one (qa/index/sync_overlap.py), which hands it the
documents as they are read.

With an encoder that can pool its token embeddings over spans (qa.embedding.encoder.SpanEncoder),
each embedded passage also gets its sentence vectors from the same pass (qa/embedding/sentences.py),
kept aside with its vector and reused with it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.config import ChunkSettings
from qa.embedding.encoder import Encoder, SpanEncoder
from qa.embedding.sentences import centred, to_blob
from qa.errors import IndexCorrupt, QAError
from qa.index import pause, segments, vectors
from qa.index.store import IndexMeta, IndexStore, StoredPassage
from qa.index.sync_read import embedding_text, vector_key
from qa.index.sync_records import Analysed, AnalysedDocument, Embedded, Scanned, SyncRequest

#: passages embedded between two saves of the vectors kept aside for an interrupted run
CHECKPOINT_PASSAGES = 512


class DamagedVectors(IndexCorrupt):
    """The current vector file cannot be read: the sync is redone as a rebuild."""


class VectorSupply:
    """Vectors by key for the passages of the documents handed to `take`, with the encoder loaded
    at the first text to embed (or for a new index's dimension) and its dimension checked."""

    def __init__(self, db: IndexStore, request: SyncRequest, scanned: Scanned) -> None:
        self.db, self.request, self.scanned = db, request, scanned
        self.dim = scanned.meta.dim if scanned.incremental else 0
        self.found: dict[str, np.ndarray] = {}
        self.sentences: dict[str, bytes] = {}  # stored blobs of the keys that have them
        self.embedded = 0
        self.embedder: Encoder | None = request.embedder
        self.loaded: Encoder | None = None
        self.checkpoints = 0
        #: an indexed document by content hash: a new file with the same content (renamed or moved,
        #: a case-only rename, a renamed subfolder whose old name is kept as away, a copy) takes
        #: its vectors instead of being embedded again
        self.same = {row.sha256: row.id for row in scanned.known}

    def take(self, documents: list[AnalysedDocument], expected: int = 0) -> None:
        """Find or embed the vectors of these documents' passages; `expected`: passages still to
        come after them (an estimate, for the progress total)."""
        keys = [k for d in documents for k in d.keys if k not in self.found]
        replaced = [d.read.replaces for d in documents if d.read.replaces is not None]
        replaced += {self.same[d.read.doc.sha256] for d in documents
                     if d.read.replaces is None and d.read.doc.sha256 in self.same} - set(replaced)
        if self.scanned.incremental and replaced:
            vecs, sentences = _reusable_vectors(self.db, self.request.index_dir, self.scanned.meta, replaced,
                                                self.scanned.model, self.request.settings)
            self.found.update(vecs)
            self.sentences.update(sentences)
        pending = self.db.pending_vectors([k for k in set(keys) if k not in self.found])
        self.found.update(pending)
        self.sentences.update(self.db.pending_sentences(list(pending)))
        texts = {k: (t, s) for d in documents for k, t, s in zip(d.keys, d.texts, d.spans or [()] * len(d.keys))
                 if k not in self.found}
        if texts:
            self._embed(list(texts.items()), expected)

    def finish(self) -> None:
        """A new index or a rebuild needs the model's dimension even with nothing to embed."""
        if not self.scanned.incremental and self.embedder is None:
            self._encoder()
        if not self.scanned.incremental:
            self.dim = self.embedder.dim

    def prepare(self) -> None:
        """Load the encoder now (it loads at the first text to embed otherwise)."""
        self._encoder()

    def _encoder(self) -> Encoder:
        if self.embedder is None:  # the model's ONNX export when it can be made, else torch
            from qa.embedding.embedder import passage_encoder

            self.embedder = self.loaded = passage_encoder(self.scanned.model)
        if self.scanned.incremental and self.embedder.dim != self.dim:
            raise IndexCorrupt(f"the index's vectors have dimension {self.dim}, the model's {self.embedder.dim}; "
                               "rebuild with: qa index --rebuild")
        return self.embedder

    def _embed(self, missing: list[tuple[str, tuple[str, tuple]]], expected: int) -> None:
        """Embed in checkpoints: each batch of vectors is saved aside before going on."""
        embedder = self._encoder()
        total = self.embedded + len(missing) + expected
        self.request.on_progress("embedding", self.embedded, total)
        for i in range(0, len(missing), CHECKPOINT_PASSAGES):
            part = missing[i:i + CHECKPOINT_PASSAGES]

            def advance(n: int) -> None:
                self.embedded += n
                self.request.on_progress("embedding", self.embedded, total)

            vecs, blobs = _encode(embedder, part, advance)
            if not np.isfinite(vecs).all():  # a damaged model: NaN vectors would match nothing, silently
                raise QAError("the embedding model gives vectors that are not numbers (a damaged model or model "
                              "cache?); nothing was written. Delete the cache (~/.cache/qa, $QA_CACHE_DIR) and run qa index")
            self.db.save_pending_vectors(zip([k for k, _ in part], vecs))
            if blobs:
                self.db.save_pending_sentences(blobs.items())
                self.sentences.update(blobs)
            self.found.update(zip([k for k, _ in part], vecs))
            self.checkpoints += 1
            if self.checkpoints == 1:
                pause.at("embedding")

    def record(self, analysed: Analysed) -> Embedded:
        return Embedded(analysed, self.dim, dict(self.found), self.embedded, self.loaded, dict(self.sentences))


def _encode(embedder: Encoder, part: list[tuple[str, tuple[str, tuple]]], advance
            ) -> tuple[np.ndarray, dict[str, bytes]]:
    """The vectors of (key, (text, sentence spans)), and the sentence vectors (centred, as
    stored) of those the encoder pooled them for, by key."""
    texts = [t for _, (t, _) in part]
    if not isinstance(embedder, SpanEncoder):
        return embedder.encode(texts, on_batch=advance), {}
    vecs, pooled = embedder.encode_spans(texts, [s for _, (_, s) in part], on_batch=advance)
    return vecs, {k: to_blob(centred(p)) for (k, _), p in zip(part, pooled) if p is not None}


def embed(db: IndexStore, request: SyncRequest, analysed: Analysed) -> Embedded:
    """Every new passage's vector (see module docstring), the documents taken in groups of about
    CHECKPOINT_PASSAGES passages."""
    supply = VectorSupply(db, request, analysed.read.scanned)
    documents = list(analysed.documents)
    left = sum(len(d.keys) for d in documents)
    group: list[AnalysedDocument] = []
    for i, document in enumerate(documents):
        group.append(document)
        if sum(len(d.keys) for d in group) >= CHECKPOINT_PASSAGES or i == len(documents) - 1:
            left -= sum(len(d.keys) for d in group)
            supply.take(group, left)
            group = []
    supply.finish()
    return supply.record(analysed)


def _reusable_vectors(db: IndexStore, index_dir: Path, meta: IndexMeta, doc_ids: list[int], model: str,
                      settings: ChunkSettings) -> tuple[dict[str, np.ndarray], dict[str, bytes]]:
    """Vectors of the passages of changed documents, keyed as their text would be: read from the
    segments holding them only; and the sentence vectors of those that have them."""
    passages = db.passages_of(doc_ids)
    ids = np.asarray([p.id for p in passages], dtype=np.int64)
    stored: dict[int, np.ndarray] = {}
    for segment in segments.current_segments(db, meta):
        held = ids[(ids >= segment.first_id) & (ids <= segment.last_id)]
        if held.size:
            try:
                index = segments.load_vectors(index_dir, segment)
            except IndexCorrupt as exc:
                raise DamagedVectors(str(exc)) from exc
            stored.update(zip(held.tolist(), vectors.reconstruct(index, held.tolist())))
    keys = {p.id: vector_key(model, embedding_text(p.title, p.text, settings)) for p in passages}
    sentences = db.sentence_vectors(list(keys))
    return {keys[p.id]: stored[p.id] for p in passages}, {keys[pid]: blob for pid, blob in sentences.items()}


def embed_again(db: IndexStore, request: SyncRequest, meta: IndexMeta,
                passages: list[StoredPassage]) -> tuple[dict[int, np.ndarray], int]:
    """Vectors of passages whose vectors were lost (a repair): kept aside by an interrupted run,
    else embedded now; (vector by passage id, how many embedded)."""
    texts = {p.id: embedding_text(p.title, p.text, request.settings) for p in passages}
    keys = {pid: vector_key(meta.model, text) for pid, text in texts.items()}
    pending = db.pending_vectors(sorted(set(keys.values())))
    found = {pid: pending[key] for pid, key in keys.items() if key in pending}
    todo = [pid for pid in texts if pid not in found]
    if todo:
        embedder = request.embedder
        if embedder is None:  # the same encoder as the sync's (its ONNX export when it can be made)
            from qa.embedding.embedder import passage_encoder

            embedder = passage_encoder(meta.model)
        request.on_progress("embedding", 0, len(todo))
        found.update(zip(todo, embedder.encode([texts[pid] for pid in todo])))
        request.on_progress("embedding", len(todo), len(todo))
    return found, len(todo)
