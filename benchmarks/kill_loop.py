"""Kill `qa index` again and again; after every kill the index must open, answer, hold whole
documents only (no document lost or duplicated, one vector per passage), and the next sync must
complete. Then fill a real (tmpfs) disk during a reindex. Results go to BENCHMARKS.md.

    .venv/bin/python benchmarks/kill_loop.py [--kills 24] [--seed 6]

Each round changes the corpus (adds articles, edits one, deletes one) and starts a real
`python -m qa index` process. The first ten rounds stop it at each named phase of a reindex
(QA_TEST_PAUSE_AT: reading, embedding, saved, committing, committed) with SIGINT and SIGKILL;
the rest kill it after a random delay with a random one of the two signals.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from qa.embedding.embedder import Embedder  # noqa: E402
from qa.index.indexer import sync  # noqa: E402
from qa.search import Searcher  # noqa: E402
from qa.index.inspection import inspect  # noqa: E402
from qa.index.store import IndexStore  # noqa: E402
from report import write_subsection  # noqa: E402
from robust_util import check_consistent  # noqa: E402

BBC = ROOT.parent / "shared" / "data" / "bbc-news"
PHASES = ["reading", "embedding", "saved", "committing", "committed"]
SIGNALS = {"SIGINT": signal.SIGINT, "SIGKILL": signal.SIGKILL}


def articles() -> list[Path]:
    if not BBC.is_dir():
        sys.exit("needs ../shared/data/bbc-news (the BBC articles) as corpus")
    return sorted(BBC.glob("*/*.txt"))


def run_index(index: Path, cwd: Path, phase: str | None, sig: int, delay: float) -> tuple[int, str, str]:
    """(returncode, stderr, when): a `qa index` run, signalled at `phase` or after `delay` s."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if phase:
        env.update(QA_TEST_PAUSE_AT=phase, QA_TEST_PAUSE_SECONDS="120")
    proc = subprocess.Popen([sys.executable, "-m", "qa", "index", "--index", str(index)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reached = threading.Event()

    def pump() -> None:
        for line in proc.stderr:
            lines.append(line)
            if phase and f"test pause at {phase}" in line:
                reached.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    when = "finished first"
    if phase:
        if reached.wait(180):
            proc.send_signal(sig)
            when = f"at {phase}"
        else:
            when = f"never reached {phase}"  # e.g. nothing to embed
    else:
        try:
            proc.wait(delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(sig)
            when = f"after {delay:.1f} s"
    proc.wait(120)
    reader.join(10)
    return proc.returncode, "".join(lines), when


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=26, help="rounds (a few may finish before their signal)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = articles()
    rng.shuffle(pool)
    model = Embedder()
    work = Path(tempfile.mkdtemp(prefix="qa-kill-"))
    src, index = work / "src", work / "index"
    src.mkdir()
    taken = 0

    def add(n: int) -> None:
        nonlocal taken
        for path in pool[taken:taken + n]:
            shutil.copy(path, src / f"{path.parent.name}-{path.name}")
        taken += n

    add(40)
    sync(index, [src], embedder=model)
    rows = []
    failures: list[str] = []
    survived = completed_after = killed = 0
    started = time.monotonic()
    for round_ in range(args.kills):
        files = sorted(src.glob("*.txt"))
        add(6)  # new articles to embed
        edit = rng.choice(files)
        edit.write_text(edit.read_text(encoding="utf-8", errors="replace") + "\n\nA paragraph added later by an editor.\n")
        rng.choice([f for f in files if f != edit]).unlink()
        before = set(check_consistent(index))
        target = {str(p) for p in src.glob("*.txt")}
        if round_ < 2 * len(PHASES):
            phase, sig_name = PHASES[round_ // 2], ["SIGINT", "SIGKILL"][round_ % 2]
            delay = 0.0
        else:
            phase, sig_name, delay = None, rng.choice(list(SIGNALS)), rng.uniform(0.5, 9.0)
        code, stderr, when = run_index(index, work, phase, SIGNALS[sig_name], delay)
        problems = []
        docs: set[str] = set()
        if "Traceback" in stderr:
            problems.append("traceback: " + stderr.strip().splitlines()[-1])
        if code not in (0, 130, -signal.SIGINT, -signal.SIGKILL, 1):
            problems.append(f"exit code {code}")
        if code == 1 and "qa: error:" not in stderr:
            problems.append("exit 1 without a one-line error")
        try:
            docs = set(check_consistent(index))  # one row per path, passages == vectors, exact spans
            with IndexStore.open(index) as db:  # and every record, checksum and hash agrees (issue 13)
                problems += [f"not whole: {p}" for p in inspect(db, index).problems]
            if docs not in (before, target):
                problems.append(f"documents neither before nor after: {len(docs)} vs {len(before)}/{len(target)}")
            answer = Searcher(index).search("What did the company report?", k=3, embedder=model)
            if not answer.hits:
                problems.append("no answer after the kill")
        except Exception as exc:  # the point of the loop: record, do not stop
            problems.append(f"{type(exc).__name__}: {exc}")
        try:
            report = sync(index, embedder=model)  # the next run completes the job
            final = set(check_consistent(index))
            if final != target:
                problems.append(f"next sync left {len(final)} documents, expected {len(target)}")
            else:
                completed_after += 1
        except Exception as exc:
            problems.append(f"next sync failed: {type(exc).__name__}: {exc}")
            report = None
        ok = not problems
        signalled = when.startswith(("at ", "after "))
        killed += signalled
        survived += ok and signalled
        failures += [f"round {round_ + 1} ({sig_name} {when}): {p}" for p in problems]
        rows.append(f"| {round_ + 1} | {sig_name} | {when} | {code} | {'same as before' if docs == before else 'new'} | "
                    f"{report.embedded if report else '-'} | {'ok' if ok else 'FAIL'} |")
        print(rows[-1], flush=True)
    loop_seconds = time.monotonic() - started
    disk = disk_full(index, src, work, pool[taken:taken + 30])
    shutil.rmtree(work, ignore_errors=True)

    body = [
        f"Command: `.venv/bin/python benchmarks/kill_loop.py --kills {args.kills} --seed {args.seed}` "
        f"({time.strftime('%Y-%m-%d')}, 2 cores, BBC articles as corpus; {loop_seconds:.0f} s).",
        "",
        f"- **Kills survived: {survived} of {killed}** real `qa index` processes signalled "
        f"({sum('| at ' in r for r in rows)} at named phases, the rest at random moments; "
        f"{args.kills - killed} of {args.kills} rounds finished before their signal). After each the index "
        "opened and answered, held exactly the documents of before the run or of after it (never a mix), one "
        "row per file and one vector per passage with exact spans, and every recorded checksum, count and passage hash agreed (`qa.index.inspection.inspect`, as `qa index --check`); the next sync completed "
        f"{completed_after} of {args.kills} times.",
        f"- Failures: {len(failures)}" + ("" if not failures else "\n" + "\n".join(f"  - {f}" for f in failures)),
        f"- Disk full (a real {disk['size']} tmpfs, in a private mount namespace): {disk['result']}",
        "",
        "| round | signal | when | exit | documents after the kill | embedded by the next sync | result |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        "Exit 130 is `qa`'s own handling of SIGINT (`qa: interrupted; the index is as it was before this run`), "
        "-9 a SIGKILL, 0 a run that finished before the signal. \"embedded by the next sync\" stays small "
        "because vectors embedded before a kill are kept aside and reused.",
    ]
    print("\n".join(body))
    if not args.no_write:
        write_subsection("Kill loop (benchmarks/kill_loop.py)", "\n".join(body))
    sys.exit(1 if failures else 0)


def disk_full(index: Path, src: Path, work: Path, more: list[Path]) -> dict[str, str]:
    """Reindex on a tmpfs too small for the new files: a one-line error, the old index answering."""
    if not shutil.which("unshare") or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode:
        return {"size": "-", "result": "not run (needs `unshare -m`)"}
    used = sum(p.stat().st_size for p in index.iterdir())
    size_kb = used // 1024 + 256
    for path in more:
        shutil.copy(path, src / f"more-{path.parent.name}-{path.name}")
    mount = work / "small-disk"
    mount.mkdir()
    py = sys.executable
    script = f"""
set -u
mount -t tmpfs -o size={size_kb}k tmpfs {mount} && cp -a {index} {mount}/index || exit 99
{py} -m qa index --index {mount}/index; echo "index_rc=$?"
{py} -m qa ask 'What did the company report?' --mode bm25 --json --index {mount}/index > {work}/ask.json; echo "ask_rc=$?"
{py} -m qa docs --json --index {mount}/index | wc -l
ls {mount}/index
"""
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=work, timeout=600)
    out, err = result.stdout, result.stderr
    docs_before = len(check_consistent(index))
    lines = out.split()
    ok = ("index_rc=1" in out and "ask_rc=0" in out and "disk is full" in err and "Traceback" not in err
          and str(docs_before) in lines and not any(n.endswith(".tmp") for n in lines))
    error = next((l for l in err.splitlines() if l.startswith("qa: error:")), err.strip()[-200:])
    verdict = "ok" if ok else "FAIL"
    return {"size": f"{size_kb} KB",
            "result": f"{verdict}: `{error}`; afterwards `qa ask` answered from the previous index "
                      f"({docs_before} documents) and no partial vector file was left."
            if ok else f"FAIL: {out!r} {err[-500:]!r}"}


if __name__ == "__main__":
    main()
