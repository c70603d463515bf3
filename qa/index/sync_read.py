"""The sync's read and analyse stages: each file to read is read, parsed and cut into passages
(`read_file`); each passage gets the text the model sees, its key among vectors, its BM25 tokens
and its copy-finding fingerprint (`Analyser`).

`read` and `analyse` run them over a whole scan, one after the other. `read_ahead` runs both in
a thread, a bounded queue ahead of the caller, so that the next files are read and analysed while
a batch embeds (onnxruntime and PDF/HTML reading in qa/ingest/read_worker.py's child release the
GIL). The thread touches no database and calls no callback: the caller reports progress.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from qa.config import ChunkSettings
from qa.index import duplicates, pause
from qa.index.store import Fingerprint, HeldSkip
from qa.index.sync_records import (Analysed, AnalysedDocument, FileRead, Read, ReadDocument, Scanned,
                                   SyncRequest, ToRead)
from qa.index.sync_scan import stat_move
from qa.index.text import Analyzer, StoredAnalysis, pack, tokenize
from qa.ingest.chunking import chunk
from qa.ingest.documents import OverBudget, Unreadable, max_bytes, open_regular, parse, read_limited


def embedding_text(title: str, passage_text: str, settings: ChunkSettings) -> str:
    """What the model sees for a passage (the title may be prepended as context)."""
    return f"{title}\n{passage_text}" if settings.title_in_vectors else passage_text


def bm25_text(title: str, passage_text: str, settings: ChunkSettings) -> str:
    return f"{title}\n{passage_text}" if settings.title_in_bm25 else passage_text


def shifted(spans: tuple[tuple[int, int], ...], shift: int) -> tuple[tuple[int, int], ...]:
    """A passage's sentences (the analyzer's spans, as the highlight scores them) moved by `shift`
    into its model text (after the title)."""
    return tuple((a + shift, b + shift) for a, b in spans)


def vector_key(model: str, text: str) -> str:
    """A passage's key among stored and pending vectors: the same text of the same model, the same vector."""
    return hashlib.sha1(f"{model}\0{text}".encode()).hexdigest()


def read_file(scanned: Scanned, item: ToRead, settings: ChunkSettings) -> FileRead:
    """Read one new or touched file: a document to add or update, unchanged, or skipped."""
    path, old = item.path, item.old
    try:
        with open_regular(path) as handle:
            info = os.fstat(handle.fileno())
            data = read_limited(handle, max_bytes(Path(path)))
        doc = parse(Path(path), data)
    except OSError as exc:  # perhaps passing (permissions, a file being replaced): keep what we have
        return FileRead(path, skipped=f"cannot read: {exc.strerror or exc}" + (" (the indexed version is kept)" if old else ""))
    except Unreadable as exc:
        held = None
        if isinstance(exc, OverBudget):  # not read again until the file changes
            held = HeldSkip(str(exc), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        return FileRead(path, skipped=str(exc), held=held, remove=old.id if old else None)
    same = bool(old) and not scanned.rebuild and old.sha256 == doc.sha256
    if same and old.id not in scanned.reread:
        news = (old.id, doc.date, doc.author, doc.site) if old.id in scanned.unread_news else None
        return FileRead(path, touched=stat_move(old.id, info), news=news)
    return FileRead(path, ReadDocument(doc, info.st_size, info.st_mtime_ns, tuple(chunk(doc, settings)),
                                       old.id if old else None, info.st_ctime_ns, info.st_ino, reread=same))


class Analyser:
    """A document's passages as the index keeps them (see AnalysedDocument). Identical passage
    texts (copies of a wire story in several files) are tokenized and fingerprinted once a sync."""

    def __init__(self, model: str, settings: ChunkSettings) -> None:
        self.model, self.settings = model, settings
        self._tokens: dict[str, tuple[str, ...]] = {}
        self._prints: dict[str, Fingerprint] = {}
        self._analyses: dict[str, tuple[tuple[tuple[int, int], ...], StoredAnalysis]] = {}

    def __call__(self, read: ReadDocument) -> AnalysedDocument:
        title, settings = read.doc.title, self.settings
        texts = tuple(embedding_text(title, p.text, settings) for p in read.passages)
        shift = len(texts[0]) - len(read.passages[0].text) if texts else 0  # the title's, when prepended
        analyses = [self._analysed(p.text) for p in read.passages]
        return AnalysedDocument(read, texts, tuple(vector_key(self.model, t) for t in texts),
                                tuple(self._tokenized(bm25_text(title, p.text, settings)) for p in read.passages),
                                tuple(self._printed(p.text) for p in read.passages),
                                tuple(shifted(spans, shift) for spans, _ in analyses), tuple(a for _, a in analyses))

    def _analysed(self, text: str) -> tuple[tuple[tuple[int, int], ...], StoredAnalysis]:
        """The analyzer's sentence spans of a passage (those the sentence vectors pool over) and its
        whole analysis as stored, made here, not by the question that first meets the passage (kept
        packed: a sync of a million passages holds them all until it writes)."""
        got = self._analyses.get(text)
        if got is None:
            analysis = Analyzer._analyse(text)  # not the process's cache: stored instead
            got = self._analyses[text] = (analysis.spans, pack(analysis))
        return got

    def _tokenized(self, text: str) -> tuple[str, ...]:
        got = self._tokens.get(text)
        if got is None:
            got = self._tokens[text] = tuple(tokenize(text))
        return got

    def _printed(self, text: str) -> Fingerprint:
        got = self._prints.get(text)
        if got is None:
            got = self._prints[text] = duplicates.fingerprint(0, text)
        return got


def read(scanned: Scanned, request: SyncRequest) -> Read:
    """Every file of the scan read, one after the other (progress as each is read; the test
    pause after the first)."""
    files = []
    total = len(scanned.to_read)
    for i, item in enumerate(scanned.to_read):
        request.on_progress("reading", i, total)
        try:
            files.append(read_file(scanned, item, request.settings))
        finally:
            if i == 0:
                pause.at("reading")
    request.on_progress("reading", total, total)
    return read_of(scanned, files)


def read_of(scanned: Scanned, files: list[FileRead]) -> Read:
    return Read(scanned, tuple(f.document for f in files if f.document is not None), tuple(files))


def analyse(read_record: Read, request: SyncRequest) -> Analysed:
    analyser = Analyser(read_record.scanned.model, request.settings)
    return Analysed(read_record, tuple(analyser(d) for d in read_record.documents))


class ReadAhead:
    """`read_file` and an `Analyser` over a scan in a thread, at most `depth` files ahead
    of the caller, who iterates (FileRead, AnalysedDocument or None) in scan order. The busy
    seconds of each stage are summed in `seconds`. An error in the thread is raised to the
    caller; `close` (also on leaving a `with`) stops the thread."""

    def __init__(self, scanned: Scanned, settings: ChunkSettings, depth: int, join_seconds: float,
                 nice: int = 0) -> None:
        self.scanned, self.settings, self.join_seconds, self.nice = scanned, settings, join_seconds, nice
        self.seconds = {"read": 0.0, "analyse": 0.0}
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="qa-read-ahead", daemon=True)

    def __enter__(self) -> ReadAhead:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the thread: at once between files; a file being read is finished first (a PDF in
        the reader's child within its budget), waited for `join_seconds` at most (a daemon
        thread: it never holds up the process's exit)."""
        self._stop.set()
        self._thread.join(self.join_seconds)

    def __iter__(self) -> Iterator[tuple[FileRead, AnalysedDocument | None]]:
        for _ in self.scanned.to_read:
            got = self._queue.get()
            if isinstance(got, BaseException):
                raise got
            yield got

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _work(self) -> None:
        _lower_priority(self.nice)
        analyser = Analyser(self.scanned.model, self.settings)
        try:
            for item in self.scanned.to_read:
                t0 = time.perf_counter()
                got = read_file(self.scanned, item, self.settings)
                t1 = time.perf_counter()
                analysed = analyser(got.document) if got.document else None
                self.seconds["read"] += t1 - t0
                self.seconds["analyse"] += time.perf_counter() - t1
                if not self._put((got, analysed)):
                    return
        except BaseException as exc:  # handed to the caller, who raises it
            self._put(exc)


def _lower_priority(nice: int) -> None:
    """Make this thread yield the cores to the model's: onnxruntime's intra-op threads wait for
    the slowest of them at every operator, so a reader thread taking one of two cores would slow
    the model more than it saves; niced, it reads in the gaps the model leaves (Linux sets a
    thread's nice value by its native id; elsewhere nothing changes)."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except OSError:
        pass
