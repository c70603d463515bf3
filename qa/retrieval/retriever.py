"""The Retriever: the pipeline's stages over one index (qa.interfaces.IndexReader: the engine the
index folder records, qa/engines/readers.py, unless one is given).

It reads one generation of the index at a time; when a reindex commits a new generation, the next
question loads it. Passage texts and citations are read for the few passages returned.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from qa.index import store
from qa.errors import IndexCorrupt, IndexMismatch, QAError
from qa.embedding.encoder import Encoder, encode_meanwhile
from qa.engines.readers import open_reader
from qa.interfaces import IndexReader
from qa.index.integrity import DamagedCitation, repair_command, suspect
from qa.retrieval.duplicates import date_key, name_copies
from qa.retrieval.filters import FilterMask, Filters
from qa.retrieval.pipeline import rank_candidates
from qa.retrieval.records import Answer
from qa.retrieval.snapshot import IndexSnapshot
from qa.retrieval.request import requested
from qa.retrieval.spelling import spell
from qa.index.text import tokenize
from qa.settings import DEFAULT_SETTINGS, RetrievalSettings

#: the Answer's mode label per search mode
MODE_LABELS = {"hybrid": "hybrid", "dense": "dense", "bm25": "keyword"}


class Retriever:
    """Answers questions from one index folder."""

    def __init__(self, index_dir: Path, settings: RetrievalSettings | None = None,
                 index: IndexReader | None = None) -> None:
        """settings: the shipped ones when None, with the BM25 parameters the index records it
        was built with; settings given (e.g. by a benchmark sweep) are used as they are. index:
        the engine read (default: the local one over index_dir)."""
        self.index_dir = Path(index_dir)
        self._given = settings
        self.settings = settings or DEFAULT_SETTINGS
        self.index: IndexReader = index if index is not None else \
            open_reader(self.index_dir, settings.bm25_params if settings else None)
        self._loaded()

    def _loaded(self) -> None:
        self.fold_copies = True  # copies of one story as one card (a benchmark turns it off)
        if self._given is None:
            self.settings = replace(DEFAULT_SETTINGS, **self.index.meta.bm25)

    def refresh(self) -> bool:
        """Reload if a reindex committed a new generation; True when it did."""
        if self.index.refresh():
            self._loaded()
            return True
        return False

    @property
    def snapshot(self) -> IndexSnapshot:
        """The generation in memory (the local engine's; benchmarks and tests read its parts)."""
        return self.index.terms  # type: ignore[return-value]

    @property
    def meta(self) -> store.IndexMeta:
        return self.index.meta

    @property
    def generation(self) -> int:
        return self.index.generation

    @property
    def model(self) -> str:
        return self.index.meta.model

    @property
    def passage_count(self) -> int:
        return int(self.index.passage_ids.size)

    def check_model(self, model: str | None) -> None:
        if model and model != self.model:
            raise IndexMismatch(f"the index was built with {self.model}, not {model}; "
                                f"rebuild it with: qa index --rebuild --model {model}")

    def search(self, question: str, k: int = 3, embedder: Encoder | None = None,
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
        spelled = spell(self.index.terms.lexicon, requested(text), self.settings)  # "tell me about X": X
        # the question's encoding runs while its keyword ranking is made (qa/retrieval/candidates.py),
        # when the encoder can (vector None: encoded here, one step after the other)
        vector = encode_meanwhile(embedder, spelled.text) if embedder is not None and mode != "bm25" else None
        wanted = spelled.query(embedder.encode([spelled.text])[0] if vector is None and mode != "bm25" else None)
        if text != question:  # a follow-up: which of its words are borrowed, to weigh less in the choice
            wanted = wanted._replace(context=frozenset(tokenize(text)) - frozenset(tokenize(question)))
        mask = self.filter_mask(filters) if filters is not None and filters.active else None
        candidates = self.index.candidates(wanted, mode, self.settings, None if mask is None else mask.allowed,
                                           vector=vector)
        if vector is not None:
            wanted = wanted._replace(vector=vector())
        stories = self.index.stories_of(sorted({*candidates.bm25, *candidates.dense})) if self.fold_copies else {}
        try:
            ranking = rank_candidates(self.index.terms, self.index, wanted, candidates, mode, k,  # type: ignore[arg-type]
                                      self.settings, stories)
        except DamagedCitation as exc:
            suspect(self.index_dir)  # the `qa index` named below inspects every row
            raise IndexCorrupt(f"{exc}; repair with: {repair_command(self.index_dir)}") from None
        hits = ranking.hits
        if stories:
            name_copies(hits, stories, self.index.story_members(
                sorted({stories[h.passage_id] for h in hits if h.passage_id in stories})))
        if sort == "date":
            hits = sorted(hits, key=lambda h: date_key(h.date))
        # "matching" 0: the filters pass nothing (a source typed wrong), which no rephrasing mends
        applied = None if mask is None else {**filters.as_json(), "undated_excluded": mask.undated_excluded,
                                             "matching": int(mask.allowed.sum())}
        return Answer(question, ranking.answered, hits, MODE_LABELS[mode], filters=applied, sort=sort,
                      corrected=spelled.corrected, sources_differ=[h.rank for h in ranking.differ])

    def filter_mask(self, filters: Filters) -> FilterMask:
        """Which passages of the current generation pass `filters`."""
        return self.index.filter_mask(filters)

    def documents(self) -> list[store.DocumentListing]:
        """(title, path, passages) of every indexed document, by path."""
        return self.index.documents()

    def document_details(self) -> list[store.DocumentDetails]:
        """Every indexed document with its passage count, date, author and site, by path."""
        return self.index.document_details()

    def close(self) -> None:
        self.index.close()
