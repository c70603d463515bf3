"""Errors a user can act on: the CLI prints them as one line, never a traceback."""


class QAError(Exception):
    """A problem the user can fix; the message says what happened and what to do next."""


class IndexMissing(QAError):
    pass


class IndexCorrupt(QAError):
    pass


class IndexMismatch(QAError):
    """The index was built with other settings (model, chunking, format) than asked for."""


class IndexBusy(QAError):
    pass


class IndexTooNew(IndexCorrupt):
    """The index was made by a newer qa (a higher format version): never overwritten unasked."""


class IndexTooOld(IndexCorrupt):
    """The index was made by an older qa (a lower format version): a sync rebuilds it."""


#: an index whose sources were recorded and nothing committed: a first `qa index` interrupted,
#: which `qa index` alone picks up again (not "add some with: qa index PATH")
NEVER_INDEXED = ("has no documents yet: its sources were recorded but never indexed (an interrupted "
                 "first qa index?); index them with: qa index")


def no_documents(index_dir: object, sources: int = 0) -> QAError:
    """An index with no documents: empty, or with sources recorded and never indexed."""
    if sources:
        return QAError(f"the index in {index_dir}/ {NEVER_INDEXED}")
    return QAError(f"the index in {index_dir}/ is empty: it has no documents; add some with: qa index PATH")


class ModelMissing(QAError):
    """The embedding model named is not on this machine (qa never downloads one). `as_recorded()`
    says it for the index's own model: --model would rebuild, so the way out is another."""

    def __init__(self, message: str, model: str, reason: str) -> None:
        super().__init__(message)
        self.model, self.reason = model, reason

    def as_recorded(self) -> QAError:
        from qa.config import DEFAULT_MODEL

        return QAError(f"the index's model {self.model} is not on this machine now ({self.reason}); put it back, "
                       f"ask by keywords with: qa ask --mode bm25 QUESTION, or rebuild the index with another "
                       f"(every passage embedded again): qa index --rebuild --model {DEFAULT_MODEL}")


class InterruptedAfterCommit(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) once the run had committed: the index is the new one, whole; only
    tidying (old files, a merge, the question encoder's export) was left. Not "as it was"."""
