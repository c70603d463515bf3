"""`qa index`'s progress: tqdm bars on a terminal; without one (`qa index | tee log`, a CI job) a
plain line on stderr every few seconds, so a long run is never silent and stdout stays clean.

Both are sync's `on_progress(phase, done, total)` callback; phase is "reading" or "embedding".
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from qa.settings import DEFAULT_PROGRESS, ProgressSettings


class ProgressBars:
    """tqdm bars on stderr, one per phase (on a terminal)."""

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
        if total != bar.total:  # embedding's total grows while files are still being read
            bar.total = total
        bar.update(done - bar.n)
        if done >= total:  # stop its clock: the phase is over
            bar.close()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


class ProgressLines:
    """'qa: 1200/5000 files read, 3400/20000 passages embedded (85 passages/s, about 3 min left)'
    on `stream` at most every settings.line_every_seconds (for output that is not a terminal)."""

    NOUNS = {"reading": ("files", "read", "to read"), "embedding": ("passages", "embedded", "to embed")}

    def __init__(self, stream: TextIO | None = None, settings: ProgressSettings = DEFAULT_PROGRESS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.settings, self.clock = stream, settings, clock
        self.last = clock()
        self.state: dict[str, tuple[int, int, float]] = {}  # phase -> (done, total, started)

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = self.clock()
        started = self.state.get(phase, (0, 0, now))[2]
        self.state[phase] = (done, total, started)
        if total and now - self.last >= self.settings.line_every_seconds:
            self.last = now
            print(f"qa: {self.line(phase, now)}", file=self.stream or sys.stderr, flush=True)

    def line(self, phase: str, now: float) -> str:
        parts = [f"{done}/{total} {self._words(p)[0]} {self._words(p)[1]}"
                 for p, (done, total, _) in self.state.items() if total]
        done, total, started = self.state[phase]
        rate = done / (now - started) if now > started else 0.0
        if rate <= 0:
            return ", ".join(parts)
        noun, _, verb = self._words(phase)
        return f"{', '.join(parts)} ({rate:.0f} {noun}/s, about {_duration((total - done) / rate)} left {verb})"

    def _words(self, phase: str) -> tuple[str, str, str]:
        return self.NOUNS.get(phase, (phase, "done", "to do"))

    def close(self) -> None:
        """Nothing to close (the bars' counterpart)."""


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def progress_reporter(stream: TextIO | None = None) -> ProgressBars | ProgressLines:
    """Bars when stderr is a terminal, else lines."""
    stream = stream or sys.stderr
    return ProgressBars() if stream.isatty() else ProgressLines(stream, DEFAULT_PROGRESS)
