"""What a third new user met on 2026-12-07 (BENCHMARKS.md "Reliability / A new user's session,
third pass"): typing fast, closing the terminal, the drive pulled away, an interrupted index, two
things at once, a read-only index. Each test failed on the code before its fix. The stand-in
embedder or keyword search: the model is not the point."""

from __future__ import annotations

import os
import signal
import shutil
import subprocess
import sys

import pytest

from cli_util import ROOT
from robust_util import HashEmbedder
from test_ui import run_async, settle


def _stand_in_app(index, monkeypatch, tmp_path):
    from qa.ui.app import QAApp

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return QAApp(index, embedder_factory=lambda name: HashEmbedder(), poll_seconds=None)


def _burst(app, keys: list[str]) -> None:
    """Keys as a terminal delivers a burst read at once (a fast typist, or keys typed while the app
    was busy): all in the app's queue before the first is handled (pilot.press waits after each)."""
    from textual import events

    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else {"space": " "}.get(key)))


@run_async
async def test_a_burst_of_question_enter_question_asks_two_questions(built, monkeypatch, tmp_path):
    """`tmux send-keys "who is jamal zubia" Enter "where is derna"` asked "who is jamal zubiawhere
    is derna": the letters were inserted as the box read them, while Enter (a binding, resolved
    when the key came back to the app) was handled after the next question's letters. Likewise
    Tab then typing in one burst left the focus on a card with the text in the box."""
    from qa.ui.widgets import AnswerView, HistoryInput, HitCard, QuestionMessage

    index, _ = built
    app = _stand_in_app(index, monkeypatch, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = app.chat.query_one(HistoryInput)
        _burst(app, [*"Who heads Derna", "enter", *"where is", "backspace", "s"])
        await settle(pilot)
        asked = [str(q.render()) for q in app.chat.query(QuestionMessage)]
        assert len(asked) == 1 and "Who heads Derna" in asked[0] and "where" not in asked[0], asked
        assert box.value == "where is", box.value
        assert len(app.chat.query(AnswerView)) == 1
        _burst(app, ["up", "down"])  # the history, in order: back to what was being typed
        await settle(pilot)
        assert box.value == "where is"
        _burst(app, ["tab", *"x"])  # to the cards and straight back by typing
        await settle(pilot)
        assert app.focused is box and box.value == "where isx", (app.focused, box.value)
        _burst(app, ["tab", "down"])  # to the cards, and down them, in one burst
        await settle(pilot)
        cards = list(app.chat.query(HitCard))
        assert len(cards) > 1 and app.focused is cards[1], app.focused
        _burst(app, ["escape", *"?"])
        await settle(pilot)
        assert app.focused is box and box.value == "where isx?", (app.focused, box.value)



def _docs(run_qa, index) -> str:
    return run_qa("docs", "--json", "--index", str(index)).stdout


def test_qa_remove_in_a_read_only_index_folder_says_so_first(built, run_qa, monkeypatch):
    """`qa remove` in an index folder made read-only (chmod -w: its files still writable, the lock
    file already there) got as far as sqlite: `could not update the index ...: attempt to write a
    readonly database`. It is now refused as `qa index` is, before anything is tried. As root
    nothing is read-only to chmod: os.access says so, as it does for a user."""
    index, src = built
    before = _docs(run_qa, index)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode & os.W_OK else real_access(p, mode, **kw))
    result = run_qa("remove", str(next(src.glob("*.txt"))), "--index", str(index))
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result
    assert "is not writable: it can be searched, not updated" in result.stderr, result.stderr
    monkeypatch.setattr(os, "access", real_access)
    assert _docs(run_qa, index) == before


def _without_root_powers() -> list[str]:
    """A command prefix under which chmod binds this user: nothing for a user; for root, setpriv
    dropping the capabilities that read and write past permissions."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: chmod does not bind root")
    return ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search"]


def test_a_chmod_read_only_index_folder_answers_and_refuses_writes_in_one_line(built, tmp_path):
    """The index folder chmod -w (its files as they were): `qa ask` answers; `qa index` and
    `qa remove` say the folder is not writable, one line each, and change nothing."""
    index, src = built
    prefix = _without_root_powers()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = lambda *args: subprocess.run([*prefix, sys.executable, "-m", "qa", *args, "--index", str(index)],  # noqa: E731
                                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    index.chmod(0o555)
    try:
        asked = run("ask", "Who heads Ansar al-Sharia in Derna?", "--mode", "bm25")
        assert asked.returncode == 0 and "Derna" in asked.stdout, asked
        for args in (("index",), ("remove", str(next(src.glob("*.txt"))))):
            result = run(*args)
            assert result.returncode == 1 and result.stderr.count("\n") == 1, result
            assert "is not writable: it can be searched, not updated" in result.stderr, result.stderr
    finally:
        index.chmod(0o755)
    assert run("index", "--check").returncode == 0


def _indexed_with_a_new_file(tmp_path):
    """The seeds indexed, then a new article beside them: what the next `qa index` embeds."""
    from qa.index.indexer import sync

    from conftest import SEEDS

    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    (src / "harbour.txt").write_text("Harbour reopens\n\nThe harbour at Port Lisk reopened on Monday, "
                                     "said mayor Anna Vell.\n", encoding="utf-8")
    return index


def test_sigterm_stops_qa_index_as_ctrl_c_does(tmp_path):
    """`kill PID` (SIGTERM: a service manager, `timeout`, a script) of `qa index` mid-embedding
    ended it with no word of qa's (the shell printed "Terminated", exit 143); it now stops as
    Ctrl-C does: one line, exit 130, the index as before, the vectors embedded before kept aside."""
    from qa.index.indexer import sync
    from test_robustness_interrupts import kill_at

    index = _indexed_with_a_new_file(tmp_path)
    result = kill_at(index, "embedding", signal.SIGTERM, tmp_path)
    assert result.returncode == 130, result
    assert result.stderr.strip().splitlines()[-1] == "qa: interrupted; the index is as it was before this run", result.stderr
    assert "Traceback" not in result.stderr
    assert sync(index, embedder=HashEmbedder()).embedded == 0  # the checkpoint kept aside is reused


def test_a_file_in_a_locked_folder_is_said_unreadable_not_unmounted(tmp_path):
    """The source folder chmod 000 (a drive mounted for another user, a folder locked): Ctrl+E and
    the source view said the file "is not there (its folder may be unmounted or renamed)", which
    sends the user looking for a drive that is there. Run as the user the folder is locked to."""
    folder = tmp_path / "drive"
    folder.mkdir()
    (folder / "a.txt").write_text("Harbour reopens\n\nThe harbour reopened.\n", encoding="utf-8")
    gone = tmp_path / "unmounted" / "b.txt"
    probe = ("import sys; from qa.ui.outside import unreachable; from qa.ui.engine import read_article; "
             "[print(unreachable(p), '|', read_article(p).problem) for p in sys.argv[1:]]")
    folder.chmod(0)
    try:
        result = subprocess.run([*_without_root_powers(), sys.executable, "-c", probe, str(folder / "a.txt"), str(gone)],
                                capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    finally:
        folder.chmod(0o755)
    locked, missing = result.stdout.splitlines()
    assert locked.startswith("not readable to you (permission denied"), result
    assert "cannot be read now" in locked and "unmounted" not in locked, locked
    assert missing.startswith("not there (its folder may be unmounted or renamed)"), missing
    assert unreachable_here(folder / "a.txt") == ""


def unreachable_here(path) -> str:
    from qa.ui.outside import unreachable

    return unreachable(str(path))


def test_an_interrupted_first_index_says_to_run_qa_index_again(tmp_path, run_qa):
    """Ctrl-C in the first `qa index PATH` of a new index (the model loading, the files being read)
    left its source recorded and nothing indexed; `qa ask`, `qa docs` and `qa index --check` then
    said "empty ...; add some with: qa index PATH", as if nothing had been given. They now say the
    sources are recorded and `qa index` indexes them."""
    from qa.index.indexer import sync
    from test_robustness_interrupts import kill_at

    index = tmp_path / "index"
    killed = kill_at(index, "reading", signal.SIGINT, tmp_path)  # a first `qa index`: the seeds
    assert killed.returncode == 130, killed
    for args in (("ask", "Who heads Ansar al-Sharia in Derna?", "--mode", "bm25"), ("docs",)):
        result = run_qa(*args, "--index", str(index))
        assert result.returncode == 1 and result.stderr.count("\n") == 1, result
        assert "recorded but never indexed" in result.stderr and result.stderr.rstrip().endswith("qa index"), result
    checked = run_qa("index", "--check", "--index", str(index))
    assert checked.returncode == 0 and "is whole and has no documents yet" in checked.stdout, checked
    assert sync(index, embedder=HashEmbedder()).added > 0  # `qa index` alone picks the work up


def test_ctrl_c_after_the_commit_does_not_say_the_index_is_as_it_was(tmp_path):
    """Ctrl-C landing after `qa index` committed (its old files being tidied, a merge, the model's
    export) said "the index is as it was before this run" while the index held the run's changes:
    a user would index again for nothing, or distrust what the index answers."""
    from qa.search import Searcher
    from test_robustness_interrupts import kill_at

    index = _indexed_with_a_new_file(tmp_path)
    result = kill_at(index, "committed", signal.SIGINT, tmp_path)
    assert result.returncode == 130, result
    said = result.stderr.strip().splitlines()[-1]
    assert said == "qa: interrupted after the index was updated: it is whole and holds this run's changes", said
    assert any(d.path.endswith("harbour.txt") for d in Searcher(index).document_details())
