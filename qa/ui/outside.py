"""Opening an article in the user's own pager or editor (the app suspends itself meanwhile).
No Textual here: which program, with which arguments."""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

#: programs that take "+LINE FILE" (start at that line)
_PLUS_LINE = {"vi", "vim", "nvim", "view", "gvim", "nano", "emacs", "emacsclient", "micro", "kak", "joe", "mg",
              "ne", "jed", "pico", "more", "most"}
#: programs that take "FILE:LINE"
_COLON_LINE = {"hx", "helix"}
#: HTML offsets are into the extracted text, not the file: no line to give
_NO_LINES = {".html", ".htm", ".xhtml"}


def line_of(text: str, offset: int) -> int:
    """The 1-based line of a character offset (a lone CR ends a line too)."""
    head = text[:offset]
    return head.count("\n") + head.count("\r") - head.count("\r\n") + 1


def viewer_command(path: str, line: int | None, env: Mapping[str, str] = os.environ) -> list[str] | None:
    """The command that shows `path` at `line`: $PAGER, else $VISUAL / $EDITOR, else less or more
    (None when there is none). The line is given where the program is known to take one."""
    if Path(path).suffix.lower() in _NO_LINES:
        line = None
    for variable in ("PAGER", "VISUAL", "EDITOR"):
        words = shlex.split(env.get(variable, "") or "")
        if words:
            break
    else:
        found = shutil.which("less") or shutil.which("more")
        if not found:
            return None
        words = [found]
    name = os.path.basename(words[0])
    if line is None:
        return [*words, path]
    if name == "less":
        return [*words, f"+{line}g", path]
    if name in _PLUS_LINE:
        return [*words, f"+{line}", path]
    if name in _COLON_LINE:
        return [*words, f"{path}:{line}"]
    return [*words, path]


def unreachable(path: str) -> str:
    """Why `path` cannot be opened here, in words ("" when it can): not there (a drive unmounted,
    a folder renamed) or there but not readable to this user (chmod, a folder above it locked),
    which "not there" would send the user looking for the wrong thing."""
    try:
        os.stat(path)
    except PermissionError:
        return "not readable to you (permission denied on the file or a folder above it)"
    except OSError:
        return "not there (its folder may be unmounted or renamed)"
    if os.path.isfile(path) and not os.access(path, os.R_OK):
        return "not readable to you (permission denied)"
    return "" if os.path.isfile(path) else "not a file now"
