"""The standard streams as scripts leave them: closed (`<&-`), a pipe its reader closed early
(`| head -1`), a full disk (`> /dev/full`), an encoding narrower than the text (`LC_ALL=C` with
Python's UTF-8 mode off, a latin-1 terminal), a question file in UTF-16.

Why a module: each of these ended in a traceback-like `unexpected error` line or garbage
questions; a command-line tool in a pipe should exit as Unix tools do and say one line otherwise.
"""

from __future__ import annotations

import codecs
import errno
import io
import json
import os
import sys
from collections.abc import Iterator
from typing import BinaryIO

#: the shell's status of a process killed by SIGPIPE (`yes | head -1`: 141), which scripts know
SIGPIPE_EXIT = 128 + 13
#: a line of `qa ask -` longer than this is no question: stdin is binary or has no line ends
MAX_LINE = 1_000_000
#: the errors handler that writes what stdout's encoding lacks as JSON escapes
JSON_ESCAPES = "qa-json-escapes"
#: characters qa's human output uses besides the articles' own (— ¶ – ▰ “): a probe of the encoding
_PROBE = "\u2014\u00b6\u2013\u25b0\u201c\u00e9"


def utf8_process() -> None:
    """Run again in Python's UTF-8 mode (`-X utf8`) when the file system encoding is not UTF-8
    (`LC_ALL=C` with PYTHONUTF8=0, a latin-1 locale): the index records paths as UTF-8, and an
    ASCII process failed to stat "Über das Netz.txt" (`UnicodeEncodeError` from `qa index` and
    `qa ask`) while a latin-1 one would read its name as another file. The command line's bytes are
    passed on as they came (os.execv encodes them back with surrogateescape)."""
    if sys.flags.utf8_mode or codecs.lookup(sys.getfilesystemencoding()).name == "utf-8":
        return
    if os.environ.get("QA_UTF8_RERUN") or not getattr(sys, "orig_argv", None) or not sys.executable:
        return  # run once only; an embedding interpreter has no command line to run again
    os.environ["QA_UTF8_RERUN"] = "1"
    sys.stdout and sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-X", "utf8", *sys.orig_argv[1:]])


def fill_closed() -> None:
    """Descriptors 0-2 that the caller closed, opened on /dev/null: otherwise the next file qa
    opens (the database) would take the number and become its stdin, stdout or stderr."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one


def _json_escapes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start:exc.end]
    return json.dumps(text)[1:-1], exc.end  # \u00e9, a surrogate pair beyond the BMP


codecs.register_error(JSON_ESCAPES, _json_escapes)


def fit_encoding(json_output: bool) -> None:
    """stdout whose encoding cannot hold qa's text (`PYTHONIOENCODING=ascii`, `LC_ALL=C` with
    Python's UTF-8 mode off, a latin-1 locale): text for people gets `?` for what cannot be shown,
    never a UnicodeEncodeError; JSON is written in ASCII with `\\uXXXX` escapes (JSON is UTF-8
    between programs, jq reads it so: latin-1 bytes would be garbled; nothing is lost)."""
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None)
    if stream is None or not encoding or not hasattr(stream, "reconfigure"):
        return
    try:
        if codecs.lookup(encoding).name == "utf-8" or (not json_output and _PROBE.encode(encoding)):
            return
    except (UnicodeEncodeError, LookupError):
        pass
    if json_output:
        stream.reconfigure(encoding="ascii", errors=JSON_ESCAPES)
    else:
        stream.reconfigure(errors="replace")


#: what a write to a full or failing disk raises; from a write to stdout it names no file
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def _about_stdout(exc: BaseException) -> bool:
    """Whether `exc` is stdout failing: a closed pipe, or a full disk's error naming no file (qa's
    own files are written by path, and their write errors are said as the index's, qa/index/write_errors.py).
    Python empties the buffer that failed, so the failure cannot be seen again by a flush."""
    if isinstance(exc, BrokenPipeError):
        return True
    return isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS and exc.filename is None


def terminal_utf8() -> None:
    """The UI's streams in UTF-8 whatever the locale says: a terminal speaks UTF-8 today even
    where `LC_ALL=C` (a server, a container, tmux without -u), and Textual draws its boxes through
    stderr, which in ASCII wrote `\\u2594` escapes and broke every line of the layout. A terminal
    that cannot show a character shows one cell in its place (tmux: `_`)."""
    for stream in (sys.__stdout__, sys.__stderr__):
        encoding = getattr(stream, "encoding", None)
        if stream is None or not encoding or not hasattr(stream, "reconfigure"):
            continue
        try:
            if codecs.lookup(encoding).name != "utf-8":
                stream.reconfigure(encoding="utf-8", errors="replace")
        except (LookupError, ValueError, io.UnsupportedOperation):
            continue


def flush_error() -> OSError | None:
    """The error writing what is left in stdout's buffer raises, None when it reached stdout."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
        return None
    except OSError as exc:
        return exc


def write_failed(exc: BaseException | None) -> int | None:
    """The exit for a command stopped by its output (`exc`, or None: what is left in stdout's
    buffer is flushed to find out), None when it is not about stdout: a pipe closed early exits as
    a Unix tool killed by SIGPIPE does (141, nothing said); a write that fails otherwise (a full
    disk) says so in one line. stdout then goes to /dev/null, so Python's last flush at exit does
    not fail again."""
    failure = flush_error() if exc is None else exc
    if failure is None or not _about_stdout(failure):
        return None
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        pass  # stdout is not a file (a test's capture): nothing to silence
    if isinstance(failure, BrokenPipeError):
        return SIGPIPE_EXIT
    print(f"qa: error: could not write the output ({failure.strerror}); free space where it goes, "
          "or send it elsewhere", file=sys.stderr, flush=True)
    return 1


def check_stdin() -> None:
    """A QAError when stdin is closed (`<&-`: Python leaves sys.stdin None), said before the
    index or the model is loaded."""
    if sys.stdin is None:
        from qa.errors import QAError

        raise QAError("standard input is closed: give qa ask - the questions on it, "
                      "e.g.: qa ask - < questions.txt")


def stdin_lines() -> Iterator[bytes | str]:
    """The lines of stdin for `qa ask -`: bytes (decoded by the caller as documents are), or str
    when the input is UTF-16 (a BOM, or the NUL bytes of ASCII in UTF-16 without one: Windows
    editors and PowerShell's `>` write it), whose lines splitting bytes at b"\\n" would break."""
    check_stdin()
    raw: BinaryIO = sys.stdin.buffer
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[arg-type]
    codec = _utf16(buffered.peek(4)[:4])
    lines = buffered if codec is None else io.TextIOWrapper(buffered, encoding=codec, errors="replace", newline=None)
    while line := lines.readline(MAX_LINE + 1):
        if len(line) > MAX_LINE:  # `< /dev/zero`: one endless line, read until memory ran out
            from qa.errors import QAError

            raise QAError(f"a line of the input is longer than {MAX_LINE:,} characters (binary data, or no "
                          "line ends?); qa ask - takes one question per line")
        yield line


def _utf16(head: bytes) -> str | None:
    """The UTF-16 codec the first bytes of a question file show, None for anything else."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the BOM says which end, and is dropped
    if len(head) >= 2 and head[0] and not head[1]:
        return "utf-16-le"
    if len(head) >= 2 and not head[0] and head[1]:
        return "utf-16-be"
    return None
