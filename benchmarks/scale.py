"""The million-passage benchmark (issue 17). Not part of the test suite.

    .venv/bin/python benchmarks/scale.py                   # build what is missing, then measure 10k, 100k, 1M
    .venv/bin/python benchmarks/scale.py --reuse           # measure the indexes as they are (no build)
    .venv/bin/python benchmarks/scale.py --sizes 1m        # one size only
    .venv/bin/python benchmarks/scale.py --build 1m --vectors-from 100k   # build one index here (stage times, peak RSS)

Without --reuse, an index that is missing is built first (in a fresh process; the 1M one with
the 100k index's vectors when it exists); an existing index is never rebuilt: delete its folder
under benchmarks/.work/scale/ for that. Measuring changes an index only by syncing a folder of
its own (extra-SIZE/) into it and adding and removing one article there, so it can be re-run.

Corpora: the 2,225 BBC articles copied 110 times under distinct names (real copies, made once by
benchmarks/speed.py's copy_folders into benchmarks/.work/corpus-1m). The 10k index holds the
first copy, the 100k index the first 11 (as speed.py's 100k corpus), the 1M index all 110.
Identical passages are embedded once, so a build costs reading, BM25, storage and the
approximate index, not embedding. Every figure is measured in a fresh process where the figure
includes start-up (open, `qa ask`, peak RSS); per-question times are in one process, warmed up.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.speed import BBC, COPIES_100K, copy_folders, du, median_of, questions  # noqa: E402

WORK = ROOT / "benchmarks" / ".work"
CORPUS = WORK / "corpus-1m"
SCALE = WORK / "scale"
COPIES_1M = 110  # 110 x ~9.1k passages ~ 1M
SIZES = {"10k": 1, "100k": COPIES_100K, "1m": COPIES_1M}
NPROBE_SWEEP = (4, 8, 16, 32, 64, 128)  # recall@100 and dense milliseconds at each (settings.nprobe ships)


def index_dir(size: str) -> Path:
    return SCALE / f"index-{size}"


def sources(size: str) -> list[Path]:
    return copy_folders(CORPUS, COPIES_1M)[:SIZES[size]]


def vm_hwm_mb() -> float:
    """This process's peak RSS (VmHWM: ru_maxrss would carry a parent's peak over fork and exec)."""
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


class StageTimes(dict):
    """sync's `on_stage` hook: each stage's seconds added up by name (scan, read, analyse, embed,
    write, commit, merge, repair), a line per stage on stderr with the process's RSS."""

    def __call__(self, name: str, record: object, seconds: float) -> None:
        self[name] = self.get(name, 0.0) + seconds
        print(f"{time.strftime('%H:%M:%S')} {name} {self[name]:.1f}s rss={rss_mb():.0f}MB", file=sys.stderr, flush=True)


def known_vectors(folder: Path) -> dict:
    """embedding text -> vector of every passage of an index (as the indexer keys its model's input)."""
    from qa.index import segments, store, vectors
    from qa.config import ChunkSettings
    from qa.index.indexer import embedding_text

    conn = store.connect(folder)
    meta = store.read_meta(conn)
    db = store.IndexStore(conn)
    rows = db.recorded_passages()
    parts = [(s, segments.load_vectors(folder, s)) for s in segments.current_segments(db, meta)]
    conn.close()
    settings = ChunkSettings(**meta.chunking)
    first = {}
    for pid, title, text in rows:
        first.setdefault(embedding_text(title, text, settings), pid)
    out = {}
    for segment, part in parts:  # each segment's passages read from its own vector file
        held = [(key, pid) for key, pid in first.items() if segment.first_id <= pid <= segment.last_id]
        if held:
            out.update(zip([k for k, _ in held], vectors.reconstruct(part, [pid for _, pid in held])))
    return out


def build_here(size: str, embedder=None) -> dict:
    """Build one index from nothing in this process, timing the indexer's stages."""
    from qa.index import indexer

    folder = index_dir(size)
    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    stages = StageTimes()
    report = indexer.sync(folder, sources(size), embedder=embedder, on_stage=stages)
    return {"seconds": time.perf_counter() - t0, "stages_s": stages, "peak_rss_mb": vm_hwm_mb(),
            "report": {k: v for k, v in report.as_json().items() if k in ("added", "passages", "embedded")}}


def rss_mb() -> float:
    line = next(l for l in open("/proc/self/status") if l.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def build(size: str) -> dict:
    """build_here in a fresh process (its peak RSS is the build's alone)."""
    log = SCALE / f"build-{size}.log"
    with open(log, "w") as err:
        reuse = ["--vectors-from", "100k"] if size == "1m" and (index_dir("100k") / "qa.sqlite").exists() else []
        out = subprocess.run([sys.executable, __file__, "--build", size, *reuse], cwd=ROOT, check=True,
                             stdout=subprocess.PIPE, stderr=err, text=True)
    return json.loads(out.stdout)


# -- figures -------------------------------------------------------------------------------------

def exact_top(exact, queries, k: int) -> tuple[list, list[float]]:
    """Per query, the exact index's top k (ids, scores); and the milliseconds each search took."""
    from qa.index import vectors

    results, ms = [], []
    for query in queries:
        t0 = time.perf_counter()
        results.append(vectors.search(exact, query, k))
        ms.append(1000 * (time.perf_counter() - t0))
    return results, ms


def recall_at(exact, wanted: list, approx, queries, k: int, settings) -> dict:
    """recall@k of `approx` against `exact` (two vector indexes of the same passages; `wanted`:
    exact_top's results): the share of the exact top k the approximate top k holds, ties counted
    (a returned passage whose exact score is >= the exact k-th score - 1e-6 is a hit: with 110
    identical copies of a passage, any k of them are the right answer). Also the approximate
    dense search's median milliseconds."""
    from qa.index import vectors

    recalls, approx_ms = [], []
    for query, (want_ids, want) in zip(queries, wanted):
        t0 = time.perf_counter()
        got_ids, _ = vectors.search(approx, query, k, settings=settings)
        approx_ms.append(1000 * (time.perf_counter() - t0))
        if not len(want_ids):
            continue
        scores = vectors.reconstruct(exact, got_ids.tolist()) @ query  # the exact scores of what came back
        recalls.append(min(len(want_ids), int((scores >= want[-1] - 1e-6).sum())) / len(want_ids))
    return {"recall": sum(recalls) / len(recalls), "min_recall": min(recalls),
            "all_found_share": sum(r == 1.0 for r in recalls) / len(recalls),
            "approximate_dense_ms_p50": median_of(approx_ms)}


def recall(folder: Path, qencoder, qs: list[str]) -> dict:
    """recall@100 of the IVF index (its largest segment, as saved at 1M; made in memory at 10k and
    100k, where the shipped index is exact) against an exact index of the same vectors."""
    from dataclasses import replace

    from qa.index import store, vectors
    from qa.retrieval.snapshot import IndexSnapshot
    from qa.settings import DEFAULT_SETTINGS

    conn = store.connect(folder)
    parts = IndexSnapshot.load(conn, folder).vectors.parts  # one faiss index per segment
    conn.close()
    saved = max(parts, key=lambda part: part.ntotal)  # the big segment (a fresh build's only one)
    forced = replace(DEFAULT_SETTINGS, approximate_above=0)
    if vectors.ivf_of(saved) is None:
        exact, approx = saved, vectors.approximate(saved, forced)
    else:
        exact, approx = vectors.new(saved.d), saved
        ids, data = vectors.contents(saved)
        vectors.add(exact, ids.tolist(), data)
        del data
    queries = qencoder.encode(qs)
    out = {"saved_as": "ivf" if vectors.ivf_of(saved) is not None else "exact",
           "nlist": vectors.ivf_of(approx).nlist, "nprobe": forced.nprobe}
    wanted, exact_ms = exact_top(exact, queries, 100)
    out["exact_dense_ms_p50"] = median_of(exact_ms)
    out |= recall_at(exact, wanted, approx, queries, 100, forced)
    out["nprobe_sweep"] = {n: recall_at(exact, wanted, approx, queries, 100, replace(forced, nprobe=n))
                           for n in NPROBE_SWEEP if n != forced.nprobe}
    return out


def open_seconds(folder: Path, runs: int = 3) -> float:
    """Median seconds for a fresh process to open the index (Searcher(...): meta, checks, BM25, vectors)."""
    code = ("import time, sys; sys.path.insert(0, %r)\nfrom qa.search import Searcher\n"
            "t0 = time.perf_counter(); Searcher(%r); print(time.perf_counter() - t0)" % (str(ROOT), str(folder)))
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return median_of(times)


def measure(size: str, qs: list[str], passage_embedder, qencoder) -> dict:
    """Every figure of one index, the add/remove last (it changes the index)."""
    from benchmarks.speed import add_remove_one, cli_first_answer, latency, peak_rss
    from qa.index.indexer import sync

    folder = index_dir(size)
    extra = SCALE / f"extra-{size}"
    extra.mkdir(exist_ok=True)
    keep = sorted(BBC.glob("sport/*.txt"))[0]  # so the folder is never empty (an empty source keeps its documents)
    (extra / "keep.txt").write_text(f"Kept in the extra folder\n\n{keep.read_text(encoding='utf-8', errors='replace')}")
    row: dict = {}
    t0 = time.perf_counter()
    stages = StageTimes()  # an exact index over the threshold becomes IVF here
    sync(folder, [extra], embedder=passage_embedder, on_stage=stages)  # a source of its own for add/remove
    row["first_sync_s"] = time.perf_counter() - t0
    row["first_sync_stages_s"] = stages
    row["open_s"] = open_seconds(folder)
    lat = latency(folder, qencoder, qs)
    row["latency_ms"] = {k: v for k, v in lat.items() if k != "passages"}
    row["passages"] = lat["passages"]
    row["cli_first_answer_s"] = cli_first_answer(folder)
    row["peak_rss_mb"] = peak_rss(folder, qs)
    row["disk_mb"] = du(folder) / 2**20
    row["recall@100"] = recall(folder, qencoder, qs)
    stages = StageTimes()
    row["add_s"], row["remove_s"], row["add_embedded"] = add_remove_one(folder, extra, passage_embedder, on_stage=stages)
    row["add_remove_stages_s_per_sync"] = {name: t / 6 for name, t in stages.items()}  # 3 adds, 3 removes
    row["watch_add_s"], row["watch_remove_s"], _ = add_remove_one(folder, extra, passage_embedder, only=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m")
    parser.add_argument("--reuse", action="store_true", help="measure the existing indexes; build none")
    parser.add_argument("--build", help="build these indexes (comma-separated) here and print their figures")
    parser.add_argument("--vectors-from", choices=sorted(SIZES),
                        help="with --build: take passage vectors from this index instead of embedding them")
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    if not BBC.is_dir():
        print("../shared/data/bbc-news is not present: nothing to measure", file=sys.stderr)
        return 0
    SCALE.mkdir(parents=True, exist_ok=True)
    if args.build:
        from qa.embedding.embedder import passage_encoder

        from qa.embedding.remembering import Remembering

        embedder = Remembering(passage_encoder())  # each text embedded once: 10k, 100k and 1M share the BBC passages
        if args.vectors_from:  # passage vectors taken from another index of the same articles
            embedder.known.update(known_vectors(index_dir(args.vectors_from)))
        print(json.dumps({size: build_here(size, embedder) for size in args.build.split(",")}))
        return 0
    from qa.embedding.embedder import passage_encoder, question_encoder

    passage_embedder = passage_encoder()
    qencoder = question_encoder()
    qs = questions(args.questions)
    rows = {}
    for size in args.sizes.split(","):
        if not (index_dir(size) / "qa.sqlite").exists():
            if args.reuse:
                print(f"{index_dir(size)} does not exist: run without --reuse to build it", file=sys.stderr)
                return 2
            rows.setdefault(size, {})["build"] = build(size)[size]
        rows.setdefault(size, {}).update(measure(size, qs, passage_embedder, qencoder))
        print(size, json.dumps(rows[size], default=str), file=sys.stderr, flush=True)
    print(json.dumps({"machine": f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", "rows": rows},
                     indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
