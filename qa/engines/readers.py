"""The IndexReader an index folder answers from: the local engine unless the folder records
another (qa/engines/uri.py); Milvus's module is imported only then."""

from __future__ import annotations

from pathlib import Path

from qa.engines.uri import recorded_engine
from qa.interfaces import IndexReader
from qa.retrieval.local_index import LocalIndexReader
from qa.settings import BM25Params


def open_reader(index_dir: Path, bm25_params: BM25Params | None = None) -> IndexReader:
    engine = recorded_engine(index_dir)
    if engine is None:
        return LocalIndexReader(index_dir, bm25_params)
    from qa.engines.milvus.reader import MilvusIndexReader

    return MilvusIndexReader(index_dir, engine, bm25_params)
