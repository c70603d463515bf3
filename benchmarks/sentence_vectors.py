"""Sentence-level dense evidence (issue 24): does the question's cosine with each sentence's vector
choose the answering sentence (and passage) better than the words alone?

Three kinds of sentence vector, for every passage the shipped stages score on the dev set (the
re-rank depth of each question, and any next passage the boundary rule reads):

- late: the passage encoded once as the index encodes it ("title\\npassage"), the ONNX graph's
  token embeddings mean-pooled over each sentence's tokens (tokenizer offsets -> the analyzer's
  sentence spans), normalized: no model pass beyond the passage's own ("late chunking"); a
  sentence past the model's 256 tokens has none (no feature);
- alone: each sentence encoded on its own (a second model pass at index time);
- titled: "title\\nsentence" encoded on its own.

The feature enters the shipped stages unchanged (no copy of them): `score_sentences` as
qa/retrieval/pipeline.py calls it is given, per passage, w x each sentence's cosine (its `dense`
argument, added to the sentence's score in qa/retrieval/highlight.py: "choice", the sentence
choice only, the added part taken off the score the re-rank reads; "both", the choice and the
re-rank; "top", w for the sentence of the highest cosine only, choice only), and `rerank` adds w x
the passage's best sentence cosine to its fused score ("max"). The
weights are swept on the tuning half (even SQuAD articles); the best of each variant is reported
on the held-out half too, by question type (benchmarks/highlight_misses.py's split and types).

    .venv/bin/python benchmarks/sentence_vectors.py --vectors /tmp/late24-svec.npz
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import BBC, SQUAD1, WORK, Bench, CachedEmbedder, contains, write_corpus  # noqa: E402
from benchmarks.highlight_misses import WH, wh_type  # noqa: E402
from qa.config import DEFAULT_MODEL  # noqa: E402
from qa.embedding.sentences import pool_spans  # noqa: E402 (the shipped pooling)
from qa.index.text import ANALYZER  # noqa: E402
from qa.retrieval import pipeline  # noqa: E402
from qa.retrieval.pipeline import rank_candidates  # noqa: E402
from qa.settings import DEFAULT_SETTINGS  # noqa: E402

KINDS = ("late", "alone", "titled")


# -- the vectors ---------------------------------------------------------------------------------
@dataclass
class TokenModel:
    """The model's ONNX export read for its token embeddings (what OnnxEncoder pools away)."""

    session: object
    tokenizer: object
    inputs: list[str]
    pad_id: int

    @classmethod
    def load(cls, model: str) -> "TokenModel":
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from qa.embedding.embedder import resolve_model
        from qa.embedding.onnx_encoder import MANIFEST, export_dir

        folder = export_dir(resolve_model(model))
        spec = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(int(spec["max_length"]))
        tokenizer.no_padding()
        session = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
        return cls(session, tokenizer, list(spec["inputs"]), int(spec["pad_id"]))

    def tokens(self, encodings: list) -> np.ndarray:
        """Token embeddings of a batch of tokenized texts, padded to the longest."""
        width = max(len(e.ids) for e in encodings)
        feeds = {name: np.zeros((len(encodings), width), dtype=np.int64)
                 for name in ("input_ids", "attention_mask", "token_type_ids")}
        feeds["input_ids"][:] = self.pad_id
        for row, e in enumerate(encodings):
            feeds["input_ids"][row, :len(e.ids)] = e.ids
            feeds["token_type_ids"][row, :len(e.ids)] = e.type_ids
            feeds["attention_mask"][row, :len(e.ids)] = 1
        return self.session.run(None, {n: feeds[n] for n in self.inputs})[0]


def late_vectors(model: TokenModel, titles: list[str], texts: list[str], batch: int = 32) -> list[np.ndarray]:
    """Per passage, one normalized vector per sentence (the analyzer's spans): the mean of the
    token embeddings of "title\\npassage" whose offsets fall in the sentence; NaN rows for
    sentences past the truncation."""
    inputs = [f"{t}\n{p}" for t, p in zip(titles, texts)]
    encodings = model.tokenizer.encode_batch(inputs)
    order = sorted(range(len(inputs)), key=lambda i: len(encodings[i].ids))
    out: list[np.ndarray] = [np.empty(0)] * len(inputs)
    for start in range(0, len(order), batch):
        chunk = order[start:start + batch]
        tokens = model.tokens([encodings[i] for i in chunk])
        for row, i in enumerate(chunk):
            shift = len(titles[i]) + 1
            spans = [(a + shift, b + shift) for a, b in ANALYZER.analyse(texts[i]).spans]
            out[i] = pool_spans(tokens[row, :len(encodings[i].ids)], encodings[i].offsets,
                                encodings[i].special_tokens_mask, spans)
        print(f"\r  late {min(start + batch, len(order))}/{len(order)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return out


def alone_vectors(encoder, titles: list[str], texts: list[str], titled: bool) -> list[np.ndarray]:
    sentences, owner = [], []
    for i, (title, text) in enumerate(zip(titles, texts)):
        for a, b in ANALYZER.analyse(text).spans:
            sentences.append(f"{title}\n{text[a:b]}" if titled else text[a:b])
            owner.append(i)
    print(f"  {'titled' if titled else 'alone'}: {len(sentences)} sentences", file=sys.stderr, flush=True)
    vecs = encoder.encode(sentences, batch_size=64)
    out: list[list] = [[] for _ in texts]
    for i, v in zip(owner, vecs):
        out[i].append(v)
    return [np.array(v, dtype=np.float32).reshape(-1, vecs.shape[1]) for v in out]


def build_vectors(path: Path, rows: dict) -> dict[str, dict[int, np.ndarray]]:
    """Every kind for every passage in `rows` (pid -> CitationRow), cached in `path` (npz)."""
    pids = sorted(rows)
    if path.exists():
        data = np.load(path, allow_pickle=False)
        cached = list(data["pids"])
        if set(pids) <= set(cached):
            return _split(data, cached)
    from qa.embedding.embedder import resolve_model
    from qa.embedding import onnx_encoder

    encoder = onnx_encoder.load(resolve_model(DEFAULT_MODEL))
    titles, texts = [rows[p].title for p in pids], [rows[p].text for p in pids]
    t0 = time.monotonic()
    kinds = {"late": late_vectors(TokenModel.load(DEFAULT_MODEL), titles, texts)}
    print(f"  late: {time.monotonic() - t0:.0f} s for {len(pids)} passages", file=sys.stderr, flush=True)
    t0 = time.monotonic()
    kinds["alone"] = alone_vectors(encoder, titles, texts, False)
    print(f"  alone: {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    kinds["titled"] = alone_vectors(encoder, titles, texts, True)
    counts = np.array([len(v) for v in kinds["late"]])
    np.savez(path, pids=np.array(pids), counts=counts,
             **{k: np.vstack(v).astype(np.float16) for k, v in kinds.items()})
    return _split(np.load(path, allow_pickle=False), pids)


def centered(by_pid: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
    """Each passage's late sentence vectors less their mean, normalized: what tells a sentence
    from its neighbours once the context every token shares is taken out (a passage of one
    sentence keeps none)."""
    out = {}
    for pid, vecs in by_pid.items():
        diff = vecs - np.nanmean(vecs, axis=0) if len(vecs) > 1 else np.full_like(vecs, np.nan)
        out[pid] = diff / np.maximum(np.linalg.norm(diff, axis=1, keepdims=True), 1e-12)
    return out


def _split(data, pids: list[int]) -> dict[str, dict[int, np.ndarray]]:
    bounds = np.concatenate([[0], np.cumsum(data["counts"])])
    return {k: {int(p): data[k][bounds[i]:bounds[i + 1]].astype(np.float32) for i, p in enumerate(pids)}
            for k in KINDS}


# -- the feature, through the shipped stages -------------------------------------------------------
@dataclass
class Feature:
    kind: str = "late"
    mode: str = "off"  # off | choice | both | top | max
    weight: float = 0.0
    question: np.ndarray | None = None
    by_pid: dict | None = None

    def cosines(self, pid: int, n: int) -> np.ndarray:
        vecs = self.by_pid.get(pid) if self.by_pid else None
        if vecs is None or len(vecs) != n or self.question is None:
            return np.zeros(n)
        return np.nan_to_num(vecs @ self.question, nan=0.0)

    def bonus(self, pid: int, n: int) -> np.ndarray:
        cos = self.cosines(pid, n)
        if self.mode == "top":
            return self.weight * (cos == cos.max()) * (cos.max() > 0)
        return self.weight * cos


FEATURE = Feature()
_score_sentences, _rerank = pipeline.score_sentences, pipeline.rerank


def score_with_cosine(rows, *args):
    """The shipped score_sentences with each sentence's bonus (its `dense` argument); in modes
    "choice" and "top" the chosen sentence's bonus is taken off the score the re-rank reads."""
    if FEATURE.mode not in ("choice", "both", "top"):
        return _score_sentences(rows, *args)
    spans = {pid: ANALYZER.analyse(row.text).spans for pid, row in rows.items()}
    bonus = {pid: FEATURE.bonus(pid, len(s)) for pid, s in spans.items()}
    out = _score_sentences(rows, *args, dense=bonus)
    if FEATURE.mode in ("choice", "top"):
        for pid, found in out.items():
            if (found.start, found.end) in spans[pid]:
                taken = float(bonus[pid][spans[pid].index((found.start, found.end))])
                out[pid] = type(found)(found.start, found.end, found.score - taken, *found[3:])
    return out


def rerank_with_cosine(ranked, fused, sentences, depth, settings):
    """The shipped rerank, after adding weight x each passage's best sentence cosine (mode "max")."""
    if FEATURE.mode == "max":
        fused = dict(fused)
        for pid in ranked[:settings.rerank_depth]:
            vecs = FEATURE.by_pid.get(pid)
            if vecs is not None and len(vecs):
                fused[pid] += FEATURE.weight * float(np.nan_to_num(vecs @ FEATURE.question, nan=0.0).max())
    return _rerank(ranked, fused, sentences, depth, settings)


pipeline.score_sentences = score_with_cosine
pipeline.rerank = rerank_with_cosine


# -- the runs -------------------------------------------------------------------------------------
def run(bench: Bench, questions, which: list[int], types: bool = False) -> dict[str, dict[str, float]]:
    table: dict[str, Counter] = defaultdict(Counter)
    for i in which:
        q, query = questions[i], bench.queries[i]
        FEATURE.question = query.vector
        ranking = rank_candidates(bench.snapshot, bench.passages, query, bench.candidates[i], "hybrid", 10,
                                  DEFAULT_SETTINGS)
        top = ranking.hits[0] if ranking.hits else None
        hit1 = top is not None and top.path == q.path and contains(top.start, top.end, q.spans)
        light = top is not None and top.path == q.path and contains(top.highlight_start, top.highlight_end, q.spans)
        for kind in ["all"] + ([wh_type(q.text)] if types else []):
            table[kind].update({"n": 1, "hit@1": hit1, "highlight": light})
    return {k: {"n": c["n"], "hit@1": round(c["hit@1"] / c["n"], 4), "highlight": round(c["highlight"] / c["n"], 4)}
            for k, c in table.items()}


def scored_passages(bench: Bench, n: int) -> dict:
    """Every passage the shipped stages score for the first n questions (pid -> CitationRow)."""
    seen: dict = {}
    source = bench.passages
    inner = source.citation_rows

    def recording(pids):
        rows = inner(pids)
        seen.update(rows)
        return rows

    source.citation_rows = recording
    try:
        for query, candidates in list(zip(bench.queries, bench.candidates))[:n]:
            rank_candidates(bench.snapshot, source, query, candidates, "hybrid", 10, DEFAULT_SETTINGS)
    finally:
        source.citation_rows = inner
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/sentence-vectors.npz"))
    parser.add_argument("--weights", default="0.1,0.25,0.5")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--kinds", default=",".join(KINDS), help="of KINDS, or late-centered")
    parser.add_argument("--modes", default="choice,both,top,max")
    parser.add_argument("--limit", type=int, default=0, help="about N questions spread over the set (a smoke test)")
    args = parser.parse_args(argv)
    if not SQUAD1.exists() or not BBC.is_dir():
        print("skipped: the dev set is not present", file=sys.stderr)
        return 0
    from qa.embedding.embedder import Embedder

    questions, _ = write_corpus(WORK / "corpus" / "squad-in", WORK / "corpus" / "squad-out")
    cached = CachedEmbedder(Embedder(DEFAULT_MODEL), [q.text for q in questions], DEFAULT_MODEL)  # the cached file
    questions = questions[::max(1, len(questions) // args.limit)] if args.limit else questions
    full = max((WORK / "index").glob("*/full"), key=lambda p: (p / "qa.sqlite").stat().st_mtime)
    bench = Bench.load(full, [q.text for q in questions], cached, DEFAULT_SETTINGS)
    rows = scored_passages(bench, len(questions))
    vectors = build_vectors(args.vectors, rows)
    tuning = [i for i, q in enumerate(questions) if not q.held_out]
    held = [i for i, q in enumerate(questions) if q.held_out]
    weights = [float(w) for w in args.weights.split(",")]
    results: dict = {"off": {"tuning": run(bench, questions, tuning, True), "held-out": run(bench, questions, held, True)}}
    print("off", results["off"]["tuning"]["all"], results["off"]["held-out"]["all"], flush=True)
    for kind in args.kinds.split(","):
        FEATURE.kind, FEATURE.by_pid = kind, centered(vectors["late"]) if kind == "late-centered" else vectors[kind]
        for mode in args.modes.split(","):
            FEATURE.mode = mode
            sweep = {}
            for w in weights:
                FEATURE.weight = w
                sweep[w] = run(bench, questions, tuning)["all"]
                print(kind, mode, w, sweep[w], flush=True)
            best = max(sweep, key=lambda w: (sweep[w]["highlight"], sweep[w]["hit@1"]))
            FEATURE.weight = best
            results[f"{kind} {mode}"] = {"weight": best, "sweep": sweep, "tuning": run(bench, questions, tuning, True),
                                         "held-out": run(bench, questions, held, True)}
            print(kind, mode, "best", best, results[f"{kind} {mode}"]["held-out"]["all"], flush=True)
        FEATURE.mode = "off"
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))
    print_table(results)
    return 0


def print_table(results: dict) -> None:
    print("| variant | w | tuning hit@1 | tuning highlight | held-out hit@1 | held-out highlight |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        t, h = r["tuning"]["all"], r["held-out"]["all"]
        print(f"| {name} | {r.get('weight', '')} | {t['hit@1']} | {t['highlight']} | {h['hit@1']} | {h['highlight']} |")
    print("\n| variant (held-out highlight by type) | " + " | ".join(WH) + " |")
    print("|" + " --- |" * (len(WH) + 1))
    for name, r in results.items():
        h = r["held-out"]
        print(f"| {name} | " + " | ".join(str(h.get(t, {}).get("highlight", "")) for t in WH) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
