"""Defaults and the settings an index is built with (recorded in it, checked on open)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

#: The layout this qa writes. Bump when it changes: an older qa then says the index is newer than
#: it (IndexTooNew) instead of calling its files damaged and repairing them.
#: 2: a generation is a list of immutable segments plus deleted passages (qa/index/segments.py).
#:    Its term files hold postings, mapped when read (qa/index/postings.py); one of the counts layout
#:    that came before is still read, so either may be found in a segment.
FORMAT_VERSION = 2
#: Layouts this qa reads and brings up to date without re-embedding (1: one vector/term file pair
#: per generation, read as one segment); anything else older is rebuilt.
READABLE_FORMAT_VERSIONS = (1, 2)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
#: the name of the default source folder (qa/locations.py finds it: the checkout's seeds/)
DEFAULT_SOURCE = Path("seeds")
DEFAULT_TOP_K = 3

#: File endings read as documents; anything else in a source folder is ignored.
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}  # the text layer, through qa/ingest/pdf.py; citations carry the page
DOCUMENT_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES


@dataclass(frozen=True)
class ChunkSettings:
    """How documents are cut into passages. Part of the index's identity."""

    #: a passage grows paragraph by paragraph (or sentence by sentence) up to this many words
    target_words: int = 120
    #: a passage never exceeds this many words unless one sentence alone is longer
    max_words: int = 180
    #: sentences repeated from the end of the previous passage when a paragraph is split
    overlap_sentences: int = 1
    #: the model sees "title\npassage" (context for passages that never name their subject)
    title_in_vectors: bool = True
    #: BM25 counts the title's words in every passage of the article
    title_in_bm25: bool = True

    def as_dict(self) -> dict[str, int | bool]:
        return asdict(self)


def index_dir_from(arg: str | os.PathLike[str] | None) -> Path:
    """The index folder: the --index flag, else $QA_INDEX, else the checkout's index/, else the
    user's data folder (qa/locations.py): never the working directory's ./index."""
    from qa.locations import resolve_index

    return resolve_index(arg).path


def model_from(arg: str | None) -> str | None:
    """The model asked for: the --model flag, else $QA_MODEL, else None (use the index's)."""
    return arg or os.environ.get("QA_MODEL") or None
