"""`qa index --watch` as a user runs it: a real process that syncs a new file within seconds,
keeps the documents of a folder that goes away, and ends cleanly on Ctrl-C (SIGINT)."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS

pytest.importorskip("watchfiles")


class Lines:
    """A stream's lines, read by a thread, waited for with a deadline."""

    def __init__(self, stream) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self.queue.put(line)

    def wait_for(self, needle: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if needle in line:
                return line
        raise AssertionError(f"no line with {needle!r} within {seconds} s; saw {self.seen}")


def test_watch_syncs_a_new_file_within_seconds_and_stops_on_ctrl_c(tmp_path):
    """The processes embed with the stand-in (tests/standin_qa.py): the watching is the point."""
    standin_qa = [sys.executable, str(ROOT / "tests" / "standin_qa.py")]
    src = tmp_path / "articles"
    shutil.copytree(SEEDS, src)
    index = tmp_path / "index"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([*standin_qa, "index", str(src), "--index", str(index), "--watch"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = Lines(proc.stdout), Lines(proc.stderr)
        assert "2 added" in out.wait_for("added", 240)
        err.wait_for("watching", 30)

        written = time.monotonic()
        (src / "lighthouse.txt").write_text("Lighthouse keeper retires\n\nThe keeper of the Tobermory "
                                            "lighthouse retired on Friday after forty years.\n")
        line = out.wait_for("1 added", 10)
        assert time.monotonic() - written < 10, line
        answer = subprocess.run([*standin_qa, "ask", "Who kept the Tobermory lighthouse?", "--mode",
                                 "bm25", "--json", "--index", str(index)], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=120)
        assert answer.returncode == 0, answer.stderr
        assert json.loads(answer.stdout)["passages"][0]["source"] == "articles/lighthouse.txt"

        os.rename(src, tmp_path / "away")  # the drive is unmounted while watching: nothing dropped
        err.wait_for("is missing", 20)
        assert "0 removed" in out.wait_for("removed", 5)

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        rest = proc.stderr.read() if proc.stderr else ""
        stderr = "".join(err.seen) + rest
        assert "Traceback" not in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_name_that_is_not_utf8_is_reported_and_watching_goes_on(tmp_path, monkeypatch):
    """watchfiles cannot decode such a name and ends its watcher (WatchfilesRustInternalError):
    watch reports the file as a full sync does and keeps syncing the rest."""
    from qa.index import watch as watch_mod

    from robust_util import HashEmbedder, story

    class Embedder(HashEmbedder):
        def preload(self) -> None:
            pass

    monkeypatch.setattr(watch_mod, "LazyEmbedder", lambda model: Embedder())
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(story(1))
    reports: queue.Queue = queue.Queue()
    stop = threading.Event()
    state = watch_mod.WatchState()
    thread = threading.Thread(target=watch_mod.watch, args=(tmp_path / "index", [str(src)]),
                              kwargs=dict(model=None, report=reports.put, warn=lambda m: None, state=state, stop=stop))
    thread.start()

    def next_report(check, seconds: float = 20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                report = reports.get(timeout=0.2)
            except queue.Empty:
                assert thread.is_alive(), "watch ended"
                continue
            if check(report):
                return report
        raise AssertionError("no such sync")

    try:
        next_report(lambda r: r.added == 1)
        time.sleep(0.5)
        bad = os.fsencode(src) + b"/bad\xff name.txt"
        with open(bad, "wb") as handle:
            handle.write(story(2).encode())
        report = next_report(lambda r: any("\\xff" in p for p in r.skipped_files))
        assert "not valid UTF-8" in next(r for p, r in report.skipped_files.items() if "\\xff" in p)
        time.sleep(0.5)
        (src / "c.txt").write_text(story(3))
        next_report(lambda r: r.added == 1)
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
