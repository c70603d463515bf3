"""Adding and removing one article on a large index: segments (issue 17). Not part of the suite.

    .venv/bin/python benchmarks/segments.py                   # ~100k passages under benchmarks/.work/segments
    .venv/bin/python benchmarks/segments.py --copies 3        # a smaller corpus
    .venv/bin/python benchmarks/segments.py --only            # each sync restricted to the article's path (watch mode)
    .venv/bin/python benchmarks/segments.py --code ../main --work DIR   # another checkout's qa, for comparison
    .venv/bin/python benchmarks/segments.py --open benchmarks/.work/scale/index-1m   # open an index, read only
    .venv/bin/python benchmarks/segments.py --terms benchmarks/.work/scale/index-1m/terms.8.npz  # its BM25 alone

Corpus: the 2,225 BBC articles of ../shared/data/bbc-news copied --copies times under distinct
folder names (11 copies: ~100k passages), embedded by benchmarks/integrity.py's stand-in (a
deterministic unit vector per text: the files have their real sizes, which is all these costs
depend on; identical passages are embedded once anyway). Measured, each the median of --runs:
`sync` after one new article was written (its passages embedded by the stand-in), `sync` after it
was deleted, and opening the index (`Searcher`); also what each update wrote to the index folder,
and the three phases of a sync that read the whole corpus before issue 17's changes (the integrity
check, the scan of the sources, the regrouping of stories). One sync runs unmeasured first (the
one-off migration of an index built by an older qa). With --only, the add and remove syncs are
restricted to the article's path, as `qa index --watch` runs them (`sync(..., only=[path])`).
With --open INDEX, only the opening of an existing index, read only (nothing is written to it):
each run a fresh process that opens it (`Searcher`) and asks one question; its open time, first
question's time and peak RSS (ru_maxrss). With --terms FILE, the same for one term file alone:
reading it and making BM25 ready to score, then one question's BM25 scores (peak RSS of that).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BBC = ROOT.parent / "shared" / "data" / "bbc-news"

from benchmarks.integrity import StandInEmbedder  # noqa: E402

ARTICLE = ("Harbour reopens\n\nThe harbour of Port Elspeth reopened on Friday after a storm destroyed the old "
           "lighthouse, the mayor Ingrid Rasmussen said. Ferries will run again from Monday.\n\n"
           "Fishermen said the repairs took longer than promised, and the council will review the contract.\n")


def corpus(work: Path, copies: int) -> Path:
    src = work / "src"
    if not src.is_dir():
        for i in range(copies):
            shutil.copytree(BBC, src / f"copy{i:03d}", ignore=shutil.ignore_patterns("README*"))
    return src


def folder_bytes(index: Path) -> int:
    return sum(p.stat().st_size for p in index.iterdir() if p.is_file())


def written_since(index: Path, since: float) -> int:
    """Bytes of the vector and term files modified after `since` (what an update wrote)."""
    return sum(p.stat().st_size for p in [*index.glob("vectors.*"), *index.glob("terms.*")]
               if p.stat().st_mtime > since)


OPEN_ONCE = """
import json, resource, sys, time
t0 = time.perf_counter()
from qa.search import Searcher
searcher = Searcher(sys.argv[1])
opened = time.perf_counter() - t0
t1 = time.perf_counter()
searcher.search("who is the chief executive of Apple?", k=3)  # bm25: no embedder
asked = time.perf_counter() - t1
print(json.dumps({"open": opened, "first_question": asked,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


BM25_ONCE = """
import json, resource, sys, time
import numpy as np
from qa.index.bm25 import BM25Index, TermCounts
from qa.index.text import tokenize
t0 = time.perf_counter()
if hasattr(BM25Index, "from_segments"):  # postings, scored at query time
    from qa.index.postings import Postings
    bm25 = BM25Index.from_segments([Postings.load(sys.argv[1])], np.zeros(0, np.int64))
else:  # the weight matrix, computed when the index opens
    bm25 = BM25Index.from_counts(TermCounts.load(sys.argv[1]))
opened = time.perf_counter() - t0
t1 = time.perf_counter()
bm25.top(tokenize("who is the chief executive of Apple?"), 100)
asked = time.perf_counter() - t1
t2 = time.perf_counter()
for q in ("oil prices rise in the market", "film box office record", "Who won the election?"):
    bm25.top(tokenize(q), 100)
print(json.dumps({"open": opened, "first_question": asked, "next_questions": (time.perf_counter() - t2) / 3,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure_open(index: Path, runs: int, code: Path, program: str = OPEN_ONCE) -> int:
    """Open an existing index read only in `runs` fresh processes (the first warms the page cache
    and is not counted when there are several)."""
    env = dict(os.environ, PYTHONPATH=str(code.resolve()))
    found = []
    for _ in range(runs + (runs > 1)):
        out = subprocess.run([sys.executable, "-c", program, str(index)], env=env, check=False,
                             capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(out.stderr.strip().splitlines()[-1])
        out = out.stdout
        found.append(json.loads(out.strip().splitlines()[-1]))
    found = found[1:] if runs > 1 else found
    for key in found[0]:
        values = [f[key] for f in found]
        print(f"{key}: median {statistics.median(values):.2f}, runs {', '.join(f'{v:.2f}' for v in values)}")
    return 0


class Phases(dict):
    """sync's `on_stage` hook, keeping the seconds of the stages that grow with the corpus: the
    integrity check (repair), scanning the sources, the commit (with its regrouping of stories)."""

    KEPT = ("repair", "scan", "commit")

    def __call__(self, name: str, record: object, seconds: float) -> None:
        if name in self.KEPT:
            self.setdefault(name, []).append(seconds)


def _hooked(sync):
    """`sync` told of each stage (an older checkout measured with --code has no hook: no phases)."""
    import inspect

    phases = Phases()
    if "on_stage" not in inspect.signature(sync).parameters:
        return sync, phases
    return (lambda *args, **kwargs: sync(*args, on_stage=phases, **kwargs)), phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=11)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".work" / "segments")
    parser.add_argument("--code", type=Path, help="the checkout whose qa package is measured (default: this one)")
    parser.add_argument("--open", type=Path, help="only open this existing index (read only) and report")
    parser.add_argument("--only", action="store_true", help="restrict each add/remove sync to the article's path")
    parser.add_argument("--terms", type=Path, help="only read this term file into BM25 (read only) and report")
    args = parser.parse_args(argv)
    if args.open:
        return measure_open(args.open, args.runs, args.code or ROOT)
    if args.terms:
        return measure_open(args.terms, args.runs, args.code or ROOT, BM25_ONCE)
    if args.code:
        sys.path.insert(0, str(args.code.resolve()))
    from qa.index.indexer import sync
    from qa.search import Searcher

    args.work.mkdir(parents=True, exist_ok=True)
    src, index = corpus(args.work, args.copies), args.work / "index"
    if not (index / "qa.sqlite").exists():
        t0 = time.perf_counter()
        report = sync(index, [src], embedder=StandInEmbedder())
        print(f"built: {report.passages} passages in {time.perf_counter() - t0:.0f} s, "
              f"{folder_bytes(index) / 1e6:.0f} MB on disk", flush=True)
    t0 = time.perf_counter()
    sync(index, embedder=StandInEmbedder())  # not in the medians: what an index from an older qa needs once
    print(f"first sync, nothing changed: {time.perf_counter() - t0:.2f} s", flush=True)
    sync, phases = _hooked(sync)
    adds, removes, opens, wrote = [], [], [], []
    kind = "restricted to its path" if args.only else "whole"
    for run in range(args.runs):
        article = src / f"new-{run}.txt"
        article.write_text(ARTICLE.replace("Friday", f"day {run}"))
        since = time.time()
        t0 = time.perf_counter()
        added = sync(index, embedder=StandInEmbedder(), **({"only": [article]} if args.only else {}))
        adds.append(time.perf_counter() - t0)
        wrote.append(written_since(index, since))
        article.unlink()
        t0 = time.perf_counter()
        removed = sync(index, embedder=StandInEmbedder(), **({"only": [article]} if args.only else {}))
        removes.append(time.perf_counter() - t0)
        assert (added.added, removed.removed) == (1, 1), (added, removed)
        t0 = time.perf_counter()
        Searcher(index).close()
        opens.append(time.perf_counter() - t0)
    print(f"passages: {removed.passages}; on disk: {folder_bytes(index) / 1e6:.0f} MB")
    print(f"add one article (sync, {kind}): median {statistics.median(adds):.2f} s; "
          f"vector and term bytes written: median {statistics.median(wrote) / 1e3:.0f} KB")
    print(f"remove one article (sync, {kind}): median {statistics.median(removes):.2f} s")
    print(f"open the index (Searcher): median {statistics.median(opens):.2f} s")
    print("of which, per sync (median): " + ", ".join(f"{name} {statistics.median(times):.2f} s"
                                                      for name, times in phases.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
