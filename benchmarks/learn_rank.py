"""Learning the re-rank's weights (issue 24): the features the shipped stages already compute for
each passage of a question's re-ranked head (its cosine, BM25 / best, the chosen sentence's parts:
word match, context, the title's share, sentence-vector score, type bonus; the passage's best word
match) dumped once from the dev set, then a linear model (softmax over each question's head,
l2-regularised, scipy's L-BFGS) fitted on the tuning half (even SQuAD articles) and measured on the
held-out half (odd articles, never tuned on), beside the hand weights and the shipped ones
(RetrievalSettings.rerank_*). The same fitted the other way round (on held-out, measured on tuning)
says whether the gain is the model's or the half's.

    .venv/bin/python benchmarks/learn_rank.py --dump /tmp/ltr-feat.npz     # features (~1 min)
    .venv/bin/python benchmarks/learn_rank.py --load /tmp/ltr-feat.npz     # fits (seconds)

Measured offline: hit@1 and highlight-hit of the re-ranked head alone (the support and boundary
rules that run after the re-rank are left out); quality.py measures what ships.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import BBC, SQUAD1, conditional_logit, contains, dev_bench  # noqa: E402
from qa.retrieval import pipeline  # noqa: E402
from qa.settings import DEFAULT_SETTINGS, RetrievalSettings  # noqa: E402

#: per passage of the head, in the fused order: the features, then what the shipped re-rank reads
FEATURES = ("cosine", "bm25", "match", "context", "title", "dense", "typed", "best_match", "story")
#: each feature's RetrievalSettings weight (times sentence_weight; BM25 / best beside the fused share)
FIELDS = {"match": "rerank_match", "context": "rerank_context", "title": "rerank_title", "dense": "rerank_dense",
          "typed": "rerank_answer_type", "best_match": "rerank_best_match", "bm25": "rerank_bm25",
          "story": "rerank_story"}
#: the weights before they were fitted: the chosen sentence's score
HAND = dict(rerank_match=1.0, rerank_best_match=0.0, rerank_context=1.0, rerank_title=0.0, rerank_dense=1.0,
            rerank_answer_type=1.0, rerank_bm25=0.0, rerank_story=0.0)


class Capture:
    """Wraps the pipeline's rerank for one question at a time: keeps the head it re-ranks and the
    sentences, BM25 scores and story shares it reads."""

    def __init__(self) -> None:
        self.seen: dict = {}
        self._rerank = pipeline.rerank

    def __enter__(self) -> "Capture":
        def rerank(ranked, fused, sentences, depth, settings, bm25=None, story=None):
            self.seen.update(head=list(ranked[:settings.rerank_depth]), sentences=sentences, bm25=bm25 or {},
                             story=story or {}, fused=fused)
            return self._rerank(ranked, fused, sentences, depth, settings, bm25, story)

        pipeline.rerank = rerank
        return self

    def __exit__(self, *exc) -> None:
        pipeline.rerank = self._rerank


def question_rows(seen: dict, candidates, q, rows) -> tuple[list, list]:
    """(passage features, their labels (holds the answer, highlights it)) of one question's head."""
    best = max(seen["bm25"].values(), default=0.0) or 1.0
    prow, plab = [], []
    for pid in seen["head"]:
        row, chosen = rows[pid], seen["sentences"].get(pid)
        if chosen is None:
            continue
        p = chosen.parts
        # the story's share counts for a passage the fusion scored above 0 (rerank.rerank)
        story = seen["story"].get(pid, 0.0) if seen["fused"][pid] > 0 else 0.0
        prow.append([candidates.dense.get(pid, 0.0), seen["bm25"].get(pid, 0.0) / best, p.match, p.context, p.title,
                     p.dense, p.typed, chosen.match, story])
        hit = row.path == q.path and contains(row.start, row.end, q.spans)
        plab.append((hit, hit and contains(row.start + chosen.start, row.start + chosen.end, q.spans)))
    return prow, plab


def dump(out: Path) -> None:
    """Every dev question's head through the shipped stages (full index, candidates retrieved once)."""
    questions, bench = dev_bench(DEFAULT_SETTINGS)
    features, labels, owner = [], [], []
    with Capture() as cap:
        for n, (query, candidates, q) in enumerate(zip(bench.queries, bench.candidates, questions)):
            cap.seen = {}
            pipeline.rank_candidates(bench.snapshot, bench.passages, query, candidates, "hybrid", 10, DEFAULT_SETTINGS)
            if "head" in cap.seen:
                prow, plab = question_rows(cap.seen, candidates, q, bench.passages.rows)
                features += prow
                labels += plab
                owner += [n] * len(prow)
    np.savez(out, features=np.array(features, np.float64), labels=np.array(labels, bool),
             question=np.array(owner, np.int64), held=np.array([q.held_out for q in questions]))
    print(f"{len(features)} passages of {len(questions)} questions -> {out}")


@dataclass
class Heads:
    """The dumped heads: features per passage, labels, each passage's question, each question's half."""

    x: np.ndarray
    hit: np.ndarray
    light: np.ndarray
    question: np.ndarray
    held: np.ndarray

    @classmethod
    def load(cls, path: Path) -> "Heads":
        d = np.load(path)
        return cls(d["features"], d["labels"][:, 0], d["labels"][:, 1], d["question"], d["held"])

    def groups(self) -> tuple[np.ndarray, np.ndarray]:
        """Each question's first row, and each row's group number (rows are in question order)."""
        starts = np.r_[0, np.flatnonzero(np.diff(self.question)) + 1]
        return starts, np.repeat(np.arange(starts.size), np.diff(np.r_[starts, self.question.size]))

    def measure(self, score: np.ndarray) -> list[float]:
        """hit@1 and highlight-hit of the top-scoring passage (ties: the earlier, as the stable
        sort), over every question of the tuning half, then of the held-out half."""
        starts, group = self.groups()
        s = score - 1e-12 * np.arange(score.size)
        top = s >= np.maximum.reduceat(s, starts)[group]
        first = np.full(starts.size, score.size)
        np.minimum.at(first, group[top], np.flatnonzero(top))
        hit1, light = np.zeros(self.held.size), np.zeros(self.held.size)
        hit1[self.question[starts]], light[self.question[starts]] = self.hit[first], self.light[first]
        return [hit1[~self.held].mean(), light[~self.held].mean(), hit1[self.held].mean(), light[self.held].mean()]


def settings_score(heads: Heads, settings: RetrievalSettings) -> np.ndarray:
    """What the shipped re-rank scores each head passage with (fused + sentence_weight x evidence)."""
    col = {f: heads.x[:, i] for i, f in enumerate(FEATURES)}
    fused = (1 - settings.bm25_share) * col["cosine"] + settings.bm25_share * col["bm25"]
    return fused + settings.sentence_weight * sum(getattr(settings, field) * col[f] for f, field in FIELDS.items())


def fit(heads: Heads, names: list[str], held: bool, l2: float) -> dict[str, float]:
    """Softmax over each question's head (of one half, with a passage holding the answer), the
    features standardised, l2 on their weights; the weights scaled to the cosine's in the fused score."""
    starts, group = heads.groups()
    x = heads.x[:, [FEATURES.index(n) for n in names]]
    mean, sd = x.mean(0), x.std(0) + 1e-12
    answered = np.add.reduceat(heads.hit.astype(int), starts) > 0
    use = (answered & (heads.held[heads.question[starts]] == held))[group]
    z, y = (x[use] - mean) / sd, heads.hit[use].astype(float)
    w = conditional_logit(z, y, group[use], l2) / sd
    cosine = 1 - DEFAULT_SETTINGS.bm25_share
    return {name: value * cosine / w[names.index("cosine")] for name, value in zip(names, w)}


def as_settings(weights: dict[str, float]) -> RetrievalSettings:
    """The fitted weights as RetrievalSettings (the cosine's weight is the fused score's)."""
    base, sw = DEFAULT_SETTINGS, DEFAULT_SETTINGS.sentence_weight
    values = {field: weights.get(f, 0.0) / sw for f, field in FIELDS.items()}
    values["rerank_bm25"] = (weights.get("bm25", 0.0) - base.bm25_share) / sw
    return replace(base, **values)


def report(heads: Heads) -> None:
    """The table BENCHMARKS.md "The re-rank's weights learned" shows."""
    rows = [("hand weights (the chosen sentence's score)", replace(DEFAULT_SETTINGS, **HAND), None),
            ("shipped (RetrievalSettings: the first fit, rounded)", DEFAULT_SETTINGS, None)]
    every = list(FEATURES)
    for label, names in (("all features", every), ("without the title's share", [f for f in every if f != "title"]),
                         ("without the best match", [f for f in every if f != "best_match"]),
                         ("the choice's parts only", ["cosine", "bm25", "match", "context", "dense", "typed"])):
        for l2 in (1e-3, 1e-2):
            rows.append((f"fitted: {label}, l2 {l2:g}", as_settings(fit(heads, names, False, l2)),
                         as_settings(fit(heads, names, True, l2))))
    print("| weights | tuning hit@1 | tuning highlight | held-out hit@1 | held-out highlight "
          "| fitted on held-out: tuning hit@1 / highlight |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, settings, other in rows:
        cells = " | ".join(f"{v:.4f}" for v in heads.measure(settings_score(heads, settings)))
        back = " / ".join(f"{v:.4f}" for v in heads.measure(settings_score(heads, other))[:2]) if other else ""
        print(f"| {label} | {cells} | {back} |")
        if label.endswith("all features, l2 0.001") or label.startswith("shipped"):
            print("| " + ", ".join(f"{field} {getattr(settings, field):.2f}" for field in FIELDS.values())
                  + " | | | | | |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dump", type=Path, help="write the features here")
    parser.add_argument("--load", type=Path, help="fit on features written by --dump")
    args = parser.parse_args(argv)
    if args.dump:
        if not SQUAD1.exists() or not BBC.is_dir():
            print("skipped: the dev set is not present", file=sys.stderr)
            return 0
        dump(args.dump)
    if args.load:
        report(Heads.load(args.load))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
