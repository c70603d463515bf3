"""`qa index` never runs silent: bars on a terminal, a plain line every few seconds without one."""

from __future__ import annotations

import io
import json

from qa import cli
from qa.index.indexer import SyncReport
from qa.progress import ProgressBars, ProgressLines, progress_reporter
from qa.settings import ProgressSettings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_lines_come_every_few_seconds_with_counts_rate_and_time_left():
    out, clock = io.StringIO(), Clock()
    lines = ProgressLines(out, ProgressSettings(line_every_seconds=5.0), clock)
    lines("reading", 0, 100)
    for i in range(1, 101):
        clock.now += 0.25  # 4 files a second: 25 s of reading
        lines("reading", i, 100)
    lines("embedding", 0, 4000)
    for done in range(64, 4001, 64):
        clock.now += 0.5  # 128 passages a second
        lines("embedding", done, 4000)
    said = out.getvalue().splitlines()
    assert said[0] == "qa: 20/100 files read (4 files/s, about 20 s left to read)"
    assert said[5].startswith("qa: 100/100 files read, ") and "passages embedded (128 passages/s" in said[5]
    assert said[-1].endswith("s left to embed)")
    assert 10 <= len(said) <= 12  # ~56 s: a line every 5 s, never one per batch


def test_a_short_run_prints_no_line():
    out, clock = io.StringIO(), Clock()
    lines = ProgressLines(out, clock=clock)
    for i in range(10):
        clock.now += 0.1
        lines("embedding", i, 10)
    assert out.getvalue() == ""


def test_a_terminal_gets_bars_a_pipe_gets_lines():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(progress_reporter(Tty()), ProgressBars)
    assert isinstance(progress_reporter(io.StringIO()), ProgressLines)


def test_qa_index_piped_says_progress_on_stderr_and_keeps_json_on_stdout_clean(tmp_path, monkeypatch, capsys):
    import qa.index.indexer
    import qa.progress

    monkeypatch.setattr(qa.progress, "DEFAULT_PROGRESS", ProgressSettings(line_every_seconds=0.0))

    def sync(index_dir, paths, *, on_progress, **_):
        for i in range(3):
            on_progress("reading", i + 1, 3)
        on_progress("embedding", 0, 9)
        on_progress("embedding", 9, 9)
        return SyncReport(added=3)

    monkeypatch.setattr(qa.index.indexer, "sync", sync)
    assert cli.main(["index", str(tmp_path), "--index", str(tmp_path / "index"), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["added"] == 3
    assert any(line.startswith("qa: 3/3 files read") for line in captured.err.splitlines())
    assert "9/9 passages embedded" in captured.err
