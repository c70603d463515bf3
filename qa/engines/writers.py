"""The IndexWriter for an index folder: `--engine` when given (recorded by the sync), else the
engine the folder records, else the local one. Milvus's module is imported only for Milvus."""

from __future__ import annotations

from pathlib import Path

from qa.engines.uri import parse_engine, record_engine, recorded_engine
from qa.index import store
from qa.interfaces import IndexWriter


def open_writer(index_dir: Path, engine_flag: str | None = None) -> IndexWriter:
    """The writer (a Milvus one reaches its engine first: nothing local changes when it cannot)."""
    from qa.index.writer import LocalIndexWriter

    engine = parse_engine(engine_flag) if engine_flag is not None else recorded_engine(index_dir)
    if engine is None:
        if engine_flag is not None and (Path(index_dir) / store.DB_NAME).exists():
            record_engine(Path(index_dir), None)  # `--engine local`: back to the folder's own engine
        return LocalIndexWriter(index_dir)
    from qa.engines.milvus.writer import MilvusIndexWriter

    return MilvusIndexWriter(index_dir, engine)
