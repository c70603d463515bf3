"""PDF and HTML reading in a child process, within a memory and time budget (ReaderSettings).

PDFium's memory cannot be bounded from inside the process that calls it: a 611 KB PDF whose
content stream inflates to 200 MB of text operators took it to 23 GB. trafilatura's time is not
bounded either (an 8 MB page of paragraphs: 78 s). So both are run by a child process
(`python -m qa.ingest.reader_child`) that limits its own address space (RLIMIT_AS) before importing them;
the parent waits at most the reader's seconds per file. A child that dies or overruns is ended and
the file is skipped as over budget (documents.OverBudget); the next file starts a new child. One
child serves every PDF and HTML file of a process (started at the first, kept for the next:
BENCHMARKS.md "Reliability" has the cost), one file at a time. Text and Markdown are read in
process: their cost is bounded by the file size limit.

Protocol on the child's stdin/stdout: the reader's name ("pdf " or "html"), an 8-byte big-endian
length and the file's bytes; the reply is a length and a JSON object, the reader's fields
(documents.read_pdf_here / read_html_here) or {"error": reason}.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

from qa.settings import DEFAULT_READER, ReaderSettings

HEADER = 8
KINDS = {"pdf": b"pdf ", "html": b"html"}


class BudgetExceeded(Exception):
    """Reading the file needed more memory or time than its budget; the message says which."""


class ReadFailed(Exception):
    """The reader refused the file (documents.Unreadable in the child); the message says why."""


class ReadWorker:
    """One child process reading files under `settings`' limits, started again after a failure."""

    def __init__(self, settings: ReaderSettings = DEFAULT_READER) -> None:
        self.settings = settings
        self._child: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            root = str(Path(__file__).resolve().parents[2])  # this qa, whatever the cwd
            path = os.environ.get("PYTHONPATH")
            env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
            self._child = subprocess.Popen(
                [sys.executable, "-m", "qa.ingest.reader_child", str(self.settings.memory_bytes)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        return self._child

    def read(self, kind: str, data: bytes) -> dict:
        """The reader's fields for the file's bytes; ReadFailed as documents.Unreadable would be,
        BudgetExceeded over budget."""
        child = self._start()
        seconds = self.settings.seconds(kind)
        deadline = time.monotonic() + seconds
        try:
            child.stdin.write(KINDS[kind] + len(data).to_bytes(HEADER, "big") + data)
            child.stdin.flush()
            size = int.from_bytes(_read(child, HEADER, deadline), "big")
            reply = json.loads(_read(child, size, deadline))
        except (BrokenPipeError, EOFError, ValueError):
            self.close()
            raise BudgetExceeded(f"needs more than {self.settings.memory_bytes >> 20} MB of memory to read "
                                 "(the reader's budget); skipped until it changes") from None
        except TimeoutError:
            self.close()
            raise BudgetExceeded(f"takes longer than {seconds:g} s to read (the reader's budget); "
                                 "skipped until it changes") from None
        if "error" in reply:
            raise ReadFailed(reply["error"])
        return reply

    def close(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.kill()
            child.wait()
            for stream in (child.stdin, child.stdout):
                stream.close()


def _read(child: subprocess.Popen[bytes], size: int, deadline: float) -> bytes:
    """`size` bytes of the child's output; EOFError if it died, TimeoutError past `deadline`."""
    out = bytearray()
    fd = child.stdout.fileno()
    while len(out) < size:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError
        chunk = os.read(fd, min(size - len(out), 1 << 20))
        if not chunk:
            raise EOFError
        out += chunk
    return bytes(out)


#: the budgets the readers use (a test lowers them)
BUDGET = DEFAULT_READER
_shared: dict[ReaderSettings, ReadWorker] = {}
_lock = threading.Lock()


@atexit.register
def _close_all() -> None:
    """End the children at exit (they would end anyway, at the end of their input)."""
    for worker in list(_shared.values()):
        worker.close()


def read_within_budget(kind: str, data: bytes, settings: ReaderSettings | None = None) -> dict:
    """ReadWorker.read in this process's child (one file at a time across threads)."""
    settings = settings or BUDGET
    with _lock:
        worker = _shared.get(settings)
        if worker is None:
            worker = _shared[settings] = ReadWorker(settings)
        return worker.read(kind, data)


def close_worker(settings: ReaderSettings | None = None) -> None:
    """End this process's child for these budgets (the next read starts another), so that what it
    used counts in RUSAGE_CHILDREN (benchmarks/reader_budget.py)."""
    with _lock:
        worker = _shared.pop(settings or BUDGET, None)
    if worker is not None:
        worker.close()
