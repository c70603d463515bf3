"""The test hook of the write path: with QA_TEST_PAUSE_AT=<phase> a sync says "qa: test pause at
<phase>" on stderr and sleeps QA_TEST_PAUSE_SECONDS (default 60) there, so a test can kill it at a
known point. Phases: reading (first file read), embedding (first batch of vectors saved aside),
saved (new segment written), committing (inside the transaction), committed, merging (a merged
segment written, before the commit that switches to it). In-process tests replace `at`."""

from __future__ import annotations

import os
import sys
import time


def at(phase: str) -> None:
    if os.environ.get("QA_TEST_PAUSE_AT") == phase:
        print(f"qa: test pause at {phase}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("QA_TEST_PAUSE_SECONDS", "60")))

