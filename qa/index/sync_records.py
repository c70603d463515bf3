"""The records a sync hands from stage to stage (qa/index/indexer.py tells the story).

Each stage is a function taking the previous stage's record and returning its own, frozen:
`Scanned` (what the sources hold against the index) → `Read` (the files read and cut into
passages) → `Analysed` (each passage's model text, BM25 tokens and copy-finding fingerprint) →
`Embedded` (a vector for every new passage) → `Written` (the new generation's files, not yet
current) → `Committed` (the switch to them). Repairs and removals make an `Edit` of their own and
go through the same write and commit. A stage never changes an earlier record: what a stage
learns is in its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.config import ChunkSettings
from qa.embedding.encoder import Encoder
from qa.index.bm25 import TermCounts
from qa.index.store import DocumentRow, Fingerprint, HeldSkip, IndexMeta, NewDocument, NewPassage, StatMove
from qa.index.text import StoredAnalysis
from qa.ingest.chunking import Passage
from qa.ingest.documents import Document
from qa.ingest.sources import Unavailable
from qa.settings import DEFAULT_INDEXING, DEFAULT_SETTINGS, IndexingSettings, RetrievalSettings
from qa.wording import count

#: on_progress(phase, done, total): phase is "reading" or "embedding"
ProgressCallback = Callable[[str, int, int], None]
#: on_stage(name, record, seconds): a stage finished, with the record it returned and its own
#: seconds (for the stages that overlap, reading, analysing and embedding, the time each spent
#: working, not the wall time between calls)
StageHook = Callable[[str, object, float], None]


@dataclass
class SyncReport:
    """What a sync did, as `qa index` prints it (filled from the stage records at the end)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0
    passages: int = 0
    embedded: int = 0
    seconds: float = 0.0
    rebuilt: bool = False
    skipped_files: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: source folders away for now (missing, empty, unreadable): their documents were kept
    unavailable: list[Unavailable] = field(default_factory=list)
    #: web pages read again because the HTML reader changed since they were indexed (their files did not)
    reread: int = 0
    #: every passage has its sentence vectors (what the highlight reads besides the words); False:
    #: an index made before them, or by a model that cannot give them, answers on the words alone
    sentence_vectors: bool = True

    def as_json(self) -> dict[str, object]:
        return {
            "added": self.added, "updated": self.updated, "removed": self.removed,
            "unchanged": self.unchanged, "skipped": self.skipped, "passages": self.passages,
            "embedded": self.embedded, "seconds": round(self.seconds, 3), "rebuilt": self.rebuilt,
            "skipped_files": self.skipped_files, "warnings": self.warnings,
            "unavailable": [u.as_json() for u in self.unavailable],
            "sentence_vectors": self.sentence_vectors, "reread": self.reread,
        }

    def notes(self) -> list[str]:
        """What a person should know beside the summary: an index whose highlights lack the
        sentence vectors, and how to give it them."""
        if self.sentence_vectors or not self.passages:
            return []
        return [f"qa: note: highlights here use the words alone, the index's passages have no sentence vectors "
                f"(an index made before them): `qa index --rebuild` embeds its {self.passages} passages again with them"]

    def reread_line(self) -> str | None:
        """What a sync that read web pages again because the HTML reader changed says of it (None: it read none)."""
        return f"web pages re-read: {self.reread} (the reader changed)" if self.reread else None

    def summary(self) -> str:
        return (f"{self.added} added, {self.updated} changed, {self.removed} removed, "
                f"{self.unchanged} unchanged, {self.skipped} skipped; {count(self.passages, 'passage')} "
                f"({self.embedded} embedded) in {self.seconds:.1f} s")


@dataclass(frozen=True)
class SyncRequest:
    """What one sync was asked to do: `sync`'s arguments, resolved."""

    index_dir: Path
    new_sources: list[str]  # absolute paths to add to the index's sources
    model: str | None  # None: the index's model (DEFAULT_MODEL for a new index)
    rebuild: bool
    settings: ChunkSettings
    bm25: dict[str, float]  # the BM25 parameters to record (see store.bm25_params)
    embedder: Encoder | None  # None: load the model when there is something to embed
    on_progress: ProgressCallback
    started: float  # time.monotonic() when the sync was called
    indexing: IndexingSettings = DEFAULT_INDEXING  # segments, merges, read-ahead
    retrieval: RetrievalSettings = DEFAULT_SETTINGS  # when the vectors go approximate (qa/index/vectors.py)
    #: real paths of files or folders inside the sources that changed (a watcher's batch): only
    #: they are scanned and only their documents read; None: every source (see sync_scan.scan)
    only: tuple[str, ...] | None = None
    on_stage: StageHook | None = None

    def stage_done(self, name: str, record: object, seconds: float) -> None:
        if self.on_stage is not None:
            self.on_stage(name, record, seconds)


@dataclass(frozen=True)
class ToRead:
    """A file the scan found new, changed, or to read again, with the index's row for it."""

    path: str
    old: DocumentRow | None


@dataclass(frozen=True)
class Scanned:
    """The sources scanned and compared with the index; nothing read yet."""

    meta: IndexMeta | None  # the index's settings before the sync (None: nothing committed yet)
    model: str  # the model the new generation's vectors come from
    rebuild: bool  # every file is read and embedded again
    known: tuple[DocumentRow, ...]  # the index's documents before the sync (under `only`, if restricted)
    to_read: tuple[ToRead, ...]  # in scan order
    remove: tuple[int, ...] = ()  # ids of documents whose file is gone
    unchanged: int = 0  # files left as they are (their stat says so)
    touched: tuple[StatMove, ...] = ()  # indexed by an older qa without inode: their stat recorded
    skipped: Mapping[str, str] = field(default_factory=dict)  # path -> why it is not indexed
    #: skipped files over their reader's budget, with their stat: not read again until it moves
    held: Mapping[str, HeldSkip] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    unavailable: tuple[Unavailable, ...] = ()  # folders away: their documents kept
    #: ids of documents indexed before dates were read (an older index): read again for them
    unread_news: frozenset[int] = frozenset()
    #: a restricted sync's paths: `known` and `skipped` are those at or inside them only
    only: tuple[str, ...] | None = None
    #: ids of web pages indexed by another HTML reader (qa/ingest/webpage.py HTML_READER_VERSION):
    #: read again, their text extracted anew even when the file's content is unchanged
    reread: frozenset[int] = frozenset()
    #: the HTML reader version to record once every web page of the index was read with it (None:
    #: recorded already, or a restricted sync, which reads some pages only)
    html_reader: int | None = None

    @property
    def incremental(self) -> bool:
        """True when the new generation edits the current one (False: built from scratch)."""
        return self.meta is not None and not self.rebuild


@dataclass(frozen=True)
class ReadDocument:
    """A file to add or update, read and cut into passages."""

    doc: Document
    size: int
    mtime_ns: int
    passages: tuple[Passage, ...]
    replaces: int | None  # id of the document row it replaces
    ctime_ns: int | None = None
    inode: int | None = None
    reread: bool = False  # the file is as indexed: only the HTML reader changed (Scanned.reread)


@dataclass(frozen=True)
class FileRead:
    """What reading one file found: a document to add or update, or why not (one field set)."""

    path: str
    document: ReadDocument | None = None
    skipped: str | None = None  # why it is not indexed
    held: HeldSkip | None = None  # over its reader's budget: not read again until it moves
    remove: int | None = None  # the indexed document it was, now unreadable
    touched: StatMove | None = None  # same content as indexed: only its stat moved
    #: an older index's document read again for its date, author and site: (id, date, author, site)
    news: tuple[int, str | None, str | None, str | None] | None = None


@dataclass(frozen=True)
class Read:
    """The scanned files read: documents to add or update, and what the reading found of the rest."""

    scanned: Scanned
    documents: tuple[ReadDocument, ...]
    files: tuple[FileRead, ...]

    @property
    def remove(self) -> tuple[int, ...]:
        return self.scanned.remove + tuple(f.remove for f in self.files if f.remove is not None)

    @property
    def skipped(self) -> dict[str, str]:
        return {**self.scanned.skipped, **{f.path: f.skipped for f in self.files if f.skipped is not None}}

    @property
    def held(self) -> dict[str, HeldSkip]:
        return {**self.scanned.held, **{f.path: f.held for f in self.files if f.held is not None}}

    @property
    def touched(self) -> tuple[StatMove, ...]:
        return self.scanned.touched + tuple(f.touched for f in self.files if f.touched is not None)

    @property
    def unchanged(self) -> int:
        return self.scanned.unchanged + sum(f.touched is not None for f in self.files)

    @property
    def news(self) -> tuple[tuple[int, str | None, str | None, str | None], ...]:
        return tuple(f.news for f in self.files if f.news is not None)

    @property
    def html_reader(self) -> int | None:
        """The HTML reader version to record (Scanned.html_reader), or None when a web page kept the
        text of the old reader: a file that could not be read this time, a folder away (the next
        full sync reads them)."""
        scanned = self.scanned
        if scanned.html_reader is None or any(u.documents for u in scanned.unavailable):
            return None
        old = {d.path for d in scanned.known if d.id in scanned.reread}
        kept = any(f.path in old and f.document is None and f.remove is None for f in self.files)
        return None if kept else scanned.html_reader

    @property
    def dropped_ids(self) -> list[int]:
        """Documents whose rows (and passages, vectors) the new generation no longer has."""
        if self.scanned.rebuild:
            return [d.id for d in self.scanned.known]
        return list(self.remove) + [d.replaces for d in self.documents if d.replaces is not None]


@dataclass(frozen=True)
class AnalysedDocument:
    """A read document's passages as the index keeps them: per passage the text the model sees,
    its key among vectors (model and text), its BM25 tokens and its fingerprint (passage id 0:
    ids are given when the generation is written)."""

    read: ReadDocument
    texts: tuple[str, ...]
    keys: tuple[str, ...]
    tokens: tuple[tuple[str, ...], ...]
    prints: tuple[Fingerprint, ...]
    #: per passage, its sentences (the analyzer's spans) in its model text's coordinates: what its
    #: sentence vectors are pooled over (qa/embedding/sentences.py)
    spans: tuple[tuple[tuple[int, int], ...], ...] = ()
    #: per passage, the analyzer's analysis of its text as stored (qa/index/text.py `pack`): a
    #: question then reads it instead of analysing the passage
    analyses: tuple[StoredAnalysis, ...] = ()


@dataclass(frozen=True)
class Analysed:
    read: Read
    documents: tuple[AnalysedDocument, ...]


@dataclass(frozen=True)
class Embedded:
    """A vector for every new passage, by key; how many this sync computed."""

    analysed: Analysed
    dim: int
    vectors: Mapping[str, np.ndarray]
    embedded: int
    loaded_embedder: Encoder | None = None  # an encoder this sync loaded itself
    #: the sentence vectors (stored blobs, qa/embedding/sentences.py) of the passages that have them, by key
    sentences: Mapping[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Records:
    """What a commit records besides a new generation: moved stats, news of older documents,
    skipped files (replacing those under `only`, or all when None), sources forgotten."""

    touched: tuple[StatMove, ...] = ()
    news: tuple[tuple[int, str | None, str | None, str | None], ...] = ()
    skipped: Mapping[str, str] = field(default_factory=dict)
    held: Mapping[str, HeldSkip] = field(default_factory=dict)
    only: tuple[str, ...] | None = None
    #: run inside the commit's transaction (qa remove forgets its sources there)
    also: Callable[[], None] | None = None
    html_reader: int | None = None  # the HTML reader version every web page now has (Read.html_reader)


@dataclass(frozen=True)
class Edit:
    """A new generation, whoever made it (a sync, a repair, a removal): its settings (the segments
    it keeps), the rows to insert, its own segment's vectors and term counts, the documents it
    drops and the passages of kept segments it deletes. `base` is the generation it was made
    from: the commit refuses it if another writer committed since."""

    base: IndexMeta | None
    meta: IndexMeta
    documents: tuple[tuple[NewDocument, tuple[NewPassage, ...], tuple[str | None, str | None, str | None]], ...]
    index: object | None  # faiss index of the new passages (None: none, so no new segment)
    counts: TermCounts
    fingerprints: tuple[Fingerprint, ...] = ()
    dropped: tuple[int, ...] = ()  # document ids whose rows go
    deleted: tuple[int, ...] = ()  # passages of kept segments deleted (tombstones)
    tombstones: int = 0  # deleted passages the kept segments hold after the commit
    replaces_all: bool = False  # its segment replaces every earlier one (a rebuild or a repair)
    sentences: tuple[tuple[int, bytes], ...] = ()  # (passage id, blob) of its passages' sentence vectors
    #: (passage id, analyzer version, *StoredAnalysis) of its passages' analyses (store.add_analyses)
    analyses: tuple[tuple, ...] = ()
    clears_pending: bool = True  # the vectors kept aside are used up (a repair leaves them)


@dataclass(frozen=True)
class Written:
    """The new generation's files written (not yet current); `meta` names them. No edit: only
    records to commit (nothing was added or removed). No records: a repair's (the skipped files
    and stats are left as they are). `base`: the generation the sync started from."""

    base: IndexMeta | None
    edit: Edit | None
    meta: IndexMeta | None
    records: Records | None


@dataclass(frozen=True)
class Committed:
    written: Written
    meta: IndexMeta | None  # the committed generation (None: the records only)
