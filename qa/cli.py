"""The `qa` command: index articles, ask questions, open the terminal UI.

Output for people goes through rich Text objects (never markup strings), so text from articles
is shown literally; --json output is for scripts and is a contract (see README).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from qa import __version__
from qa.config import DEFAULT_TOP_K, index_dir_from, model_from
from qa.errors import QAError

EPILOG = """\
examples:
  qa index seeds                 add the folder seeds/ to the index and sync it
  qa index                       bring the index up to date with all its sources
  qa ask "Who heads Ansar al-Sharia in Derna?"
  qa ask -k 5 --json "Who drove IS out of Derna?"
  qa ask --since 2024-01 --until "30 June 2024" --source reuters "Who met in Tripoli?"
  qa ask "since:2024 source:*.html Who met in Tripoli?"   the same filters as a prefix
  qa ask --sort date "What happened in Derna?"
  printf 'q1\\nq2\\n' | qa ask -    answer one question per line
  qa                             open the terminal UI

The index lives in ./index unless --index DIR or $QA_INDEX says otherwise.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa",
        description="Ask questions of a folder of news articles; answers are cited passages of the "
                    "articles themselves (nothing is generated). With no command, opens the terminal UI.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"qa {__version__}")
    # also before the command (`qa --index DIR` opens the UI on DIR); the command's own flag wins
    parser.add_argument("--index", metavar="DIR", dest="top_index",
                        help="index folder (default: $QA_INDEX or ./index)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", metavar="DIR", help="index folder (default: $QA_INDEX or ./index)")

    p_index = sub.add_parser("index", parents=[common], help="add files or folders and sync the index",
                             description="Add the given files or folders to the index's sources, then bring "
                                         "the index in line with all sources: new files are embedded, changed "
                                         "ones redone, deleted ones removed, unchanged ones left alone. With no "
                                         "sources yet and no PATH, indexes ./seeds.")
    p_index.add_argument("paths", nargs="*", metavar="PATH", help="file or folder of articles (.txt .md .html)")
    p_index.add_argument("--model", help="sentence-transformers model name or path (default: the index's, "
                                         "else all-MiniLM-L6-v2; $QA_MODEL); changing it rebuilds")
    p_index.add_argument("--rebuild", action="store_true", help="re-read and re-embed everything")
    p_index.add_argument("--json", action="store_true", help="print one JSON object with the counts")

    p_ask = sub.add_parser("ask", parents=[common], help="answer a question with cited passages",
                           description="Print the passages that best answer the question, each with its "
                                       "citation and the answering sentence highlighted.")
    p_ask.add_argument("question", metavar="QUESTION", help='the question, or "-" to read one per line from stdin')
    p_ask.add_argument("-k", type=int, default=DEFAULT_TOP_K, metavar="N", help=f"passages to return (default {DEFAULT_TOP_K})")
    p_ask.add_argument("--json", action="store_true", help="one JSON object per question, one per line")
    p_ask.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid",
                       help="retrieval: hybrid (default), bm25 (keywords only, no model load) or dense")
    p_ask.add_argument("--model", help="fail unless the index was built with this model")
    p_ask.add_argument("--since", metavar="DATE", help="only articles dated on or after DATE (2024, 2024-03, "
                                                       "2024-03-12, '12 March 2024': from its first day); "
                                                       "undated articles are left out")
    p_ask.add_argument("--until", metavar="DATE", help="only articles dated on or before DATE (to its last day)")
    p_ask.add_argument("--source", metavar="PATTERN", help="only articles whose path matches the glob "
                                                            "(or holds the word) or whose site name holds it; "
                                                            "case-insensitive")
    p_ask.add_argument("--sort", choices=["relevance", "date"], default="relevance",
                       help="order of the passages: relevance (default) or date (earliest first, undated last)")

    p_docs = sub.add_parser("docs", parents=[common], help="list the indexed documents",
                            description="List the indexed documents with their passage counts.")
    p_docs.add_argument("--json", action="store_true", help="one JSON object per document, one per line")

    sub.add_parser("ui", parents=[common], help="open the terminal UI (the default)",
                   description="Open the chat-style terminal UI.")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "index", None) is None:
        args.index = args.top_index
    try:
        if args.command == "index":
            return cmd_index(args)
        if args.command == "ask":
            return cmd_ask(args)
        if args.command == "docs":
            return cmd_docs(args)
        return cmd_ui(args)
    except QAError as exc:
        print(f"qa: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("qa: interrupted; the index is as it was before this run", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # a bug: still one line, the traceback on request
        if os.environ.get("QA_DEBUG"):
            raise
        print(f"qa: unexpected error: {type(exc).__name__}: {exc} (set QA_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 1


# -- index -------------------------------------------------------------------------------
class _ProgressBars:
    """tqdm bars on stderr, one per phase, shown only on a terminal."""

    UNITS = {"reading": "file", "embedding": "passage"}

    def __init__(self) -> None:
        self.bars: dict[str, object] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self.bars.get(phase)
        if bar is None:
            if total == 0:
                return
            bar = self.bars[phase] = tqdm(total=total, desc=phase, unit=self.UNITS.get(phase, "it"),
                                          file=sys.stderr, disable=None, dynamic_ncols=True, leave=True)
        bar.update(done - bar.n)
        if done >= total:  # stop its clock: the phase is over
            bar.close()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def cmd_index(args: argparse.Namespace) -> int:
    from qa.indexer import sync

    bars = _ProgressBars()
    try:
        report = sync(index_dir_from(args.index), args.paths, model=model_from(args.model), rebuild=args.rebuild,
                      on_progress=bars, on_message=lambda m: print(f"qa: {m}", file=sys.stderr))
    finally:
        bars.close()
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        from qa.render import visible  # file names may hold newlines or escape codes

        for warning in report.warnings:
            print(visible(f"qa: warning: {warning}", newlines=False), file=sys.stderr)
        for path, reason in report.skipped_files.items():
            print(visible(f"qa: skipped {path}: {reason}", newlines=False), file=sys.stderr)
        print(report.summary())
    return 0


# -- ask ---------------------------------------------------------------------------------
def _questions(arg: str) -> Iterator[str]:
    """The question argument, or with "-" each non-blank line of stdin, decoded as documents are
    (a BOM, UTF-8, else cp1252): a line in a legacy encoding is still a question, never a crash."""
    if arg != "-":
        yield repair_text(arg)
        return
    for raw in sys.stdin.buffer:
        line = decode_question(raw).rstrip("\r\n")
        if line.strip():
            yield line


def decode_question(raw: bytes) -> str:
    from qa.documents import Unreadable, decode

    try:
        return decode(raw)[0]
    except Unreadable:
        return raw.decode("utf-8", errors="replace")


def repair_text(text: str) -> str:
    """A command-line argument with bytes that were not UTF-8 (held as lone surrogates) decoded
    the way a document's are."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return decode_question(text.encode("utf-8", errors="surrogateescape"))


def cmd_ask(args: argparse.Namespace) -> int:
    from qa.search import Searcher

    if args.k < 1:
        raise QAError("-k must be at least 1")
    if args.question != "-" and not args.question.strip():
        raise QAError('the question is empty; ask e.g.: qa ask "Who heads Ansar al-Sharia in Derna?"')
    searcher = Searcher(index_dir_from(args.index))
    searcher.check_model(model_from(args.model))
    embedder = None
    if args.mode != "bm25":
        from qa.embedder import question_encoder

        embedder = question_encoder(searcher.model, warn=lambda m: print(f"qa: warning: {m}", file=sys.stderr))
    from qa.render import print_answer
    from qa.retrieval.filters import make_filters, split_prefix

    flags = make_filters(args.since, args.until, args.source)
    for line in _questions(args.question):
        prefix, question = split_prefix(line)
        if not question.strip():
            raise QAError(f"no question after the filters in: {line}")
        answer = searcher.search(question, k=args.k, embedder=embedder, mode=args.mode,
                                 filters=prefix.merged(flags), sort=args.sort)
        if args.json:
            print(json.dumps(answer.as_json(), ensure_ascii=False), flush=True)
        else:
            print_answer(answer)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from qa.search import Searcher, display_path

    searcher = Searcher(index_dir_from(args.index))
    for doc in searcher.document_details():
        if args.json:
            print(json.dumps({"title": doc.title, "source": display_path(doc.path), "passages": doc.passages,
                              "date": doc.date, "author": doc.author, "site": doc.site}, ensure_ascii=False))
        else:
            from qa.render import byline, visible

            about = byline(doc.date, doc.author, doc.site)
            print(visible(f"{doc.passages:4d}  {display_path(doc.path)}  {doc.title}" + (f"  ({about})" if about else ""),
                          newlines=False))
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise QAError("the UI needs a terminal; for scripts use: qa ask QUESTION --json")
    from qa.ui import run

    return run(index_dir_from(getattr(args, "index", None)))
