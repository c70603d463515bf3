"""Today's engine behind qa.interfaces.IndexReader: the index folder's sqlite database and segment
files, one generation held in memory (qa/retrieval/snapshot.py), passage texts and citations read
from the database for the few passages shown.

`stored_meta` and `database_identity` tell what the folder holds now without loading it (the UI's
look for a reindex or a replaced index); they import nothing heavy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qa.index import store
from qa.errors import IndexMissing
from qa.index.store import (CitationRow, DocumentDetails, DocumentListing, DocumentPassage, IndexMeta,
                      StoryMember)

if TYPE_CHECKING:
    import numpy as np

    from qa.retrieval.filters import DocumentTable, FilterMask, Filters
    from qa.retrieval.records import Candidates, Query
    from qa.retrieval.snapshot import IndexSnapshot
    from qa.settings import BM25Params, RetrievalSettings


#: rows (citation rows, stories, documents' passages) kept from earlier questions while nothing is
#: committed; more and they are all forgotten (a memory bound: ~2 KB a citation row)
ROWS_KEPT = 20_000


class KeptRows:
    """Rows read by key for earlier questions, reused while the database is unchanged (a question
    on a topic asked before reads ~60-75% of the same passages' rows again); `forget` when anything
    is committed. Keys without a row are remembered as such."""

    def __init__(self, limit: int = ROWS_KEPT) -> None:
        self.limit = limit
        self.rows: dict[int, object] = {}

    def read(self, keys: Iterable[int], fetch: Callable[[list[int]], Mapping[int, object]]) -> dict[int, object]:
        """{key: row} of the keys that have one, in ascending key order (as sqlite gives the rows
        of `id IN (...)`); `fetch` reads the keys not kept yet."""
        wanted = sorted(set(keys))
        missing = [k for k in wanted if k not in self.rows]
        if missing:
            if len(self.rows) + len(missing) > self.limit:
                self.rows.clear()
                missing = wanted  # those kept are gone too
            found = fetch(missing)
            self.rows.update((k, found.get(k)) for k in missing)
        return {k: row for k in wanted if (row := self.rows[k]) is not None}

    def forget(self) -> None:
        self.rows.clear()


def database_identity(index_dir: Path) -> tuple[int, int] | None:
    """(device, inode) of the index folder's database file now; None when there is none (for the UI,
    which does not import the store itself)."""
    return store.database_identity(index_dir)


def stored_meta(index_dir: Path) -> IndexMeta | None:
    """The settings the index folder holds now (None when there is no index yet)."""
    try:
        conn = store.connect(Path(index_dir))
    except IndexMissing:
        return None
    try:
        return store.read_meta(conn)
    finally:
        conn.close()


class LocalIndexReader:
    """The index in one folder, read as the retrieval pipeline needs it (qa.interfaces.IndexReader)."""

    def __init__(self, index_dir: Path, bm25_params: BM25Params | None = None) -> None:
        """bm25_params: what BM25 is scored with (None: what the index records it was built with)."""
        self.index_dir = Path(index_dir)
        self._bm25_params = bm25_params
        self._conn: sqlite3.Connection = store.connect(self.index_dir)
        self._load()

    def _load(self) -> None:
        from qa.retrieval.snapshot import IndexSnapshot

        self._seen = store.data_version(self._conn)  # taken first: a commit while loading is seen next time
        self._forget()
        self.snapshot: IndexSnapshot = IndexSnapshot.load(self._conn, self.index_dir, self._bm25_params)
        self._documents: DocumentTable | None = None  # read on the first filtered question

    def refresh(self) -> bool:
        """Reload if a reindex committed a new generation; True when it did. The meta is read only
        when something was committed since the last look."""
        seen = store.data_version(self._conn)
        if seen == self._seen:
            return False
        self._forget()  # any commit: rows read before may have changed
        meta = store.read_meta(self._conn)
        if meta is not None and meta.generation != self.snapshot.generation:
            self._load()
            return True
        self._seen = seen  # after a good read: damage found here is found again next time
        return False

    @property
    def meta(self) -> IndexMeta:
        return self.snapshot.meta

    @property
    def generation(self) -> int:
        return self.snapshot.generation

    @property
    def passage_ids(self) -> np.ndarray:
        return self.snapshot.passage_ids

    @property
    def terms(self) -> IndexSnapshot:
        return self.snapshot

    def candidates(self, query: Query, mode: str, settings: RetrievalSettings,
                   allowed: np.ndarray | None = None, vector: Callable[[], np.ndarray] | None = None) -> Candidates:
        """`vector` (the question's encoding still running): the BM25 candidates' story groups are
        read meanwhile (stories_of; the Retriever asks for every candidate's next, and those read
        are kept)."""
        from qa.retrieval.candidates import retrieve

        return retrieve(self.snapshot, query, mode, settings, allowed, vector=vector, meanwhile=self.stories_of)

    def filter_mask(self, filters: Filters) -> FilterMask:
        """Which passages of the current snapshot pass `filters`."""
        if self._documents is None:
            from qa.retrieval.filters import DocumentTable

            self._documents = DocumentTable(store.document_facts(self._conn),
                                            *store.passage_documents(self._conn), self.snapshot.passage_ids)
        return self._documents.mask(filters)

    def _forget(self) -> None:
        self._rows, self._stories, self._doc_passages = KeptRows(), KeptRows(), KeptRows()
        self._dates = KeptRows()  # (date,): a passage's document's date, None when unknown
        self._sentences = KeptRows(ROWS_KEPT // 4)  # sentence vectors: ~7.4 KB a passage (float32)

    def citation_rows(self, passage_ids: Sequence[int]) -> dict[int, CitationRow]:
        return self._rows.read(passage_ids, self._read_rows)  # type: ignore[return-value]

    def _read_rows(self, passage_ids: list[int]) -> dict[int, CitationRow]:
        """The rows, their passages' stored analyses handed to the analyzer (the stages analyse
        most passages they read: ~10 us to unpack one, ~115 us to analyse it)."""
        from qa.index.text import ANALYSIS_VERSION, ANALYZER, StoredAnalysis

        rows, analyses = store.analysed_citation_rows(self._conn, passage_ids, ANALYSIS_VERSION)
        for pid, stored in analyses.items():
            ANALYZER.give(rows[pid].text, StoredAnalysis(*stored))
        return rows

    def passage_dates(self, passage_ids: Sequence[int]) -> dict[int, str | None]:
        """The passages' documents' dates (qa/retrieval/pipeline.py's fold of a story's copies):
        a row kept by an earlier question gives its own, the others are read without their texts
        and analyses (~3 a question on the dev index, none of them cited)."""
        kept = self._rows.rows
        out = {pid: row.date for pid in passage_ids if (row := kept.get(pid)) is not None}  # type: ignore[attr-defined]
        missing = [pid for pid in passage_ids if pid not in out]
        if missing:
            dated = self._dates.read(missing, lambda ids: {pid: (date,) for pid, date in
                                                            store.passage_dates(self._conn, ids).items()})
            out.update((pid, found[0]) for pid, found in dated.items())  # type: ignore[index]
        return out

    def sentence_vectors(self, passage_ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The sentence vectors of these passages (qa/retrieval/sentence_vectors.py), one SELECT for
        those not read yet; none at all from an index not built with them for every passage. Kept
        as float32, turned from the stored float16 once as read: numpy's cast of float16 is one
        value at a time (~2 ns each, ~0.08 ms of a question's ~10 passages) and a passage is
        read again by most questions on its story."""
        meta = self.snapshot.meta
        if not meta.sentence_vectors:
            return {}

        def fetch(ids: list[int]) -> dict[int, np.ndarray]:
            import numpy as np

            from qa.embedding.sentences import from_blob

            return {pid: from_blob(blob, meta.dim).astype(np.float32)
                    for pid, blob in store.sentence_vectors(self._conn, ids).items()}

        return self._sentences.read(passage_ids, fetch)  # type: ignore[return-value]

    def passages_of_documents(self, doc_ids: Iterable[int]) -> list[DocumentPassage]:
        def fetch(docs: list[int]) -> dict[int, list[DocumentPassage]]:
            found: dict[int, list[DocumentPassage]] = {doc: [] for doc in docs}
            for row in store.passages_of_documents(self._conn, docs):
                found[row.doc_id].append(row)
            return found

        return [row for rows in self._doc_passages.read(doc_ids, fetch).values() for row in rows]  # type: ignore[attr-defined]

    def same_document(self, passage_ids: Sequence[int]) -> bool:
        """True when these two passages are from one document (their kept citation rows)."""
        if len(passage_ids) != 2:
            return False
        return len({row.doc_id for row in self.citation_rows(passage_ids).values()}) == 1

    def stories_of(self, passage_ids: Sequence[int]) -> dict[int, int]:
        """The candidates' story groups, read per question (no map of every passage held in
        memory), those read for earlier questions kept."""
        return self._stories.read(passage_ids, lambda ids: store.stories_of(self._conn, ids))  # type: ignore[return-value]

    def story_members(self, story_ids: Sequence[int]) -> list[StoryMember]:
        return store.story_members(self._conn, story_ids)

    def documents(self) -> list[DocumentListing]:
        """(title, path, passages) of every indexed document, by path."""
        return store.document_list(self._conn)

    def document_details(self) -> list[DocumentDetails]:
        """Every indexed document with its passage count, date, author and site, by path."""
        return store.document_details(self._conn)

    def close(self) -> None:
        self._conn.close()
