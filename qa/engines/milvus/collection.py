"""The Milvus collection an index publishes to: connecting (one line naming the URI when it
cannot), its schema, the published generation it records, and the requests qa makes of it.

Schema (one row per passage): id (the catalogue's passage id, primary key), gen (the generation
that added the row), doc_id, date (yyyymmdd, 0 unknown), text, cite (JSON: the rest of the
citation row), vector (the passage's embedding, inner product), sparse (its BM25 term weights,
qa/engines/milvus/rows.py). Collection properties: qa.generation (the generation readers answer
from), qa.model, qa.avgdl.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from qa.engines.uri import LITE_PREFIX, TOKEN_VARIABLE, client_uri, collection_name
from qa.errors import QAError
from qa.settings import DEFAULT_MILVUS, MilvusSettings

GENERATION = "qa.generation"
#: pymilvus pings an idle connection every 10 s; a gRPC server's default policy (Milvus Lite's)
#: answers pings more often than every 5 minutes with GOAWAY "too_many_pings", which gRPC prints
#: on stderr: ping no more often than the default allows
KEEPALIVE = {"grpc.keepalive_time_ms": 330_000}
#: Milvus's BM25 function: its input (title and text) and output fields (MilvusSettings.bm25 = "function")
FUNCTION_TEXT, FUNCTION_FIELD = "bm25_text", "bm25_sparse"
MODEL = "qa.model"
AVGDL = "qa.avgdl"


class EngineUnreachable(QAError):
    """The engine cannot be reached (nothing local was changed)."""


@dataclass(frozen=True)
class Published:
    """What the collection says it holds: the generation readers answer from (0: none yet)."""

    generation: int
    model: str | None
    avgdl: float | None


def connect(engine: str, settings: MilvusSettings = DEFAULT_MILVUS) -> "Collection":
    """The engine's collection (created on the first publish); EngineUnreachable, one line naming the URI."""
    logging.getLogger("milvus_lite").setLevel(logging.CRITICAL)  # a failed start is said in our one line
    try:
        from pymilvus import MilvusClient

        # after its import, which sets it: its notes and logged RPC errors are not the user's (a
        # failure is an exception, said in one line)
        logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
        client = MilvusClient(uri=client_uri(engine), token=os.environ.get(TOKEN_VARIABLE, ""),
                              timeout=settings.connect_timeout, grpc_options=KEEPALIVE)
    except Exception as exc:  # pymilvus raises its own, grpc's and OSError alike
        reason = " ".join(str(getattr(exc, "message", None) or exc).split())
        if lite_file_busy(engine):
            reason = ("another process has the Milvus Lite file open (one process at a time; for many, serve "
                      "it with make milvus-server and use --engine http://127.0.0.1:19530)")
        raise EngineUnreachable(f"cannot reach the engine {engine}: {reason}") from None
    collection = Collection(client, collection_name(engine, settings.collection), engine, settings)
    collection.load()  # a reader, a check or a publish: each searches or queries it
    return collection


def lite_file_busy(engine: str) -> bool:
    """True when the engine is a Milvus Lite file another process holds (its LOCK file flocked)."""
    if not engine.startswith(LITE_PREFIX):
        return False
    lock = os.path.join(client_uri(engine), "LOCK")
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


class Collection:
    """One collection on one engine."""

    def __init__(self, client: object, name: str, engine: str, settings: MilvusSettings) -> None:
        self.client, self.name, self.engine, self.settings = client, name, engine, settings

    def exists(self) -> bool:
        return bool(self.client.has_collection(self.name))

    def create(self, dim: int) -> None:
        """The collection with its schema and indexes (a collection already there is kept)."""
        from pymilvus import DataType

        if self.exists():
            return
        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        for name in ("gen", "doc_id", "date"):
            schema.add_field(name, DataType.INT64)
        schema.add_field("text", DataType.VARCHAR, max_length=65535)
        schema.add_field("cite", DataType.JSON)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        index = self.client.prepare_index_params()
        index.add_index("vector", index_type=self.settings.dense_index, metric_type="IP",
                        params=dict(self.settings.dense_index_params))
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        if self.settings.bm25 == "function":
            _add_bm25_function(schema, index)
        self.client.create_collection(self.name, schema=schema, index_params=index)
        self.load()

    def load(self) -> None:
        """Load the collection for searching if it is not (a Lite folder opened again, a server
        restarted: Milvus searches loaded collections only)."""
        if self.exists() and "Loaded" not in str(self.client.get_load_state(self.name).get("state")):
            self.client.load_collection(self.name)

    def bm25_source(self) -> str:
        """How this collection was made to score BM25 (MilvusSettings.bm25): its schema says."""
        if not self.exists():
            return self.settings.bm25
        fields = {f["name"] for f in self.client.describe_collection(self.name).get("fields", [])}
        return "function" if FUNCTION_FIELD in fields else "analyzer"

    def published(self) -> Published:
        if not self.exists():
            return Published(0, None, None)
        found = self.client.describe_collection(self.name).get("properties") or {}
        avgdl = found.get(AVGDL)
        return Published(int(found.get(GENERATION, 0)), found.get(MODEL), float(avgdl) if avgdl else None)

    def publish(self, generation: int, model: str, avgdl: float) -> None:
        """Switch readers to `generation` (one property write: they see the old one or the new)."""
        self.client.alter_collection_properties(
            self.name, properties={GENERATION: str(generation), MODEL: model, AVGDL: repr(avgdl)})

    def row_generations(self) -> dict[int, int]:
        """Every row's id -> the generation that added it."""
        found: dict[int, int] = {}
        if not self.exists():
            return found
        iterator = self.client.query_iterator(self.name, batch_size=self.settings.id_batch,
                                              filter="id >= 0", output_fields=["gen"])
        try:
            while batch := iterator.next():
                found.update((int(row["id"]), int(row["gen"])) for row in batch)
        finally:
            iterator.close()
        return found

    def insert(self, rows: Sequence[Mapping[str, object]]) -> None:
        for start in range(0, len(rows), self.settings.insert_batch):
            self.client.insert(self.name, list(rows[start:start + self.settings.insert_batch]))

    def flush(self) -> None:
        """Seal what was written into indexed segments: Milvus Lite searches unflushed rows by a
        Python scan (3.4 s a question at 10k rows, 0.12 s once flushed)."""
        self.client.flush(self.name)

    def upsert(self, rows: Sequence[Mapping[str, object]]) -> None:
        for start in range(0, len(rows), self.settings.insert_batch):
            self.client.upsert(self.name, list(rows[start:start + self.settings.insert_batch]))

    def delete(self, ids: Sequence[int]) -> None:
        for part in self._batches(ids):
            self.client.delete(self.name, ids=part)

    def rows(self, ids: Sequence[int], fields: Sequence[str], generation: int | None = None) -> Iterator[dict]:
        """The rows of these ids (those the collection holds), with `fields`; with `generation`,
        only rows it has (gen <= generation). Fetched by primary key, the generation checked here:
        an `id in [...] and gen <= N` expression costs Milvus Lite a scan (37 ms against 3)."""
        wanted = [*fields, "gen"] if generation is not None and "gen" not in fields else list(fields)
        for part in self._batches(ids):
            for row in self.client.get(self.name, ids=part, output_fields=wanted):
                if generation is None or int(row["gen"]) <= generation:
                    yield row

    def search(self, field: str, query: object, limit: int, where: str) -> list[tuple[int, float]]:
        """(id, score) of the `limit` best rows by `field`'s metric (inner product; BM25 for the
        function's field, whose query is the question's text), best first."""
        if limit <= 0:
            return []
        metric = "BM25" if field == FUNCTION_FIELD else "IP"
        found = self.client.search(self.name, data=[query], anns_field=field, limit=limit, filter=where,
                                   output_fields=["id"], search_params={"metric_type": metric})
        if metric == "BM25":  # Milvus Lite reports BM25 as a negated distance, Milvus as the score
            return [(int(hit["id"]), abs(float(hit["distance"]))) for hit in found[0]]
        return [(int(hit["id"]), float(hit["distance"])) for hit in found[0]]

    def count(self) -> int:
        if not self.exists():
            return 0
        return int(self.client.query(self.name, filter="", output_fields=["count(*)"])[0]["count(*)"])

    def _batches(self, ids: Sequence[int]) -> Iterator[list[int]]:
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), self.settings.id_batch):
            yield ids[start:start + self.settings.id_batch]

    def close(self) -> None:
        self.client.close()


def _add_bm25_function(schema: object, index: object) -> None:
    """Milvus's own BM25 over title and text: its standard tokenizer (lower case, \\w+) with the
    project's stop words; the shipped BM25 parameters."""
    from pymilvus import DataType, Function, FunctionType

    from qa.index.text import STOP_WORDS
    from qa.settings import DEFAULT_SETTINGS

    k1, b, _ = DEFAULT_SETTINGS.bm25_params
    schema.add_field(FUNCTION_TEXT, DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                     analyzer_params={"tokenizer": "standard", "filter": [{"type": "stop", "stop_words": sorted(STOP_WORDS)}]})
    schema.add_field(FUNCTION_FIELD, DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=[FUNCTION_TEXT],
                                 output_field_names=[FUNCTION_FIELD]))
    index.add_index(FUNCTION_FIELD, index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                    params={"bm25_k1": k1, "bm25_b": b})


def dense_query(vector: np.ndarray) -> list[float]:
    return np.asarray(vector, dtype=np.float32).tolist()
