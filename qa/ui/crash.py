"""An unexpected error in the UI (a bug) ends it with one line on stderr that says where the
details are, and exit status 1; the traceback goes to a log file in the per-user cache folder,
not over the user's terminal. No Textual here."""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

#: the log of the last unexpected error, in the per-user cache folder (qa/locations.py)
LOG_NAME = "ui-error.log"
#: longest error text on the one line (the log has it whole)
SUMMARY_CHARS = 200
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def summary(error: BaseException | None) -> str:
    """'TypeError: object Worker can't be used ...' on one line."""
    if error is None:
        return "the app stopped on an error"
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS - 1] + "…"


def details(error: BaseException | None, textual_report: str = "") -> str:
    """The log's text: when, the traceback, and what Textual printed (colours taken out)."""
    parts = [f"qa: unexpected error in the UI at {time.strftime('%Y-%m-%d %H:%M:%S')}"]
    if error is not None:
        parts.append("".join(traceback.format_exception(error)))
    if textual_report.strip():
        parts.append("Textual's report:\n" + _ANSI.sub("", textual_report))
    return "\n".join(parts) + "\n"


def write_log(text: str) -> Path | None:
    """Write the log in the cache folder (else a new file in the temporary folder); None if neither can be."""
    from qa.locations import cache_dir

    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOG_NAME
        path.write_text(text, encoding="utf-8")
        return path
    except OSError:
        pass
    try:
        fd, name = tempfile.mkstemp(prefix="qa-ui-error-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        return Path(name)
    except OSError:
        return None


def report(error: BaseException | None, textual_report: str = "") -> int:
    """Log the error, say so in one line on stderr, and return the exit status (1)."""
    path = write_log(details(error, textual_report))
    where = f"details in {path}" if path else "no log could be written"
    print(f"qa: unexpected error in the UI: {summary(error)}; {where}", file=sys.stderr)
    return 1
