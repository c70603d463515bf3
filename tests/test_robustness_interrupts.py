"""Real `qa index` processes interrupted at known points (the QA_TEST_PAUSE_AT hook): afterwards
the index opens and answers with whole documents, and the next run completes the job.

Three representative kills (while reading, SIGINT while embedding, SIGKILL inside the commit);
benchmarks/kill_loop.py runs the full loop of 20+ kills at every phase and at random moments.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from qa.indexer import sync
from qa.search import Searcher

from conftest import ROOT, SEEDS
from robust_util import check_consistent


def kill_at(index: Path, phase: str, sig: int, cwd: Path) -> subprocess.CompletedProcess:
    """Run `qa index`, wait until it pauses at `phase`, send `sig`; the finished process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QA_TEST_PAUSE_AT=phase, QA_TEST_PAUSE_SECONDS="120")
    proc = subprocess.Popen([sys.executable, "-m", "qa", "index", "--index", str(index)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(150, proc.kill)
    watchdog.start()
    try:
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if f"qa: test pause at {phase}" in line:
                break
        else:
            raise AssertionError(f"never reached {phase}: {''.join(lines)}")
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        watchdog.cancel()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, "".join(lines) + err)


def test_kills_at_three_phases_lose_nothing(tmp_path, model):
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    index = tmp_path / "index"
    sync(index, [src], embedder=model)
    before = sorted(check_consistent(index))
    for i in range(3):
        (src / f"new{i}.txt").write_text(f"Harbour {i}\n\nThe harbour of Port Elspeth {i} reopened on Friday after "
                                         f"a storm, the mayor Ingrid Rasmussen said. Boats number {i} sailed.\n")
    (src / "002_0e2a9cc3038cee0a.txt").unlink()  # and one removal

    for phase, sig, code in [("reading", signal.SIGKILL, -signal.SIGKILL),
                             ("embedding", signal.SIGINT, 130),
                             ("committing", signal.SIGKILL, -signal.SIGKILL)]:
        result = kill_at(index, phase, sig, tmp_path)
        assert result.returncode == code, result.stderr
        assert "Traceback" not in result.stderr
        if sig == signal.SIGINT:
            assert "qa: interrupted; the index is as it was before this run" in result.stderr
        assert sorted(check_consistent(index)) == before  # all or nothing: the old documents, whole
        answer = Searcher(index).search("Who heads Ansar al-Sharia in Derna?", k=1, embedder=model)
        assert answer.answered and "Sufian al Qumu" in answer.hits[0].text

    report = sync(index, embedder=model)  # the next run completes, reusing vectors saved before the kills
    assert (report.added, report.removed) == (3, 1)
    assert report.embedded == 0  # all three were embedded by the run interrupted while embedding
    assert sorted(check_consistent(index)) == sorted(str(p) for p in src.glob("*.txt"))
    answer = Searcher(index).search("Who is the mayor of Port Elspeth?", k=1, embedder=model)
    assert answer.answered and "Rasmussen" in answer.hits[0].text
