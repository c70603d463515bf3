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


@pytest.mark.parametrize("command, shown", [("ask", ["since:2024", "qa ask - <", "--mode bm25"]),
                                            ("index", ["qa index --watch", "qa index --check"])])
def test_the_help_of_ask_and_index_ends_with_examples(run_qa, command, shown):
    """`qa ask --help`, where a new user looks first, listed flags only: nothing of the filter
    prefix (since:, source:) or of `qa ask -`, which `qa --help` shows."""
    result = run_qa(command, "--help")
    assert result.returncode == 0 and "\nexamples:\n" in result.stdout, result.stdout
    assert all(example in result.stdout for example in shown), result.stdout


def test_ask_dash_typed_at_a_terminal_says_what_it_waits_for(built, run_qa, monkeypatch):
    """`qa ask -` typed at a prompt (a new user trying the README's line) waited in silence: the
    terminal looked hung. On a terminal it says it reads questions and how to end; from a file or
    a pipe it says nothing, as before."""
    import io
    import sys

    index, _ = built

    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    piped = run_qa("ask", "-", "--mode", "bm25", "--index", str(index), stdin="who heads derna\n")
    assert "reading questions" not in piped.stderr, piped.stderr
    typed = Terminal(io.BytesIO(b"who heads derna\n"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", typed)
    result = run_qa("ask", "-", "--mode", "bm25", "--index", str(index))
    assert result.returncode == 0 and "Derna" in result.stdout, result
    assert result.stderr.startswith("qa: reading questions from the terminal, one a line; Ctrl-D ends"), result.stderr


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


# -- the chat: a paragraph pasted at 80x24 ----------------------------------------------------------
@pytest.fixture
def library(tmp_path, monkeypatch):
    from qa.index.indexer import sync

    shutil.copytree(SEEDS, tmp_path / "articles")
    sync(tmp_path / "index", [tmp_path / "articles"], embedder=HashEmbedder())
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


@run_async
async def test_a_pasted_paragraph_leaves_its_answer_in_view(library):
    """A paragraph pasted as the question (1,700 characters) at 80x24: the chat scrolled its
    question to the top, and the question filled the screen: no card, no "Not found", nothing of
    the answer in view, only the paste. The question is shown cut to a few lines, saying how long
    it was; the whole of it is searched (and exported)."""
    app = QAApp(library / "index", embedder_factory=lambda name: HashEmbedder(), poll_seconds=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = app.chat.query_one(HistoryInput)
        box.value = PASTED.strip()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause(0.2)
        asked = app.chat.query(QuestionMessage).last()
        assert asked.question == PASTED.strip()  # searched whole
        assert asked.region.height <= 6, asked.region
        view = app.chat.query(AnswerView).last()
        transcript = app.chat.transcript
        assert view.region.height and view.region.y < transcript.region.bottom - 2, (view.region, transcript.region)


def test_a_pasted_paragraph_not_found_names_a_few_of_its_words_and_counts_them():
    """"Not found ... Looked for the words" listed every key word of a pasted paragraph (126 of
    them): a screenful in the chat at 80x24, and in `qa ask`."""
    from qa.presenter import looked_for

    said = looked_for(PASTED)
    assert len(said) < 300 and said.endswith(" in all)") and "Derbi" in said, said
    assert looked_for("What is the capital of Peru?") == "the words capital and the names Peru"


@run_async
async def test_a_pasted_paragraph_with_pronouns_is_no_follow_up(library):
    """The paragraph's "it" and "them" point inside it: it was taken as a follow-up and searched
    with the words of the question before ("follow-up, also searched for: ...")."""
    app = QAApp(library / "index", embedder_factory=lambda name: HashEmbedder(), poll_seconds=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = app.chat.query_one(HistoryInput)
        for question in ("What did Novartis pay for Hexal?", PASTED.strip()):
            box.value = question
            await pilot.press("enter")
            await settle(pilot)
        pasted, = [turn for turn, _ in app.chat.turns if turn.question == PASTED.strip()]
        assert not pasted.follow_up, pasted.context


def _chat_lines(app) -> list[str]:
    from qa.ui.widgets import Notice

    return [str(notice.visual) for notice in app.chat.query(Notice)]


@run_async
async def test_an_index_whose_drive_goes_away_is_gone_not_to_be_built(library):
    """The index on a drive unmounted with the app open: the chat said "no index in ...; build
    one with: qa index PATH (e.g. qa index seeds)" and "Press Ctrl+R to index seeds/", which
    would make a new index of the seeds in the folder of the user's own, only away; a question
    then said "no index" twice. It says the index is gone and comes back by itself, and does."""
    app = QAApp(library / "index", embedder_factory=lambda name: HashEmbedder(), poll_seconds=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        (library / "index").rename(library / "away")  # the drive unmounted
        app.check_sources()
        await settle(pilot)
        box = app.chat.query_one(HistoryInput)
        box.value = "who heads derna"
        await pilot.press("enter")
        await settle(pilot)
        said = _chat_lines(app)
        gone = [line for line in said if "is gone since the app opened it" in line]
        assert len(gone) == 2, said  # once when seen, once for the question (not twice for it)
        assert not any("Ctrl+R" in line or "build one" in line or "no index" in line for line in said), said
        await pilot.press("ctrl+r")  # asked for anyway: refused, no new index made where the user's was
        await settle(pilot)
        assert not (library / "index").exists() and not app.reindexing
        (library / "away").rename(library / "index")  # back
        app.check_sources()
        await settle(pilot)
        assert _chat_lines(app)[-1].startswith("The index is back: 2 articles"), _chat_lines(app)
        await pilot.press(*"who heads derna", "enter")
        await settle(pilot)
        assert app.chat.query(AnswerView), _chat_lines(app)


def test_a_long_question_with_a_pronoun_is_still_a_follow_up_when_typed():
    """The other side: a question as typed, pronoun and all, still borrows its topic."""
    from qa.retrieval.context import Conversation

    chat = Conversation()
    chat.ask("Who heads Ansar al-Sharia in Derna?")
    assert chat.ask("what did he say about the fighting with the Islamic State group in the city").follow_up


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
