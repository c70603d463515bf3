"""What a sixth new user met on 2026-12-07/08 (BENCHMARKS.md "A new user's session, sixth pass"):
a fresh clone's `make run` in tmux, scripts reading `--json`, a typo'd flag, an index made on the
project's first day, a paragraph pasted into the chat at 80x24. Each test failed on the code
before its fix. The stand-in embedder or keyword search: the model is not the point."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from conftest import SEEDS
from robust_util import HashEmbedder
from test_ui import run_async, settle
from qa.ui.app import QAApp
from qa.ui.widgets import AnswerView, HistoryInput, QuestionMessage

#: a paragraph of a seed article as a reporter pastes it to find where it was said (its pronouns
#: point inside it, not at an earlier question)
PASTED = ("At least nine were killed in the initial fighting, Reuters reported, including Salem Derbi, one "
          "of Libya's best known revolutionary leaders and the commander of the al-Qaeda linked Abu Salim "
          "Brigade. Abu Salim and its allies in Ansar Al-Sharia have now expelled the majority of IS forces "
          "in Derna from the city, pushing them into the mountainous region to the east in Ras Hilel. Jamal "
          "Zubia, an official spokesman for the government in Tripoli, hailed the victory as a gain for the "
          "western Islamist government. The forces in Derna united against IS are in an alliance with "
          "Tripoli and the powerful militias that back it. ") * 3


# -- --json: what a script reads ----------------------------------------------------------------
def test_a_skipped_line_of_ask_json_stdin_is_an_object_in_its_place(built, run_qa):
    """`qa ask --json -` printed nothing for a line whose filters were typed wrong: the script
    pairing its questions with the output lines paired every later answer with the wrong question."""
    index, _ = built
    lines = ["who heads derna", "since:yesterday who won", "since:2024", "where is derna"]
    result = run_qa("ask", "--json", "--mode", "bm25", "-", "--index", str(index), stdin="\n".join(lines) + "\n")
    assert result.returncode == 1, result
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["question"] for o in out] == lines, out
    assert "passages" in out[0] and "passages" in out[3] and "error" not in out[0], out
    assert "yesterday" in out[1]["error"] and "no question after the filters" in out[2]["error"], out
    assert 'qa: error: skipped "since:yesterday who won"' in result.stderr  # a person's line, as before


@pytest.mark.parametrize("args", [
    ("ask", "--json", "who heads derna"), ("ask", "--json", "-"), ("docs", "--json"), ("sources", "--json"),
    ("remove", "--json", "/nowhere"), ("index", "--check", "--json")])
def test_an_error_with_json_is_a_json_object_on_stdout(tmp_path, run_qa, args):
    """`qa ask --json Q` with no index (or any error) printed its line on stderr and nothing on
    stdout: `qa ask --json Q | jq .answered` said nothing at all. With --json the error is also
    one object on stdout, `{"error": ...}`; the person's line on stderr is unchanged."""
    result = run_qa(*args, "--index", str(tmp_path / "none"), stdin="who heads derna\n")
    assert result.returncode == 1, result
    (line,) = result.stdout.splitlines()
    error = json.loads(line)["error"]
    assert error.startswith("no index in ") and f"qa: error: {error}" in result.stderr, result


def test_a_bad_flag_with_json_is_a_json_object_too(run_qa):
    result = run_qa("ask", "--json", "--bogus", "who")
    assert result.returncode == 2 and json.loads(result.stdout) == {"error": "unrecognized arguments: --bogus"}


def test_an_unknown_flag_after_a_command_shows_that_commands_usage(run_qa):
    """`qa ask --bogus who` printed `usage: qa [-h] [--version] [--index DIR] COMMAND ...` (the
    top-level parser's, which does not list ask's flags) and `qa: error:`: nothing said which flags
    ask takes."""
    result = run_qa("ask", "--bogus", "who")
    assert result.returncode == 2 and result.stdout == "", result
    assert result.stderr.startswith("usage: qa ask ") and "--since DATE" in result.stderr, result.stderr
    assert result.stderr.rstrip().endswith("qa ask: error: unrecognized arguments: --bogus"), result.stderr
    other = run_qa("index", "--watch", "--chek")
    assert other.stderr.startswith("usage: qa index ") and "unrecognized arguments: --chek" in other.stderr


# -- an index made by the first qa ------------------------------------------------------------------
def test_check_of_a_first_day_index_without_a_term_file_is_whole(built, run_qa):
    """An index made by the project's first `qa index` (220fc13, 2026-11-21: no term file, no
    record, no schema version) answered questions (its BM25 terms rebuilt from the stored tokens,
    as README promises) but `qa index --check` called it damaged: "terms.1.npz is damaged
    (unreadable)"; `repair with: qa index` for an index that needed none."""
    from qa.index import store

    index, _ = built
    with sqlite3.connect(index / store.DB_NAME) as conn:  # the layout the first qa wrote
        conn.execute("DELETE FROM meta WHERE key IN ('segments', 'kept_files', 'record')")
        conn.execute("DROP TABLE deleted_passages")
        conn.execute("PRAGMA user_version = 0")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'")
    for path in index.glob("terms.*"):
        path.unlink()
    assert "Derna" in run_qa("ask", "--mode", "bm25", "who heads derna", "--index", str(index)).stdout
    result = run_qa("index", "--check", "--json", "--index", str(index))
    found = json.loads(result.stdout)
    assert result.returncode == 0 and found["whole"] and not found["problems"], found


# -- a named pipe where an article was -------------------------------------------------------------
def _release(fifo) -> None:
    """Open the pipe for writing, which lets a reader blocked on it go (the code before the fix)."""
    import os

    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:  # no reader waiting: nothing to release
        pass


def test_a_named_pipe_where_an_article_was_is_refused_not_waited_on(tmp_path):
    """A file replaced by a named pipe between the scan and its read: `qa index` blocked in
    `open` (wchan wait_for_partner) until something wrote to the pipe, holding the write lock."""
    import os
    import threading
    from types import SimpleNamespace

    from qa.config import ChunkSettings
    from qa.index.sync_read import read_file

    fifo = tmp_path / "article.txt"
    os.mkfifo(fifo)
    done: list = []
    reader = threading.Thread(target=lambda: done.append(read_file(
        SimpleNamespace(rebuild=False, unread_news=set()), SimpleNamespace(path=str(fifo), old=None),
        ChunkSettings())), daemon=True)
    reader.start()
    reader.join(20)
    _release(fifo)
    assert done and done[0].skipped == "not a regular file", done


def test_check_ends_with_a_named_pipe_where_an_indexed_article_was(built, tmp_path):
    """`qa index --check` reads every indexed file to compare its text: it never ended."""
    import os
    import subprocess

    from cli_util import qa

    index, src = built
    victim = sorted(src.glob("*.txt"))[0]
    victim.unlink()
    os.mkfifo(victim)
    try:
        result = qa("index", "--check", "--json", "--index", str(index), cwd=tmp_path, timeout=60)
    except subprocess.TimeoutExpired:
        _release(victim)
        raise
    assert result.returncode == 0 and json.loads(result.stdout)["whole"], result
