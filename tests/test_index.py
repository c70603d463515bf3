"""Syncing an index with its sources: counts, incremental work, kills and locks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa.errors import IndexBusy, QAError
from qa.index.indexer import sync
from qa.index.lock import write_lock
from qa.search import Searcher

from conftest import BBC, ROOT


def _top_source(index: Path, question: str, embedder) -> str:
    answer = Searcher(index).search(question, k=1, embedder=embedder)
    return Path(answer.hits[0].path).name


def test_add_change_delete_and_unchanged(tmp_path, seeds_copy, stand_in):
    embedder = stand_in
    index = tmp_path / "index"
    first = sync(index, [seeds_copy], embedder=embedder)
    assert (first.added, first.updated, first.removed, first.unchanged) == (2, 0, 0, 0)
    assert first.embedded == first.passages == len(embedder.texts) > 0

    embedder.texts.clear()
    again = sync(index, embedder=embedder)
    assert (again.added, again.updated, again.removed, again.unchanged, again.embedded) == (0, 0, 0, 2, 0)
    assert embedder.texts == []

    # add a file
    (seeds_copy / "harbour.txt").write_text(
        "Harbour reopens\n\nThe harbour of Port Elspeth reopened on Friday after a storm destroyed the "
        "old lighthouse, the mayor Ingrid Rasmussen said.\n")
    added = sync(index, embedder=embedder)
    assert (added.added, added.updated, added.removed, added.unchanged) == (1, 0, 0, 2)
    assert added.embedded == 1 and len(embedder.texts) == 1 and "Port Elspeth" in embedder.texts[0]
    assert _top_source(index, "Who is the mayor of Port Elspeth?", embedder) == "harbour.txt"

    # change it: only the new passage text is embedded
    embedder.texts.clear()
    time.sleep(0.01)
    (seeds_copy / "harbour.txt").write_text(
        "Harbour reopens\n\nThe harbour of Port Elspeth reopened on Friday after a storm destroyed the "
        "old lighthouse, the mayor Oskar Lindqvist said.\n")
    changed = sync(index, embedder=embedder)
    assert (changed.added, changed.updated, changed.removed, changed.unchanged) == (0, 1, 0, 2)
    assert changed.embedded == 1 and "Lindqvist" in embedder.texts[0]
    answer = Searcher(index).search("Who is the mayor of Port Elspeth?", k=1, embedder=embedder)
    assert "Lindqvist" in answer.hits[0].text

    # delete it
    embedder.texts.clear()
    (seeds_copy / "harbour.txt").unlink()
    removed = sync(index, embedder=embedder)
    assert (removed.added, removed.updated, removed.removed, removed.unchanged, removed.embedded) == (0, 0, 1, 2, 0)
    assert removed.passages == first.passages
    assert all("Elspeth" not in h.text for h in
               Searcher(index).search("Who is the mayor of Port Elspeth?", k=5, embedder=embedder).hits)


def test_touched_but_identical_file_is_not_reembedded(tmp_path, seeds_copy, stand_in):
    embedder = stand_in
    index = tmp_path / "index"
    sync(index, [seeds_copy], embedder=embedder)
    embedder.texts.clear()
    path = next(seeds_copy.glob("*.txt"))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    report = sync(index, embedder=embedder)
    assert (report.updated, report.unchanged, report.embedded) == (0, 2, 0)
    assert embedder.texts == []


def test_changed_document_keeps_vectors_of_unchanged_passages(tmp_path, seeds_copy, stand_in):
    embedder = stand_in
    index = tmp_path / "index"
    sync(index, [seeds_copy], embedder=embedder)
    path = seeds_copy / "002_0e2a9cc3038cee0a.txt"
    n_passages = len(Searcher(index).documents())
    embedder.texts.clear()
    path.write_text(path.read_text() + "\n\nA new closing paragraph about the town's recovery.\n")
    report = sync(index, embedder=embedder)
    assert report.updated == 1 and n_passages == 2
    assert report.embedded == len(embedder.texts) <= 2  # only the passage(s) whose text moved


def test_skipped_files_are_reported_not_fatal(tmp_path, seeds_copy, stand_in):
    embedder = stand_in
    (seeds_copy / "empty.txt").write_bytes(b"")
    (seeds_copy / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (seeds_copy / "legacy.txt").write_bytes("Caf\u00e9 news\n\nThe caf\u00e9 reopened.".encode("cp1252"))
    (seeds_copy / "markup.md").write_text("[bold]Markup[/bold] story\n\n[@click=app.quit]Click[/] me [link=x]now[/link].\n")
    report = sync(tmp_path / "index", [seeds_copy], embedder=embedder)
    assert report.added == 4 and report.skipped == 2
    assert set(map(os.path.basename, report.skipped_files)) == {"empty.txt", "image.txt"}


def test_missing_source_path_is_an_error(tmp_path, stand_in):
    embedder = stand_in
    with pytest.raises(QAError, match="no such file or folder"):
        sync(tmp_path / "index", [tmp_path / "nope"], embedder=embedder)


def test_second_writer_waits_then_gives_up(tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    messages = []
    with write_lock(index):
        start = time.monotonic()
        with pytest.raises(IndexBusy):
            with write_lock(index, wait=0.5, on_wait=messages.append):
                pass
        assert time.monotonic() - start >= 0.5
    assert messages and "waiting" in messages[0]
    with write_lock(index, wait=0):  # released: free again
        pass


@pytest.mark.skipif(not BBC.is_dir(), reason="../shared/data/bbc-news is not present")
def test_killed_reindex_leaves_previous_index_answering(tmp_path, seeds_copy, stand_in):
    """A real `qa index` process is SIGKILLed while embedding new files (with the stand-in,
    tests/standin_qa.py: the kill is the point, not the model). It saves its vectors aside every
    64 passages rather than 512, and the test hook holds it after the first save, so that a few
    hundred passages make several checkpoints and the kill always lands mid-embedding."""
    embedder = stand_in
    index = tmp_path / "index"
    sync(index, [seeds_copy], embedder=embedder)
    before = Searcher(index).search("Who heads Ansar al-Sharia in Derna?", k=1, embedder=embedder)
    extra = tmp_path / "extra"
    extra.mkdir()
    for path in sorted((BBC / "business").glob("*.txt"))[:100]:  # ~400 passages: six checkpoints
        shutil.copy(path, extra / path.name)
    env = dict(os.environ, PYTHONPATH=str(ROOT), QA_TEST_PAUSE_AT="embedding", QA_TEST_PAUSE_SECONDS="120")
    script = (f"import sys\nsys.path.insert(0, {str(ROOT / 'tests')!r})\nimport standin_qa  # noqa\n"
              "import qa.index.sync_embed\nfrom qa.cli import main\nqa.index.sync_embed.CHECKPOINT_PASSAGES = 64\n"
              f"sys.exit(main(['index', {str(extra)!r}, '--index', {str(index)!r}]))\n")
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # wait until it holds the lock and has started embedding (pending vectors appear), then kill
    deadline = time.monotonic() + 120
    import sqlite3
    while time.monotonic() < deadline:
        with sqlite3.connect(index / "qa.sqlite", timeout=30) as conn:
            if conn.execute("SELECT count(*) FROM pending_vectors").fetchone()[0] > 0:
                break
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the reindex never started embedding")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    searcher = Searcher(index)
    after = searcher.search("Who heads Ansar al-Sharia in Derna?", k=1, embedder=embedder)
    assert after.hits[0].passage_id == before.hits[0].passage_id and after.answered
    assert len(searcher.documents()) == 2  # nothing half-added

    # the next run completes the job, reusing what was embedded before the kill
    embedder.texts.clear()
    report = sync(index, embedder=embedder)
    assert report.added == len(list(extra.glob("*.txt")))
    assert report.embedded < report.passages - 9  # vectors saved before the kill were reused
    assert len(Searcher(index).documents()) == 2 + report.added


def test_cli_index_json_contract(tmp_path, seeds_copy, fast_model, run_qa):
    """fast_model: the qa index embeds with the real model, through the session's export."""
    result = run_qa("index", str(seeds_copy), "--index", str(tmp_path / "ix"), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("added", "updated", "removed", "unchanged", "skipped", "passages", "embedded", "seconds"):
        assert key in data
    assert data["added"] == 2 and data["embedded"] == data["passages"] > 0
