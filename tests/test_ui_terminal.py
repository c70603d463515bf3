"""The UI and the world around it: a real app process on a real pty ends within seconds when its
terminal hangs up (started directly, with no SIGHUP reaching it, or under make); and an open app
notices that its index folder was deleted and rebuilt, and answers from the new one."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS
from test_ui import ask, make_app, own_index, run_async, settle  # noqa: F401 (own_index: a fixture)

#: seconds the app may take to end after its terminal hangs up (the goal is 1-2 s; the slack is
#: for a loaded test machine)
HANGUP_LIMIT = 5.0


def spawn_on_pty(argv: list[str], cwd: Path, detach: bool = False) -> tuple[int, int]:
    """Run argv on a new pty (80x24); returns (pid, master fd). With detach, argv runs in a
    session of its own, so the pty's hangup sends it no SIGHUP: only the dead terminal tells."""
    pid, master = pty.fork()
    if pid == 0:  # the child: pty.fork made it a session leader with the pty as its terminal
        try:
            os.chdir(cwd)
            env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm-256color")
            if detach:
                if os.fork():
                    os._exit(0)
                os.setsid()
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    return pid, master


def read_until(master: int, marker: bytes, timeout: float) -> bytes:
    """Read the app's output until `marker` shows (the first paint), or fail."""
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} from the app in {timeout} s; it wrote: {seen[-500:]!r}"
        ready, _, _ = select.select([master], [], [], min(left, 0.5))
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            assert chunk, f"the app ended before drawing; it wrote: {seen[-800:]!r}"
            seen += chunk
    return seen


def processes_holding(text: str) -> list[int]:
    """Pids whose command line holds `text` (a path unique to the test)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                state = next((line for line in (entry / "status").read_text().splitlines()
                              if line.startswith("State:")), "")
            except OSError:
                continue
            if text.encode() in cmdline and "zombie" not in state:
                found.append(int(entry.name))
    return found


def gone_within(pids_of, seconds: float) -> float | None:
    """Seconds until pids_of() is empty, None if it is not within `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if not pids_of():
            return time.monotonic() - start
        time.sleep(0.05)
    return None


@pytest.mark.parametrize("how", ["direct", "no-sighup", "make"])
def test_the_app_ends_when_its_terminal_hangs_up(seed_index, tmp_path, how):
    index = tmp_path / "index"
    shutil.copytree(seed_index, index)  # a path unique to this test, to find its processes by
    app = [sys.executable, str(ROOT / "app.py"), "--index", str(index)]
    if how == "make":
        if not shutil.which("make"):
            pytest.skip("no make")
        (tmp_path / "Makefile").write_text(f"run:\n\t{' '.join(app)}\n", encoding="utf-8")
        argv = ["make", "-s", "run"]
    else:
        argv = app
    pid, master = spawn_on_pty(argv, tmp_path, detach=how == "no-sighup")
    try:
        read_until(master, b"ask your news articles", timeout=60)
        assert processes_holding(str(index))
        os.close(master)  # the terminal window is closed
        master = -1
        took = gone_within(lambda: processes_holding(str(index)), HANGUP_LIMIT)
        assert took is not None, f"still running {HANGUP_LIMIT} s after the hangup ({how})"
        print(f"{how}: ended {took:.2f} s after the hangup")
    finally:
        if master >= 0:
            os.close(master)
        for leftover in processes_holding(str(index)):
            os.kill(leftover, signal.SIGKILL)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


# -- the index folder replaced under the running app ---------------------------------------------
TOBRUK = "Tobruk harbour\n\nThe harbour master of Tobruk, Idris Bukhari, reopened the port on Monday.\n"
SIRTE = "Sirte market\n\nThe market of Sirte was rebuilt by the trader Omar Zintani after the war.\n"


def rebuild(index: Path, folder: Path, name: str, text: str, model) -> None:
    """Delete the index folder and build a new one at the same path from `folder` only."""
    from qa.index.indexer import sync

    shutil.rmtree(index)
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    sync(index, [folder], embedder=model)


@run_async
async def test_the_app_reopens_an_index_folder_deleted_and_rebuilt_under_it(own_index, model, tmp_path):
    app = make_app(own_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        view = await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        assert "Sufian al Qumu" in view.answer.hits[0].text
        old = app.engine.database_identity()
        rebuild(own_index, tmp_path / "tobruk", "tobruk.txt", TOBRUK, model)
        assert app.engine.database_identity() != old and app.engine.replaced()
        app.check_sources()  # what the poll timer does every few seconds
        await settle(pilot)
        assert app.status.stats == "1 article, 1 passage" and not app.engine.replaced()
        view = await ask(pilot, "Who is the harbour master of Tobruk?")
        assert {hit.path for hit in view.answer.hits} == {str(tmp_path / "tobruk" / "tobruk.txt")}
        # again, and this time the app's own reindex (Ctrl+R) is what runs next
        rebuild(own_index, tmp_path / "sirte", "sirte.txt", SIRTE, model)
        (tmp_path / "sirte" / "more.txt").write_text("More\n\nOmar Zintani sold dates in Sirte.\n", encoding="utf-8")
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.pause()
        assert app.status.stats == "2 articles, 2 passages"
        view = await ask(pilot, "Who rebuilt the market of Sirte?")
        assert all("/sirte/" in hit.path for hit in view.answer.hits) and "Zintani" in view.answer.hits[0].text


@run_async
async def test_a_search_after_the_index_folder_was_deleted_says_there_is_none(own_index, model):
    app = make_app(own_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shutil.rmtree(own_index)
        box = app.chat.query_one("#ask")
        box.value = "Who heads Ansar al-Sharia in Derna?"
        await pilot.press("enter")
        await settle(pilot)
        assert app.status.stats == "index gone"  # not answered from the deleted files (sixth pass: "gone")
        assert not app.chat.query("AnswerView")
