"""The read, analyse and embed stages run together: the next files are read and analysed in a
thread (qa/index/sync_read.py's ReadAhead, at most IndexingSettings.read_ahead_files ahead) while
this thread embeds what has been read, a group of about CHECKPOINT_PASSAGES passages at a time
(the first group smaller, first_group_passages, and the model loaded while it is read, so the
model starts early; the thread niced, read_ahead_nice, so that it reads in the gaps the model's
threads leave). With read_ahead_files 0, as shipped, the three stages run one after the other
(the overlap measured slower on 2 shared cores: BENCHMARKS.md, issue 23). Either way the result is the
same three records (`Read`, `Analysed`, `Embedded`): the same documents in scan order, the same
vectors by key.

Memory stays bounded by what the new generation holds anyway: the read-ahead queue holds a few
files; a group waits for its vectors. Progress, the test pauses and every database call stay on
the sync's thread.
"""

from __future__ import annotations

import time

from qa.index import pause, sync_embed
from qa.index.store import IndexStore
from qa.index.sync_embed import VectorSupply, embed
from qa.index.sync_read import ReadAhead, analyse, read, read_of
from qa.index.sync_records import Analysed, AnalysedDocument, Embedded, FileRead, Read, Scanned, SyncRequest


def read_analyse_embed(db: IndexStore, request: SyncRequest, scanned: Scanned
                       ) -> tuple[tuple[Read, float], tuple[Analysed, float], tuple[Embedded, float]]:
    """The three stages' records, each with its own seconds (see module docstring)."""
    if request.indexing.read_ahead_files <= 0 or not scanned.to_read:
        t0 = time.perf_counter()
        read_record = read(scanned, request)
        t1 = time.perf_counter()
        analysed = analyse(read_record, request)
        t2 = time.perf_counter()
        embedded = embed(db, request, analysed)
        return (read_record, t1 - t0), (analysed, t2 - t1), (embedded, time.perf_counter() - t2)
    return _overlapped(db, request, scanned)


def _overlapped(db: IndexStore, request: SyncRequest, scanned: Scanned
                ) -> tuple[tuple[Read, float], tuple[Analysed, float], tuple[Embedded, float]]:
    supply = VectorSupply(db, request, scanned)
    files: list[FileRead] = []
    documents: list[AnalysedDocument] = []
    group: list[AnalysedDocument] = []
    total = len(scanned.to_read)
    embedding = 0.0
    first = request.indexing.first_group_passages
    settings = request.indexing
    with ReadAhead(scanned, request.settings, settings.read_ahead_files, settings.read_ahead_stop_seconds,
                   settings.read_ahead_nice) as ahead:
        request.on_progress("reading", 0, total)
        if scanned.rebuild or any(item.old is None for item in scanned.to_read):
            t0 = time.perf_counter()
            supply.prepare()  # a new file is (nearly always) to embed: load the model while reading
            embedding += time.perf_counter() - t0
        for got, analysed in ahead:
            files.append(got)
            request.on_progress("reading", len(files), total)
            if len(files) == 1:
                pause.at("reading")
            if analysed is not None:
                documents.append(analysed)
                group.append(analysed)
            size = sync_embed.CHECKPOINT_PASSAGES
            full = sum(len(d.keys) for d in group) >= (size if supply.embedded else min(size, first))
            if group and (full or len(files) == total):
                t0 = time.perf_counter()
                supply.take(group, _expected(documents, len(files), total))
                embedding += time.perf_counter() - t0
                group = []
        t0 = time.perf_counter()
        supply.finish()
        embedding += time.perf_counter() - t0
        seconds = dict(ahead.seconds)
    read_record = read_of(scanned, files)
    analysed_record = Analysed(read_record, tuple(documents))
    return ((read_record, seconds["read"]), (analysed_record, seconds["analyse"]),
            (supply.record(analysed_record), embedding))


def _expected(documents: list[AnalysedDocument], files_read: int, total: int) -> int:
    """Passages still to come, estimated from those of the files read so far (for the progress total)."""
    if files_read >= total:
        return 0
    per_file = sum(len(d.keys) for d in documents) / max(files_read, 1)
    return int(max(per_file, 1.0) * (total - files_read))
