"""Writing a benchmark's results into its own subsection of BENCHMARKS.md, leaving the rest."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "## Reliability"


def write_subsection(title: str, body: str, path: Path = BENCHMARKS) -> None:
    """Replace (or add) '### title' under '## Reliability' in BENCHMARKS.md."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\nHow the tool holds up against bad input, kills and "\
               "concurrent use (issue 6). "\
               "A subsection named after a script is written by that script.\n"
    head, _, rest = text.partition(SECTION)
    nxt = re.search(r"^## ", rest, flags=re.M)
    section, tail = (rest[:nxt.start()], rest[nxt.start():]) if nxt else (rest, "")
    block = f"### {title}\n\n{body.strip()}\n\n"
    pattern = re.compile(rf"^### {re.escape(title)}\n.*?(?=^### |\Z)", re.S | re.M)
    section = pattern.sub(lambda _: block, section) if pattern.search(section) else section.rstrip("\n") + "\n\n" + block
    path.write_text(head + SECTION + section.rstrip("\n") + "\n" + ("\n" + tail if tail else ""))
