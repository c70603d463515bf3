"""What reading PDF and HTML in the budgeted child process (qa/ingest/read_worker.py) costs for normal
files, and what a flate-bomb PDF costs with it: the numbers behind ReaderSettings. Printed; the
figures are copied to BENCHMARKS.md "Reliability".

    .venv/bin/python benchmarks/reader_budget.py
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from pdf_util import flate_bomb_pdf, make_pdf  # noqa: E402

from qa.ingest import documents, read_worker  # noqa: E402

BBC = ROOT.parent / "shared" / "data" / "bbc-news"


def _articles(n: int) -> list[list[str]]:
    files = sorted(BBC.glob("*/*.txt"))[:n] if BBC.is_dir() else []
    texts = [f.read_text(encoding="latin-1") for f in files] or ["Harbour reopens\n\n" + "The harbour reopened. " * 80] * n
    return [[line for line in t.splitlines() if line.strip()] for t in texts]


def _time(label: str, items: list[bytes], read) -> float:
    start = time.perf_counter()
    for data in items:
        read(data)
    seconds = time.perf_counter() - start
    print(f"{label}: {len(items)} files {seconds:.2f} s, {1000 * seconds / len(items):.1f} ms a file")
    return seconds


def normal_files(n: int = 200) -> None:
    articles = _articles(n)
    pdfs = [make_pdf([lines[:25], lines[25:50] or ["end"]], title=lines[0]) for lines in articles]
    pages = [("<html><head><title>" + lines[0] + "</title></head><body><article>"
              + "".join(f"<p>{line}</p>" for line in lines[1:]) + "</article></body></html>").encode("utf-8")
             for lines in articles]
    start = time.perf_counter()
    read_worker.read_within_budget("pdf", pdfs[0])
    print(f"child start + first PDF: {time.perf_counter() - start:.2f} s")
    _time("PDF in the child", pdfs, lambda d: read_worker.read_within_budget("pdf", d))
    _time("PDF in process", pdfs, documents.read_pdf_here)
    start = time.perf_counter()
    read_worker.read_within_budget("html", pages[0])
    print(f"first HTML (trafilatura imported in the child): {time.perf_counter() - start:.2f} s")
    _time("HTML in the child", pages, lambda d: read_worker.read_within_budget("html", d))
    _time("HTML in process", pages, documents.read_html_here)
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    read_worker.close_worker()
    print(f"child peak RSS over {n} PDFs and {n} pages: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB"
          f" (before it ended: {child:.0f})")


def bombs() -> None:
    for operators in (300_000, 3_000_000, 30_000_000):
        data = flate_bomb_pdf(operators)
        start = time.perf_counter()
        try:
            documents.parse(Path("bomb.pdf"), data)
            outcome = "read"
        except documents.OverBudget as exc:
            outcome = f"skipped: {exc}"
        print(f"bomb {len(data) / 1024:.0f} KB -> {7 * operators / 2**20:.0f} MB of operators: {outcome} "
              f"in {time.perf_counter() - start:.1f} s; qa's own peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    normal_files()
    bombs()
