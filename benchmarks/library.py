"""Speed of the library commands on a 500-article folder, and watch mode's latency.

    PYTHONPATH=. .venv/bin/python benchmarks/library.py [--folder ../shared/data/bbc-news/business]

Indexes a copy of the folder with `qa index` (the real model), then times, as a user runs them
(a new process each, start-up included): `qa sources`, `qa remove FOLDER` (on a fresh copy of
the index each time), and with `qa index --watch` running, the time from writing a new article to
`Searcher` finding it by keywords (polled every 20 ms).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def qa(*args: str, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "qa", *args], env=env, capture_output=True, text=True,
                          check=True, **kw)


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def watch_latency(work: Path, index: Path, folder: Path, trials: int) -> list[float]:
    from qa.search import Searcher

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "qa", "index", "--watch", "--index", str(index)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = threading.Event()

    def read_stderr() -> None:
        for line in proc.stderr:
            if "watching" in line:
                ready.set()

    threading.Thread(target=read_stderr, daemon=True).start()
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    try:
        if not ready.wait(600):
            raise SystemExit("watch mode did not start")
        time.sleep(4)  # the watcher is set up
        searcher = Searcher(index)
        latencies = []
        for trial in range(trials):
            word = f"zanzibarquux{trial}"
            path = folder / f"watch-{trial}.txt"
            start = time.perf_counter()
            path.write_text(f"Watch trial {trial}\n\nThe {word} harbour reopened on Monday after repairs.\n")
            while True:
                answer = searcher.search(f"{word} harbour", k=1, mode="bm25")
                if answer.hits and answer.hits[0].path == str(path):
                    break
                if time.perf_counter() - start > 60:
                    raise SystemExit("a new file was not answerable within 60 s")
                time.sleep(0.02)
            latencies.append(time.perf_counter() - start)
            time.sleep(1)
        return latencies
    finally:
        proc.send_signal(2)
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", default=str(ROOT.parent / "shared" / "data" / "bbc-news" / "business"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and reuse the index built there by an earlier run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep or tmp)
        folder = work / "business"
        if not (work / "index-copy").is_dir():
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(args.folder, folder)
            start = time.perf_counter()
            qa("index", str(folder), "--index", str(work / "index"))
            print(f"qa index of {len(list(folder.glob('*.txt')))} articles: {time.perf_counter() - start:.1f} s",
                  flush=True)
            shutil.copytree(work / "index", work / "index-copy")
        for stale in folder.glob("watch-*.txt"):
            stale.unlink()
        articles = len(list(folder.glob("*.txt")))
        index = work / "index"
        shutil.rmtree(index, ignore_errors=True)
        shutil.copytree(work / "index-copy", index)

        sources = timed(lambda: qa("sources", "--index", str(index)), args.runs)
        print(f"{articles} articles; qa sources: median {statistics.median(sources) * 1000:.0f} ms over {args.runs} runs")

        def remove_once() -> None:
            qa("remove", str(folder), "--index", str(index))

        removes = []
        for _ in range(args.runs):
            shutil.rmtree(index)
            shutil.copytree(work / "index-copy", index)
            removes += timed(remove_once, 1)
        print(f"qa remove of the {articles}-article folder: median {statistics.median(removes) * 1000:.0f} ms "
              f"over {args.runs} runs")

        shutil.rmtree(index)
        shutil.copytree(work / "index-copy", index)
        latencies = watch_latency(work, index, folder, args.runs)
        print(f"watch mode, file written -> answerable: median {statistics.median(latencies):.2f} s, "
              f"max {max(latencies):.2f} s over {args.runs} files "
              f"({', '.join(f'{x:.2f}' for x in latencies)}; the first waits for the model the watcher "
              "loads in the background after its first sync)")


if __name__ == "__main__":
    main()
