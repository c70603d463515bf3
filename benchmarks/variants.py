"""The sweeps behind the shipped retrieval settings: each variant is the shipped stages
(qa/retrieval/) run with `dataclasses.replace(settings, ...)` on candidates retrieved once per
index (benchmarks/common.py Bench), so a variant costs seconds and measures exactly what would ship.

  fusion            BM25 alone, dense alone, the hybrid at several BM25 shares
  bm25              k1 / b (BM25 rebuilt from the index's term counts with them; new candidates)
  sentences         sentence re-ranking: its weight, the word-pair weight, its depth
  article           word weights within the article: the article share; the second session's recipe
  answer            the answered rule's weights (best threshold for held-out "false" >= 0.90), and
                    the shipped rule along its threshold
  operating-points  each mode's rule at its own best threshold; where the UI's score cue stands
  answers           the sentence that answers (issue 24): answer-type and context weights, by question type

Chunking and title variants change the index: they are separate runs of quality.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from benchmarks.common import Bench, CachedEmbedder, Question, Scores, contains, evaluate
from qa.retrieval.pipeline import rank_candidates
from qa.retrieval.verdict import AnswerSignals, decide
from qa.settings import RetrievalSettings


@dataclass
class Runs:
    """The inputs every sweep shares, and the candidates retrieved so far (by index, mode, retrieval settings)."""

    full: Path
    half: Path
    questions: list[Question]
    v2: list[str]
    embedder: CachedEmbedder
    base: RetrievalSettings
    benches: dict[tuple, Bench] = field(default_factory=dict)
    rows: dict[tuple, dict[str, float]] = field(default_factory=dict)

    def bench(self, index: str, mode: str = "hybrid", settings: RetrievalSettings | None = None,
              v2: bool = False) -> Bench:
        settings = settings or self.base
        key = (index, mode, settings.bm25_params, settings.candidates, v2)
        if key not in self.benches:
            texts = self.v2 if v2 else [q.text for q in self.questions]
            folder = self.full if index == "full" else self.half
            self.benches[key] = Bench.load(folder, texts, self.embedder, settings, mode)
        return self.benches[key]

    def evaluate(self, mode: str, settings: RetrievalSettings) -> dict[str, float]:
        """The metrics of these settings on the full index (computed once)."""
        key = (mode, settings)
        if key not in self.rows:
            self.rows[key] = evaluate(self.bench("full", mode, settings), self.questions, settings)
        return self.rows[key]

    @property
    def held(self) -> np.ndarray:
        return np.array([q.held_out for q in self.questions])


def _report(results: dict, key: str, row: object) -> None:
    results[key] = row
    print(f"{key:60s} {json.dumps(row)}", flush=True)


def _rows(runs: Runs, variants: list[tuple[str, RetrievalSettings]], mode: str = "hybrid") -> dict:
    results: dict[str, object] = {}
    for name, settings in variants:
        t0 = time.monotonic()
        name += " (settings)" if settings == runs.base and mode == "hybrid" else ""
        _report(results, name, runs.evaluate(mode, settings))
        print(f"  ({time.monotonic() - t0:.1f} s)", flush=True)
    return results


def fusion_sweep(runs: Runs) -> dict:
    base = runs.base
    results = _rows(runs, [("bm25 alone", base)], "bm25") | _rows(runs, [("dense alone", base)], "dense")
    return results | _rows(runs, [(f"hybrid, bm25_share {share}", replace(base, bm25_share=share))
                                  for share in (0.2, 0.3, 0.4, 0.5, 0.6)])


def bm25_sweep(runs: Runs) -> dict:
    results: dict[str, object] = {}
    for k1, b in ((0.9, 0.4), (1.2, 0.4), (0.9, 0.6), (1.2, 0.75), (1.5, 0.75)):
        settings = replace(runs.base, k1=k1, b=b)
        for mode in ("bm25", "hybrid"):
            _report(results, f"k1 {k1} b {b}, {mode}", runs.evaluate(mode, settings))
    return results


def sentence_sweep(runs: Runs) -> dict:
    base = runs.base
    variants = [(f"sentence_weight {w}", replace(base, sentence_weight=w)) for w in (0.0, 0.2, 0.3, 0.4, 0.5)]
    variants += [(f"bigram_weight {w}", replace(base, bigram_weight=w)) for w in (0.0, 0.2, 0.7) if w != base.bigram_weight]
    variants += [("rerank_depth 20", replace(base, rerank_depth=20))]
    return _rows(runs, variants)


def article_sweep(runs: Runs) -> dict:
    base = runs.base
    variants = [(f"article_share {s}", replace(base, article_share=s)) for s in (0.0, 0.3, 0.5, 0.7, 1.0)]
    variants += [("second session: bm25_share 0.4, sentence_weight 0.2, article_share 0",
                  replace(base, bm25_share=0.4, sentence_weight=0.2, article_share=0.0))]
    return _rows(runs, variants)


def best_threshold(values: np.ndarray, held: np.ndarray, thresholds) -> tuple[float, float, float] | None:
    """(threshold, held-out 'false', in-corpus 'true') of the threshold on a Verdict's value
    (answered when value >= threshold) that keeps held-out 'false' >= 0.90 with the most
    in-corpus 'true'; None if none does."""
    best = None
    for t in thresholds:
        answered = values >= t
        false_held, true_in = float((~answered[held]).mean()), float(answered[~held].mean())
        if false_held >= 0.90 and (best is None or true_in > best[2]):
            best = (round(float(t), 4), round(false_held, 4), round(true_in, 4))
    return best


def _signals(bench: Bench, settings: RetrievalSettings) -> list[AnswerSignals]:
    """What the answered rule reads of each question's first passage (k=1, as the no-answer rows)."""
    return [r.signals or AnswerSignals(None, 0.0, 0.0, False) for r in bench.rankings(settings, k=1)]


def _values(signals: list[AnswerSignals], settings: RetrievalSettings) -> np.ndarray:
    return np.array([decide(s, settings).value for s in signals])


def answer_sweep(runs: Runs) -> dict:
    """The rule's weights, each at its best threshold (half index); the shipped rule along its threshold."""
    base, held, results = runs.base, runs.held, {}
    signals = _signals(runs.bench("half"), base)
    agree = np.array([s.agree for s in signals])
    print(f"agreement: in-corpus {agree[~held].mean():.3f}, held-out {agree[held].mean():.3f}", flush=True)
    for a in (0.3, 0.5, 0.7):
        for b in (0.0, 0.2, 0.4, 0.7):
            for g in (0.0, 0.1, 0.15):
                weights = replace(base, coverage_weight=a, sentence_answer_weight=b, agreement_weight=g)
                best = best_threshold(_values(signals, weights), held, np.arange(0.5, 1.6, 0.005))
                _report(results, f"cos + {a} cov + {b} sentence + {g} agree", best)
    v2_signals = _signals(runs.bench("full", v2=True), base) if runs.v2 else []
    for t in np.arange(0.87, 0.921, 0.005):
        rule = replace(base, min_answer_score=round(float(t), 4))
        answered = np.array([decide(s, rule).answered for s in signals])
        row = {"heldout_false": round(float((~answered[held]).mean()), 4), "incorpus_true": round(float(answered[~held].mean()), 4)}
        if v2_signals:
            row["v2_false"] = round(float(np.mean([not decide(s, rule).answered for s in v2_signals])), 4)
        _report(results, f"settings' rule >= {t:.3f}" + (" (settings)" if abs(t - base.min_answer_score) < 1e-9 else ""), row)
    return results


def operating_points(runs: Runs) -> dict:
    """Each mode at its own threshold: the most in-corpus 'true' with held-out 'false' >= 0.90
    (half index), and the share of SQuAD v2.0's unanswerable questions it then answers 'false'."""
    results: dict[str, object] = {}
    for mode in ("bm25", "dense", "hybrid"):
        values = _values(_signals(runs.bench("half", mode), runs.base), runs.base)
        best = best_threshold(values, runs.held, np.unique(np.round(values, 4)))
        row = {"threshold": best[0], "heldout_false": best[1], "incorpus_true": best[2]}
        if runs.v2:
            v2_values = _values(_signals(runs.bench("full", mode, v2=True), runs.base), runs.base)
            row["v2_false"] = round(float((v2_values < best[0]).mean()), 4)
        _report(results, mode, row)
    results["cue"] = cue_calibration(runs)
    return results


def cue_calibration(runs: Runs) -> dict:
    """Percentiles (5, 25, 50, 75, 95) of the first passage's ranking score (half index), for
    held-out questions and for in-corpus ones whose first passage is right / wrong: where the UI's
    score cue (settings.cue_floor, cue_step) puts its bars."""
    groups: dict[str, list[float]] = {"held-out": [], "in-corpus, right": [], "in-corpus, wrong": []}
    for ranking, q in zip(runs.bench("half").rankings(runs.base, k=1), runs.questions):
        if not ranking.hits:
            continue
        top = ranking.hits[0]
        right = top.path == q.path and contains(top.start, top.end, q.spans)
        groups["held-out" if q.held_out else "in-corpus, right" if right else "in-corpus, wrong"].append(top.score)
    out = {k: [round(float(x), 3) for x in np.percentile(v, [5, 25, 50, 75, 95])] for k, v in groups.items() if v}
    print(f"first passage's score, percentiles 5/25/50/75/95: {json.dumps(out)}", flush=True)
    return out


#: the sentence choice as it was before the answer evidence (issue 24): words and word pairs only
WORDS_ONLY = {"answer_type_weight": 0.0, "context_weight": 0.0, "follow_sentences": 0, "support_weight": 0.0,
              "rerank_by_answer": False, "next_passage": False}


def by_question_type(runs: Runs, settings: RetrievalSettings) -> dict[str, dict[str, float]]:
    """The metrics of these settings (full index), overall ("all") and per question type
    (qa/retrieval/answer_types.py; "other": none), in one pass."""
    from qa.retrieval.answer_types import question_type

    groups: dict[str, Scores] = {"all": Scores()}
    for ranking, q in zip(runs.bench("full").rankings(settings), runs.questions):
        for group in ("all", question_type(q.text) or "other"):
            groups.setdefault(group, Scores()).add_hits(ranking.hits, ranking.answered, q)
    return {kind: {"n": g.n, "hit@1": round(g.hit1 / g.n, 4), "highlight": round(g.highlight / g.n, 4),
                   "mrr@10": round(g.rr / g.n, 4)} for kind, g in groups.items()}


def stage_ms(runs: Runs, before: RetrievalSettings, after: RetrievalSettings, n: int = 1000,
             rounds: int = 3) -> dict[str, float]:
    """Median ms per question of the stages after retrieval (fuse, re-rank, highlight, cite) with
    each setting, k=3 as `qa ask`; the two interleaved question by question, so that the load of a
    shared machine falls on both alike."""
    bench = runs.bench("full")
    pairs = list(zip(bench.queries, bench.candidates))[:n]
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(rounds):
        for query, candidates in pairs:
            for name, settings in (("before", before), ("after", after)):
                t0 = time.perf_counter()
                rank_candidates(bench.snapshot, bench.passages, query, candidates, bench.mode, 3, settings)
                times[name].append((time.perf_counter() - t0) * 1000)
    return {name: round(float(np.median(values)), 3) for name, values in times.items()} | {
        "after - before": round(float(np.median(np.array(times["after"]) - np.array(times["before"]))), 3)}


def answers_sweep(runs: Runs) -> dict:
    """The sentence that answers: each weight of the answer evidence varied from the shipped
    settings, against the words-only choice, with highlight-hit and hit@1 by question type; the
    answered rule before and after on the half index (it reads the plain word match)."""
    base, results = runs.base, {}
    before = replace(base, **WORDS_ONLY)
    variants = [("words only (before issue 24)", before), ("shipped", base)]
    variants += [("answer_type_weight 0", replace(base, answer_type_weight=0.0))]
    variants += [("context_weight 0", replace(base, context_weight=0.0))]
    variants += [("follow_sentences 0", replace(base, follow_sentences=0))]
    variants += [("next_passage off", replace(base, next_passage=False))]
    variants += [(f"support_weight {w}", replace(base, support_weight=w)) for w in (0.0, 0.3)]
    variants += [("re-rank by the plain word match", replace(base, rerank_by_answer=False))]
    for name, settings in variants:
        t0 = time.monotonic()
        _report(results, name, by_question_type(runs, settings))
        print(f"  ({time.monotonic() - t0:.1f} s)", flush=True)
    _report(results, "ms per question after retrieval (k=3), before / after", stage_ms(runs, before, base))
    for name, settings in (("before", before), ("after", base)):
        answered = np.array([r.answered for r in runs.bench("half").rankings(settings, k=1)])
        _report(results, f"{name}: held-out answered false, in-corpus answered true",
                {"heldout_false": round(float((~answered[runs.held]).mean()), 4),
                 "incorpus_true": round(float(answered[~runs.held].mean()), 4)})
    return results


SWEEPS: dict[str, Callable[[Runs], dict]] = {
    "fusion": fusion_sweep, "bm25": bm25_sweep, "sentences": sentence_sweep, "article": article_sweep,
    "answer": answer_sweep, "operating-points": operating_points, "answers": answers_sweep,
}


def run(names: list[str], full: Path, half: Path, questions: list[Question], v2: list[str],
        embedder: CachedEmbedder, base: RetrievalSettings) -> dict:
    runs = Runs(full, half, questions, v2, embedder, base)
    return {name: SWEEPS[name](runs) for name in names}
