"""Learning the sentence choice (issue 24, sentence24): for each dev question whose first passage
is right, every sentence of that passage with the features the shipped stages compute (its word
match, the context added, the sentence-vector score, a phrase of the asked type, the lead, the
position, whether the sentence before holds more of the question's words, ...), the shipped choice
and the sentence holding the gold answer; then a conditional logit (a softmax over each passage's
sentences, numpy and scipy's L-BFGS: no new package) fitted on the tuning half (even SQuAD
articles) and measured on the held-out half (odd articles): how often its best sentence is the
answering one, beside the shipped choice.

    .venv/bin/python benchmarks/learn_sentence.py --dump /tmp/x/sent.npz   # features (~3 min)
    .venv/bin/python benchmarks/learn_sentence.py --load /tmp/x/sent.npz   # the fits (seconds)

Measured offline on the first passages the shipped stages chose; quality.py and
highlight_misses.py measure what ships (the choice also moves the re-rank).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import BBC, SQUAD1, conditional_logit, contains, dev_bench  # noqa: E402
from benchmarks.highlight_misses import wh_type  # noqa: E402
from qa.retrieval import highlight, rerank  # noqa: E402
from qa.retrieval.answer_types import MARKED_ONLY, fits, phrases  # noqa: E402
from qa.retrieval.pipeline import rank_candidates  # noqa: E402
from qa.settings import DEFAULT_SETTINGS  # noqa: E402

#: per sentence of a first passage
FEATURES = ("match", "context", "dense", "typed", "fits", "lead", "heading", "first", "position",
            "after_best", "prev_gap", "next_gap", "refers", "length", "best", "gap", "chosen", "quote")


class Capture:
    """Wraps rerank.scored_best_sentence: keeps, per passage text, the arguments it was last scored with."""

    def __init__(self) -> None:
        self.calls: dict[str, tuple] = {}
        self._inner = rerank.scored_best_sentence

    def __enter__(self) -> "Capture":
        def wrapped(text, *args, **kw):
            self.calls[text] = (args, kw)
            return self._inner(text, *args, **kw)

        rerank.scored_best_sentence = wrapped
        return self

    def __exit__(self, *exc) -> None:
        rerank.scored_best_sentence = self._inner


def sentence_rows(text: str, args: tuple, kw: dict, chosen: tuple[int, int]) -> tuple[list[list[float]], list[tuple[int, int]]]:
    """Each sentence's features (FEATURES) and span, for a passage scored with `args`."""
    query, weight, total, bigram, aliases, evidence, dense = (list(args) + [None] * 7)[:7]
    aliases, evidence, dense = kw.get("aliases", aliases), kw.get("evidence", evidence), kw.get("dense", dense)
    scored = highlight.sentence_scores(text, query, weight, total, bigram, aliases, evidence, dense)
    typed_kind = evidence is not None and evidence.kind and evidence.kind not in MARKED_ONLY
    best = max(s.match for s in scored) if scored else 0.0
    rows, spans = [], []
    for i, s in enumerate(scored):
        sentence = text[s.start:s.end]
        found = phrases(sentence, evidence.kind, evidence.asked, evidence.own) if typed_kind else []
        if found and evidence.measure is not None and evidence.measure.strict:
            found = [p for p in found if fits(sentence, p, evidence.measure)]
        fit = bool(found) and (evidence.measure is None or not evidence.measure.units
                               or any(fits(sentence, p, evidence.measure) for p in found))
        added = float(dense[i]) if dense is not None and i < len(dense) else 0.0
        prev = scored[i - 1].match if i else 0.0
        nxt = scored[i + 1].match if i + 1 < len(scored) else 0.0
        rows.append([s.match, s.score - s.match - added, added, float(bool(found)), float(fit),
                     float(highlight.opens_paragraph(text, s.start)), float(highlight.is_heading(text, s.start, s.end)),
                     float(i == 0), min(i, 6) / 6, float(i > 0 and prev >= best - 1e-9 and prev > s.match),
                     prev - s.match, nxt - s.match, float(highlight.refers_back(text, s.start)),
                     math.log1p(len(s.tokens)) / 4, float(s.match >= best - 1e-9), s.match - best,
                     float((s.start, s.end) == chosen), float(highlight.opens_quote(text, s.start))])
        spans.append((s.start, s.end))
    return rows, spans


def dump(out: Path) -> None:
    """Every dev question's first passage, when right, sentence by sentence (full index, candidates retrieved once)."""
    questions, bench = dev_bench(DEFAULT_SETTINGS)
    before = replace(DEFAULT_SETTINGS, choice_answer=0.0, choice_first=0.0, choice_heading=0.0)  # what was fitted on
    x, label, owner, texts = [], [], [], []
    with Capture() as cap:
        for n, (query, candidates, q) in enumerate(zip(bench.queries, bench.candidates, questions)):
            cap.calls = {}
            ranking = rank_candidates(bench.snapshot, bench.passages, query, candidates, "hybrid", 10, before)
            top = ranking.hits[0] if ranking.hits else None
            if top is None or top.path != q.path or not contains(top.start, top.end, q.spans):
                continue
            row = bench.passages.rows[top.passage_id]
            if row.text not in cap.calls:
                continue
            chosen = (top.highlight_start - top.start, top.highlight_end - top.start)
            rows, spans = sentence_rows(row.text, *cap.calls[row.text], chosen)
            gold = [contains(top.start + a, top.start + b, q.spans) for a, b in spans]
            if not any(gold) or len(rows) < 2:
                continue  # the gold span crosses sentences, or one sentence: nothing to choose
            x += rows
            label += gold
            texts.append({"q": n, "question": q.text, "sentences": [row.text[a:b] for a, b in spans],
                          "gold": gold.index(True), "chosen": [r[FEATURES.index("chosen")] for r in rows].index(1.0)
                          if any(r[FEATURES.index("chosen")] for r in rows) else -1})
            owner += [n] * len(rows)
    np.savez(out, x=np.array(x, np.float64), label=np.array(label, bool), question=np.array(owner, np.int64),
             held=np.array([q.held_out for q in questions]), kind=np.array([wh_type(q.text) for q in questions]))
    out.with_suffix(".json").write_text(json.dumps(texts))  # each passage's sentences, for reading the misses
    print(f"{len(x)} sentences of {len(set(owner))} first passages -> {out}")


class Sentences:
    def __init__(self, path: Path) -> None:
        d = np.load(path)
        self.x, self.y, self.q, self.held, self.kind = d["x"], d["label"], d["question"], d["held"], d["kind"]
        self.starts = np.r_[0, np.flatnonzero(np.diff(self.q)) + 1]
        self.group = np.repeat(np.arange(self.starts.size), np.diff(np.r_[self.starts, self.q.size]))
        self.gheld = self.held[self.q[self.starts]]

    def col(self, name: str) -> np.ndarray:
        return self.x[:, FEATURES.index(name)]

    def right(self, score: np.ndarray) -> np.ndarray:
        """Per passage: whether its best-scoring sentence (ties: the earlier) holds the answer."""
        s = score - 1e-9 * np.arange(score.size)
        top = s >= np.maximum.reduceat(s, self.starts)[self.group]
        first = np.full(self.starts.size, score.size)
        np.minimum.at(first, self.group[top], np.flatnonzero(top))
        return self.y[first]


def shipped_score(data: "Sentences") -> np.ndarray:
    """The shipped choice's score without its rules: the parts and the type bonus (answer_type_weight)."""
    return (data.col("match") + data.col("context") + data.col("dense")
            + DEFAULT_SETTINGS.answer_type_weight * data.col("typed"))


def fit(data: Sentences, names: list[str], on_held: bool, l2: float, offset: bool = False) -> np.ndarray:
    """A softmax over each passage's sentences, fitted on one half (standardised features, l2).
    `offset`: the shipped score (shipped_score) added with weight 1, the features fitted as corrections
    to it (in its units)."""
    x = data.x[:, [FEATURES.index(n) for n in names]]
    mean, sd = x.mean(0), x.std(0) + 1e-12
    use = (data.gheld == on_held)[data.group]
    z, y = (x[use] - mean) / sd, data.y[use].astype(float)
    if offset:  # the shipped score as one more column, unpenalised scale: the softmax's temperature is free
        z = np.c_[z, shipped_score(data)[use]]
        mean, sd = np.r_[mean, 0.0], np.r_[sd, 1.0]
    free = np.r_[np.ones(len(names)), np.zeros(z.shape[1] - len(names))]  # the shipped score's column unpenalised
    w = conditional_logit(z, y, data.group[use], l2, free, 1.0 - free) / sd
    return w[:len(names)] / w[-1] if offset else w


def report(data: Sentences) -> None:
    chosen = data.right(data.col("chosen"))
    base = data.col("match") + data.col("context") + data.col("dense")
    print(f"passages: tuning {int((~data.gheld).sum())}, held-out {int(data.gheld.sum())}")

    def line(label: str, right: np.ndarray) -> None:
        print(f"| {label} | {right[~data.gheld].mean():.4f} | {right[data.gheld].mean():.4f} |")

    print("| choice | tuning: answering sentence chosen | held-out |\n| --- | --- | --- |")
    line("the choice without its learned terms (choice_* 0, the dump's)", chosen)
    line("score + 0.2 x typed (no rules)", data.right(base + 0.2 * data.col("typed")))
    sets = {"parts": ["match", "context", "dense", "typed"],
            "parts + layout": ["match", "context", "dense", "typed", "fits", "lead", "heading", "first", "position",
                               "refers", "length"],
            "parts + neighbours": ["match", "context", "dense", "typed", "fits", "after_best", "prev_gap", "next_gap",
                                   "best", "gap"],
            "all but chosen": [f for f in FEATURES if f != "chosen"],
            "all": list(FEATURES)}
    for label, names in sets.items():
        for l2 in (1e-3, 1e-2):
            w = fit(data, names, False, l2)
            x = data.x[:, [FEATURES.index(n) for n in names]]
            wb = fit(data, names, True, l2)
            right = data.right(x @ w)
            back = data.right(x @ wb)
            print(f"| {label}, l2 {l2:g} | {right[~data.gheld].mean():.4f} | {right[data.gheld].mean():.4f} "
                  f"| fitted on held-out, tuning: {back[~data.gheld].mean():.4f} |")
            print("|   " + ", ".join(f"{n} {v / w[0]:.3f}" for n, v in zip(names, w)) + " | | |")
    base = shipped_score(data)
    for label, names in (("shipped: + fits, heading, first (RetrievalSettings.choice_*)", ["fits", "heading", "first"]),
                         ("shipped + layout", ["fits", "lead", "heading", "first", "position", "length"]),
                         ("shipped + lead, heading, position", ["lead", "heading", "position"]),
                         ("shipped + neighbours", ["after_best", "prev_gap", "next_gap", "fits"]),
                         ("shipped + all", [f for f in FEATURES if f not in ("match", "context", "dense", "typed")])):
        for l2 in (1e-4, 1e-3, 1e-2):
            w = fit(data, names, False, l2, offset=True)
            wb = fit(data, names, True, l2, offset=True)
            x = data.x[:, [FEATURES.index(n) for n in names]]
            right, back = data.right(base + x @ w), data.right(base + x @ wb)
            print(f"| {label}, l2 {l2:g} | {right[~data.gheld].mean():.4f} | {right[data.gheld].mean():.4f} "
                  f"| fitted on held-out, tuning: {back[~data.gheld].mean():.4f} |")
            print("|   " + ", ".join(f"{n} {v:.3f}" for n, v in zip(names, w)) + " | | |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--load", type=Path)
    args = parser.parse_args(argv)
    if args.dump:
        if not SQUAD1.exists() or not BBC.is_dir():
            print("skipped: the dev set is not present", file=sys.stderr)
            return 0
        dump(args.dump)
    if args.load:
        report(Sentences(args.load))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
