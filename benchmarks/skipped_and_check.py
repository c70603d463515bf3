"""Two costs of issue 22 (not part of the test suite; figures in BENCHMARKS.md, "Ownership and advice").

    .venv/bin/python benchmarks/skipped_and_check.py [--files 100000]

1. A source of N empty files and one article, synced twice with the stand-in embedder: seconds per
   sync, the lines `qa index` prints for the skipped files, the entries `--json` lists.
2. `inspection.inspect` (what `qa index --check` runs) on the 2,225 BBC articles indexed with
   stand-in vectors of the real size: median of 7, and its parts (sqlite's quick_check, reading the
   passage rows, reading the files to compare each passage with its span).
Run it with PYTHONPATH set to another checkout to measure that code (the work is under /tmp).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "data" / "bbc-news"
sys.path += [str(ROOT / "tests"), str(ROOT)]  # after $PYTHONPATH: its qa is the one measured


def empty_files(work: Path, count: int) -> None:
    from robust_util import HashEmbedder, story

    from qa import cli
    from qa.index.indexer import sync

    src = work / "src"
    src.mkdir(parents=True)
    for i in range(count):
        (src / f"e{i:06d}.txt").touch()
    (src / "real.txt").write_text(story(1))
    for run in (1, 2):
        t0 = time.perf_counter()
        report = sync(work / "index", [src] if run == 1 else [], embedder=HashEmbedder())
        seconds = time.perf_counter() - t0
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            cli.print_report(report)
        lines = err.getvalue().splitlines()
        print(f"{count} empty files, sync {run}: {seconds:.1f} s, {len(lines)} lines printed, "
              f"{len(report.as_json()['skipped_files'])} in --json; {lines[0][:100]}")


def inspection(work: Path) -> None:
    from benchmarks.integrity import StandInEmbedder

    from qa.index.indexer import sync
    from qa.index.inspection import inspect
    from qa.index.store import IndexStore

    if not BBC.is_dir():
        print("../shared/data/bbc-news is not present: no inspection measured")
        return
    index = work / "bbc"
    sync(index, [BBC], embedder=StandInEmbedder())
    times = []
    with IndexStore.open(index) as db:
        for _ in range(7):
            t0 = time.perf_counter()
            found = inspect(db, index)
            times.append(time.perf_counter() - t0)
        parts = _parts(db) if hasattr(db, "database_problems") else ""
    print(f"inspect, {found.documents} documents, {found.passages} passages: median {1000 * statistics.median(times):.0f} ms "
          f"(min {1000 * min(times):.0f}){parts}")


def _parts(db: object) -> str:
    from qa.index.integrity import indexed_text

    t0 = time.perf_counter()
    db.database_problems()
    t1 = time.perf_counter()
    first = {}
    for row in db.stored_passages():
        first.setdefault(row.doc_id, row)
    t2 = time.perf_counter()
    for row in first.values():
        indexed_text(row.path, row.encoding, row.sha256)
    t3 = time.perf_counter()
    return (f"; quick_check {1000 * (t1 - t0):.0f} ms, rows {1000 * (t2 - t1):.0f} ms, "
            f"files {1000 * (t3 - t2):.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qa-issue22-"))
    try:
        empty_files(work / "empty", args.files)
        inspection(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
