"""Cost of the news features per question: filters (a mask over the passages applied to BM25 and
the dense scan before the cut) and the folding of copies of one story.

On the quality benchmark's full index (~10k passages; its story groups computed by a sync, see
benchmarks/common.py STORIES_VERSION) every question is asked through `Searcher.search` as the CLI
does: unfiltered, with folding off (no story groups) and on, and with filters. At 100k passages
(no such index is cached) the parts the filters and folding add are timed on synthetic data of
that size: the mask, the masked BM25 scores and the dense scan with faiss's IDSelectorBitmap.

    .venv/bin/python benchmarks/news.py [--questions 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import WORK, CachedEmbedder, build_indexes, write_corpus  # noqa: E402
from qa.config import DEFAULT_MODEL, ChunkSettings  # noqa: E402
from qa.retrieval.filters import DocumentTable, make_filters  # noqa: E402


def _ms_per_question(search, texts: list[str]) -> float:
    times = []
    for text in texts:
        t0 = time.perf_counter()
        search(text)
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def at_10k(questions: list[str], embedder: object) -> None:
    from qa.index import store
    from qa.search import Searcher

    _, full, _ = build_indexes(ChunkSettings(), DEFAULT_MODEL, embedder.inner)
    searcher = Searcher(full)
    conn = store.connect(full)
    stories = store.story_map(conn)
    print(f"index: {searcher.passage_count} passages, {len(stories)} in {len(set(stories.values()))} story groups")
    business = make_filters(source="bbc-news/business/*")
    dated = make_filters(since="2000", until="2030")
    for mode in ("hybrid", "bm25"):
        def ask(filters=None, sort="relevance"):
            return lambda q: searcher.search(q, k=3, embedder=embedder, mode=mode, filters=filters, sort=sort)
        searcher.fold_copies = False
        unfolded = _ms_per_question(ask(), questions)
        searcher.fold_copies = True
        folded = _ms_per_question(ask(), questions)
        print(f"{mode}: median ms/question: no folding {unfolded:.2f}, folding {folded:.2f}, "
              f"--source 'bbc-news/business/*' {_ms_per_question(ask(business), questions):.2f}, "
              f"--since 2000 --until 2030 (every article undated: nothing passes) "
              f"{_ms_per_question(ask(dated), questions):.2f}, --sort date {_ms_per_question(ask(sort='date'), questions):.2f}")
    # the reads a first filtered question makes, timed on their own
    t0 = time.perf_counter()
    table = DocumentTable(store.document_facts(conn), *store.passage_documents(conn), searcher.snapshot.passage_ids)
    table.mask(make_filters(source="squad-in/*"))
    print(f"first filtered question: document table read + mask {1000 * (time.perf_counter() - t0):.1f} ms")
    t0 = time.perf_counter()
    groups = store.story_map(conn)
    print(f"story groups, all (no longer read at load: per question, the candidates'): "
          f"{1000 * (time.perf_counter() - t0):.1f} ms ({len(groups)} rows)")
    conn.close()


def at_100k(n: int = 100_000, docs: int = 24_000, dim: int = 384) -> None:
    import faiss

    from qa.retrieval.candidates import dense_search
    from qa.index.segments import SegmentedVectors
    from qa.index.store import DocumentFacts, SegmentRecord

    rng = np.random.default_rng(0)
    ids = np.arange(1, n + 1, dtype=np.int64)
    doc_ids = np.sort(rng.integers(1, docs + 1, n))
    days = rng.integers(dt.date(2015, 1, 1).toordinal(), dt.date(2025, 1, 1).toordinal(), docs)
    facts = [DocumentFacts(i + 1, f"/news/{['wires', 'local', 'bbc'][i % 3]}/{i}.txt",
                           None if i % 5 == 0 else dt.date.fromordinal(int(days[i])).isoformat(),
                           "Reuters" if i % 3 == 0 else None) for i in range(docs)]
    t0 = time.perf_counter()
    table = DocumentTable(facts, ids, doc_ids, ids)
    print(f"100k: document table built in {1000 * (time.perf_counter() - t0):.1f} ms (once per index generation)")
    for label, filters in [("--since 2020 --until 2021", make_filters("2020", "2021")),
                           ("--source 'wires/*'", make_filters(source="wires/*")),
                           ("--source reuters", make_filters(source="reuters"))]:
        t0 = time.perf_counter()
        mask = table.mask(filters)  # a filter not asked before: computed, then kept
        print(f"100k: mask {label}: {1000 * (time.perf_counter() - t0):.2f} ms ({mask.allowed.mean():.0%} pass)")
    scores = rng.random(n)
    t0 = time.perf_counter()
    for _ in range(20):
        np.where(mask.allowed, scores, 0.0)
    print(f"100k: BM25 scores masked: {1000 * (time.perf_counter() - t0) / 20:.2f} ms")
    vecs = rng.standard_normal((n, dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    index.add_with_ids(vecs, ids)

    class Snap:
        passage_ids = ids
        vectors = SegmentedVectors([index], [SegmentRecord(1, n, 1, n)], dim, ids, np.zeros(0, np.int64))

    q = vecs[0]
    for label, allowed in [("none", None), ("50%", rng.random(n) < 0.5), ("5%", rng.random(n) < 0.05)]:
        times = []
        for _ in range(15):
            t0 = time.perf_counter()
            dense_search(Snap, q, 100, allowed)
            times.append(time.perf_counter() - t0)
        print(f"100k: dense top 100, filter {label}: median {1000 * statistics.median(times):.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--skip-10k", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_10k:
        from qa.embedding.embedder import Embedder

        questions, _ = write_corpus(WORK / "corpus" / "squad-in", WORK / "corpus" / "squad-out")
        texts = [q.text for q in questions][::max(1, len(questions) // args.questions)][:args.questions]
        at_10k(texts, CachedEmbedder(Embedder(DEFAULT_MODEL), texts, DEFAULT_MODEL))
    at_100k()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
