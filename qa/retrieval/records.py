"""The records the retrieval stages pass along, and the answer they make."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

#: a passage's JSON names at most this many of its story's other copies (earliest first);
#: `duplicates_total` counts them all (20,000 identical files made a 549 KB line)
MAX_COPIES_JSON = 20


class Query(NamedTuple):
    """What is searched for: its BM25 tokens and (without a model: None) its vector; what spelling
    found (qa/retrieval/spelling.py): other spellings of its names in the index (stem -> the name's
    stem) and the stems of its names."""

    text: str
    tokens: list[str]
    vector: np.ndarray | None
    aliases: Mapping[str, str] = MappingProxyType({})
    names: tuple[str, ...] = ()
    context: frozenset[str] = frozenset()  # a follow-up's stems borrowed from earlier questions, not its own


@dataclass(frozen=True)
class Candidates:
    """Both rankings' candidates for one query. `bm25` and `dense` score every candidate in the
    hybrid (each list's ids completed with their score in the other; 0 BM25 when no term
    matches); in a single mode the other dict is empty. The ranked lists are the rankings as
    retrieved, best first (the answered rule asks whether their first passages agree)."""

    bm25_ranked: list[int]
    dense_ranked: list[int]
    bm25: dict[int, float]
    dense: dict[int, float]


class Copy(NamedTuple):
    """Another document carrying a cited passage's story (a syndicated or republished copy)."""

    source: str  # display path
    title: str
    date: str | None

    def as_json(self) -> dict[str, str | None]:
        return {"source": self.source, "title": self.title, "date": self.date}


@dataclass
class Hit:
    rank: int
    passage_id: int
    title: str
    path: str  # absolute path of the source file
    paragraph: int
    paragraph_end: int
    start: int
    end: int
    text: str
    score: float
    bm25_score: float
    dense_score: float | None
    highlight_start: int  # document coordinates
    highlight_end: int
    weak: bool = False
    page: int | None = None  # the PDF page the passage starts on (None: not a PDF)
    available: bool = True  # False: the file cannot be opened now (e.g. its drive is unmounted)
    changed: bool = False  # True: the file changed since it was indexed (offsets may not match it now)
    date: str | None = None  # the article's publication date (ISO YYYY-MM-DD); None: unknown
    author: str | None = None
    site: str | None = None
    duplicates: list[Copy] = field(default_factory=list)  # other copies of this story, earliest first
    #: the answer phrase inside the highlight (document coordinates): a phrase of the type the
    #: question asks for (qa/retrieval/answer_types.py); None: none found
    answer: tuple[int, int] | None = None
    support: int = 0  # other independent stories among the best passages that hold the answer phrase
    #: the codec the offsets are into (`open(path, encoding=..., newline="")`: "utf-8", "utf-8-sig",
    #: "cp1252", ...), or "html:<codec>" / "pdf": offsets into the extracted text; None: unknown
    encoding: str | None = None

    @property
    def source(self) -> str:
        """The path as a user would type it: relative to the working directory when inside it."""
        return display_path(self.path)

    def as_json(self) -> dict[str, object]:
        return {
            "rank": self.rank, "title": self.title, "source": self.source, "paragraph": self.paragraph,
            "paragraph_end": self.paragraph_end, "start": self.start, "end": self.end, "text": self.text,
            "score": round(self.score, 6), "bm25": round(self.bm25_score, 4),
            "dense": None if self.dense_score is None else round(self.dense_score, 4),
            "highlight": {"start": self.highlight_start, "end": self.highlight_end},
            "answer": None if self.answer is None else {"start": self.answer[0], "end": self.answer[1]},
            "support": self.support,
            "weak": self.weak,
            "page": self.page, "encoding": self.encoding, "available": self.available, "changed": self.changed,
            "date": self.date, "author": self.author, "site": self.site,
            "duplicates": [c.as_json() for c in self.duplicates[:MAX_COPIES_JSON]],
            "duplicates_total": len(self.duplicates),
        }


@dataclass
class Answer:
    question: str
    answered: bool
    hits: list[Hit] = field(default_factory=list)
    mode: str = "hybrid"  # or "keyword" when no model is loaded, or "dense"
    #: the filters applied (qa/retrieval/filters.py Filters.as_json() + "undated_excluded": documents
    #: the date bounds left out for an unknown date); None: none
    filters: dict[str, object] | None = None
    sort: str = "relevance"  # or "date": hits ordered by date, unknown last (ranks stay relevance ranks)
    corrected: dict[str, str] = field(default_factory=dict)  # word as typed -> word searched
    #: ranks of the passages whose answers differ (qa/retrieval/support.py), first the top one; []: none
    sources_differ: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"question": self.question, "answered": self.answered, "mode": self.mode,
                "corrected": self.corrected, "filters": self.filters, "sort": self.sort,
                "sources_differ": self.sources_differ or None,
                "passages": [h.as_json() for h in self.hits]}


def display_path(path: str) -> str:
    cwd = os.getcwd()
    if path.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(path, cwd)
    return path
