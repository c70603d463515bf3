"""Hybrid retrieval: BM25 and dense rankings fused, with citations and a highlighted sentence.

The public face of the retrieval pipeline (qa/retrieval/): `Searcher(index_dir, settings=...)`
answers questions from one index folder; `Hit`, `Answer` and `display_path` are its records.
"""

from __future__ import annotations

from qa.retrieval.records import Answer, Hit, display_path
from qa.retrieval.retriever import Retriever

#: the name the CLI, the UI and the tests use
Searcher = Retriever

__all__ = ["Answer", "Hit", "Searcher", "display_path"]
