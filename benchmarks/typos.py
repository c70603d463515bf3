"""Questions as people type them: SQuAD v1.1-even questions with typing slips, asked of the cached
benchmark indexes (benchmarks/common.py) through the shipped stages, spelling on and off.

Slips (seeded): in one or two words of five letters or more that are not stop words, one slip
each: two neighbouring letters swapped, a letter dropped, a letter doubled, or a letter replaced
by a neighbouring key (QWERTY). "name" slips: one slip in one capitalised word after the first.
Each set is compared with the same questions spelled right (hit@1/5, highlight-hit, answered, on
the full index); "clean" asks whether the corrector damages questions typed right.

    .venv/bin/python benchmarks/typos.py --clean-only    # all 5,397 questions spelled right, spelling on/off
    .venv/bin/python benchmarks/typos.py --limit 1200 --no-clean   # the typo'd sets (a seeded sample)
    .venv/bin/python benchmarks/typos.py --sweep         # missing_name_weight x threshold (half index)
    .venv/bin/python benchmarks/typos.py --v2            # SQuAD v2.0 unanswerable answered "false"
    .venv/bin/python benchmarks/typos.py --speed         # correction cost, real and 100k-size vocabulary
    .venv/bin/python benchmarks/typos.py --words --limit 1200  # slipped words corrected right (seconds)
    .venv/bin/python benchmarks/typos.py --lower         # the questions typed all in lower case
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file: make `benchmarks` and `qa` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import (SQUAD1, WORK, Bench, CachedEmbedder, Question,  # noqa: E402
                               evaluate, index_key, write_corpus)
from qa.retrieval.spelling import spell  # noqa: E402
from qa.config import DEFAULT_MODEL, ChunkSettings  # noqa: E402
from qa.settings import DEFAULT_SETTINGS, RetrievalSettings  # noqa: E402
from qa.index.text import STOP_WORDS, word_spans  # noqa: E402

_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NEIGHBOURS = {ch: "".join(row[j] for j in (i - 1, i + 1) if 0 <= j < len(row))
              for row in _ROWS for i, ch in enumerate(row)}


def slip(word: str, rng: random.Random) -> str:
    """The word with one slip: swap, drop, double or a neighbouring key (a capital stays first)."""
    if word[:1].isupper() and word[1:].islower():
        out = _slip(word.lower(), rng)
        return out[:1].upper() + out[1:]
    return _slip(word, rng)


def _slip(word: str, rng: random.Random) -> str:
    while True:
        kind, i = rng.choice(("swap", "drop", "double", "key")), rng.randrange(len(word))
        if kind == "swap" and i + 1 < len(word) and word[i] != word[i + 1]:
            out = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif kind == "drop":
            out = word[:i] + word[i + 1:]
        elif kind == "double":
            out = word[:i + 1] + word[i] + word[i + 1:]
        elif kind == "key" and word[i].lower() in NEIGHBOURS:
            key = rng.choice(NEIGHBOURS[word[i].lower()])
            out = word[:i] + (key.upper() if word[i].isupper() else key) + word[i + 1:]
        else:
            continue
        if out != word:
            return out


def misspell(text: str, rng: random.Random, names: bool) -> str | None:
    """The question with slips (see the module's docstring); None when it has no word to slip."""
    spans = [m for position, m in enumerate(word_spans(text)) if len(m.group(0)) >= 5 and m.group(0).isalpha()
             and m.group(0).casefold() not in STOP_WORDS
             and (not names or (position > 0 and m.group(0)[0].isupper()))]
    if not spans:
        return None
    chosen = sorted(rng.sample(spans, 1 if names else min(len(spans), rng.choice((1, 2)))), key=lambda m: m.start())
    out, last = [], 0
    for m in chosen:
        out += [text[last:m.start()], slip(m.group(0), rng)]
        last = m.end()
    return "".join(out) + text[last:]


def typo_sets(questions: list[Question], seed: int) -> dict[str, list[tuple[Question, str]]]:
    """(question, its typed form) per set: "typo'd", "name typo'd"."""
    sets: dict[str, list[tuple[Question, str]]] = {"typo'd": [], "name typo'd": []}
    for key, names in (("typo'd", False), ("name typo'd", True)):
        rng = random.Random(f"{seed}-{key}")
        for q in questions:
            typed = misspell(q.text, rng, names)
            if typed is not None:
                sets[key].append((q, typed))
    return sets


def index_folders(model: str) -> tuple[Path, Path]:
    """The cached (half, full) indexes of the shipped chunking (as benchmarks/common.py keys them)."""
    base = WORK / "index" / index_key(ChunkSettings(), model)
    if not (base / "full" / "qa.sqlite").exists():
        raise SystemExit(f"no cached index in {base}: run benchmarks/quality.py first")
    return base / "half", base / "full"


def rows(full: Path, sets: dict, embedder: CachedEmbedder) -> dict:
    """hit@1/5, highlight, answered: each set as typed and spelled right, spelling on and off."""
    out: dict[str, dict] = {}
    for name, pairs in sets.items():
        questions = [q for q, _ in pairs]
        for label, texts in (("spelled right", [q.text for q in questions]), ("as typed", [t for _, t in pairs])):
            for spelling in (True, False) if name == "clean" or label == "as typed" else (True,):
                settings = replace(DEFAULT_SETTINGS, spelling=spelling)
                bench = Bench.load(full, texts, embedder, settings)
                row = evaluate(bench, questions, settings)
                lexicon = bench.snapshot.lexicon
                row["corrected"] = round(sum(bool(spell(lexicon, t, settings).corrected) for t in texts) / len(texts), 4)
                key = f"{name} ({len(pairs)}): {label}, spelling {'on' if spelling else 'off'}"
                out[key] = {k: row[k] for k in ("hit@1", "hit@5", "highlight", "answered", "corrected")}
                print(f"{key:60s} {json.dumps(out[key])}", flush=True)
    return out


def sample_of(questions: list[Question], args: argparse.Namespace) -> list[Question]:
    """The seeded sample of --limit questions (all without it)."""
    if not args.limit:
        return questions
    keep = set(random.Random(args.seed).sample(range(len(questions)), args.limit))
    return [q for i, q in enumerate(questions) if i in keep]


def lower_case(full: Path, questions: list[Question], embedder: CachedEmbedder) -> dict:
    """hit@1/5, highlight, answered of the questions typed all in lower case (the model is
    uncased: only words, names and spelling differ), uncased_names on and off, and as written."""
    out: dict[str, dict] = {}
    typed = [q.text.lower() for q in questions]
    for label, texts, on in (("as written", [q.text for q in questions], True),
                             ("lower case, uncased_names on", typed, True),
                             ("lower case, uncased_names off", typed, False)):
        settings = replace(DEFAULT_SETTINGS, uncased_names=on)
        row = evaluate(Bench.load(full, texts, embedder, settings), questions, settings)
        out[f"{label} ({len(questions)})"] = {k: row[k] for k in ("hit@1", "hit@5", "highlight", "answered")}
        print(f"{label:40s} {json.dumps(out[f'{label} ({len(questions)})'])}", flush=True)
    return out


def missing_name_sweep(half: Path, questions: list[Question], embedder: CachedEmbedder, floor: float) -> dict:
    """Held-out "false" and in-corpus "true" (half index, v1.1-even: the tuning split) for each
    missing_name_weight, at the shipped threshold and at the threshold that keeps held-out
    "false" >= floor (its level before spelling) with the most in-corpus "true"."""
    from benchmarks.variants import _signals, _values

    bench = Bench.load(half, [q.text for q in questions], embedder, DEFAULT_SETTINGS)
    held = np.array([q.held_out for q in questions])
    signals = _signals(bench, DEFAULT_SETTINGS)
    out: dict[str, object] = {}
    for weight in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3):
        settings = replace(DEFAULT_SETTINGS, missing_name_weight=weight)
        values = _values(signals, settings)
        row = {"heldout_false": _share(values[held] < settings.min_answer_score),
               "incorpus_true": _share(values[~held] >= settings.min_answer_score)}
        for t in np.arange(0.80, 0.95, 0.001):
            if (values[held] < t).mean() >= floor and row.get("best") is None:
                row["best"] = {"threshold": round(float(t), 4), "heldout_false": _share(values[held] < t),
                               "incorpus_true": _share(values[~held] >= t)}
        out[f"missing_name_weight {weight}"] = row
        print(f"missing_name_weight {weight}: {json.dumps(row)}", flush=True)
    return out


def unanswerable(full: Path, embedder: CachedEmbedder) -> dict:
    """Share of SQuAD v2.0's unanswerable questions (in-corpus articles) answered "false"."""
    from benchmarks.common import unanswerable_v2
    from benchmarks.variants import _signals

    _, articles = write_corpus(WORK / "corpus" / "squad-in", WORK / "corpus" / "squad-out")
    texts = unanswerable_v2(articles)
    signals = _signals(Bench.load(full, texts, embedder, DEFAULT_SETTINGS), DEFAULT_SETTINGS)
    from qa.retrieval.verdict import decide

    row = {"questions": len(texts), "answered_false": _share(np.array([not decide(s, DEFAULT_SETTINGS).answered
                                                                        for s in signals]))}
    print(f"v2 unanswerable: {json.dumps(row)}", flush=True)
    return row


def slipped_words(full: Path, sets: dict) -> dict:
    """Seconds, no retrieval: of each set's slipped words, the share spell() corrects to a word
    of the original's stem ("right"), to another word ("wrong"), leaves ("left": no candidate, a
    real word or a short name) or cannot change (the index holds the slip: "held", e.g.
    "filed" for "field"); "damaged": words typed right that were corrected. The loop to tune on."""
    from qa.index import store
    from qa.retrieval.snapshot import IndexSnapshot
    from qa.index.text import stem_of

    conn = store.connect(full)
    lexicon = IndexSnapshot.load(conn, full).lexicon
    conn.close()
    out = {}
    for name, pairs in sets.items():
        kinds: dict[str, int] = {"right": 0, "wrong": 0, "left": 0, "held": 0, "damaged": 0}
        for q, typed in pairs:
            corrected = spell(lexicon, typed, DEFAULT_SETTINGS).corrected
            for right, slipped in zip((m.group(0) for m in word_spans(q.text)), (m.group(0) for m in word_spans(typed))):
                if right == slipped:
                    kinds["damaged"] += slipped in corrected
                elif slipped in corrected:
                    kinds["right" if stem_of(corrected[slipped].casefold()) == stem_of(right.casefold()) else "wrong"] += 1
                else:
                    kinds["held" if lexicon.holds(slipped.casefold()) else "left"] += 1
        slips = sum(kinds.values()) - kinds["damaged"]
        out[name] = {"slipped words": slips} | {k: round(v / slips, 4) if k != "damaged" else v for k, v in kinds.items()}
        print(f"{name}: {json.dumps(out[name])}", flush=True)
    return out


def _share(mask: np.ndarray) -> float:
    return round(float(np.mean(mask)), 4)


def speed(full: Path, texts: list[str]) -> dict:
    """Cost of spell() a question (after the one-off build of the look-ups), on the full index's
    vocabulary and on a synthetic one the size of a 100k-passage index's (Heaps' law: the
    vocabulary grows as ~ the square root of the text, x3.2 for 10x the passages; each term's
    passages x10 for the candidates' context)."""
    from qa.index import store
    from qa.retrieval.snapshot import IndexSnapshot
    from qa.retrieval.speller import Lexicon

    conn = store.connect(full)
    snapshot = IndexSnapshot.load(conn, full)
    conn.close()
    vocabulary, df = snapshot.bm25.vocabulary, snapshot.bm25.document_frequency
    rng = random.Random(7)
    synthetic = dict(vocabulary)
    terms = list(vocabulary)
    while len(synthetic) < int(len(vocabulary) * 3.2):
        synthetic.setdefault(slip(rng.choice(terms), rng) + rng.choice("aeioulnrst"), len(synthetic))
    synthetic_df = np.concatenate([df, rng.choices(list(df), k=len(synthetic) - len(df))]).astype(np.int64)
    weights = _bm25_matrix(snapshot.bm25)
    out = {}
    gc.collect()
    gc.freeze()  # the benchmark's own heap (SQuAD parsed: millions of objects) out of the collector's sweeps
    for name, lexicon in (("full index", Lexicon(vocabulary, df, snapshot.bm25)),
                          ("100k-size synthetic", Lexicon(synthetic, synthetic_df,
                                                          MatrixWeights(synthetic, _weights_100k(weights, synthetic_df))))):
        t0 = time.perf_counter()
        spell(lexicon, "wat did microsft warn pc users abuot Qumo", DEFAULT_SETTINGS)  # builds the look-ups
        build = time.perf_counter() - t0
        times, cpu = [], []
        for text in texts:
            t0, c0 = time.perf_counter(), time.thread_time()
            spell(lexicon, text, DEFAULT_SETTINGS)
            times.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
        # the CPU time too: on a machine shared with other jobs the wall time counts their turns
        out[name] = {"terms": len(lexicon.vocabulary), "build_s": round(build, 2),
                     "mean_ms": round(1000 * float(np.mean(times)), 3), "p99_ms": round(1000 * float(np.percentile(times, 99)), 3),
                     "cpu_mean_ms": round(1000 * float(np.mean(cpu)), 3), "cpu_p99_ms": round(1000 * float(np.percentile(cpu, 99)), 3)}
        print(f"{name}: {json.dumps(out[name])}", flush=True)
    return out


class MatrixWeights:
    """A terms x passages weight matrix (row i: the vocabulary's column i) read as the Lexicon reads BM25's."""

    def __init__(self, vocabulary: dict[str, int], matrix) -> None:
        self.vocabulary, self.matrix, self.size = vocabulary, matrix, matrix.shape[1]

    def term_weights(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        row = self.vocabulary[token]
        span = slice(self.matrix.indptr[row], self.matrix.indptr[row + 1])
        return self.matrix.indices[span], self.matrix.data[span]


def _bm25_matrix(bm25):
    """BM25's weights as a terms x passages matrix (rows: its columns, all held in a fresh index)."""
    from scipy import sparse

    found = [bm25.term_weights(t) for t in sorted(bm25.vocabulary, key=bm25.vocabulary.__getitem__)]
    indptr = np.concatenate([[0], np.cumsum([len(at) for at, _ in found])])
    return sparse.csr_matrix((np.concatenate([w for _, w in found]), np.concatenate([at for at, _ in found]), indptr),
                             shape=(len(found), bm25.size))


def _weights_100k(weights, df: np.ndarray, copies: int = 10):
    """A terms x passages matrix the size of a 100k-passage index's: the real terms in `copies`
    copies of the passages (their postings x10, as the 100k BBC corpus of benchmarks/speed.py),
    the synthetic terms each in `df` random passages (the candidates' context is looked up in it)."""
    from scipy import sparse

    real = sparse.hstack([weights] * copies, format="csr")
    rng = np.random.default_rng(7)
    n, extra = real.shape[1], df[weights.shape[0]:]
    postings = [np.unique(rng.integers(0, n, int(k))) for k in extra]
    indptr = np.concatenate([[0], np.cumsum([len(p) for p in postings])])
    indices = np.concatenate(postings) if postings else np.zeros(0, dtype=np.int64)
    rows = sparse.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(extra), n))
    return sparse.vstack([real, rows], format="csr")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--sweep", action="store_true", help="only the missing_name_weight sweep")
    parser.add_argument("--floor", type=float, default=0.9035,
                        help="sweep: held-out 'false' to keep (BENCHMARKS.md, hybrid, before spelling)")
    parser.add_argument("--speed", action="store_true", help="only the correction's cost")
    parser.add_argument("--words", action="store_true", help="only the slipped words' corrections (seconds)")
    parser.add_argument("--limit", type=int, help="typo'd sets: a seeded sample of this many questions")
    parser.add_argument("--no-clean", action="store_true", help="skip the clean rows (all questions)")
    parser.add_argument("--clean-only", action="store_true", help="only the clean rows")
    parser.add_argument("--v2", action="store_true", help="only SQuAD v2.0's unanswerable questions (full index)")
    parser.add_argument("--lower", action="store_true",
                        help="only the questions typed all in lower case, uncased_names on and off")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    if not SQUAD1.exists():
        print(f"skipped: {SQUAD1} is not present", file=sys.stderr)
        return 0
    questions, _ = write_corpus(WORK / "corpus" / "squad-in", WORK / "corpus" / "squad-out")
    half, full = index_folders(DEFAULT_MODEL)
    sets = typo_sets(questions, args.seed)
    result: dict[str, object] = {"seed": args.seed}
    if args.limit:  # a seeded sample of the questions, the same for every set
        keep = set(random.Random(args.seed).sample(range(len(questions)), args.limit))
        kept = {id(q) for i, q in enumerate(questions) if i in keep}
        sample = {name: [(q, t) for q, t in pairs if id(q) in kept] for name, pairs in sets.items()}
    if args.speed:
        result["speed"] = speed(full, [t for pairs in sets.values() for _, t in pairs])
    elif args.words:
        result["words"] = slipped_words(full, sample if args.limit else sets)
    else:
        from qa.embedding.embedder import Embedder

        texts = [q.text for q in questions] + [t for pairs in sets.values() for _, t in pairs]
        texts += [q.text.lower() for q in questions] if args.lower else []
        embedder = CachedEmbedder(Embedder(DEFAULT_MODEL), texts, DEFAULT_MODEL)
        if args.v2:
            result["v2"] = unanswerable(full, embedder)
        elif args.lower:
            result["lower"] = lower_case(full, sample_of(questions, args), embedder)
        elif args.sweep:
            result["sweep"] = missing_name_sweep(half, questions, embedder, args.floor)
        else:
            if args.limit:
                sets = sample
            clean = {} if args.no_clean else {"clean": [(q, q.text) for q in questions]}
            sets = {} if args.clean_only else sets
            result["rows"] = rows(full, clean | sets, embedder)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
