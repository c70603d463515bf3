"""Real `qa index` processes interrupted at known points (the QA_TEST_PAUSE_AT hook): afterwards
the index opens and answers with whole documents, and the next run completes the job.

Three representative kills (while reading, SIGINT while embedding, SIGKILL inside the commit, with
a `qa ask` and a second, waiting `qa index` running meanwhile);
benchmarks/kill_loop.py runs the full loop of 20+ kills at every phase and at random moments.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from qa.index.indexer import sync
from qa.search import Searcher

from conftest import ROOT, SEEDS
from cli_util import wait_for_pause
from robust_util import HashEmbedder, check_consistent

#: `qa` with the suite's stand-in embedder: the kills are the point, not the model's answers
STANDIN_QA = [sys.executable, str(ROOT / "tests" / "standin_qa.py")]


def kill_at(index: Path, phase: str, sig: int, cwd: Path, while_paused=lambda: None) -> subprocess.CompletedProcess:
    """Run `qa index`, wait until it pauses at `phase`, call while_paused(), send `sig`; the
    finished process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QA_TEST_PAUSE_AT=phase, QA_TEST_PAUSE_SECONDS="120")
    # SIGINT as a terminal delivers it: a test run started in the background (`pytest &`) has it
    # ignored, and Python keeps an ignored SIGINT ignored, so Ctrl-C would never reach qa
    proc = subprocess.Popen([*STANDIN_QA, "index", "--index", str(index)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    watchdog = threading.Timer(150, proc.kill)
    watchdog.start()
    try:
        said = wait_for_pause(proc, phase)
        while_paused()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        watchdog.cancel()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, said + err)


def test_kills_at_three_phases_lose_nothing(tmp_path):
    """Every process and this one embed with the stand-in (tests/standin_qa.py)."""
    embedder = HashEmbedder()
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    index = tmp_path / "index"
    sync(index, [src], embedder=embedder)
    before = sorted(check_consistent(index))
    for i in range(3):
        (src / f"new{i}.txt").write_text(f"Harbour {i}\n\nThe harbour of Port Elspeth {i} reopened on Friday after "
                                         f"a storm, the mayor Ingrid Rasmussen said. Boats number {i} sailed.\n")
    (src / "002_0e2a9cc3038cee0a.txt").unlink()  # and one removal

    for phase, sig, code in [("reading", signal.SIGKILL, -signal.SIGKILL),
                             ("embedding", signal.SIGINT, 130)]:
        result = kill_at(index, phase, sig, tmp_path)
        assert result.returncode == code, result.stderr
        assert "Traceback" not in result.stderr
        if sig == signal.SIGINT:
            assert "qa: interrupted; the index is as it was before this run" in result.stderr
        assert sorted(check_consistent(index)) == before  # all or nothing: the old documents, whole
        answer = Searcher(index).search("Who heads Ansar al-Sharia in Derna?", k=1, embedder=embedder)
        assert answer.answered and "Sufian al Qumu" in answer.hits[0].text

    # a third run is killed inside its commit; meanwhile `qa ask` answers from the old index and
    # a second `qa index` waits for the lock, then does the job once the first is gone
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    asked: dict = {}
    second: dict = {}

    def meanwhile() -> None:
        asked["result"] = subprocess.run(
            [*STANDIN_QA, "ask", "Who heads Ansar al-Sharia in Derna?", "--mode", "bm25", "--json",
             "--index", str(index)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        proc = second["proc"] = subprocess.Popen(
            [*STANDIN_QA, "index", "--json", "--index", str(index)], cwd=tmp_path, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        second["waiting"] = proc.stderr.readline()

    result = kill_at(index, "committing", signal.SIGKILL, tmp_path, meanwhile)
    assert result.returncode == -signal.SIGKILL
    ask = asked["result"]
    assert ask.returncode == 0 and "Sufian al Qumu" in ask.stdout and "Port Elspeth" not in ask.stdout
    assert "waiting for it to finish" in second["waiting"]
    out, err = second["proc"].communicate(timeout=120)
    assert second["proc"].returncode == 0, err
    counts = json.loads(out)
    assert (counts["added"], counts["removed"]) == (3, 1)
    assert counts["embedded"] == 0  # all three were embedded by the run interrupted while embedding
    assert sorted(check_consistent(index)) == sorted(str(p) for p in src.glob("*.txt"))
    report = sync(index, embedder=embedder)  # and nothing is left to do
    assert (report.added, report.updated, report.removed, report.embedded) == (0, 0, 0, 0)
    answer = Searcher(index).search("Who is the mayor of Port Elspeth?", k=1, embedder=embedder)
    assert answer.answered and "Rasmussen" in answer.hits[0].text
