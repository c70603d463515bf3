"""The `qa` command: index articles, ask questions, open the terminal UI.

Output for people goes through rich Text objects (never markup strings), so text from articles
is shown literally; --json output is for scripts and is a contract (see README).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from qa import __version__
from qa.config import DEFAULT_TOP_K, index_dir_from, model_from
from qa.errors import NEVER_INDEXED, InterruptedAfterCommit, ModelMissing, QAError, no_documents
from qa.locations import resolve_index

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
  qa index --watch               sync whenever the sources change (Ctrl-C stops)
  qa sources                     the sources, their documents and state (ok/missing/...)
  qa remove ~/articles/old       take a source (or a file or folder of one) out of the index
  qa                             open the terminal UI

Where the index lives: --index DIR, else $QA_INDEX, else the index/ folder of the source
checkout qa runs from, else $XDG_DATA_HOME/qa/index (~/.local/share/qa/index); never the
working directory. Here that is: {index}
"""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose help is written whole or fails: argparse drops a write error, so
    `qa --help > /dev/full` said nothing and exited 0 (the subcommands' parsers are of this class).
    A flag no parser knows is said with the usage of the command it was given to (`qa ask
    --bogus`: ask's flags, not the top level's), and with --json also as `{"error": ...}` on stdout."""

    #: set on every parser of the command line when it holds --json (`main`)
    json_errors = False

    def print_help(self, file=None) -> None:
        out = file or sys.stdout
        out.write(self.format_help())
        out.flush()

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:  # argparse's own parse_args says this with the top level's usage
            command = _commands(self).get(getattr(parsed, "command", None), self)
            command.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def error(self, message: str):  # type: ignore[override]
        if self.json_errors:
            json_error(message)
        super().error(message)


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser's subcommands by name ({} for a parser without any)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def json_error(message: str) -> None:
    """An error as a script reading --json gets it: one object on stdout, `{"error": MESSAGE}`
    (the person's `qa: error:` line still goes to stderr). Nothing when stdout cannot be written."""
    try:
        print(json.dumps({"error": message}, ensure_ascii=False), flush=True)
    except (OSError, ValueError):
        pass


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="qa",
        description="Ask questions of a folder of news articles; answers are cited passages of the "
                    "articles themselves (nothing is generated). With no command, opens the terminal UI.",
        epilog=EPILOG.format(index=resolve_index().describe()), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"qa {__version__}")
    # also before the command (`qa --index DIR` opens the UI on DIR); the command's own flag wins
    default_index = resolve_index().describe()
    parser.add_argument("--index", metavar="DIR", dest="top_index",
                        help=f"index folder (default: {default_index})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", metavar="DIR", help=f"index folder (default: {default_index})")
    _add_index_command(sub, common)
    _add_ask_command(sub, common)
    _add_library_commands(sub, common)
    sub.add_parser("ui", parents=[common], help="open the terminal UI (the default)",
                   description="Open the chat-style terminal UI.")
    return parser


#: `qa index --help` and `qa ask --help` end with examples, as `qa --help` does: a user asks the
#: command's own help, which listed flags and no filter prefix, no `qa ask -`, no --watch
INDEX_EXAMPLES = """\
examples:
  qa index ~/articles            add the folder to the sources and index it
  qa index                       sync: new, changed and deleted files of every source
  qa index --watch               sync, then again whenever a source changes (Ctrl-C stops)
  qa index --check               verify the index, changing nothing (qa index repairs)
  qa index --rebuild             read and embed everything again
"""
ASK_EXAMPLES = """\
examples:
  qa ask "Who heads Ansar al-Sharia in Derna?"
  qa ask -k 5 --json "Who drove IS out of Derna?"
  qa ask --since 2024-01 --until "30 June 2024" --source reuters "Who met in Tripoli?"
  qa ask "since:2024 source:*.html Who met in Tripoli?"   the same filters as a prefix
  qa ask --mode bm25 "Derna"     keywords only: no model loaded
  qa ask - < questions.txt       one question per line, answered in one process
"""


def _wrapped(text: str) -> str:
    """A description wrapped as argparse would, for a parser whose epilog of examples is kept raw."""
    import textwrap

    return textwrap.fill(text, width=78)


def _add_index_command(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p_index = sub.add_parser("index", parents=[common], help="add files or folders and sync the index",
                             description=_wrapped("Add the given files or folders to the index's sources, then bring "
                                         "the index in line with all sources: new files are embedded, changed "
                                         "ones redone, deleted ones removed, unchanged ones left alone. A source "
                                         "folder that is missing, empty or unreadable keeps its documents (qa "
                                         "remove takes them out). With no sources yet and no PATH, indexes the "
                                         "checkout's seeds/."),
                             epilog=INDEX_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p_index.add_argument("paths", nargs="*", metavar="PATH", help="file or folder of articles (.txt .md .html .pdf)")
    p_index.add_argument("--model", help="sentence-transformers model name or path (default: the index's, "
                                         "else all-MiniLM-L6-v2; $QA_MODEL); changing it rebuilds")
    p_index.add_argument("--rebuild", action="store_true", help="re-read and re-embed everything")
    p_index.add_argument("--json", action="store_true", help="print one JSON object with the counts")
    p_index.add_argument("--check", action="store_true",
                         help="verify the index without changing it: exit 0 when whole, 1 with a line per "
                              "problem (a plain qa index repairs them)")
    p_index.add_argument("--engine", metavar="URI",
                         help="answer from this engine, recorded with the index: milvus:PATH.db (Milvus Lite), "
                              "http://HOST:19530 (a Milvus server; token in $QA_MILVUS_TOKEN) or local (the default)")
    p_index.add_argument("--watch", action="store_true",
                         help="after syncing, keep watching the sources and sync on every change (Ctrl-C stops)")


def _add_ask_command(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p_ask = sub.add_parser("ask", parents=[common], help="answer a question with cited passages",
                           description=_wrapped("Print the passages that best answer the question, each with "
                                                "its citation and the answering sentence highlighted."),
                           epilog=ASK_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
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


def _add_library_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """docs, sources and remove: what the index holds, and taking a source out."""
    p_docs = sub.add_parser("docs", parents=[common], help="list the indexed documents",
                            description="List the indexed documents with their passage counts.")
    p_docs.add_argument("--json", action="store_true", help="one JSON object per document, one per line")

    p_sources = sub.add_parser("sources", parents=[common], help="list the sources and their state",
                               description="List the index's sources: documents, passages and state (ok, "
                                           "missing, unreadable or empty).")
    p_sources.add_argument("--json", action="store_true", help="one JSON object per source, one per line")

    p_remove = sub.add_parser("remove", parents=[common], help="take a source, folder or file out of the index",
                              description="Remove a source (or one file or folder of a source) and its documents "
                                          "from the index. The files are not touched. A file or folder inside a "
                                          "source stays out until named again with qa index PATH.")
    p_remove.add_argument("path", metavar="PATH", help="a source, or a file or folder of one")
    p_remove.add_argument("--json", action="store_true", help="print one JSON object with what was removed")


def main(argv: list[str] | None = None) -> int:
    from qa import streams

    if argv is None:  # the real command line, not a caller's list
        streams.utf8_process()
    streams.fill_closed()
    json_output = "--json" in (sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    for each in [parser, *_commands(parser).values()]:
        each.json_errors = json_output
    try:
        args = parser.parse_args(argv)
    except (SystemExit, OSError) as exc:  # --help or --version printed, or a bad flag
        failed = streams.write_failed(exc if isinstance(exc, OSError) else None)
        if failed is not None:
            return failed
        raise exc
    if getattr(args, "index", None) is None:
        args.index = args.top_index
    streams.fit_encoding(bool(getattr(args, "json", False)))
    try:
        code = _run(args)
        failed = streams.write_failed(None)  # what was left in the buffer: said here, not at exit
        if argv is None and args.command == "ask":
            _exit_unwalked()
        return code if failed is None else failed
    except QAError as exc:
        if json_output:
            json_error(str(exc))
        say(f"qa: error: {exc}")
        return 1
    except KeyboardInterrupt as exc:  # only a command that writes has an index to speak of
        writes = args.command in ("index", "remove")
        done = "; the index is as it was before this run" if writes else ""
        if isinstance(exc, InterruptedAfterCommit):
            done = " after the index was updated: it is whole and holds this run's changes"
        if json_output:
            json_error("interrupted" + done)
        print("qa: interrupted" + done, file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line, the traceback on request
        failed = streams.write_failed(exc)  # stdout: a pipe closed early, a full disk
        if failed is not None:
            return failed
        if os.environ.get("QA_DEBUG"):
            raise
        if json_output:
            json_error(f"unexpected error: {type(exc).__name__}: {exc}")
        say(f"qa: unexpected error: {type(exc).__name__}: {exc} (set QA_DEBUG=1 for the traceback)")
        return 1


def _exit_unwalked() -> None:
    """Leave what the process holds to the operating system: the interpreter's collections at
    exit would walk every object the index and the answers left (the lexicon, the passages'
    analyses) before the process ends: ~0.14 s of CPU, 0.6-2 s of wall on a busy machine
    (BENCHMARKS.md, "ninth session, speed23l"). The answers are written, and a reader's
    connections are read-only: nothing waits for a finalizer."""
    gc.freeze()


def _run(args: argparse.Namespace) -> int:
    if args.command == "index":
        return cmd_index(args)
    if args.command == "ask":
        return cmd_ask(args)
    if args.command == "docs":
        return cmd_docs(args)
    if args.command == "sources":
        return cmd_sources(args)
    if args.command == "remove":
        return cmd_remove(args)
    return cmd_ui(args)


def say(text: str, stream=None) -> None:
    """One message for a person (stderr unless told), made harmless as everything qa prints is
    (render.visible): a file name or a typed path holding ESC or OSC 52 never reaches the terminal raw."""
    from qa.render import visible

    print(visible(text, newlines=False), file=stream or sys.stderr, flush=True)


# -- index -------------------------------------------------------------------------------
def cmd_index(args: argparse.Namespace) -> int:
    from qa.engines.writers import open_writer

    if args.check:
        return cmd_check(args)
    if args.watch:
        return cmd_watch(args)
    from qa.progress import progress_reporter

    writer = open_writer(index_dir_from(args.index), args.engine)  # an engine is reached before any change
    _interrupt_on(signal.SIGINT, signal.SIGTERM)  # `kill PID` (a service, `timeout`) stops it as Ctrl-C does
    bars = progress_reporter()  # bars on a terminal, else a line every few seconds
    try:
        report = writer.sync(args.paths, model=model_from(args.model), rebuild=args.rebuild, on_progress=bars,
                             on_message=lambda m: say(f"qa: {m}"))
    except ModelMissing as exc:  # the index's own model, moved or deleted: --model would rebuild
        raise exc if model_from(args.model) else exc.as_recorded() from None
    finally:
        bars.close()
    published = getattr(writer, "last_publish", None)
    if published is not None:
        say(f"qa: {published.summary()}")
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print_report(report)
    for note in report.notes():
        say(note)
    return 0


#: files of unsupported types are listed by name up to this many per run, then counted
LISTED_UNSUPPORTED = 10
#: files skipped for one reason, when many were: the first this many named, the rest counted
LISTED_SKIPPED = 3


def print_report(report: object, prefix: str = "") -> None:
    """A sync for people: warnings (one per unavailable folder), skipped files, the summary."""
    from qa.render import count, visible  # file names may hold newlines or escape codes

    for warning in report.warnings:
        print(visible(f"qa: warning: {warning}", newlines=False), file=sys.stderr)
    unsupported = {p: r for p, r in report.skipped_files.items() if r.startswith("unsupported file type")}
    away = {u.as_json()["path"] for u in report.unavailable}  # said once, in its warning
    for line in skipped_lines({p: r for p, r in report.skipped_files.items() if p not in unsupported and p not in away}):
        print(visible(line, newlines=False), file=sys.stderr)
    if unsupported:
        by_type: dict[str, int] = {}
        for reason in unsupported.values():
            kind = reason[reason.index("(") + 1:-1]
            by_type[kind] = by_type.get(kind, 0) + 1
        names = [os.path.basename(p) for p in list(unsupported)[:LISTED_UNSUPPORTED]]
        more = f", ... (qa index --json lists all)" if len(unsupported) > LISTED_UNSUPPORTED else ""
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(by_type.items()))
        print(visible(f"qa: skipped {count(len(unsupported), 'file')} of unsupported types ({kinds}): "
                      f"{', '.join(names)}{more}", newlines=False), file=sys.stderr)
    reread = getattr(report, "reread_line", lambda: None)()  # files as indexed, a new HTML reader (qa/index/sync_scan.py)
    if reread:
        print(f"qa: {reread}", file=sys.stderr)
    print(prefix + report.summary(), flush=True)


def skipped_lines(skipped: dict[str, str]) -> list[str]:
    """Files skipped for other reasons than their type: a line each up to LISTED_UNSUPPORTED of
    them, else a line per reason with its count and the first LISTED_SKIPPED names (100,000 empty
    files are one line, not 100,000; `qa index --json` lists every one)."""
    if len(skipped) <= LISTED_UNSUPPORTED:
        return [f"qa: skipped {path}: {reason}" for path, reason in skipped.items()]
    by_reason: dict[str, list[str]] = {}
    for path, reason in skipped.items():  # "cannot read: ... (the indexed version is kept)": one reason
        by_reason.setdefault(re.sub(r" \(.*?\)", "", reason), []).append(path)
    lines = []
    for reason, paths in sorted(by_reason.items(), key=lambda item: -len(item[1])):
        names = ", ".join(os.path.basename(p) for p in paths[:LISTED_SKIPPED])
        more = ", ... (qa index --json lists all)" if len(paths) > LISTED_SKIPPED else ""
        lines.append(f"qa: skipped {len(paths)} file{'s' if len(paths) != 1 else ''} ({reason}): {names}{more}")
    return lines


def cmd_watch(args: argparse.Namespace) -> int:
    import time

    from qa.index.watch import WatchState, watch

    if args.json or args.rebuild or args.engine:
        raise QAError("--watch takes neither --json, --rebuild nor --engine (it uses the index's engine)")
    index_dir = index_dir_from(args.index)
    state = WatchState()
    _interrupt_on(signal.SIGINT, signal.SIGTERM)

    def report(sync_report: object) -> None:
        print_report(sync_report, prefix=time.strftime("%H:%M:%S "))
        if state.syncs == 0:
            say(f"qa: watching the sources of {index_dir} (Ctrl-C stops)")

    try:
        watch(index_dir, args.paths, model=model_from(args.model), report=report, state=state,
              warn=lambda m: say(f"qa: warning: {m}"))
    except KeyboardInterrupt as exc:
        if isinstance(exc, InterruptedAfterCommit):
            print("qa: interrupted after a sync was committed; the index is whole and up to date", file=sys.stderr)
            return 130
        if state.syncing:
            print("qa: interrupted during a sync; the index is as it was before it", file=sys.stderr)
            return 130
        print("qa: stopped watching", file=sys.stderr)
    return 0


def _interrupt_on(*signals: int) -> None:
    """These signals end a long run as Ctrl-C does (also when started in the background, where
    SIGINT is ignored by default, and for a service manager's SIGTERM)."""
    for sig in signals:
        signal.signal(sig, signal.default_int_handler)


def cmd_sources(args: argparse.Namespace) -> int:
    from qa.render import visible
    from qa.engines.writers import open_writer

    for source in open_writer(index_dir_from(args.index)).sources():
        if args.json:
            print(json.dumps(source.as_json(), ensure_ascii=False))
        else:
            from qa.ingest.sources import printable

            from qa.render import noun

            print(visible(f"{source.state:10s} {source.documents:6d} {noun(source.documents, 'document'):9s} "
                          f"{source.passages:7d} {noun(source.passages, 'passage'):8s}  "
                          f"{printable(source.path)}", newlines=False))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from qa.engines.writers import open_writer

    _interrupt_on(signal.SIGINT, signal.SIGTERM)
    removal = open_writer(index_dir_from(args.index)).remove(args.path, on_message=lambda m: say(f"qa: {m}"))
    if args.json:
        print(json.dumps(removal.as_json(), ensure_ascii=False))
    else:
        from qa.render import visible

        print(visible(removal.summary(), newlines=False))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """`qa index --check`: everything the index records about itself, verified; nothing changed."""
    from qa.render import visible
    from qa.engines.writers import open_writer

    if args.paths or args.rebuild or args.engine:
        raise QAError("--check verifies the index as it is: give it no PATH, --rebuild or --engine")
    index_dir = index_dir_from(args.index)
    found = open_writer(index_dir).check()  # a damaged database is a problem it reports, never a crash
    if args.json:
        print(json.dumps(found.as_json(), ensure_ascii=False))
    elif found.whole and not found.documents:
        advice = NEVER_INDEXED if open_writer(index_dir).sources() else "has no documents; add some with: qa index PATH"
        say(f"the index in {index_dir}/ is whole and {advice}", sys.stdout)
    elif found.whole:
        from qa.render import count

        say(f"the index in {index_dir}/ is whole: {count(found.documents, 'document')}, "
            f"{count(found.passages, 'passage')}", sys.stdout)
    else:
        for problem in found.problems:
            print(visible(f"qa: damaged: {problem}", newlines=False))
        say(f"{'rebuild' if found.database_damaged else 'repair'} with: {found.remedy}")
    return 0 if found.whole else 1


def _no_documents(index_dir: Path) -> QAError:
    return no_documents(index_dir)


# -- ask ---------------------------------------------------------------------------------
def _questions(arg: str) -> Iterator[str]:
    """The question argument, or with "-" each non-blank line of stdin, decoded as documents are
    (a BOM, UTF-8, else cp1252): a line in a legacy encoding is still a question, never a crash."""
    if arg != "-":
        yield repair_text(arg)
        return
    from qa.streams import stdin_lines

    for raw in stdin_lines():
        line = (raw if isinstance(raw, str) else decode_question(raw)).rstrip("\r\n")
        if line.strip():
            yield line


def decode_question(raw: bytes) -> str:
    from qa.ingest.documents import Unreadable, decode

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
    from qa.index.store import database_identity

    if args.k < 1:
        raise QAError("-k must be at least 1")
    if args.question == "-":
        from qa.streams import check_stdin

        check_stdin()
        if _is_terminal(sys.stdin):  # typed at a prompt, qa waited in silence: say what it waits for
            say("qa: reading questions from the terminal, one a line; Ctrl-D ends "
                "(from a file: qa ask - < questions.txt)")
    elif not args.question.strip():
        raise QAError('the question is empty; ask e.g.: qa ask "Who heads Ansar al-Sharia in Derna?"')
    elif "\n" not in args.question and os.path.isfile(args.question):
        # `qa ask questions.txt` would search for the file's name: it is answered, and the way to
        # ask its lines is said
        say(f"qa: note: {args.question} is a file; to ask each of its lines: qa ask - < {args.question}")
    from qa.retrieval.filters import make_filters

    flags = make_filters(args.since, args.until, args.source)  # a bad date is said before any loading
    index_dir = index_dir_from(args.index)
    opened = database_identity(index_dir)  # stat'ed before opening: a later swap is seen
    searcher = Searcher(index_dir)
    if searcher.passage_count == 0:
        raise _no_documents(searcher.index_dir)
    searcher.check_model(model_from(args.model))
    embedder = None
    if args.mode != "bm25":
        from qa.embedding.embedder import question_encoder

        try:
            embedder = question_encoder(searcher.model, warn=lambda m: say(f"qa: warning: {m}"))
        except ModelMissing as exc:  # the index's model, moved or deleted since
            raise exc.as_recorded() from None
    gc.freeze()  # what start-up loaded lives as long as the questions: no collection walks it again
    try:
        skipped = _answer_each(args, searcher, opened, embedder, flags)
    finally:
        gc.unfreeze()  # a caller in the same process (the tests' run_qa) collects it as before
    return 1 if skipped else 0


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _answer_each(args: argparse.Namespace, searcher: object, opened: tuple[int, int] | None,
                 embedder: object, flags: object) -> int:
    """Answer the question, or each line of stdin, as JSON or for a person; the number of lines
    of stdin skipped for their filters (each said in one line: the next lines are still answered)."""
    from qa.presenter import notices
    from qa.render import print_answer

    skipped = 0
    for line in _questions(args.question):
        try:
            question, filters = _read_question(line, flags)
        except QAError as exc:
            if args.question != "-":
                raise
            if args.json:  # in its place: a script pairs its lines with the output's
                print(json.dumps({"question": line, "error": str(exc)}, ensure_ascii=False), flush=True)
            say(f'qa: error: skipped "{line}": {exc}')
            skipped += 1
            continue
        searcher, opened = _reopened(searcher, opened)
        answer = searcher.search(question, k=args.k, embedder=embedder, mode=args.mode,
                                 filters=filters, sort=args.sort)
        if args.json:  # with the notices a person is shown, in the same words (qa/presenter.py)
            said = [notice.as_json() for notice in notices(answer)]
            print(json.dumps({**answer.as_json(), "notices": said}, ensure_ascii=False), flush=True)
        else:
            print_answer(answer)
        gc.freeze()  # what this question kept (its passages' analysis and rows): no collection walks it again
    return skipped


def _read_question(line: str, flags: object) -> tuple[str, object]:
    """The question of a line and its filters (a prefix over the flags); QAError for filters
    typed wrong or no question after them."""
    from qa.retrieval.filters import split_prefix

    prefix, question = split_prefix(line)
    if not question.strip():
        raise QAError(f"no question after the filters in: {line}; write it after them, "
                      'e.g.: qa ask "since:2024 Who met in Tripoli?"')
    return question, prefix.merged(flags)


def _reopened(searcher: object, opened: tuple[int, int] | None) -> tuple[object, tuple[int, int] | None]:
    """Between `qa ask -`'s questions: the same Searcher while the index folder's database is the
    file it opened; the new index's when the folder was replaced (same model, or an error); an
    error when it is gone. Otherwise it would answer from the deleted files."""
    from qa.search import Searcher
    from qa.index.store import database_identity

    now = database_identity(searcher.index_dir)
    if now == opened:
        return searcher, opened
    searcher.close()
    if now is None:
        raise QAError(f"the index in {searcher.index_dir}/ is gone (deleted or moved) "
                      "since qa ask started; build one with: qa index PATH")
    fresh = Searcher(searcher.index_dir)
    fresh.check_model(searcher.model)
    return fresh, now


def cmd_docs(args: argparse.Namespace) -> int:
    from qa.search import Searcher, display_path

    searcher = Searcher(index_dir_from(args.index))
    documents = searcher.document_details()
    if not documents:
        raise _no_documents(searcher.index_dir)
    for doc in documents:
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
    if not all(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stdout)):  # `<&-`: None
        raise QAError("the UI needs a terminal; for scripts use: qa ask QUESTION --json")
    from qa.streams import terminal_utf8
    from qa.ui import run

    terminal_utf8()

    return run(index_dir_from(getattr(args, "index", None)))
