"""Retrieval quality on questions nobody here wrote: SQuAD v1.1 (even articles) among BBC distractors.

Each SQuAD article is written as a text file (title line, blank line, paragraphs separated by
blank lines), so a gold answer's offset maps to a file offset. The articles at odd positions are
held out: the "half" index holds the other SQuAD articles and the 2,225 BBC articles; the "full"
index is a copy of it to which the held-out folder is added with the indexer's own incremental
sync (as a user adding a folder would), so each passage is embedded once. Indexes are cached in
benchmarks/.work/ keyed by the chunk settings and model; question vectors are computed once.

Rows (from the full index, through `Searcher.search` exactly as the CLI calls it):
  answer-hit@1/3/5  the passage at that rank or above is in the right file and contains a gold span
  MRR@10            reciprocal rank of the first such passage in the top 10
  highlight-hit     the top passage's highlighted sentence contains a gold span
  span integrity    every returned text == the file's text[start:end]
No answer (half index): held-out questions answered false; in-corpus questions answered true.
SQuAD v2.0 questions marked unanswerable for in-corpus articles (full index): answered false.

    .venv/bin/python benchmarks/quality.py --out quality.json   # rows for the shipped engine
    .venv/bin/python benchmarks/quality.py --no-rows --variants --bm25-share 0.4
    .venv/bin/python benchmarks/quality.py --no-rows --sweeps bm25,answer --bm25-share 0.4
    .venv/bin/python benchmarks/quality.py --target-words 200 --max-words 300   # a chunking variant
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.config import DEFAULT_MODEL, ChunkSettings  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SQUAD1 = DATA / "squad" / "dev-v1.1-even.json"
SQUAD2 = DATA / "squad" / "dev-v2.0-even.json"
BBC = DATA / "bbc-news"
WORK = ROOT / "benchmarks" / ".work"
#: bump when the way articles are written changes (invalidates cached indexes)
CORPUS_VERSION = 1


@dataclass
class Question:
    text: str
    path: str  # absolute path of the article file
    spans: list[tuple[int, int]]  # gold answer spans in file coordinates
    held_out: bool


# -- corpus ----------------------------------------------------------------------------------
def _file_name(i: int, title: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in title)
    return f"{i:02d}_{safe}.txt"


def _write_if_changed(path: Path, text: str) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return  # keep the mtime: the indexer then sees nothing to do
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def write_corpus(folder_in: Path, folder_out: Path) -> tuple[list[Question], dict[str, tuple[str, dict[str, int]]]]:
    """Write the v1.1 articles; return their questions and, per title, (path, context -> offset)."""
    data = json.loads(SQUAD1.read_text(encoding="utf-8"))["data"]
    questions: list[Question] = []
    articles: dict[str, tuple[str, dict[str, int]]] = {}
    for i, article in enumerate(data):
        held_out = i % 2 == 1
        folder = folder_out if held_out else folder_in
        path = (folder / _file_name(i, article["title"])).resolve()
        text = article["title"].replace("_", " ") + "\n\n"
        offsets: dict[str, int] = {}
        for para in article["paragraphs"]:
            offsets.setdefault(para["context"], len(text))
            base = len(text)
            text += para["context"] + "\n\n"
            for qa in para["qas"]:
                spans = sorted({(base + a["answer_start"], base + a["answer_start"] + len(a["text"]))
                                for a in qa["answers"]})
                for a in qa["answers"]:  # the offsets must land on the answer in the file
                    start = base + a["answer_start"]
                    assert text[start:start + len(a["text"])] == a["text"], (article["title"], qa["id"])
                questions.append(Question(qa["question"], str(path), spans, held_out))
        _write_if_changed(path, text.rstrip("\n") + "\n")
        articles[article["title"]] = (str(path), offsets)
    return questions, articles


def unanswerable_v2(articles: dict[str, tuple[str, dict[str, int]]]) -> list[str]:
    """SQuAD v2.0 questions marked impossible whose article is in the corpus."""
    if not SQUAD2.exists():
        return []
    data = json.loads(SQUAD2.read_text(encoding="utf-8"))["data"]
    return [qa["question"] for a in data if a["title"] in articles
            for p in a["paragraphs"] for qa in p["qas"] if qa.get("is_impossible")]


# -- indexes -----------------------------------------------------------------------------------
def build_indexes(settings: ChunkSettings, model: str, embedder: object) -> tuple[Path, Path, dict]:
    """(half, full) index folders for these settings, built on first use, then only synced."""
    from qa.indexer import sync

    key = hashlib.sha1(json.dumps([settings.as_dict(), model, CORPUS_VERSION], sort_keys=True).encode()).hexdigest()[:12]
    base = WORK / "index" / key
    half, full = base / "half", base / "full"
    folder_in, folder_out = (WORK / "corpus" / "squad-in").resolve(), (WORK / "corpus" / "squad-out").resolve()
    timings_file = base / "timings.json"
    timings = json.loads(timings_file.read_text()) if timings_file.exists() else {}
    t0 = time.monotonic()
    rep = sync(half, [folder_in, BBC], settings=settings, model=model, embedder=embedder)
    if rep.embedded:
        timings["half"] = {"seconds": round(time.monotonic() - t0, 1), "passages": rep.passages,
                           "embedded": rep.embedded, "documents": rep.added}
    if not (full / "qa.sqlite").exists():
        shutil.copytree(half, full)
    t0 = time.monotonic()
    rep = sync(full, [folder_out], settings=settings, model=model, embedder=embedder)
    if rep.embedded:
        timings["full_increment"] = {"seconds": round(time.monotonic() - t0, 1), "passages": rep.passages,
                                     "embedded": rep.embedded, "documents": rep.added}
    timings["settings"] = settings.as_dict()
    timings_file.write_text(json.dumps(timings, indent=1))
    return half, full, timings


# -- question vectors ---------------------------------------------------------------------------
class CachedEmbedder:
    """Hands the Searcher question vectors computed in one batch beforehand."""

    def __init__(self, inner: object, texts: list[str], model: str) -> None:
        self.inner, self.dim, self.model_name = inner, inner.dim, inner.model_name
        unique = sorted(set(texts))
        digest = hashlib.sha1(("\0".join(unique) + model).encode()).hexdigest()[:12]
        cache = WORK / f"questions-{digest}.npy"
        if cache.exists():
            vecs = np.load(cache, allow_pickle=False)
        else:
            vecs = inner.encode(unique, batch_size=128)
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache, vecs, allow_pickle=False)
        self.vectors = dict(zip(unique, vecs))

    def encode(self, texts, batch_size: int = 64, on_batch=None) -> np.ndarray:
        return np.vstack([self.vectors[t] for t in texts])


# -- metrics ---------------------------------------------------------------------------------------
def contains(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= s and e <= end for s, e in spans)


@dataclass
class Scores:
    n: int = 0
    hit1: int = 0
    hit3: int = 0
    hit5: int = 0
    rr: float = 0.0
    highlight: int = 0
    answered: int = 0

    def add(self, ranked: list[tuple[str, int, int]], highlight: tuple[int, int] | None, answered: bool,
            q: Question) -> None:
        """ranked: (path, start, end) of the top 10, best first."""
        self.n += 1
        first = next((r for r, (p, s, e) in enumerate(ranked[:10], 1) if p == q.path and contains(s, e, q.spans)), None)
        if first is not None:
            self.hit1 += first <= 1
            self.hit3 += first <= 3
            self.hit5 += first <= 5
            self.rr += 1 / first
        if highlight is not None and ranked and ranked[0][0] == q.path and contains(*highlight, q.spans):
            self.highlight += 1
        self.answered += answered

    def row(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {"hit@1": self.hit1 / n, "hit@3": self.hit3 / n, "hit@5": self.hit5 / n, "mrr@10": self.rr / n,
                "highlight": self.highlight / n, "answered": self.answered / n}


def shipped_rows(full: Path, half: Path, questions: list[Question], v2: list[str], embedder: CachedEmbedder,
                 modes: list[str]) -> dict[str, dict[str, float]]:
    """Every question through Searcher.search, for each mode."""
    from qa.documents import load
    from qa.search import Searcher

    texts: dict[str, str] = {}

    def file_text(path: str) -> str:
        if path not in texts:
            texts[path] = load(Path(path)).text
        return texts[path]

    rows = {}
    s_full, s_half = Searcher(full), Searcher(half)
    for mode in modes:
        scores, spans_ok, spans_all = Scores(), 0, 0
        t0 = time.monotonic()
        for q in questions:
            ans = s_full.search(q.text, k=10, embedder=embedder, mode=mode)
            for h in ans.hits:
                spans_all += 1
                spans_ok += file_text(h.path)[h.start:h.end] == h.text
            top = ans.hits[0] if ans.hits else None
            scores.add([(h.path, h.start, h.end) for h in ans.hits],
                       (top.highlight_start, top.highlight_end) if top else None, ans.answered, q)
        seconds = time.monotonic() - t0
        row = scores.row()
        row["span_integrity"] = spans_ok / max(spans_all, 1)
        row["q_per_s_cached_vectors"] = len(questions) / seconds
        held = [q for q in questions if q.held_out]
        inside = [q for q in questions if not q.held_out]
        row["heldout_answered_false"] = sum(not s_half.search(q.text, k=1, embedder=embedder, mode=mode).answered
                                            for q in held) / len(held)
        row["incorpus_answered_true"] = sum(s_half.search(q.text, k=1, embedder=embedder, mode=mode).answered
                                            for q in inside) / len(inside)
        if v2:
            row["v2_unanswerable_answered_false"] = sum(
                not s_full.search(t, k=1, embedder=embedder, mode=mode).answered for t in v2) / len(v2)
        rows[mode] = row
        print(mode, json.dumps({k: round(v, 4) for k, v in row.items()}), flush=True)
    return rows


def end_to_end_rate(full: Path, questions: list[Question], embedder: object, n: int = 200) -> float:
    """Questions per second with the real model embedding each question (k=3, as `qa ask`)."""
    from qa.search import Searcher

    searcher = Searcher(full)
    searcher.search(questions[0].text, k=3, embedder=embedder)
    t0 = time.monotonic()
    for q in questions[:n]:
        searcher.search(q.text, k=3, embedder=embedder)
    return n / (time.monotonic() - t0)


# -- main --------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--modes", default="bm25,dense,hybrid")
    parser.add_argument("--variants", action="store_true", help="also run the tuning sweep (benchmarks/variants.py)")
    parser.add_argument("--bm25-share", type=float, help="variants: the convex fusion used for the highlight "
                                                           "and answered-rule sweeps (default: rrf)")
    parser.add_argument("--sweeps", help="comma-separated: fusion, bm25, neighbours, sentences, article, answer-type, dense-sentences, "
                        "highlight, answer, answer-sentences, answer-agreement, operating-points")
    parser.add_argument("--no-rows", action="store_true", help="skip the per-mode rows")
    for field, value in ChunkSettings().as_dict().items():
        flag = "--" + field.replace("_", "-")
        if isinstance(value, bool):
            parser.add_argument(flag, type=lambda s: s.lower() in ("1", "true", "yes"), default=None, metavar="BOOL")
        else:
            parser.add_argument(flag, type=int, default=None)
    args = parser.parse_args(argv)
    if not SQUAD1.exists() or not BBC.is_dir():
        print(f"skipped: {SQUAD1} or {BBC} is not present", file=sys.stderr)
        return 0
    settings = replace(ChunkSettings(), **{f: getattr(args, f) for f in ChunkSettings().as_dict()
                                          if getattr(args, f) is not None})
    from qa.embedder import Embedder

    model = Embedder(args.model)
    questions, articles = write_corpus(WORK / "corpus" / "squad-in", WORK / "corpus" / "squad-out")
    v2 = unanswerable_v2(articles)
    t0 = time.monotonic()
    half, full, timings = build_indexes(settings, args.model, model)
    print(f"indexes ready in {time.monotonic() - t0:.1f} s: {json.dumps(timings)}", flush=True)
    t0 = time.monotonic()
    cached = CachedEmbedder(model, [q.text for q in questions] + v2, args.model)
    print(f"question vectors: {len(cached.vectors)} in {time.monotonic() - t0:.1f} s", flush=True)
    result: dict[str, object] = {"settings": settings.as_dict(), "model": args.model, "timings": timings,
                                 "questions": len(questions), "v2_unanswerable": len(v2),
                                 "machine": f"{os.cpu_count()} CPUs"}
    if not args.no_rows:
        result["rows"] = shipped_rows(full, half, questions, v2, cached, args.modes.split(","))
        result["end_to_end_q_per_s"] = end_to_end_rate(full, questions, model)
        print(f"end to end: {result['end_to_end_q_per_s']:.1f} questions/s", flush=True)
    sweeps = set(args.sweeps.split(",")) if args.sweeps else set()
    if args.variants:
        sweeps |= {"fusion", "highlight", "answer"}
    if sweeps:
        from benchmarks import variants

        fuse = variants.convex(args.bm25_share) if args.bm25_share is not None else variants.rrf(60)
        if "fusion" in sweeps:
            result["variants"] = variants.sweep(full, half, questions, v2, cached)
        if "bm25" in sweeps:
            result["bm25_params"] = variants.bm25_param_sweep(full, questions, cached, None)
        if "neighbours" in sweeps:
            result["neighbours"] = variants.neighbour_sweep(full, questions, cached)
        if "sentences" in sweeps:
            result["sentences"] = variants.sentence_sweep(full, questions, cached)
        if "answer-type" in sweeps:
            result["answer_type"] = variants.answer_type_sweep(full, questions, cached)
        if "dense-sentences" in sweeps:
            result["dense_sentences"] = variants.dense_sentence_sweep(full, questions, cached, model)
        if "article" in sweeps:
            result["article"] = variants.article_sweep(full, questions, cached)
        if "answer-agreement" in sweeps:
            result["answer_agreement"] = variants.answer_curves_agreement(half, questions, cached)
        if "operating-points" in sweeps:
            result["operating_points"] = variants.operating_points(full, half, questions, v2, cached)
        if "answer-sentences" in sweeps:
            result["answer_sentences"] = variants.answer_curves_sentences(half, questions, cached)
        if "highlight" in sweeps:
            result["highlight_variants"] = variants.highlight_sweep(full, questions, cached, fuse)
        if "answer" in sweeps:
            result["answer_rules"] = variants.answer_curves(full, half, questions, v2, cached, fuse)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
