"""Why files over MAX_FILE_BYTES are skipped: what reading a 50 MB article would cost, measured
with the limit lifted, and what the 2 MB single line (under the limit) costs. Results go to
BENCHMARKS.md.

    .venv/bin/python benchmarks/large_file.py
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from report import write_subsection  # noqa: E402

MEASURE = r"""
import json, resource, sys, time
from pathlib import Path
from qa.ingest import documents
from qa.ingest.chunking import chunk
from qa.index.text import tokenize
documents.MAX_FILE_BYTES = 2**31 if sys.argv[2] == "lifted" else documents.MAX_FILE_BYTES
start = time.perf_counter()
try:
    doc = documents.load(Path(sys.argv[1]))
    passages = chunk(doc)
    for p in passages:
        tokenize(p.text)
    result = {"passages": len(passages), "longest": max(len(p.text) for p in passages)}
except documents.Unreadable as exc:
    result = {"skipped": str(exc)}
result["seconds"] = time.perf_counter() - start
result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def measure(path: Path, mode: str) -> dict:
    import json

    out = subprocess.run([sys.executable, "-c", MEASURE, str(path), mode], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    return json.loads(out)


def embed_rate() -> float:
    from qa.embedding.embedder import Embedder

    model = Embedder()
    sentence = "The council said on Tuesday that the new harbour wall would cost {} million pounds."
    texts = [" ".join(sentence.format(i * 10 + j) for j in range(8)) for i in range(256)]  # ~120 words
    model.encode(texts[:32])
    start = time.perf_counter()
    model.encode(texts)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qa-large-"))
    big = work / "big.txt"
    sentence = b"The council said on Tuesday that the new harbour wall would cost four million pounds. "
    with open(big, "wb") as handle:
        handle.write(b"A very long article\n\n")
        for i in range(50 * 2**20 // len(sentence)):
            handle.write(sentence + (b"\n\n" if i % 8 == 7 else b""))
    line = work / "line.txt"
    line.write_text("One endless line\n\n" + " ".join(f"word{i % 997}" for i in range(330_000)) + "\n")
    try:
        lifted = measure(big, "lifted")
        limited = measure(big, "limited")
        one_line = measure(line, "limited")
        line_mb = line.stat().st_size / 1e6
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rate = embed_rate()
    minutes = lifted["passages"] / rate / 60
    body = f"""Command: `.venv/bin/python benchmarks/large_file.py` ({time.strftime('%Y-%m-%d')}, 2 cores).

| file | result | read + chunk + tokenize | peak memory of the process |
| --- | --- | --- | --- |
| 50 MB article, limit lifted | {lifted['passages']:,} passages | {lifted['seconds']:.1f} s | {lifted['peak_mb']:.0f} MB |
| 50 MB article, as shipped | skipped: "{limited['skipped']}" | {limited['seconds']*1000:.1f} ms | {limited['peak_mb']:.0f} MB |
| 2 MB line, no punctuation ({line_mb:.1f} MB) | {one_line['passages']:,} passages, longest {one_line['longest']:,} chars | {one_line['seconds']:.1f} s | {one_line['peak_mb']:.0f} MB |

Embedding ran at {rate:.0f} passages/s during this run (the 2 cores shared with other jobs), so the 50 MB file alone would take about {minutes:.0f} minutes to
embed: hence the {limited['skipped'].split('limit is ')[1].split(')')[0]} limit (`MAX_FILE_BYTES` in qa/ingest/documents.py),
checked from the file's size before reading it."""
    print(body)
    if not args.no_write:
        write_subsection("Large files (benchmarks/large_file.py)", body)


if __name__ == "__main__":
    main()
