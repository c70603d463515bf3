"""The sync as a chain of stage records (qa/index/indexer.py): the public `on_stage` hook sees
every stage in order with the records it hands on; a removal and a repair go through the same
write and commit; reading ahead while embedding gives the same index as the stages one after
the other, stays a bounded number of files ahead, and stops with the sync."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from qa.index import library, store, sync_commit, sync_embed, sync_read, sync_write, vectors
from qa.index.indexer import sync
from qa.index.inspection import vector_array
from qa.index.repair import RepairDone
from qa.index.sync_records import Analysed, Committed, Embedded, Read, Scanned, Written
from qa.settings import IndexingSettings

from robust_util import HashEmbedder, check_consistent

ORDER = ["repair", "scan", "read", "analyse", "embed", "write", "commit", "merge"]


def _library(folder: Path, files: int = 12) -> Path:
    """`files` articles of three paragraphs each; two of them carry the same wire story."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        body = "\n\n".join(f"Paragraph {j} of story {i}: the council of town {i} met about harbour {j} "
                           f"and bridge {i * j}, the mayor said on day {j}." for j in range(3))
        (folder / f"story{i:02d}.txt").write_text(f"Story {i}\n\n{body}\n")
    wire = "The wire story: ferries to the islands were cancelled after the storm, the port said."
    for name in ("wire-a.txt", "wire-b.txt"):
        (folder / name).write_text(f"Ferries\n\n{wire}\n")
    return folder


def _index_contents(index: Path) -> tuple[list[tuple], dict[int, np.ndarray]]:
    """Every passage row (document path, id, ordinal, text, tokens) and every stored vector by id."""
    with sqlite3.connect(index / store.DB_NAME) as conn:
        rows = conn.execute("SELECT d.path, p.id, p.ordinal, p.text, p.tokens FROM passages p "
                            "JOIN documents d ON d.id = p.doc_id ORDER BY p.id").fetchall()
    found: dict[int, np.ndarray] = {}
    for path in sorted(index.glob("vectors.*.faiss")):
        ids, data = vector_array(vectors.load(path))
        found.update(zip(ids.tolist(), data))
    return rows, found


def test_the_hook_sees_every_stage_in_order_with_the_records_it_hands_on(tmp_path):
    seen: list[tuple[str, object, float]] = []
    report = sync(tmp_path / "index", [_library(tmp_path / "src")], embedder=HashEmbedder(),
                  on_stage=lambda name, record, seconds: seen.append((name, record, seconds)))
    assert [name for name, _, _ in seen] == ORDER
    records = {name: record for name, record, _ in seen}
    assert all(seconds >= 0 for _, _, seconds in seen)
    assert isinstance(records["repair"], RepairDone) and isinstance(records["scan"], Scanned)
    assert isinstance(records["read"], Read) and records["read"].scanned is records["scan"]
    assert isinstance(records["analyse"], Analysed) and records["analyse"].read is records["read"]
    assert isinstance(records["embed"], Embedded) and records["embed"].analysed is records["analyse"]
    assert isinstance(records["write"], Written) and isinstance(records["commit"], Committed)
    assert records["commit"].written is records["write"]
    assert len(records["scan"].to_read) == len(records["read"].documents) == report.added == 14
    keys = {k for d in records["analyse"].documents for k in d.keys}
    assert set(records["embed"].vectors) == keys  # a vector for every passage's key
    assert len(records["write"].edit.documents) == 14 and records["commit"].meta.generation == 1


def test_a_sync_with_nothing_to_do_still_runs_the_chain(tmp_path):
    index, src = tmp_path / "index", _library(tmp_path / "src")
    sync(index, [src], embedder=HashEmbedder())
    seen = []
    sync(index, embedder=HashEmbedder(), on_stage=lambda name, record, _: seen.append((name, record)))
    assert [name for name, _ in seen] == ORDER
    written = dict(seen)["write"]
    assert written.edit is None and written.records is not None  # the records only, no new generation


class _Spy:
    """Records every call of the shared write (sync_write.write_files) and commit (sync_commit.commit)."""

    def __init__(self, monkeypatch) -> None:
        self.edits, self.commits = [], []
        real_write, real_commit = sync_write.write_files, sync_commit.commit

        def write_files(index_dir, edit, records):
            self.edits.append(edit)
            return real_write(index_dir, edit, records)

        def commit(db, written):
            self.commits.append(written)
            return real_commit(db, written)

        monkeypatch.setattr(sync_write, "write_files", write_files)
        monkeypatch.setattr(sync_commit, "commit", commit)


def test_a_removal_goes_through_the_shared_write_and_commit(tmp_path, monkeypatch):
    index, src = tmp_path / "index", _library(tmp_path / "src")
    sync(index, [src], embedder=HashEmbedder())
    with sqlite3.connect(index / store.DB_NAME) as conn:
        doc_id = conn.execute("SELECT id FROM documents WHERE path = ?", (str(src / "story03.txt"),)).fetchone()[0]
    spy = _Spy(monkeypatch)
    removal = library.remove(index, src / "story03.txt")
    assert removal.documents == 1
    assert [edit.dropped for edit in spy.edits] == [(doc_id,)]
    assert len(spy.commits) == 1 and spy.commits[0].edit is spy.edits[0]
    assert spy.commits[0].records.also is not None  # the exclusion recorded in the same transaction
    assert "story03.txt" not in {Path(p).name for p in check_consistent(index)}


def test_a_repair_goes_through_the_shared_write_and_commit(tmp_path, monkeypatch):
    index, src = tmp_path / "index", _library(tmp_path / "src")
    sync(index, [src], embedder=HashEmbedder())
    (vector_file,) = index.glob("vectors.*.faiss")
    vector_file.write_bytes(b"\0" * vector_file.stat().st_size)  # damaged: every vector embedded again
    spy = _Spy(monkeypatch)
    seen = []
    report = sync(index, embedder=HashEmbedder(), on_stage=lambda name, record, _: seen.append((name, record)))
    assert any(w.startswith("repaired") for w in report.warnings)
    repair_edit = spy.edits[0]
    assert repair_edit.replaces_all and not repair_edit.clears_pending and spy.commits[0].records is None
    assert spy.commits[0].edit is repair_edit
    assert dict(seen)["repair"].embedded == report.embedded > 0
    check_consistent(index)


@pytest.mark.parametrize("checkpoint", [3, 10_000])
def test_reading_ahead_gives_the_same_index_as_one_stage_after_another(tmp_path, monkeypatch, checkpoint):
    monkeypatch.setattr(sync_embed, "CHECKPOINT_PASSAGES", checkpoint)  # several groups embedded while reading, or one
    src = _library(tmp_path / "src", files=20)
    built = {}
    for ahead in (0, 2):
        index = tmp_path / f"index-{ahead}"
        sync(index, [src], embedder=HashEmbedder(), indexing=IndexingSettings(read_ahead_files=ahead))
        built[ahead] = _index_contents(index)
    (rows0, vectors0), (rows2, vectors2) = built[0], built[2]
    assert rows0 == rows2 and len(rows0) > 20
    assert vectors0.keys() == vectors2.keys() == {r[1] for r in rows0}
    assert all(np.array_equal(vectors0[i], vectors2[i]) for i in vectors0)


class _CountingEmbedder(HashEmbedder):
    """Notes, at each batch, how many files had been read (parsed) and how many the sync had taken
    from the reader (its reading progress), and takes its time."""

    def __init__(self, reads: list[str], seconds: float = 0.0) -> None:
        super().__init__()
        self.reads, self.seconds, self.read_at_batch, self.taken_at_batch = reads, seconds, [], []
        self.taken = 0

    def progress(self, phase: str, done: int, total: int) -> None:
        if phase == "reading":
            self.taken = done

    def encode(self, texts, batch_size=64, on_batch=None):
        time.sleep(self.seconds)
        self.read_at_batch.append(len(self.reads))
        self.taken_at_batch.append(self.taken)
        return super().encode(texts, batch_size, on_batch)


def _counting_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    real_parse = sync_read.parse
    monkeypatch.setattr(sync_read, "parse", lambda path, data: reads.append(path.name) or real_parse(path, data))
    return reads


def test_embedding_starts_before_every_file_is_read_and_reading_stays_a_few_files_ahead(tmp_path, monkeypatch):
    monkeypatch.setattr(sync_embed, "CHECKPOINT_PASSAGES", 3)
    reads = _counting_reads(monkeypatch)
    embedder = _CountingEmbedder(reads, seconds=0.05)
    src = _library(tmp_path / "src", files=30)
    sync(tmp_path / "index", [src], embedder=embedder, on_progress=embedder.progress,
         indexing=IndexingSettings(read_ahead_files=2))
    assert len(reads) == 32
    assert embedder.read_at_batch[0] < 32  # the first batch embedded while files were still to read
    # never more than the queue's 2 files, and the one in the reader's hands, ahead of the sync
    ahead = [read - taken for read, taken in zip(embedder.read_at_batch, embedder.taken_at_batch)]
    assert max(ahead) <= 3 and len(ahead) > 5


def test_one_stage_after_another_reads_everything_before_embedding(tmp_path, monkeypatch):
    monkeypatch.setattr(sync_embed, "CHECKPOINT_PASSAGES", 3)
    reads = _counting_reads(monkeypatch)
    embedder = _CountingEmbedder(reads)
    sync(tmp_path / "index", [_library(tmp_path / "src")], embedder=embedder,
         indexing=IndexingSettings(read_ahead_files=0))
    assert set(embedder.read_at_batch) == {14}


def test_an_interrupt_while_embedding_stops_the_reader_and_keeps_the_index(tmp_path, monkeypatch):
    index, src = tmp_path / "index", _library(tmp_path / "src")
    sync(index, [src], embedder=HashEmbedder())
    before = check_consistent(index)
    monkeypatch.setattr(sync_embed, "CHECKPOINT_PASSAGES", 3)
    for i in range(30):
        (src / f"new{i:02d}.txt").write_text(f"New {i}\n\nThe lighthouse {i} was repainted, the keeper said.\n")

    class Interrupted(HashEmbedder):
        def encode(self, texts, batch_size=64, on_batch=None):
            if self.texts:  # the second batch: Ctrl-C
                raise KeyboardInterrupt
            return super().encode(texts, batch_size, on_batch)

    with pytest.raises(KeyboardInterrupt):
        sync(index, embedder=Interrupted(), indexing=IndexingSettings(read_ahead_files=2))
    assert not [t for t in threading.enumerate() if t.name == "qa-read-ahead"]
    assert check_consistent(index) == before  # the previous index, whole
    with sqlite3.connect(index / store.DB_NAME) as conn:
        assert conn.execute("SELECT count(*) FROM pending_vectors").fetchone()[0] >= 3  # kept aside
    embedder = HashEmbedder()
    assert sync(index, embedder=embedder).added == 30
    assert len(embedder.texts) < 30  # those kept aside were not embedded again
