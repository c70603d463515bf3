"""The test hook of the write path: with QA_TEST_PAUSE_AT=<phase> a sync says "qa: test pause at
<phase>" on stderr and sleeps QA_TEST_PAUSE_SECONDS (default 60) there, so a test can kill it at a
known point. Phases: reading (first file read), embedding (first batch of vectors saved aside),
saved (new segment written), committing (inside the transaction), committed, merging (a merged
segment written, before the commit that switches to it). With QA_TEST_PAUSE_UNTIL=<file> the pause
ends as soon as that file exists (a test that has seen what it waited for need not wait out the
seconds). In-process tests replace `at`."""

from __future__ import annotations

import os
import sys
import time


def at(phase: str) -> None:
    if os.environ.get("QA_TEST_PAUSE_AT") == phase:
        print(f"qa: test pause at {phase}", file=sys.stderr, flush=True)
        deadline = time.monotonic() + float(os.environ.get("QA_TEST_PAUSE_SECONDS", "60"))
        until = os.environ.get("QA_TEST_PAUSE_UNTIL")
        while time.monotonic() < deadline and not (until and os.path.exists(until)):
            time.sleep(min(0.02 if until else 1.0, max(deadline - time.monotonic(), 0.0)))

