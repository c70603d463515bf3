"""Advice that is followed works, and errors say what is true (issue 22): what `qa ask` finds
damaged, `qa index --check` reports and `qa index` repairs; `--check` reports a malformed database
rather than crash on it; `qa remove` of a folder above the sources is refused; a full disk during
`qa remove` says the index is whole; a device or FIFO is no source; many skipped files are
summarised; a repair's JSON counts what it embedded."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import pytest

from qa import cli, store
from qa.errors import IndexCorrupt
from qa.indexer import sync
from qa.search import Searcher

from conftest import SEEDS
from robust_util import HashEmbedder, check_consistent

QUESTION = "Who heads Ansar al-Sharia in Derna?"


@pytest.fixture
def built(tmp_path) -> tuple[Path, Path]:
    """(index, sources): the seed articles indexed with the stand-in embedder."""
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    sync(tmp_path / "index", [src], embedder=HashEmbedder())
    return tmp_path / "index", src


def check(index: Path) -> tuple[int, dict]:
    """`qa index --check --json`, in this process: (exit code, its JSON)."""
    out = StringIO()
    with redirect_stdout(out):
        code = cli.main(["index", "--check", "--json", "--index", str(index)])
    return code, json.loads(out.getvalue())


def _one_error_line(capsys, *needles: str) -> str:
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("qa: error:"), err
    for needle in needles:
        assert needle in err, err
    return err


# -- what ask finds, --check reports and qa index repairs -------------------------------------------

def test_shifted_offsets_are_found_by_ask_check_and_index_alike(built):
    index, _ = built
    with sqlite3.connect(index / store.DB_NAME) as conn:
        (pid,) = conn.execute("SELECT id FROM passages WHERE text LIKE '%Sufian al Qumu%' LIMIT 1").fetchone()
        conn.execute("UPDATE passages SET start = start + 3, end = end + 3 WHERE id = ?", (pid,))
    searcher = Searcher(index)
    with pytest.raises(IndexCorrupt, match=f"passage {pid} is damaged .*repair with: qa index"):
        searcher.search(QUESTION, k=3, mode="bm25")
    searcher.close()
    code, report = check(index)
    assert code == 1 and any(f"passage {pid} is damaged" in p for p in report["problems"]), report
    assert report["repair"] == f"qa index --index {index}"
    report = sync(index, embedder=HashEmbedder())  # the advice, followed, repairs it
    assert report.warnings[0].startswith("repaired:")
    assert check(index) == (0, check(index)[1]) and check(index)[1]["whole"]
    assert any("Sufian al Qumu" in h.text for h in Searcher(index).search(QUESTION, k=3, mode="bm25").hits)
    check_consistent(index)  # every span is the file's text again


def _garble_passages_page(index: Path) -> None:
    """Garbage in a page the passages table uses (its root page), as a bad sector leaves."""
    with sqlite3.connect(index / store.DB_NAME) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'passages'").fetchone()
    with open(index / store.DB_NAME, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xde\xad\xbe\xef" * (page_size // 4))


def test_check_reports_a_malformed_database_with_the_way_out(built, capsys):
    index, _ = built
    _garble_passages_page(index)
    code, report = check(index)  # JSON, not a crash
    assert code == 1 and not report["whole"] and "damaged" in report["problems"][0], report
    assert report["repair"] == f"qa index --rebuild --index {index}"
    assert cli.main(["index", "--check", "--index", str(index)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("qa: damaged: the index database") and out.count("\n") == 1, out
    assert err == f"rebuild with: qa index --rebuild --index {index}\n"
    assert cli.main(["index", "--index", str(index)]) == 1  # plain qa index gives the same way out
    _one_error_line(capsys, "damaged", "rebuild with: qa index --rebuild")
    sync(index, rebuild=True, embedder=HashEmbedder())  # which works
    assert check(index)[1]["whole"] and len(check_consistent(index)) == 2


def test_a_repairs_json_counts_the_passages_it_embedded(built):
    index, _ = built
    (vector_file,) = index.glob("vectors.*.faiss")
    with open(vector_file, "r+b") as handle:  # 0xff floats are NaN: a few vectors lost
        handle.seek(vector_file.stat().st_size // 2)
        handle.write(b"\xff" * 4096)
    embedder = HashEmbedder()
    report = sync(index, embedder=embedder)
    said = [w for w in report.warnings if w.startswith("embedded ")]
    assert said == [f"embedded {len(embedder.texts)} passages again"] and len(embedder.texts) >= 1
    assert report.as_json()["embedded"] == report.embedded == len(embedder.texts)
