"""Segments (issue 17): an update writes one small segment and marks removals without rewriting
any existing file; segments searched together, merged or not, answer as a fresh build of the same
files; a kill during a merge leaves the index whole; older one-file-pair indexes still open."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from qa.index import segments, store
from qa.config import FORMAT_VERSION
from qa.index.indexer import sync
from qa.index.library import remove
from qa.retrieval.filters import make_filters
from qa.search import Searcher
from qa.settings import DEFAULT_SETTINGS, IndexingSettings
from qa.index.store import IndexStore

from conftest import SEEDS, bbc_sample
from robust_util import HashEmbedder, check_consistent
from test_robustness_interrupts import kill_at

#: never merge: every sync leaves its own segment
NO_MERGES = IndexingSettings(merge_factor=1000, max_segments=1000, max_deleted_share=1.0)
QUESTIONS = ["Who won the election?", "oil prices rise", "film box office record", "mobile phone sales",
             "Who commanded the Abu Salim Brigade?", "football match injury", "shares fell on the stock market"]


def _articles(tmp_path: Path, n: int) -> list[Path]:
    """n BBC articles, copied into a folder of their own (named apart)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    out = []
    for i, path in enumerate(bbc_sample(n)):
        out.append(folder / f"{i:03d}-{path.parent.name}.txt")
        shutil.copy(path, out[-1])
    return out


def _grow_one_at_a_time(index: Path, src: Path, articles: list[Path], indexing: IndexingSettings) -> None:
    """Add the articles to `src` one sync at a time (a segment each unless merged)."""
    for i, path in enumerate(articles):
        shutil.copy(path, src / path.name)
        sync(index, [src] if i == 0 else [], embedder=HashEmbedder(), indexing=indexing)


def _answers(index: Path, mode: str, source: str | None = None) -> list[list[tuple[str, int, float, float, float]]]:
    """Per question: (file, start, score, bm25, cosine) of the passages found, as a user gets them
    (with a --source filter when given)."""
    searcher = Searcher(index)
    filters = make_filters(source=source) if source else None
    try:
        out = []
        for q in QUESTIONS:
            hits = searcher.search(q, k=8, mode=mode, embedder=HashEmbedder(), filters=filters).hits
            # passages scoring 0 (the stand-in embedder's orthogonal vectors) tie: any order is right
            out.append([(Path(h.path).name, h.start, h.score, h.bm25_score, h.dense_score or 0.0)
                        for h in hits if h.score > 1e-6])
        return out
    finally:
        searcher.close()


def _same(got: list, want: list) -> bool:
    """The same passages in the same order, with the same scores (up to float32 rounding: a
    combined vocabulary sums a passage's term weights in another order than a fresh build's)."""
    keys = [[h[:2] for h in hits] for hits in got] == [[h[:2] for h in hits] for hits in want]
    scores = [np.allclose([h[2:] for h in a], [h[2:] for h in b], rtol=1e-5, atol=1e-6)
              for a, b in zip(got, want) if a or b]
    return keys and all(scores) and any(got)


def _files(index: Path) -> dict[str, tuple[int, int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size)
            for p in [*index.glob("vectors.*"), *index.glob("terms.*")]}


def _fresh(tmp_path: Path, src: Path, name: str) -> Path:
    index = tmp_path / name
    sync(index, [src], embedder=HashEmbedder())
    return index


def _segment_count(index: Path) -> int:
    with IndexStore.open(index) as db:
        return len(db.read_meta().segments)


def test_many_small_syncs_answer_as_a_fresh_build(tmp_path):
    articles = _articles(tmp_path, 14)
    src = tmp_path / "src"
    src.mkdir()
    index = tmp_path / "index"
    _grow_one_at_a_time(index, src, articles, NO_MERGES)
    (src / articles[3].name).unlink()  # a removal (marked deleted) ...
    (src / articles[9].name).write_text("Changed story\n\nThe oil minister said prices rise again.\n")  # ... an update
    sync(index, embedder=HashEmbedder(), indexing=NO_MERGES)
    # a segment per sync that added passages (15), but the two whose passages are all deleted
    # (the removed and the updated article's) are dropped: that rewrites nothing
    assert _segment_count(index) == 13
    remove(index, str(src / articles[5].name))  # qa remove marks deletions too, then merges (default settings)
    assert _segment_count(index) < 12
    kept = tmp_path / "kept"  # the same files but the one removed, as a fresh build sees them
    shutil.copytree(src, kept, ignore=shutil.ignore_patterns(articles[5].name))
    fresh = _fresh(tmp_path, kept, "fresh")
    for mode in ("bm25", "dense", "hybrid"):
        assert _same(_answers(index, mode), _answers(fresh, mode)), mode
        # a filter across segments: only the allowed passages of each segment are searched
        assert _same(_answers(index, mode, "*business.txt"), _answers(fresh, mode, "*business.txt")), mode
    assert all(name.endswith("business.txt") for hits in _answers(index, "dense", "*business.txt") for name, *_ in hits)
    check_consistent(index)


def test_bm25_over_segments_scores_as_bm25okapi_over_the_live_passages(tmp_path):
    articles = _articles(tmp_path, 8)
    src = tmp_path / "src"
    src.mkdir()
    index = tmp_path / "index"
    _grow_one_at_a_time(index, src, articles, NO_MERGES)
    (src / articles[2].name).unlink()
    sync(index, embedder=HashEmbedder(), indexing=NO_MERGES)
    snapshot = Searcher(index).snapshot
    with sqlite3.connect(index / store.DB_NAME) as conn:
        rows = conn.execute("SELECT id, tokens FROM passages ORDER BY id").fetchall()
    assert snapshot.passage_ids.tolist() == [r[0] for r in rows]  # deleted passages are not in it
    k1, b, epsilon = DEFAULT_SETTINGS.bm25_params
    okapi = BM25Okapi([r[1].split() for r in rows], k1=k1, b=b, epsilon=epsilon)
    for query in (["oil", "price"], ["elect"], ["film", "award", "film"]):
        assert np.allclose(snapshot.bm25.scores(query), okapi.get_scores(query), rtol=1e-5, atol=1e-6)


def test_merged_segments_answer_as_a_fresh_build_and_stay_few(tmp_path):
    articles = _articles(tmp_path, 12)
    src = tmp_path / "src"
    src.mkdir()
    index = tmp_path / "index"
    merging = IndexingSettings(merge_factor=3, min_merge_passages=5, max_segments=4, max_deleted_share=0.2)
    _grow_one_at_a_time(index, src, articles, merging)
    for gone in (articles[1], articles[7]):
        (src / gone.name).unlink()
    sync(index, embedder=HashEmbedder(), indexing=merging)
    assert _segment_count(index) <= 4
    with IndexStore.open(index) as db:
        meta, deleted = db.read_manifest()
    found = segments.sizes(meta.segments, np.asarray(deleted, dtype=np.int64))
    assert all(s.deleted <= 0.2 * s.passages for s in found)  # segments over the share were rewritten
    ids = [(s.first_id, s.last_id) for s in meta.segments]
    assert all(a[1] < b[0] for a, b in zip(ids, ids[1:]))  # ascending, disjoint ranges
    fresh = _fresh(tmp_path, src, "fresh")
    for mode in ("bm25", "dense", "hybrid"):
        assert _same(_answers(index, mode), _answers(fresh, mode)), mode
    check_consistent(index)
    assert set(_files(index)) == set(segments.file_names(meta.segments)) | set(meta.kept_files)


def test_an_update_does_not_rewrite_existing_segment_files(tmp_path):
    articles = _articles(tmp_path, 3)
    src = tmp_path / "src"
    src.mkdir()
    index = tmp_path / "index"
    for path in articles[:2]:
        shutil.copy(path, src / path.name)
    sync(index, [src], embedder=HashEmbedder(), indexing=NO_MERGES)  # one segment of two articles
    before = _files(index)
    shutil.copy(articles[2], src / articles[2].name)  # add one article
    report = sync(index, embedder=HashEmbedder(), indexing=NO_MERGES)
    assert report.added == 1
    after = _files(index)
    assert {name: after[name] for name in before} == before  # same inode, mtime and size: not rewritten
    assert len(after) == len(before) + 2  # one new segment: its vector and term file
    (src / articles[0].name).unlink()  # remove one of the first segment's: only marked deleted
    assert sync(index, embedder=HashEmbedder(), indexing=NO_MERGES).removed == 1
    assert _files(index) == after
    with IndexStore.open(index) as db:
        assert db.deleted_ids() and db.passage_count() == Searcher(index).snapshot.passage_ids.size
    fresh = _fresh(tmp_path, src, "fresh")  # the deleted passages are never found, in any mode
    for mode in ("bm25", "dense", "hybrid"):
        assert _same(_answers(index, mode), _answers(fresh, mode)), mode


def test_merge_policy_rewrites_each_passage_a_logarithmic_number_of_times():
    settings = IndexingSettings(merge_factor=4, min_merge_passages=10, max_segments=12)
    segs: list[list[int]] = []  # each segment: the rewrite count of each of its passages
    for sync_no in range(600):
        segs.append([0] * 10)  # a sync of one 10-passage article
        while (chosen := segments.next_merge([segments.SegmentSize(len(s), 0) for s in segs], settings)):
            start, end = chosen
            segs[start:end] = [[n + 1 for s in segs[start:end] for n in s]]
        assert len(segs) <= settings.max_segments
    total = sum(len(s) for s in segs)
    assert total == 6000
    # log base 4 of 6000 / 10 is ~4.6 levels; the smallest level is merged a few times over
    assert max(n for s in segs for n in s) <= 4 + 2 * int(np.log(total / 10) / np.log(4) + 1)


def test_a_kill_during_a_merge_leaves_the_index_whole_and_the_next_run_merges(tmp_path, run_qa):
    articles = _articles(tmp_path, 10)
    src = tmp_path / "src"
    src.mkdir()
    index = tmp_path / "index"
    _grow_one_at_a_time(index, src, articles, NO_MERGES)  # 10 segments: the default merges 8 of them
    before = _answers(index, "hybrid")
    files = _files(index)
    result = kill_at(index, "merging", signal.SIGKILL, tmp_path)
    assert result.returncode == -signal.SIGKILL
    check = run_qa("index", "--check", "--json", "--index", str(index), cwd=tmp_path)
    assert check.returncode == 0 and json.loads(check.stdout)["whole"], check.stdout + check.stderr
    assert json.loads(check.stdout)["segments"] == 10
    assert _same(_answers(index, "hybrid"), before) and _segment_count(index) == 10
    assert {n: v for n, v in _files(index).items() if n in files} == files  # the old segments untouched
    sync(index, embedder=HashEmbedder())  # nothing changed: it merges what the killed run did not
    assert _segment_count(index) < 10
    assert _same(_answers(index, "hybrid"), before)
    check_consistent(index)


@pytest.mark.parametrize("older", ["made by it", "committed by it since"])
def test_an_index_from_before_segments_opens_and_grows(tmp_path, older):
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder())
    with sqlite3.connect(index / store.DB_NAME) as conn:  # the layout an older qa writes: one file pair
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        (segment,) = json.loads(meta["segments"])["segments"]
        generation = 1 if older == "made by it" else 2
        record = dict(json.loads(meta["record"]), generation=generation, vectors_size=segment["vectors_size"],
                      vectors_crc32=segment["vectors_crc32"], terms_size=segment["terms_size"],
                      terms_crc32=segment["terms_crc32"])
        if older == "made by it":
            conn.execute("DELETE FROM meta WHERE key IN ('segments', 'kept_files')")
            conn.execute("DROP TABLE deleted_passages")
            conn.execute("PRAGMA user_version = 0")  # nor a schema version
        else:  # it wrote generation 2's pair and left the keys it does not know as they were
            for kind in ("vectors", "terms"):
                (path,) = index.glob(f"{kind}.1.*")
                path.rename(path.with_name(path.name.replace(".1.", ".2.")))
            conn.execute("UPDATE meta SET value = '2' WHERE key = 'generation'")
        conn.execute("UPDATE meta SET value = ? WHERE key = 'record'", (json.dumps(record),))
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'")  # the version it wrote
    assert [p.name for p in sorted(index.glob("vectors.*"))] == [f"vectors.{generation}.faiss"]
    old_answers = _answers(index, "hybrid")
    assert old_answers[4]  # answered from the older layout
    (src / "port.txt").write_text("Port story\n\nThe harbour of Port Elspeth reopened on Friday, the mayor said.\n")
    report = sync(index, embedder=HashEmbedder())  # the next writer: the old pair becomes the first segment
    assert not report.rebuilt and report.embedded == 1  # the new article's one passage, nothing else
    with IndexStore.open(index) as db:
        assert [s.id for s in db.read_meta().segments] == [generation, generation + 1]
        assert db.read_meta().format_version == FORMAT_VERSION  # an older qa now says "newer", not "damaged"
    assert _same(_answers(index, "hybrid"), _answers(_fresh(tmp_path, src, "fresh"), "hybrid"))
    check_consistent(index)


def test_a_damaged_segment_is_named_and_only_its_passages_embedded_again(tmp_path, run_qa):
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    index = tmp_path / "index"
    sync(index, [src], embedder=HashEmbedder(), indexing=NO_MERGES)
    (src / "port.txt").write_text("Port story\n\nThe harbour of Port Elspeth reopened on Friday, the mayor said.\n")
    sync(index, embedder=HashEmbedder(), indexing=NO_MERGES)
    before = _answers(index, "hybrid")
    damaged = index / store.vector_file_name(2)  # the new article's segment
    damaged.write_bytes(damaged.read_bytes()[:100])
    check = run_qa("index", "--check", "--json", "--index", str(index), cwd=tmp_path)
    problems = json.loads(check.stdout)["problems"]
    assert check.returncode == 1 and len(problems) == 1 and str(damaged) in problems[0]
    embedder = HashEmbedder()
    report = sync(index, embedder=embedder, indexing=NO_MERGES)
    assert report.warnings[0].startswith("repaired:") and str(damaged) in report.warnings[0]
    assert len(embedder.texts) == 1 and "Port Elspeth" in embedder.texts[0]  # the seeds' came from segment 1
    assert _same(_answers(index, "hybrid"), before)
    check_consistent(index)
