"""Index states a user can end up in: missing, empty, damaged, from another version or model,
read-only, disk full, written by two processes, read while written. Each is a one-line error
with the next step, or handled; the previous index keeps answering."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import os
from pathlib import Path

import pytest

from qa import cli
from qa.index import pause, store, vectors
from qa.errors import IndexCorrupt, IndexMismatch, IndexMissing, QAError
from qa.index.indexer import sync
from qa.search import Searcher

from conftest import ROOT, SEEDS
from robust_util import HashEmbedder, check_consistent, passage_texts

QUESTION = "Who heads Ansar al-Sharia in Derna?"


def _answers(index: Path) -> str:
    """The top passages' text: the index opens and answers (ranking is tested elsewhere)."""
    answer = Searcher(index).search(QUESTION, k=3, mode="bm25")
    assert answer.hits
    return "\n".join(h.text for h in answer.hits)


def _add_story(src: Path, name: str = "new.txt") -> None:
    (src / name).write_text("Port story\n\nThe harbour of Port Elspeth reopened on Friday, the mayor said.\n")


def _one_line(capsys, *needles: str) -> str:
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("qa: error:"), err
    for needle in needles:
        assert needle in err
    return err


def _set_meta(index: Path, **values: str) -> None:
    with sqlite3.connect(index / store.DB_NAME) as conn:
        conn.executemany("UPDATE meta SET value = ? WHERE key = ?", [(v, k) for k, v in values.items()])


def test_missing_and_empty_index(tmp_path, capsys):
    with pytest.raises(IndexMissing, match="qa index"):
        Searcher(tmp_path / "nowhere")
    (tmp_path / "bare").mkdir()
    assert cli.main(["ask", "x", "--index", str(tmp_path / "bare"), "--mode", "bm25"]) == 1
    _one_line(capsys, "no index", "qa index PATH")
    store.connect(tmp_path / "new", create=True).close()  # created, never completed
    assert cli.main(["docs", "--index", str(tmp_path / "new")]) == 1
    _one_line(capsys, "empty", "qa index PATH")


def test_index_of_only_unreadable_files_answers_nothing(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "empty.txt").write_bytes(b"")
    (src / "blank.md").write_bytes(b"\n \n")
    report = sync(tmp_path / "index", [src], embedder=HashEmbedder())
    assert (report.added, report.skipped, report.passages) == (0, 2, 0)
    searcher = Searcher(tmp_path / "index")
    for mode in ("bm25", "dense", "hybrid"):
        answer = searcher.search("anything at all", mode=mode, embedder=HashEmbedder())
        assert answer.answered is False and answer.hits == []
    assert searcher.documents() == []
    _add_story(src)  # and it grows from there
    assert sync(tmp_path / "index", embedder=HashEmbedder()).added == 1


@pytest.mark.parametrize("damage", ["truncated", "zero bytes", "garbage", "deleted"])
def test_damaged_vector_file(built, capsys, damage):
    index, src = built
    (vector_file,) = index.glob("vectors.*.faiss")
    data = vector_file.read_bytes()
    if damage == "deleted":
        vector_file.unlink()
    else:
        vector_file.write_bytes({"truncated": data[:len(data) // 2], "zero bytes": b"",
                                 "garbage": b"\x00garbage" * 1000}[damage])
    with pytest.raises(IndexCorrupt, match="damaged"):
        Searcher(index)
    assert cli.main(["ask", QUESTION, "--mode", "bm25", "--index", str(index)]) == 1
    _one_line(capsys, "damaged", str(vector_file), "repair with: qa index")
    _add_story(src)  # the next sync repairs it first (re-embedding the passages it lost)
    embedder = HashEmbedder()
    report = sync(index, embedder=embedder)
    assert not report.rebuilt and report.warnings[0].startswith("repaired:") and str(vector_file) in report.warnings[0]
    assert len(embedder.texts) == report.passages  # the 9 passages whose vectors were lost, and the new one
    assert "Sufian al Qumu" in _answers(index)
    assert len(check_consistent(index)) == 3


@pytest.mark.parametrize("damage", ["garbage", "truncated", "header"])
def test_damaged_database(built, tmp_path, capsys, damage):
    index, src = built
    db = index / store.DB_NAME
    data = db.read_bytes()
    db.write_bytes({"garbage": b"this is not a database" * 200, "truncated": data[:len(data) // 3],
                    "header": b"\xff" * 100 + data[100:]}[damage])
    with pytest.raises(IndexCorrupt, match="damaged"):
        Searcher(index).search(QUESTION, mode="bm25")
    with pytest.raises(IndexCorrupt, match="--rebuild"):
        sync(index, embedder=HashEmbedder())
    with pytest.raises(QAError, match="naming them"):  # the list of sources is lost with it
        sync(index, rebuild=True, embedder=HashEmbedder())
    report = sync(index, [src], rebuild=True, embedder=HashEmbedder())
    assert "moved to" in report.warnings[0] and report.added == 2
    assert list(index.glob("qa.sqlite.damaged-*"))  # kept for inspection, not deleted
    assert "Sufian al Qumu" in _answers(index)
    check_consistent(index)


def test_format_version_from_the_future_or_past(built, capsys):
    index, src = built
    _set_meta(index, format_version="99")
    with pytest.raises(IndexCorrupt, match="newer qa"):
        Searcher(index)
    with pytest.raises(QAError, match="newer qa"):  # never silently overwritten
        sync(index, embedder=HashEmbedder())
    assert cli.main(["index", "--index", str(index)]) == 1
    _one_line(capsys, "newer qa", "--rebuild")
    report = sync(index, rebuild=True, embedder=HashEmbedder())
    assert report.rebuilt and report.passages > 0 and len(check_consistent(index)) == 2
    assert "Sufian al Qumu" in _answers(index)
    _set_meta(index, format_version="0")  # an older index is rebuilt by the next sync
    report = sync(index, embedder=HashEmbedder())
    assert report.rebuilt and "rebuilding" in report.warnings[0]
    assert "Sufian al Qumu" in _answers(index)


def test_index_built_with_another_model(built, capsys, monkeypatch):
    index, src = built
    searcher = Searcher(index)
    with pytest.raises(IndexMismatch, match="--rebuild --model other/model"):
        searcher.check_model("other/model")
    monkeypatch.setenv("QA_MODEL", "other/model")  # configured by the environment
    assert cli.main(["ask", QUESTION, "--mode", "bm25", "--index", str(index)]) == 1
    _one_line(capsys, "all-MiniLM-L6-v2", "other/model", "--rebuild")
    monkeypatch.delenv("QA_MODEL")
    _set_meta(index, model="no/such-model")  # the model named by the index cannot be loaded
    assert cli.main(["ask", QUESTION, "--index", str(index)]) == 1
    _one_line(capsys, "is not on this machine now", "no/such-model", "--mode bm25")
    assert cli.main(["ask", QUESTION, "--mode", "bm25", "--index", str(index)]) == 0  # keywords still work
    capsys.readouterr()
    report = sync(index, model="all-MiniLM-L6-v2", embedder=HashEmbedder())  # a model change rebuilds
    assert report.rebuilt and "model changed" in report.warnings[0]


def test_read_only_index_folder_simulated(built, monkeypatch, capsys):
    """As root nothing is read-only to chmod: os.access is made to say so, as on a read-only mount."""
    index, src = built
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode & os.W_OK else real_access(p, mode, **kw))
    assert "Sufian al Qumu" in _answers(index)  # opened read-only
    _add_story(src)
    with pytest.raises(QAError, match="not writable"):
        sync(index, embedder=HashEmbedder())
    assert cli.main(["index", "--index", str(index)]) == 1
    _one_line(capsys, "not writable", "--index DIR")


def _unshare_available() -> bool:
    if not shutil.which("unshare") or not shutil.which("mount"):
        return False
    return subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _unshare_available(), reason="needs `unshare -m` (root or user namespaces) for a real read-only mount")
def test_read_only_index_folder_real_mount(built, tmp_path):
    """A real read-only bind mount in a private mount namespace (gone when the process ends)."""
    index, src = built
    _add_story(src)
    script = (f"mount --bind {index} {index} && mount -o remount,bind,ro {index} && "
              f"{sys.executable} -m qa ask {QUESTION!r} --mode bm25 --json --index {index}; echo \"rc=$?\"; "
              f"{sys.executable} -m qa index --index {index}; echo \"rc=$?\"")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120)
    assert "rc=0" in result.stdout and "Sufian al Qumu" in result.stdout, result.stderr
    assert "rc=1" in result.stdout and "qa: error:" in result.stderr and "not writable" in result.stderr
    assert "Traceback" not in result.stderr


def test_disk_full_while_writing_vectors(built, monkeypatch, capsys):
    index, src = built
    before = _answers(index)
    files_before = sorted(p.name for p in index.iterdir())
    real_write = vectors.faiss.write_index

    def full_disk(idx, path):
        Path(path).write_bytes(b"\0" * 100)  # a partial file, as a full disk leaves
        raise RuntimeError("Error in faiss::FileIOWriter: fwrite failed")

    monkeypatch.setattr(vectors.faiss, "write_index", full_disk)
    monkeypatch.setattr(vectors.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**9, 10**9, 0))
    _add_story(src)
    with pytest.raises(QAError, match="the disk is full; the previous index is unchanged"):
        sync(index, embedder=HashEmbedder())
    assert cli.main(["index", "--index", str(index)]) == 1
    _one_line(capsys, "disk is full")
    assert sorted(p.name for p in index.iterdir()) == files_before  # no partial file left
    assert _answers(index) == before and len(check_consistent(index)) == 2
    monkeypatch.setattr(vectors.faiss, "write_index", real_write)
    assert sync(index, embedder=HashEmbedder()).added == 1  # space freed: the next run completes
    assert len(check_consistent(index)) == 3


@pytest.mark.parametrize("phase", ["embedding", "committing"])
def test_disk_full_in_the_database(built, monkeypatch, phase):
    index, src = built
    before = _answers(index)
    (old_file,) = index.glob("vectors.*.faiss")

    def full(at: str) -> None:
        if at == phase:
            raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(pause, "at", full)
    _add_story(src)
    with pytest.raises(QAError, match="the disk is full; the previous index is unchanged"):
        sync(index, embedder=HashEmbedder())
    assert [p.name for p in index.glob("vectors.*")] == [old_file.name]  # the uncommitted file is gone
    assert _answers(index) == before and len(check_consistent(index)) == 2
    monkeypatch.setattr(pause, "at", lambda at: None)
    assert sync(index, embedder=HashEmbedder()).added == 1
    assert len(check_consistent(index)) == 3


class _Gate:
    """Stops a sync running in a thread at one phase until released."""

    def __init__(self, monkeypatch, phase: str) -> None:
        self.phase, self.reached, self.go = phase, threading.Event(), threading.Event()
        self.thread_ids: set[int] = set()
        monkeypatch.setattr(pause, "at", self)

    def __call__(self, at: str) -> None:
        if at == self.phase and threading.get_ident() in self.thread_ids:
            self.reached.set()
            assert self.go.wait(30)

    def run(self, fn) -> tuple[threading.Thread, dict]:
        result: dict = {}

        def target():
            self.thread_ids.add(threading.get_ident())
            try:
                result["value"] = fn()
            except BaseException as exc:  # handed to the test
                result["error"] = exc

        thread = threading.Thread(target=target)
        thread.start()
        assert self.reached.wait(30), result.get("error")
        return thread, result


def test_two_index_runs_at_once_second_waits_then_proceeds(built, monkeypatch):
    index, src = built
    gate = _Gate(monkeypatch, "saved")
    _add_story(src, "first.txt")
    thread, first = gate.run(lambda: sync(index, embedder=HashEmbedder()))
    _add_story(src, "second.txt")  # the file the second run finds
    messages: list[str] = []
    second: dict = {}
    waiter = threading.Thread(target=lambda: second.setdefault("value", sync(
        index, embedder=HashEmbedder(), on_message=messages.append)))
    waiter.start()
    waiter.join(1.5)
    assert waiter.is_alive() and messages and "waiting" in messages[0]  # it waits for the lock
    gate.go.set()
    thread.join(30)
    waiter.join(30)
    assert "error" not in first and first["value"].added in (1, 2)
    assert first["value"].added + second["value"].added == 2  # each file added exactly once
    assert sorted(check_consistent(index)) == sorted(str(p) for p in src.glob("*.txt"))


@pytest.mark.parametrize("phase", ["reading", "saved", "committing", "committed"])
def test_ask_while_index_runs(built, monkeypatch, phase):
    index, src = built
    old = Searcher(index)
    before = old.search(QUESTION, mode="bm25").hits[0].text
    gate = _Gate(monkeypatch, phase)
    _add_story(src)
    thread, result = gate.run(lambda: sync(index, embedder=HashEmbedder()))
    try:
        # readers see one whole generation: the old one until the commit, then the new one
        for searcher in (old, Searcher(index)):
            assert searcher.search(QUESTION, mode="bm25").hits[0].text == before
            names = sorted(Path(p).name for _, p, _ in searcher.documents())
            assert names == sorted(p.name for p in src.glob("*.txt") if (phase == "committed" or p.name != "new.txt"))
    finally:
        gate.go.set()
        thread.join(30)
    assert "error" not in result, result.get("error")
    assert old.refresh() == (phase != "committed")  # "committed": its searches reloaded already
    assert "new.txt" in [Path(p).name for _, p, _ in old.documents()]
    assert "Port Elspeth" in passage_texts(index)["new.txt"]


def test_disk_full_before_the_lock_file_exists(tmp_path, monkeypatch):
    real_open = os.open

    def no_space(path, *args, **kwargs):
        if str(path).endswith("write.lock"):
            raise OSError(28, "No space left on device", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_space)
    with pytest.raises(QAError, match="cannot create the lock file .*No space left on device"):
        sync(tmp_path / "index", [SEEDS], embedder=HashEmbedder())
