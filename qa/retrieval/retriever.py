"""The Retriever: the pipeline's stages over one index folder.

It holds one snapshot of the index (one generation) in memory; when a reindex commits a new
generation, the next question loads it. Passage texts and citations are read from the database
for the few passages returned.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from qa import store
from qa.errors import IndexCorrupt, IndexMismatch, QAError
from qa.integrity import DamagedCitation, repair_command, suspect
from qa.retrieval.candidates import retrieve
from qa.retrieval.duplicates import date_key, name_copies
from qa.retrieval.filters import DocumentTable, FilterMask, Filters
from qa.retrieval.pipeline import StorePassages, rank_candidates
from qa.retrieval.records import Answer
from qa.retrieval.snapshot import IndexSnapshot
from qa.retrieval.spelling import spell
from qa.settings import DEFAULT_SETTINGS, RetrievalSettings

#: the Answer's mode label per search mode
MODE_LABELS = {"hybrid": "hybrid", "dense": "dense", "bm25": "keyword"}


class Retriever:
    """Answers questions from one index folder."""

    def __init__(self, index_dir: Path, settings: RetrievalSettings | None = None) -> None:
        """settings: the shipped ones when None, with the BM25 parameters the index records it
        was built with; settings given (e.g. by a benchmark sweep) are used as they are."""
        self.index_dir = Path(index_dir)
        self._given = settings
        self.settings = settings or DEFAULT_SETTINGS
        self._conn = store.connect(self.index_dir)
        self._load()

    def _load(self) -> None:
        self.snapshot = IndexSnapshot.load(self._conn, self.index_dir,
                                           self._given.bm25_params if self._given else None)
        self.fold_copies = True  # copies of one story as one card (a benchmark turns it off)
        self._documents: DocumentTable | None = None  # read on the first filtered question
        if self._given is None:
            self.settings = replace(DEFAULT_SETTINGS, **self.snapshot.meta.bm25)

    def refresh(self) -> bool:
        """Reload if a reindex committed a new generation; True when it did."""
        meta = store.read_meta(self._conn)
        if meta is not None and meta.generation != self.snapshot.generation:
            self._load()
            return True
        return False

    @property
    def meta(self) -> store.IndexMeta:
        return self.snapshot.meta

    @property
    def generation(self) -> int:
        return self.snapshot.generation

    @property
    def model(self) -> str:
        return self.snapshot.meta.model

    @property
    def passage_count(self) -> int:
        return int(self.snapshot.passage_ids.size)

    def check_model(self, model: str | None) -> None:
        if model and model != self.model:
            raise IndexMismatch(f"the index was built with {self.model}, not {model}; "
                                f"rebuild it with: qa index --rebuild --model {model}")

    def search(self, question: str, k: int = 3, embedder: object | None = None,
               mode: str = "hybrid", query: str | None = None, filters: Filters | None = None,
               sort: str = "relevance") -> Answer:
        """Top k stories' passages for the question. `query`, when given, is what is searched for
        (e.g. the question with context from earlier ones); mode: hybrid, bm25 or dense
        (bm25 when there is no embedder). `filters` (qa/retrieval/filters.py) limit the passages
        before the top k is cut; sort="date" orders the k by date, unknown last."""
        self.refresh()
        text = question if query is None else query
        if not question.strip():
            raise QAError("the question is empty; type a question")
        if embedder is None:
            mode = "bm25"
        spelled = spell(self.snapshot.lexicon, text, self.settings)
        wanted = spelled.query(embedder.encode([spelled.text])[0] if mode != "bm25" else None)
        mask = self.filter_mask(filters) if filters is not None and filters.active else None
        candidates = retrieve(self.snapshot, wanted, mode, self.settings, None if mask is None else mask.allowed)
        # the candidates' story groups, read per question: no map of every passage held in memory
        stories = store.stories_of(self._conn, sorted({*candidates.bm25, *candidates.dense})) \
            if self.fold_copies else {}
        try:
            ranking = rank_candidates(self.snapshot, StorePassages(self._conn), wanted, candidates, mode, k,
                                      self.settings, stories)
        except DamagedCitation as exc:
            suspect(self.index_dir)  # the `qa index` named below inspects every row
            raise IndexCorrupt(f"{exc}; repair with: {repair_command(self.index_dir)}") from None
        hits = ranking.hits
        if stories:
            name_copies(hits, stories, store.story_members(
                self._conn, sorted({stories[h.passage_id] for h in hits if h.passage_id in stories})))
        if sort == "date":
            hits = sorted(hits, key=lambda h: date_key(h.date))
        applied = None if mask is None else {**filters.as_json(), "undated_excluded": mask.undated_excluded}
        return Answer(question, ranking.answered, hits, MODE_LABELS[mode], filters=applied, sort=sort,
                      corrected=spelled.corrected, sources_differ=[h.rank for h in ranking.differ])

    def filter_mask(self, filters: Filters) -> FilterMask:
        """Which passages of the current snapshot pass `filters`."""
        if self._documents is None:
            self._documents = DocumentTable(store.document_facts(self._conn),
                                            *store.passage_documents(self._conn), self.snapshot.passage_ids)
        return self._documents.mask(filters)

    def documents(self) -> list[store.DocumentListing]:
        """(title, path, passages) of every indexed document, by path."""
        return store.document_list(self._conn)

    def document_details(self) -> list[store.DocumentDetails]:
        """Every indexed document with its passage count, date, author and site, by path."""
        return store.document_details(self._conn)

    def close(self) -> None:
        self._conn.close()
