"""Engine URIs: what `qa index --engine` accepts, how the index records it, how a client reaches it.

Forms: `milvus:PATH.db` (a Milvus Lite file, recorded with its absolute path), `http://HOST:PORT`
or `https://...` (a Milvus server; a token comes from $QA_MILVUS_TOKEN and is never written), and
`local` (back to the index folder's own engine); `#NAME` after either names the collection. The URI lives in the catalogue's meta table.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from qa.errors import IndexMissing, QAError
from qa.index import store

LOCAL = "local"
LITE_PREFIX = "milvus:"
#: the environment variable a Milvus server's token is read from (never recorded)
TOKEN_VARIABLE = "QA_MILVUS_TOKEN"


def parse_engine(text: str) -> str | None:
    """The URI to record for `--engine TEXT` (None: the local engine); QAError naming the forms."""
    value = text.strip()
    if value == LOCAL:
        return None
    if value.startswith(LITE_PREFIX) and not value.startswith("milvus://"):
        path, hash_, name = value[len(LITE_PREFIX):].partition("#")
        if not path.endswith(".db"):
            raise QAError(f"a Milvus Lite engine is a file ending in .db, e.g. milvus:./archive.db (not {text})")
        return LITE_PREFIX + os.path.abspath(os.path.expanduser(path)) + hash_ + name
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.hostname:
        if parts.username or parts.password:
            raise QAError(f"give the engine's credentials in ${TOKEN_VARIABLE}, not in the URI (it is recorded "
                          "with the index)")
        return value.rstrip("/")
    raise QAError(f"cannot read the engine {text!r}: give milvus:PATH.db (Milvus Lite), http://HOST:19530 "
                  "(a Milvus server) or local")


def client_uri(engine: str) -> str:
    """What pymilvus is given: the Lite file's path, or the server's URL (no #collection)."""
    engine = engine.split("#", 1)[0]
    return engine[len(LITE_PREFIX):] if engine.startswith(LITE_PREFIX) else engine


def collection_name(engine: str, default: str) -> str:
    """The collection the URI names after '#' (several indexes on one server), else `default`."""
    return engine.split("#", 1)[1] if "#" in engine and engine.split("#", 1)[1] else default


def recorded_engine(index_dir: Path) -> str | None:
    """The engine the index folder records (None: local, or no index yet)."""
    if not (Path(index_dir) / store.DB_NAME).exists():
        return None
    try:
        conn = store.connect(Path(index_dir))
    except IndexMissing:
        return None
    try:
        return store.read_engine(conn)
    finally:
        conn.close()


def record_engine(index_dir: Path, engine: str | None) -> None:
    conn = store.connect(Path(index_dir))
    try:
        store.write_engine(conn, engine)
    finally:
        conn.close()
