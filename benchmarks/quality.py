"""Retrieval quality on questions nobody here wrote: SQuAD v1.1 (even articles) among BBC distractors.

The corpus, indexes and scores are in benchmarks/common.py. Rows (from the full index, through
`Searcher.search` exactly as the CLI calls it):
  answer-hit@1/3/5  the passage at that rank or above is in the right file and contains a gold span
  MRR@10            reciprocal rank of the first such passage in the top 10
  highlight-hit     the top passage's highlighted sentence contains a gold span
  marked / phrase   the share of questions whose right top passage marks an answer phrase, and of
                    those the share whose phrase overlaps a gold span (the bold words are the answer)
  span integrity    every returned text == the file's text[start:end]
No answer (half index): held-out questions answered false; in-corpus questions answered true.
SQuAD v2.0 questions marked unanswerable for in-corpus articles (full index): answered false.
Sweeps (benchmarks/variants.py) run the shipped stages with variants of qa/settings.py.

    .venv/bin/python benchmarks/quality.py --out quality.json   # rows for the shipped engine
    .venv/bin/python benchmarks/quality.py --no-rows --sweeps fusion,sentences,article
    .venv/bin/python benchmarks/quality.py --no-rows --sweeps bm25
    .venv/bin/python benchmarks/quality.py --no-rows --sweeps answer,operating-points
    .venv/bin/python benchmarks/quality.py --target-words 200 --max-words 300   # a chunking variant
    .venv/bin/python benchmarks/quality.py --modes hybrid --approximate   # the IVF index forced on (issue 17)
    .venv/bin/python benchmarks/quality.py --modes hybrid --milvus /tmp/q-milvus   # answered by Milvus Lite (issue 25)
(`python -m benchmarks.quality ...` works as well.)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file: make `benchmarks` and `qa` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import (BBC, SQUAD1, WORK, CachedEmbedder, Question, Scores,  # noqa: E402
                               build_indexes, unanswerable_v2, write_corpus)
from qa.config import DEFAULT_MODEL, ChunkSettings  # noqa: E402
from qa.settings import DEFAULT_MILVUS, DEFAULT_SETTINGS, RetrievalSettings  # noqa: E402

SWEEPS = ("fusion", "bm25", "sentences", "article", "answer", "operating-points", "answers")  # benchmarks/variants.py


def _answered_share(searcher, texts: list[str], embedder, mode: str, want: bool) -> float:
    return sum(searcher.search(t, k=1, embedder=embedder, mode=mode).answered == want for t in texts) / len(texts)


def shipped_rows(full: Path, half: Path, questions: list[Question], v2: list[str], embedder: CachedEmbedder,
                 modes: list[str], approximate: bool = False,
                 settings: RetrievalSettings | None = None) -> dict[str, dict[str, float]]:
    """Every question through Searcher.search, for each mode; `approximate`: with the vectors
    turned into the IVF index qa/index/vectors.py makes above its threshold (here: at any size),
    else each segment as the writer would save it now (`as_written`);
    `settings`: other than the shipped ones (`--set`)."""
    from qa.ingest.documents import load
    from qa.search import Searcher

    texts: dict[str, str] = {}

    def file_text(path: str) -> str:
        if path not in texts:
            texts[path] = load(Path(path)).text
        return texts[path]

    rows = {}
    s_full, s_half = Searcher(full, settings), Searcher(half, settings)
    for searcher in (s_full, s_half):
        if approximate:
            force_approximate(searcher)
        else:
            as_written(searcher)
    for mode in modes:
        scores, spans_ok, spans_all = Scores(), 0, 0
        t0 = time.monotonic()
        for q in questions:
            ans = s_full.search(q.text, k=10, embedder=embedder, mode=mode)
            spans_all += len(ans.hits)
            spans_ok += sum(file_text(h.path)[h.start:h.end] == h.text for h in ans.hits)
            scores.add_hits(ans.hits, ans.answered, q)
        seconds = time.monotonic() - t0
        row = scores.row()
        row["span_integrity"] = spans_ok / max(spans_all, 1)
        row["q_per_s_cached_vectors"] = len(questions) / seconds
        row["heldout_answered_false"] = _answered_share(s_half, [q.text for q in questions if q.held_out],
                                                        embedder, mode, False)
        row["incorpus_answered_true"] = _answered_share(s_half, [q.text for q in questions if not q.held_out],
                                                        embedder, mode, True)
        if v2:
            row["v2_unanswerable_answered_false"] = _answered_share(s_full, v2, embedder, mode, False)
        rows[mode] = row
        print(mode, json.dumps({k: round(v, 4) for k, v in row.items()}), flush=True)
    return rows


def on_milvus(full: Path, half: Path, folder: Path, bm25: str = "analyzer") -> tuple[Path, Path, dict[str, float]]:
    """Copies of both indexes (the shared cache is never written) published to one Milvus Lite
    file, one collection each: the rows are then answered by the Milvus engine (qa/engines/milvus/)."""
    import shutil

    from qa.engines.milvus.writer import MilvusIndexWriter
    from qa.engines.uri import parse_engine, record_engine

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    copies, seconds = [], {}
    for name, index in (("full", full), ("half", half)):
        shutil.copytree(index, folder / name)
        engine = parse_engine(f"milvus:{folder / 'milvus.db'}#{name}")
        writer = MilvusIndexWriter(folder / name, engine, replace(DEFAULT_MILVUS, bm25=bm25))
        record_engine(folder / name, engine)
        t0 = time.monotonic()
        writer.publish()  # every passage: the first publish of an index
        seconds[f"publish_{name}_s"] = round(time.monotonic() - t0, 1)
        writer.close()
        copies.append(folder / name)
    print(f"published to Milvus Lite: {json.dumps(seconds)}", flush=True)
    return copies[0], copies[1], seconds


def force_approximate(searcher) -> None:
    """Search this Searcher's snapshot through an IVF index of its vectors (threshold 0), in memory."""
    from qa.index import vectors

    searcher.settings = replace(searcher.settings, approximate_above=0)
    segmented = searcher.snapshot.vectors  # one faiss index per segment (qa/index/segments.py)
    segmented.parts = [vectors.approximate(part, searcher.settings) for part in segmented.parts]


def as_written(searcher) -> None:
    """Search each segment of the Searcher's snapshot as the shipped writer would save it now, in
    memory: the cached indexes may have been built under another approximate_above (qa/index/
    merging.py rewrites such a segment at a user's next sync; the shared cache is never written)."""
    from qa.index import vectors

    segmented = searcher.snapshot.vectors
    segmented.parts = [vectors.approximate(part, searcher.settings) for part in segmented.parts]


def largest_part(searcher) -> object:
    """The faiss index of the Searcher's largest segment (the cached indexes have one)."""
    return max(searcher.snapshot.vectors.parts, key=lambda part: part.ntotal)


def recall_rows(full: Path, embedder: CachedEmbedder, texts: list[str]) -> dict[str, float]:
    """recall@100 of the IVF index against the exact one on the full index, questions' vectors."""
    from benchmarks.scale import exact_top, recall_at
    from qa.search import Searcher

    exact, ivf = Searcher(full), Searcher(full)
    force_approximate(ivf)
    queries = embedder.encode(texts)
    exact_part, ivf_part = largest_part(exact), largest_part(ivf)
    wanted, _ = exact_top(exact_part, queries, 100)
    return {"passages": exact.passage_count, "nlist": ivf_part.nlist, "nprobe": ivf.settings.nprobe,
            **recall_at(exact_part, wanted, ivf_part, queries, 100, ivf.settings)}


def end_to_end_rate(full: Path, questions: list[Question], embedder: object, n: int = 200) -> float:
    """Questions per second with the real model embedding each question (k=3, as `qa ask`)."""
    from qa.search import Searcher

    searcher = Searcher(full)
    searcher.search(questions[0].text, k=3, embedder=embedder)
    t0 = time.monotonic()
    for q in questions[:n]:
        searcher.search(q.text, k=3, embedder=embedder)
    return n / (time.monotonic() - t0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--modes", default="bm25,dense,hybrid")
    parser.add_argument("--variants", action="store_true", help="also run the sweeps fusion, sentences, article, answer")
    parser.add_argument("--bm25-share", type=float, help="sweeps: start from the shipped settings with this fusion share")
    parser.add_argument("--sweeps", help="comma-separated: " + ", ".join(SWEEPS))
    parser.add_argument("--no-rows", action="store_true", help="skip the per-mode rows")
    parser.add_argument("--milvus", type=Path, metavar="DIR",
                        help="answer from Milvus Lite: copies of the indexes in DIR published to DIR/milvus.db")
    parser.add_argument("--milvus-bm25", choices=["analyzer", "function"], default="analyzer",
                        help="with --milvus: BM25 from the project's analyzer (shipped) or Milvus's BM25 function")
    parser.add_argument("--max-questions", type=int, metavar="N",
                        help="only every question up to N, spread over the corpus (a quicker, rougher row)")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="the rows with this RetrievalSettings field changed (e.g. sentence_vector_weight=0)")
    parser.add_argument("--approximate", action="store_true",
                        help="search through an IVF index of the vectors (threshold 0); adds recall@100 against exact")
    for field, value in ChunkSettings().as_dict().items():
        flag = "--" + field.replace("_", "-")
        if isinstance(value, bool):
            parser.add_argument(flag, type=lambda s: s.lower() in ("1", "true", "yes"), default=None, metavar="BOOL")
        else:
            parser.add_argument(flag, type=int, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sweeps = set(args.sweeps.split(",")) if args.sweeps else set()
    if sweeps - set(SWEEPS):
        print(f"unknown sweeps: {', '.join(sorted(sweeps - set(SWEEPS)))}; known: {', '.join(SWEEPS)}", file=sys.stderr)
        return 2
    if not SQUAD1.exists() or not BBC.is_dir():
        print(f"skipped: {SQUAD1} or {BBC} is not present", file=sys.stderr)
        return 0
    chunking = replace(ChunkSettings(), **{f: getattr(args, f) for f in ChunkSettings().as_dict()
                                          if getattr(args, f) is not None})
    from qa.embedding.embedder import Embedder, passage_encoder

    model = Embedder(args.model)
    questions, articles = write_corpus(WORK / "corpus" / "squad-in", WORK / "corpus" / "squad-out")
    v2 = unanswerable_v2(articles)
    t0 = time.monotonic()
    # built as `qa index` builds (the ONNX export, with its sentence vectors), asked as questions are
    half, full, timings = build_indexes(chunking, args.model, passage_encoder(args.model))
    print(f"indexes ready in {time.monotonic() - t0:.1f} s: {json.dumps(timings)}", flush=True)
    t0 = time.monotonic()
    cached = CachedEmbedder(model, [q.text for q in questions] + v2, args.model)
    print(f"question vectors: {len(cached.vectors)} in {time.monotonic() - t0:.1f} s", flush=True)
    result: dict[str, object] = {"settings": chunking.as_dict(), "model": args.model, "timings": timings,
                                 "questions": len(questions), "v2_unanswerable": len(v2),
                                 "machine": f"{os.cpu_count()} CPUs"}
    if args.max_questions and args.max_questions < len(questions):
        step = len(questions) / args.max_questions
        questions = [questions[int(i * step)] for i in range(args.max_questions)]
        v2 = v2[::max(1, round(len(v2) / max(1, args.max_questions // 2)))]
        result["questions"], result["v2_unanswerable"] = len(questions), len(v2)
    if args.milvus:
        full, half, result["milvus_publish"] = on_milvus(full, half, args.milvus, args.milvus_bm25)
    if not args.no_rows:
        from benchmarks.highlight_misses import parse_sets

        changed = replace(DEFAULT_SETTINGS, **parse_sets(args.set)) if args.set else None
        result["rows"] = shipped_rows(full, half, questions, v2, cached, args.modes.split(","), args.approximate, changed)
        if args.approximate:
            result["recall"] = recall_rows(full, cached, [q.text for q in questions])
            print("recall", json.dumps(result["recall"]), flush=True)
        result["end_to_end_q_per_s"] = end_to_end_rate(full, questions, model)
        print(f"end to end: {result['end_to_end_q_per_s']:.1f} questions/s", flush=True)
    if args.variants:
        sweeps |= {"fusion", "sentences", "article", "answer"}
    if sweeps:
        from benchmarks import variants

        base = DEFAULT_SETTINGS if args.bm25_share is None else replace(DEFAULT_SETTINGS, bm25_share=args.bm25_share)
        result["sweeps"] = variants.run(sorted(sweeps, key=SWEEPS.index), full, half, questions, v2, cached, base)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
