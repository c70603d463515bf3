"""Answers say when their source changed since it was indexed (`"changed": true`), and `qa ask -`
notices an index folder replaced or deleted between questions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from qa.index.indexer import sync
from qa.render import citation
from qa.search import Searcher

from conftest import ROOT
from robust_util import HashEmbedder, story


def _index(tmp_path: Path, name: str = "index", topic: str = "harbour") -> tuple[Path, Path]:
    src = tmp_path / f"src-{name}"
    src.mkdir()
    (src / "a.txt").write_text(story(1, topic))
    for n, other in enumerate(["election", "bridge", "museum", "railway"], start=2):  # BM25 needs a few
        (src / f"{other}.txt").write_text(story(n, other))
    sync(tmp_path / name, [src], embedder=HashEmbedder())
    return tmp_path / name, src


def test_a_passage_whose_file_changed_since_indexing_is_marked(tmp_path):
    index, src = _index(tmp_path)
    searcher = Searcher(index)
    hit = searcher.search("harbour flooded", k=1).hits[0]
    assert hit.changed is False and hit.as_json()["changed"] is False
    path = Path(hit.path)
    path.write_text("A new first line.\n\n" + path.read_text())
    hit = searcher.search("harbour flooded", k=1).hits[0]
    searcher.close()
    assert hit.changed is True and hit.available is True and hit.as_json()["changed"] is True
    assert "changed since indexed — run `qa index`" in citation(hit)
    sync(index, embedder=HashEmbedder())
    searcher = Searcher(index)
    assert searcher.search("harbour flooded", k=1).hits[0].changed is False
    searcher.close()


def _ask_stdin(index: Path, tmp_path: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "qa", "ask", "-", "--index", str(index), "--mode", "bm25", "--json"],
                            cwd=tmp_path, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_qa_ask_stdin_answers_from_the_index_that_replaced_its_folder(tmp_path):
    import shutil

    index, _ = _index(tmp_path)
    other, _ = _index(tmp_path, "other", topic="volcano")
    proc = _ask_stdin(index, tmp_path)
    proc.stdin.write("What flooded the harbour?\n")
    proc.stdin.flush()
    first = json.loads(proc.stdout.readline())
    assert "harbour" in first["passages"][0]["text"]
    shutil.rmtree(index)
    shutil.copytree(other, index)
    out, err = proc.communicate("What flooded the volcano?\n", timeout=60)
    second = json.loads(out.splitlines()[0])
    assert proc.returncode == 0, err
    assert "volcano" in second["passages"][0]["text"]
    assert all("harbour" not in p["text"] for p in second["passages"])


def test_qa_ask_stdin_says_so_in_one_line_when_its_index_is_gone(tmp_path):
    import shutil

    index, _ = _index(tmp_path)
    proc = _ask_stdin(index, tmp_path)
    proc.stdin.write("What flooded the harbour?\n")
    proc.stdin.flush()
    assert json.loads(proc.stdout.readline())["passages"]
    shutil.rmtree(index)
    out, err = proc.communicate("What flooded the harbour?\n", timeout=60)
    assert proc.returncode == 1 and "gone" in json.loads(out)["error"]  # --json: the error as JSON too
    assert err.count("\n") == 1 and err.startswith("qa: error:") and "gone" in err
