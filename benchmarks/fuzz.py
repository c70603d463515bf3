"""Run the hypothesis properties of tests/test_robustness_fuzz.py with many random examples and
write the counts to BENCHMARKS.md.

    .venv/bin/python benchmarks/fuzz.py [--examples 3000]

The test suite runs the same properties with 60 fixed (derandomized) examples; here they are
random, so each run tries new inputs.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from report import write_subsection  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=3000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    env = dict(os.environ, QA_FUZZ_EXAMPLES=str(args.examples), PYTHONPATH=str(ROOT))
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "tests/test_robustness_fuzz.py", "--hypothesis-show-statistics"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    out = result.stdout
    print(out[-4000:])
    stats = re.findall(r"::(\w+):.*?(\d+) passing, (\d+) failing, and (\d+) invalid", out, flags=re.S)
    events = re.findall(r"^\s+\* (\d+\.\d+%), (.+)$", out, flags=re.M)
    lines = [
        f"Command: `.venv/bin/python benchmarks/fuzz.py --examples {args.examples}` ({time.strftime('%Y-%m-%d')}, "
        f"{seconds:.0f} s, random inputs: each run tries new ones).",
        "",
        "| property | inputs passing | failing |",
        "| --- | --- | --- |",
        *[f"| {name} | {passing} | {failing} |" for name, passing, failing, _ in stats],
        "",
        "Inputs: random article bytes (news-like words with abbreviations, initials, quotes, markup, RTL and CJK "
        "words, NUL and escape codes, 5,000-character words, every kind of line end and blank line; arbitrary "
        "unicode; arbitrary bytes) in UTF-8, UTF-8 with BOM, UTF-16, cp1252 and latin-1, as .txt, .md and "
        ".html; then up to five such documents indexed and up to three random questions asked in hybrid and "
        "BM25 mode. Checked: reading refuses or gives exact paragraph spans; passages are exact, ordered and "
        "bounded (words and characters); indexing never raises and leaves one vector per passage; every hit's "
        "text is its document's text at its span and its highlight lies inside it.",
    ]
    if events:
        lines += ["", "What the generated files were: " + "; ".join(f"{label} {share}" for share, label in events[:8]) + "."]
    body = "\n".join(lines)
    print(body)
    if result.returncode == 0 and not args.no_write:
        write_subsection("Fuzzing (benchmarks/fuzz.py)", body)
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
