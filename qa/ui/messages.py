"""What the background work tells the app: each worker posts one of these Messages from its thread
and the app handles it on the UI thread (`on_index_loaded`, `on_reindex_progress`, …)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from qa.index.indexer import SyncReport
    from qa.ui.engine import IndexStats


class IndexLoaded(Message):
    """The index was loaded or reloaded; `initial` when it is the app's first load."""

    def __init__(self, stats: IndexStats, initial: bool = False) -> None:
        super().__init__()
        self.stats = stats
        self.initial = initial


class IndexProblem(Message):
    """There is no usable index (missing or damaged): the app says so and offers the reindex.
    `said`: the chat has said the problem already (a question failed on it): only the advice
    follows. `gone`: the index the app had open is away (no reindex is offered)."""

    def __init__(self, problem: str, said: bool = False, gone: bool = False) -> None:
        super().__init__()
        self.problem = problem
        self.said = said
        self.gone = gone


class ModelLoaded(Message):
    """The embedding model finished loading, or failed to (`error`)."""

    def __init__(self, error: str | None) -> None:
        super().__init__()
        self.error = error


class SourcesChanged(Message):
    """The result of a look at the sources: what changed ("" when nothing did), `changed` the
    paths that did (to sync them once, not again and again), and a warning line per source folder
    that is away for now (its documents are kept: never shown as removed)."""

    def __init__(self, summary: str, changed: frozenset[str] = frozenset(), warnings: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.summary = summary
        self.changed = changed
        self.warnings = warnings


class ReindexProgress(Message):
    """A step of a running reindex: phase ("reading", "embedding", …), done of total."""

    def __init__(self, phase: str, done: int, total: int) -> None:
        super().__init__()
        self.phase = phase
        self.done = done
        self.total = total


class ReindexNote(Message):
    """Something the indexer says while it runs (e.g. waiting for another writer)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Reindexed(Message):
    """The reindex finished and the new index is loaded."""

    def __init__(self, report: SyncReport, stats: IndexStats, added: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.report = report
        self.stats = stats
        self.added = added  # the paths this reindex added (Ctrl+O): its skipped files are said


class ReindexFailed(Message):
    """The reindex failed; the index is as it was."""

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class SourceRemoved(Message):
    """A source was taken out of the index (`summary`), or could not be (`problem`); `stats` of
    the index reloaded after it."""

    def __init__(self, summary: str, problem: str, stats: IndexStats | None) -> None:
        super().__init__()
        self.summary = summary
        self.problem = problem
        self.stats = stats
