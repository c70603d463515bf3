"""Cost of the integrity checks (issue 13). Not part of the test suite.

    .venv/bin/python benchmarks/integrity.py              # builds once under benchmarks/.work/integrity
    .venv/bin/python benchmarks/integrity.py --fresh      # rebuild the index too

Index: the 2,225 BBC articles of ../shared/data/bbc-news (~9k passages, as benchmarks/speed.py's
10k build), embedded by a stand-in that gives each passage a deterministic unit vector: the files
have the real sizes (384 float32 per passage), which is all the checks' cost depends on, and the
build takes seconds instead of the model's minutes. Measured:

- the load-time check (`qa.index.integrity.verify_loaded`: sizes and crc32 of both generation files,
  vectors = term rows = passage rows, same ids, no NaN) on its own;
- `qa ask --mode bm25` from start to first answer with this code and with the code before the
  checks (`git archive REV qa`, --before REV), on the same index (median of runs);
- `qa index --check` and the repair of 4 KB of NaN bytes written in the middle of the vector file.
Writes the subsection "Integrity checks (benchmarks/integrity.py)" of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BBC = ROOT.parent / "shared" / "data" / "bbc-news"
WORK = ROOT / "benchmarks" / ".work" / "integrity"
BEFORE = "290b8b9"  # main as merged into this branch, without the checks of issue 13


class StandInEmbedder:
    """A deterministic unit vector per text (seeded by its hash): real file sizes, no model."""

    dim = 384
    model_name = "all-MiniLM-L6-v2"

    def __init__(self) -> None:
        self.count = 0

    def encode(self, texts, batch_size=64, on_batch=None):
        self.count += len(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            vec = np.random.default_rng(seed).standard_normal(self.dim)
            out[i] = vec / np.linalg.norm(vec)
        if on_batch:
            on_batch(len(texts))
        return out


def build(index: Path, fresh: bool) -> None:
    from qa.index.indexer import sync

    if fresh and index.exists():
        shutil.rmtree(index)
    if not (index / "qa.sqlite").exists():
        sync(index, [BBC], embedder=StandInEmbedder())


def median_ms(run, times: int = 7) -> float:
    values = []
    for _ in range(times):
        t0 = time.perf_counter()
        run()
        values.append(time.perf_counter() - t0)
    return 1000 * statistics.median(values)


def check_alone(index: Path) -> tuple[float, int, int, int]:
    """(ms of verify_loaded, passages, vector file bytes, term file bytes), over every segment."""
    from qa.index import store
    from qa.index.integrity import verify_loaded
    from qa.index.segments import load_segments

    conn = store.connect(index)
    db = store.IndexStore(conn)
    meta, deleted = db.read_manifest()
    loaded = load_segments(db, index, meta, deleted)
    ms = median_ms(lambda: verify_loaded(conn, meta, index, loaded))
    conn.close()
    return (ms, sum(v.ntotal for v in loaded.vectors), sum(s.vector_file(index).stat().st_size for s in loaded.segments),
            sum(s.terms_file(index).stat().st_size for s in loaded.segments))


def before_code(rev: str) -> Path:
    folder = WORK / f"code-{rev}"
    if not (folder / "qa").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", rev, "qa"], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def first_answer(index: Path, codes: list[Path], runs: int) -> list[float]:
    """Median seconds of `qa ask --mode bm25` from start to its answer, per code folder's qa; the
    runs alternate between them, so a machine busy with other work weighs on both alike."""
    times: list[list[float]] = [[] for _ in codes]
    for run in range(runs + 1):  # the first round warms the page cache
        for code, spent in zip(codes, times):
            env = dict(os.environ, PYTHONPATH=str(code))
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "qa", "ask", "Who won the election?", "--mode", "bm25",
                            "--json", "--index", str(index)], cwd=WORK, env=env, check=True, capture_output=True)
            if run:
                spent.append(time.perf_counter() - t0)
    return [statistics.median(spent) for spent in times]


def check_and_repair(index: Path) -> tuple[float, float, float, int, str]:
    """On a copy: (s of --check whole, s of --check damaged, s of the repair, vectors embedded again,
    the check's first problem line)."""
    from qa.index import store
    from qa.index.indexer import sync

    copy = WORK / "damaged"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(index, copy)
    cmd = [sys.executable, "-m", "qa", "index", "--check", "--index", str(copy)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=WORK, env=env, check=True, capture_output=True)
    whole = time.perf_counter() - t0
    with store.IndexStore.open(copy) as db:
        from qa.index.segments import current_segments

        vector_file = current_segments(db, db.read_meta())[0].vector_file(copy)  # a fresh build: one segment
    with open(vector_file, "r+b") as handle:
        handle.seek(vector_file.stat().st_size // 2)
        handle.write(b"\xff" * 4096)
    t0 = time.perf_counter()
    found = subprocess.run(cmd, cwd=WORK, env=env, capture_output=True, text=True)
    damaged = time.perf_counter() - t0
    assert found.returncode == 1, found.stderr
    embedder = StandInEmbedder()
    t0 = time.perf_counter()
    sync(copy, embedder=embedder)
    repair = time.perf_counter() - t0
    again = subprocess.run(cmd, cwd=WORK, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stdout
    shutil.rmtree(copy)
    return whole, damaged, repair, embedder.count, found.stdout.splitlines()[0].replace(str(WORK) + "/", "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--before", default=BEFORE, help="the revision without the checks (default %(default)s)")
    args = parser.parse_args()
    if not BBC.is_dir():
        print("../shared/data/bbc-news is not present: nothing to measure", file=sys.stderr)
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    index = WORK / "index"
    build(index, args.fresh)
    check_ms, passages, vector_bytes, term_bytes = check_alone(index)
    before, after = first_answer(index, [before_code(args.before), ROOT], args.runs)
    whole, damaged, repair, embedded, line = check_and_repair(index)
    load = os.getloadavg()[0]
    body = f"""Command: `.venv/bin/python benchmarks/integrity.py` ({time.strftime('%Y-%m-%d')}, 2 cores, load average {load:.1f} at the end: other jobs ran meanwhile; BBC, {passages:,} passages, stand-in vectors of the real size).

| what | time |
| --- | --- |
| load-time check alone (crc32 of {vector_bytes / 2**20:.1f} MB of vectors and {term_bytes / 2**20:.1f} MB of term counts, counts, ids, NaN scan) | {check_ms:.0f} ms |
| `qa ask --mode bm25` start to first answer, before the checks ({args.before}) | {before:.2f} s |
| `qa ask --mode bm25` start to first answer, with the checks | {after:.2f} s |
| `qa index --check`, whole index (a process: start, every passage's hash, both files) | {whole:.2f} s |
| `qa index --check`, 4 KB of NaN in the middle of the vector file | {damaged:.2f} s |
| `qa index` repairing it ({embedded} vectors embedded again, not {passages:,}) | {repair:.2f} s |

The check names the file: `{line}`."""
    print(body)
    from benchmarks.report import write_subsection

    write_subsection("Integrity checks (benchmarks/integrity.py)", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
