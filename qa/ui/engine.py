"""The search engine as the UI uses it: off the UI thread, loaded in the background.

The Searcher lives on one dedicated thread, because its sqlite connection belongs to the thread
that opened it; every call to it goes through `Engine.call`, which also serializes them. The
embedding model loads on its own thread meanwhile; until it is ready questions are answered by
keywords (BM25) alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
import queue
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from qa import store
from qa.config import DEFAULT_MODEL
from qa.errors import IndexMissing, QAError

if TYPE_CHECKING:  # imported on the engine thread, not at start-up (numpy, scipy, faiss)
    from qa.search import Answer, Searcher

T = TypeVar("T")

#: builds the embedding model from its name (tests inject one that is already loaded)
EmbedderFactory = Callable[[str], Any]


def load_embedder(model_name: str) -> Any:
    from qa.embedder import question_encoder

    return question_encoder(model_name)


class Engine:
    def __init__(self, index_dir: Path, embedder_factory: EmbedderFactory = load_embedder) -> None:
        self.index_dir = Path(index_dir)
        self.embedder_factory = embedder_factory
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        # a daemon thread: quitting never waits for an index to finish loading
        threading.Thread(target=self._serve, name="qa-engine", daemon=True).start()
        self.searcher: Searcher | None = None
        self.embedder: Any = None
        self.model_error: str | None = None
        self.model_done = threading.Event()  # set when the model is loaded or failed to load

    # -- the searcher thread ------------------------------------------------------------
    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            future, fn, args, kwargs = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:
                    future.set_exception(exc)

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        self._jobs.put((future, fn, args, kwargs))
        return future

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run fn on the searcher's thread and wait for its result (call from a worker thread)."""
        return self.submit(fn, *args, **kwargs).result()

    def _open(self) -> Searcher:
        if self.searcher is None:
            from qa.search import Searcher

            self.searcher = Searcher(self.index_dir)
        else:
            self.searcher.refresh()
        return self.searcher

    def open(self) -> tuple[int, int]:
        """Load (or reload) the index; (documents, passages). Raises QAError when there is none."""
        def opened() -> tuple[int, int]:
            searcher = self._open()
            return len(searcher.documents()), searcher.passage_count
        return self.call(opened)

    def search(self, question: str, query: str, k: int) -> Answer:
        embedder = self.embedder if self.model_done.is_set() else None

        def run() -> Answer:
            return self._open().search(question, k=k, embedder=embedder,
                                       mode="hybrid" if embedder is not None else "bm25", query=query)
        return self.call(run)

    def documents(self) -> list[tuple[str, str, int]]:
        return self.call(lambda: self._open().documents())

    @property
    def generation(self) -> int | None:
        """The generation of the index loaded in memory (None before one is)."""
        return self.searcher.generation if self.searcher is not None else None

    def _disk_meta(self) -> store.IndexMeta | None:
        """The settings the index folder holds now (None when there is no index yet)."""
        try:
            conn = store.connect(self.index_dir)
        except IndexMissing:
            return None
        try:
            return store.read_meta(conn)
        finally:
            conn.close()

    def on_disk_generation(self) -> int | None:
        """The generation the index folder holds now (None when there is no index)."""
        meta = self._disk_meta()
        return meta.generation if meta else None

    # -- the model thread ------------------------------------------------------------------
    def model_name(self) -> str:
        """The index's model, or the default one for an index yet to be built."""
        meta = self._disk_meta()
        return meta.model if meta else DEFAULT_MODEL

    def load_model(self) -> None:
        """Load the embedding model (call from a worker thread); failures are kept, not raised."""
        try:
            self.embedder = self.embedder_factory(self.model_name())
        except QAError as exc:
            self.model_error = str(exc)
        except Exception as exc:  # any failure leaves the app usable by keywords
            self.model_error = f"{type(exc).__name__}: {exc}"
        finally:
            self.model_done.set()

    @property
    def model_ready(self) -> bool:
        return self.model_done.is_set() and self.embedder is not None

    def close(self) -> None:
        def closing() -> None:
            if self.searcher is not None:
                self.searcher.close()
        try:
            self.submit(closing).result(timeout=2)
        except Exception:
            pass
        self._jobs.put(None)
