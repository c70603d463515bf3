"""The sync's write stage: the new generation's edit (its passages numbered, their vectors and
term counts in one new segment, the documents it drops) and its files written, not yet current.

`write` makes a sync's (or a removal's) edit from its `Embedded` record; a repair makes its own
(qa/index/repair.py). Both are written by `write_files`, which writes no file but the new
segment's: the commit (qa/index/sync_commit.py) switches to them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from qa.config import FORMAT_VERSION
from qa.index import segments, store, vectors
from qa.index.bm25 import TermCounts
from qa.index.store import IndexMeta, IndexStore, NewDocument, NewPassage, SegmentRecord
from qa.index.text import ANALYSIS_VERSION
from qa.index.sync_records import AnalysedDocument, Edit, Embedded, Read, Records, SyncRequest, Written
from qa.ingest.documents import page_at


def records_of(read: Read) -> Records:
    """What the commit records of a sync besides its generation."""
    return Records(read.touched, read.news, read.skipped, read.held, read.scanned.only, html_reader=read.html_reader)


def needs_generation(read: Read, bm25: Mapping[str, float]) -> bool:
    """False when only sources, moved stats and skips are to be recorded."""
    meta = read.scanned.meta
    return (not read.scanned.incremental or bool(read.documents) or bool(read.remove)
            or meta.bm25 != dict(bm25))


def write(db: IndexStore, request: SyncRequest, embedded: Embedded) -> Written:
    """The new generation's edit, its segment's files written (none when nothing changed)."""
    read = embedded.analysed.read
    if not needs_generation(read, request.bm25):
        return Written(read.scanned.meta, None, None, records_of(read))
    return write_files(request.index_dir, edit_of(db, request, embedded), records_of(read))


def edit_of(db: IndexStore, request: SyncRequest, embedded: Embedded) -> Edit:
    """Number the new passages, build their vectors and term counts in memory."""
    read = embedded.analysed.read
    scanned = read.scanned
    base = scanned.meta
    # never below an id in use, whatever the meta says (ids are checked again at commit)
    first_id = max(base.next_passage_id if base else 1, db.max_passage_id() + 1)
    documents, ids, tokens, prints = _numbered(embedded.analysed.documents, request, first_id)
    dropped = read.dropped_ids
    old_ids = db.passage_ids_of(dropped) if scanned.incremental else []
    index = None
    keys = [k for d in embedded.analysed.documents for k in d.keys]
    if ids:
        index = vectors.new(embedded.dim)
        vectors.add(index, ids, np.vstack([embedded.vectors[k] for k in keys]))
        index = vectors.approximate(index, request.retrieval)  # exact, or IVF above the size threshold
    previous = segments.current_segments(db, base) if base else []
    kept = tuple(previous) if scanned.incremental else ()
    tombstones = len(db.deleted_ids()) + len(old_ids) if scanned.incremental else 0
    meta = IndexMeta(FORMAT_VERSION, scanned.model, embedded.dim, request.settings.as_dict(),
                     (base.generation + 1) if base else 1, first_id + len(ids), dict(request.bm25),
                     segments=kept, kept_files=segments.file_names(previous),
                     sentence_vectors=_all_have_sentences(keys, embedded, base if scanned.incremental else None))
    sentences = tuple((pid, embedded.sentences[k]) for pid, k in zip(ids, keys) if k in embedded.sentences)
    stored = [a for d in embedded.analysed.documents for a in d.analyses]
    analyses = tuple((pid, ANALYSIS_VERSION, *a) for pid, a in zip(ids, stored)) if len(stored) == len(ids) else ()
    return Edit(base, meta, documents, index, TermCounts.build(ids, tokens), prints, tuple(dropped),
                tuple(old_ids), tombstones, not scanned.incremental, sentences=sentences, analyses=analyses)


def _all_have_sentences(keys: list[str], embedded: Embedded, kept: IndexMeta | None) -> bool:
    """True when every passage of the new generation has its sentence vectors: each new one got
    them, and the passages kept (an incremental sync's `kept` generation) all had them."""
    return (kept is None or kept.sentence_vectors) and all(k in embedded.sentences for k in keys)


def _numbered(analysed: tuple[AnalysedDocument, ...], request: SyncRequest, first_id: int):
    """The rows to insert (with each document's date, author and site), passage ids counting up
    from first_id, each passage's BM25 tokens and its fingerprint under its id."""
    documents = []
    ids: list[int] = []
    tokens: list[list[str]] = []
    prints = []
    for a in analysed:
        d = a.read
        rows = []
        for p, words, fingerprint in zip(d.passages, a.tokens, a.prints):
            pid = first_id + len(ids)
            rows.append(NewPassage(pid, p.ordinal, p.start, p.end, p.paragraph, p.paragraph_end, p.text,
                                   " ".join(words), page_at(d.doc, p.start)))
            ids.append(pid)
            tokens.append(list(words))
            prints.append(fingerprint._replace(passage_id=pid))
        documents.append((NewDocument(str(d.doc.path), d.doc.title, d.doc.sha256, d.size, d.mtime_ns,
                                      d.doc.encoding, d.ctime_ns, d.inode), tuple(rows),
                          (d.doc.date, d.doc.author, d.doc.site)))
    return tuple(documents), ids, tokens, tuple(prints)


def write_files(index_dir: Path, edit: Edit, records: Records | None) -> Written:
    """Save the new segment's vector and term files, if it has passages (not yet current: the
    commit switches to them), recording their sizes and checksums (store.SegmentRecord), and put
    the generation's live counts in its meta (store.GenerationRecord). No other file is written."""
    meta = edit.meta
    kept = list(meta.segments or ())
    if edit.index is not None:
        ids = edit.counts.passage_ids
        segment = SegmentRecord(meta.generation, int(ids.size), int(ids[0]), int(ids[-1]))
        vectors.save(edit.index, segment.vector_file(index_dir))
        edit.counts.save(segment.terms_file(index_dir))
        vector_size, vector_crc = store.file_crc32(segment.vector_file(index_dir))
        terms_size, terms_crc = store.file_crc32(segment.terms_file(index_dir))
        kept.append(dataclasses.replace(segment, vectors_size=vector_size, vectors_crc32=vector_crc,
                                        terms_size=terms_size, terms_crc32=terms_crc))
    live = sum(s.passages for s in kept) - edit.tombstones
    record = store.GenerationRecord(meta.generation, live, live, live)
    return Written(edit.base, edit, dataclasses.replace(meta, segments=tuple(kept), record=record), records)
