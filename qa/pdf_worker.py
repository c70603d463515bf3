"""PDF text extraction in a child process, within a memory and time budget.

PDFium's memory cannot be bounded from inside the process that calls it: a 611 KB PDF whose
content stream inflates to 200 MB of text operators took it to 23 GB. So PDFs are read by a child
process (`python -m qa.pdf_worker`) that limits its own address space (RLIMIT_AS) before loading
PDFium; the parent waits at most `pdf_seconds` per file. A child that dies or overruns is ended and
the file is skipped as over budget (documents.OverBudget); the next PDF starts a new child. One
child serves every PDF of a process (started at the first, kept for the next: BENCHMARKS.md
"Reliability" has the cost), one file at a time.

Protocol on the child's stdin/stdout: an 8-byte big-endian length and the PDF's bytes; the reply
is a length and a JSON object, {"text", "pages", "title"} or {"error": reason}.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

from qa.pdf import PdfError, PdfText
from qa.settings import DEFAULT_READER, ReaderSettings

_HEADER = 8


class BudgetExceeded(Exception):
    """Reading the PDF needed more memory or time than its budget; the message says which."""


class PdfWorker:
    """One child process reading PDFs under `settings`' limits, restarted after a failure."""

    def __init__(self, settings: ReaderSettings = DEFAULT_READER) -> None:
        self.settings = settings
        self._child: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            root = str(Path(__file__).resolve().parent.parent)  # this qa, whatever the cwd
            path = os.environ.get("PYTHONPATH")
            env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
            self._child = subprocess.Popen(
                [sys.executable, "-m", "qa.pdf_worker", str(self.settings.pdf_memory_bytes)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        return self._child

    def extract(self, data: bytes) -> PdfText:
        """The PDF's text (qa/pdf.py extract); PdfError as there, BudgetExceeded over budget."""
        child = self._start()
        deadline = time.monotonic() + self.settings.pdf_seconds
        try:
            child.stdin.write(len(data).to_bytes(_HEADER, "big") + data)
            child.stdin.flush()
            size = int.from_bytes(_read(child, _HEADER, deadline), "big")
            reply = json.loads(_read(child, size, deadline))
        except (BrokenPipeError, EOFError, ValueError):
            self.close()
            raise BudgetExceeded(f"needs more than {self.settings.pdf_memory_bytes >> 20} MB of memory to read "
                                 "(the reader's budget)") from None
        except TimeoutError:
            self.close()
            raise BudgetExceeded(f"takes longer than {self.settings.pdf_seconds:g} s to read (the reader's budget)") from None
        if "error" in reply:
            raise PdfError(reply["error"])
        return PdfText(reply["text"], tuple(reply["pages"]), reply["title"])

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
_shared: dict[ReaderSettings, PdfWorker] = {}
_lock = threading.Lock()


def extract_within_budget(data: bytes, settings: ReaderSettings | None = None) -> PdfText:
    """qa/pdf.py `extract` in this process's PDF child (one file at a time across threads)."""
    settings = settings or BUDGET
    with _lock:
        worker = _shared.get(settings)
        if worker is None:
            worker = _shared[settings] = PdfWorker(settings)
        return worker.extract(data)


def _serve(memory_bytes: int) -> None:
    """The child: limit the address space, then answer requests until stdin closes."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from qa.pdf import extract

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while header := stdin.read(_HEADER):
        data = stdin.read(int.from_bytes(header, "big"))
        try:
            pdf = extract(data)
            reply = {"text": pdf.text, "pages": list(pdf.pages), "title": pdf.title}
        except PdfError as exc:
            reply = {"error": str(exc)}
        del data
        body = json.dumps(reply).encode()
        stdout.write(len(body).to_bytes(_HEADER, "big") + body)
        stdout.flush()


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
