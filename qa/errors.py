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
