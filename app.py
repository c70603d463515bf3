"""Opens the terminal UI: `python app.py [--index DIR]` (the same as `qa` with no command).

A convenience for a checkout: it is not installed (the `qa` command runs qa.cli, then qa.ui.run)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from qa.config import index_dir_from
    from qa.streams import utf8_process

    if argv is None:
        utf8_process()  # LC_ALL=C with PYTHONUTF8=0: file names as UTF-8, as the index records them
    from qa.locations import resolve_index

    parser = argparse.ArgumentParser(prog="app.py", description="Ask questions of your news articles in a "
                                     "chat-style terminal UI; answers are cited passages of the articles.")
    # as `qa --help` says it: $QA_INDEX, else this checkout's index/, never the working folder's
    parser.add_argument("--index", metavar="DIR", help=f"index folder (default: {resolve_index().describe()})")
    args = parser.parse_args(argv)
    if not all(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stdout)):  # `<&-`: None
        print("app.py: error: the UI needs a terminal; for scripts use: qa ask QUESTION --json", file=sys.stderr)
        return 1
    from qa.streams import terminal_utf8
    from qa.ui import run

    terminal_utf8()  # LC_ALL=C: Textual's boxes as escapes otherwise

    return run(index_dir_from(args.index))


if __name__ == "__main__":
    sys.exit(main())
