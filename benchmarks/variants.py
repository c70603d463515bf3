"""The tuning sweep behind the shipped retrieval settings, run from one index in one process.

For every question the full BM25 scores and the cosine to every passage are computed once; the
union of both top-DEPTH lists is kept with both scores. Each variant (fusion method, weights,
depth, BM25 tokens) then re-ranks those candidates in pure numpy, so a variant costs seconds.
Chunking and title-in-vectors variants change the index and are separate runs of quality.py.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from benchmarks.quality import Question, Scores
from qa.bm25 import BM25Index
from qa.highlight import best_sentence
from qa.search import Searcher
from qa.sentences import sentence_spans
from qa.text import STOP_WORDS, tokenize, words

DEPTH = 200


@dataclass
class Corpus:
    paths: list[str]
    starts: np.ndarray
    ends: np.ndarray
    texts: list[str]
    titles: list[str]
    vectors: np.ndarray  # by position


@dataclass
class Cands:
    pos: np.ndarray
    bm25: np.ndarray
    dense: np.ndarray
    tokens: list[str]


def load_corpus(searcher: Searcher) -> Corpus:
    rows = searcher._conn.execute(
        "SELECT p.id, d.path, p.start, p.end, p.text, d.title FROM passages p JOIN documents d ON d.id = p.doc_id "
        "ORDER BY p.id").fetchall()
    assert [r[0] for r in rows] == searcher.passage_ids.tolist()
    index = searcher.vectors
    ids = faiss.vector_to_array(index.id_map)
    flat = index.index.reconstruct_n(0, index.ntotal)
    vecs = np.zeros_like(flat)
    vecs[np.searchsorted(searcher.passage_ids, ids)] = flat
    return Corpus([r[1] for r in rows], np.array([r[2] for r in rows]), np.array([r[3] for r in rows]),
                  [r[4] for r in rows], [r[5] for r in rows], vecs)


def candidates(bm25: BM25Index, corpus: Corpus, texts: list[str], qvecs: np.ndarray,
               tokenizer: Callable[[str], list[str]] = tokenize, depth: int = DEPTH) -> list[Cands]:
    out = []
    block = 256
    for i, (text, qvec) in enumerate(zip(texts, qvecs)):
        if i % block == 0:  # cosines for a block of questions in one matrix product
            dense_block = qvecs[i:i + block] @ corpus.vectors.T
        tokens = tokenizer(text)
        b = bm25.scores(tokens)
        d = dense_block[i % block]
        top_b = np.argpartition(-b, depth)[:depth]
        top_b = top_b[b[top_b] > 0]
        top_d = np.argpartition(-d, depth)[:depth]
        pos = np.union1d(top_b, top_d)
        out.append(Cands(pos, b[pos].astype(np.float64), d[pos].astype(np.float64), tokens))
    return out


def question_candidates(index_dir: Path, questions: list[Question], embedder) -> tuple[Searcher, Corpus, list[Cands]]:
    """The index's searcher and passages, and every question's candidates from it."""
    searcher = Searcher(index_dir)
    corpus = load_corpus(searcher)
    texts = [q.text for q in questions]
    return searcher, corpus, candidates(searcher.bm25, corpus, texts, np.vstack([embedder.vectors[t] for t in texts]))


def _ranks(scores: np.ndarray, depth: int, positive: bool = False) -> np.ndarray:
    """1-based rank of each candidate in this list, inf beyond depth."""
    order = np.argsort(-scores, kind="stable")
    ranks = np.full(scores.size, np.inf)
    keep = order[:depth]
    if positive:
        keep = keep[scores[keep] > 0]
    ranks[keep] = np.arange(1, keep.size + 1)
    return ranks


def rrf(k: float = 60, wb: float = 1.0, wd: float = 1.0, depth: int = 100):
    def fuse(c: Cands) -> np.ndarray:
        return wb / (k + _ranks(c.bm25, depth, True)) + wd / (k + _ranks(c.dense, depth))
    return fuse


def convex(alpha: float, depth: int = 100, norm: str = "max"):
    """alpha * normalized BM25 + (1 - alpha) * normalized cosine over the candidates in either top list."""
    def fuse(c: Cands) -> np.ndarray:
        inlist = np.isfinite(_ranks(c.bm25, depth, True)) | np.isfinite(_ranks(c.dense, depth))
        b, d = c.bm25, c.dense
        if norm == "max":
            bn = b / b.max() if b.max() > 0 else b
            dn = d
        elif norm == "minmax":
            bn = (b - b[inlist].min()) / max(b[inlist].max() - b[inlist].min(), 1e-9)
            dn = (d - d[inlist].min()) / max(d[inlist].max() - d[inlist].min(), 1e-9)
        else:  # z-scores
            bn = (b - b[inlist].mean()) / max(b[inlist].std(), 1e-9)
            dn = (d - d[inlist].mean()) / max(d[inlist].std(), 1e-9)
        return np.where(inlist, alpha * bn + (1 - alpha) * dn, -np.inf)
    return fuse


def only(which: str):
    def fuse(c: Cands) -> np.ndarray:
        return c.bm25 if which == "bm25" else c.dense
    return fuse


def evaluate(cands: list[Cands], questions: list[Question], corpus: Corpus, fuse, idf,
             highlighter=None) -> dict[str, float]:
    scores = Scores()
    for c, q in zip(cands, questions):
        s = fuse(c)
        order = np.argsort(-s, kind="stable")[:10]
        top = c.pos[order]
        ranked = [(corpus.paths[p], int(corpus.starts[p]), int(corpus.ends[p])) for p in top]
        first = int(top[0])
        text = corpus.texts[first]
        if highlighter is None:
            hs, he = best_sentence(text, c.tokens, idf)
        else:
            hs, he = highlighter(text, c, q)
        start = int(corpus.starts[first])
        scores.add(ranked, (start + hs, start + he), False, q)
    row = scores.row()
    del row["answered"]
    return {k: round(v, 4) for k, v in row.items()}


def top_signals(cands: list[Cands], fuse, corpus: Corpus, coverage) -> np.ndarray:
    """(dense score, keyword coverage) of the top fused passage of each question."""
    out = np.zeros((len(cands), 2))
    for i, c in enumerate(cands):
        j = int(np.argmax(fuse(c)))
        out[i] = c.dense[j], coverage(corpus.texts[c.pos[j]], c.tokens)
    return out


def sweep(full: Path, half: Path, questions: list[Question], v2: list[str], embedder) -> dict:
    t0 = time.monotonic()
    s_full = Searcher(full)
    corpus = load_corpus(s_full)
    texts = [q.text for q in questions]
    qvecs = np.vstack([embedder.vectors[t] for t in texts])
    cands = candidates(s_full.bm25, corpus, texts, qvecs)
    print(f"candidates in {time.monotonic() - t0:.1f} s", flush=True)
    idf = s_full._idf
    results: dict[str, object] = {}

    def run(name: str, fuse, cset=None, idf_=None, highlighter=None) -> None:
        t = time.monotonic()
        row = evaluate(cset or cands, questions, corpus, fuse, idf_ or idf, highlighter)
        results[name] = row
        print(f"{name:40s} {json.dumps(row)}  ({time.monotonic() - t:.1f} s)", flush=True)

    run("bm25", only("bm25"))
    run("dense", only("dense"))
    for k in (10, 30, 60):
        for depth in (20, 50, 100):
            run(f"rrf k={k} depth={depth}", rrf(k, depth=depth))
    for wb in (0.5, 0.7, 1.5, 2.0):
        run(f"rrf k=60 wb={wb}", rrf(60, wb=wb))
    for norm in ("max", "minmax", "z"):
        for alpha in (0.2, 0.3, 0.4, 0.5, 0.6):
            run(f"convex {norm} a={alpha}", convex(alpha, norm=norm))

    # BM25 tokens: title added, stemming off (BM25 rebuilt in-process from the passages)
    title_tokens = [tokenize(f"{t}\n{x}") for t, x in zip(corpus.titles, corpus.texts)]
    bm25_title = BM25Index(title_tokens)
    c_title = candidates(bm25_title, corpus, texts, qvecs)
    run("bm25 +title", only("bm25"), c_title)
    run("rrf +title", rrf(60), c_title)
    for norm in ("max", "minmax", "z"):
        for alpha in (0.3, 0.4, 0.5):
            run(f"convex {norm} a={alpha} +title", convex(alpha, norm=norm), c_title)

    def unstemmed(text: str) -> list[str]:
        return [w for w in words(text) if w not in STOP_WORDS]

    bm25_plain = BM25Index([unstemmed(x) for x in corpus.texts])
    c_plain = candidates(bm25_plain, corpus, texts, qvecs, unstemmed)
    run("bm25 unstemmed", only("bm25"), c_plain)
    run("rrf unstemmed", rrf(60), c_plain)
    return results


def answer_curves(full: Path, half: Path, questions: list[Question], v2: list[str], embedder, fuse) -> dict:
    """Share of held-out questions answered false / in-corpus answered true for answered-rules."""
    s_half = Searcher(half)
    corpus_h = load_corpus(s_half)
    texts = [q.text for q in questions]
    qvecs = np.vstack([embedder.vectors[t] for t in texts])
    cands_h = candidates(s_half.bm25, corpus_h, texts, qvecs)
    sig_h = top_signals(cands_h, fuse, corpus_h, s_half._coverage)
    held = np.array([q.held_out for q in questions])
    out: dict[str, object] = {}
    sig_v2 = None
    if v2:
        s_full = Searcher(full)
        corpus_f = load_corpus(s_full)
        c_v2 = candidates(s_full.bm25, corpus_f, v2, np.vstack([embedder.vectors[t] for t in v2]))
        sig_v2 = top_signals(c_v2, fuse, corpus_f, s_full._coverage)

    def rule_row(name: str, answered) -> None:
        a_h = answered(sig_h)
        row = {"heldout_false": round(float((~a_h[held]).mean()), 4),
               "incorpus_true": round(float(a_h[~held].mean()), 4)}
        if sig_v2 is not None:
            row["v2_false"] = round(float((~answered(sig_v2)).mean()), 4)
        out[name] = row
        print(f"{name:40s} {json.dumps(row)}", flush=True)

    for t in np.arange(0.25, 0.56, 0.025):
        rule_row(f"dense>={t:.3f}", lambda s, t=t: s[:, 0] >= t)
    for c in (0.3, 0.4, 0.5, 0.6, 0.7):
        rule_row(f"coverage>={c}", lambda s, c=c: s[:, 1] >= c)
    for lam in (0.3, 0.5, 0.7, 1.0):
        for t in np.arange(0.50, 1.11, 0.025):
            rule_row(f"dense+{lam}*cov>={t:.3f}", lambda s, lam=lam, t=t: s[:, 0] + lam * s[:, 1] >= t)
    return out


# -- highlight variants (lexical; the shipped one is qa.highlight.best_sentence) ---------------------
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion)\b", re.I)
_YEARISH = re.compile(r"\b\d{3,4}\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|december|century|centuries)\b", re.I)
_CAPITAL = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")


def lexical_highlighter(idf, tie: str = "first", type_bonus: float = 0.0, new_words: float = 0.0):
    def pick(text: str, c: Cands, q: Question) -> tuple[int, int]:
        spans = sentence_spans(text)
        if not spans:
            return 0, len(text)
        wanted = set(c.tokens)
        total = sum(idf(t) for t in wanted) or 1.0
        qlow = q.text.lower()
        kind = ("number" if re.search(r"\bhow (many|much|long|old|far|large|big)\b|\bwhat (percentage|number)\b", qlow)
                else "time" if re.search(r"\bwhen\b|\bwhat (year|century|decade|month|day)\b|\bwhich year\b", qlow)
                else "name" if re.match(r"\s*(who|whom|whose)\b", qlow) else None)
        best, best_score = spans[0], -1.0
        for s, e in spans:
            sent = text[s:e]
            toks = tokenize(sent)
            found = wanted.intersection(toks)
            score = sum(idf(t) for t in found) / total
            if type_bonus and kind:
                if kind == "number" and _NUMBER.search(sent):
                    score += type_bonus
                elif kind == "time" and _YEARISH.search(sent):
                    score += type_bonus
                elif kind == "name" and any(tokenize(m.group(0))[:1] and tokenize(m.group(0))[0] not in wanted
                                            for m in _CAPITAL.finditer(sent)):
                    score += type_bonus
            if new_words:
                score += new_words * min(len(set(toks) - wanted), 10) / 10
            if tie == "longer":
                score += 1e-4 * min(len(toks), 50)
            if score > best_score + 1e-9:
                best, best_score = (s, e), score
        return best
    return pick


def highlight_sweep(full: Path, questions: list[Question], embedder, fuse) -> dict:
    s_full = Searcher(full)
    corpus = load_corpus(s_full)
    texts = [q.text for q in questions]
    qvecs = np.vstack([embedder.vectors[t] for t in texts])
    cands = candidates(s_full.bm25, corpus, texts, qvecs)
    idf = s_full._idf
    results = {}
    for name, h in [("shipped", None),
                    ("normalized first", lexical_highlighter(idf)),
                    ("tie longer", lexical_highlighter(idf, "longer")),
                    ("type 0.1", lexical_highlighter(idf, type_bonus=0.1)),
                    ("type 0.2", lexical_highlighter(idf, type_bonus=0.2)),
                    ("type 0.3", lexical_highlighter(idf, type_bonus=0.3)),
                    ("new 0.05", lexical_highlighter(idf, new_words=0.05)),
                    ("new 0.1", lexical_highlighter(idf, new_words=0.1)),
                    ("type 0.2 new 0.05 longer", lexical_highlighter(idf, "longer", 0.2, 0.05))]:
        row = evaluate(cands, questions, corpus, fuse, idf, h)
        results[name] = row
        print(f"highlight {name:30s} {json.dumps(row)}", flush=True)
    return results


def bm25_param_sweep(full: Path, questions: list[Question], embedder, title: bool | None) -> dict:
    """BM25 k1/b (and the title in BM25) re-fitted in-process on the index's passages.
    title=None: a small k1/b grid, with and without the title in the BM25 text."""
    s_full = Searcher(full)
    corpus = load_corpus(s_full)
    texts = [q.text for q in questions]
    qvecs = np.vstack([embedder.vectors[t] for t in texts])
    results = {}
    grid = [(0.9, 0.4), (1.2, 0.4), (0.9, 0.6)] if title is None else \
        [(k1, b) for k1 in (0.9, 1.2, 1.5) for b in (0.4, 0.6, 0.75, 0.9)]
    fusions = [("bm25", only("bm25")), ("dense", only("dense"))] + [(f"convex {a}", convex(a)) for a in (0.3, 0.4, 0.5, 0.6)]
    for with_title in ((False, True) if title is None else (title,)):
        if with_title:
            docs = [tokenize(f"{t}\n{x}") for t, x in zip(corpus.titles, corpus.texts)]
        else:
            docs = [tokenize(x) for x in corpus.texts]
        for k1, b in grid:
            bm25 = BM25Index(docs, k1=k1, b=b)
            cands = candidates(bm25, corpus, texts, qvecs)
            for name, fuse in fusions:
                key = f"k1={k1} b={b} title={with_title} {name}"
                results[key] = evaluate(cands, questions, corpus, fuse, bm25_idf(bm25))
                print(f"{key:40s} {json.dumps(results[key])}", flush=True)
    return results


def bm25_idf(bm25: BM25Index):
    def idf(token: str) -> float:
        col = bm25.vocabulary.get(token)
        return float(bm25.idf[col]) if col is not None else 0.0
    return idf


def with_neighbours(fuse, corpus: Corpus, gamma: float):
    """Adds gamma x the better fused score of the passages just before and after (same article)."""
    def fused(c: Cands) -> np.ndarray:
        s = fuse(c)
        index = {int(p): i for i, p in enumerate(c.pos)}
        out = s.copy()
        for i, p in enumerate(c.pos):
            best = max((s[index[q]] for q in (int(p) - 1, int(p) + 1)
                        if q in index and corpus.paths[q] == corpus.paths[int(p)] and np.isfinite(s[index[q]])),
                       default=0.0)
            out[i] = s[i] + gamma * best
        return out
    return fused


def neighbour_sweep(full: Path, questions: list[Question], embedder) -> dict:
    s_full, corpus, cands = question_candidates(full, questions, embedder)
    results = {}
    for gamma in (0.0, 0.05, 0.1, 0.2, 0.3):
        key = f"convex 0.4 + {gamma} x best neighbour"
        results[key] = evaluate(cands, questions, corpus, with_neighbours(convex(0.4), corpus, gamma), s_full._idf)
        print(f"{key:40s} {json.dumps(results[key])}", flush=True)
    return results


# -- sentence-level scoring inside passages -----------------------------------------------------
def sentence_scorer(corpus: Corpus, idf, unknown_idf: float, window: int = 1):
    """For a question's tokens and a passage position: the best share of the question's IDF weight
    held by one run of `window` consecutive sentences of the passage."""
    cache: dict[int, list[frozenset[str]]] = {}

    def score(tokens: list[str], pos: int) -> float:
        sents = cache.get(pos)
        if sents is None:
            text = corpus.texts[pos]
            sents = cache[pos] = [frozenset(tokenize(text[s:e])) for s, e in sentence_spans(text)] or [frozenset()]
        wanted = set(tokens)
        total = sum(idf(t) or unknown_idf for t in wanted)
        if not total:
            return 0.0
        best = 0.0
        for i in range(max(1, len(sents) - window + 1)):
            held = wanted & frozenset().union(*sents[i:i + window])
            best = max(best, sum(idf(t) for t in held))
        return best / total
    return score


def with_sentences(fuse, scorer, lam: float, top: int = 30):
    """Adds lam x the best sentence score to the top fused candidates (the rest keep their score)."""
    def fused(c: Cands) -> np.ndarray:
        s = fuse(c)
        out = s.copy()
        for i in np.argsort(-s, kind="stable")[:top]:
            if np.isfinite(s[i]):
                out[i] = s[i] + lam * scorer(c.tokens, int(c.pos[i]))
        return out
    return fused


def bigram_scorer(corpus: Corpus, idf, unknown_idf: float, mu: float, tau: float = 0.0,
                  kinds: dict[int, str | None] | None = None):
    """sentence_scorer(window=1) plus mu x the share of the question's adjacent token pairs that
    stand adjacent in that sentence too (word order as a cheap proximity signal); plus tau for a
    sentence holding a word of the answer's kind (a number, a date, a capitalised name the
    question lacks), kinds mapping id(question tokens) to answer_type()."""
    cache: dict[int, list[tuple[frozenset[str], frozenset[tuple[str, str]], str]]] = {}

    def score(tokens: list[str], pos: int) -> float:
        sents = cache.get(pos)
        if sents is None:
            text = corpus.texts[pos]
            sents = []
            for s, e in sentence_spans(text) or [(0, len(text))]:
                toks = tokenize(text[s:e])
                sents.append((frozenset(toks), frozenset(zip(toks, toks[1:])), text[s:e]))
            cache[pos] = sents
        kind = kinds.get(id(tokens)) if tau and kinds else None
        wanted = set(tokens)
        pairs = set(zip(tokens, tokens[1:]))
        total = sum(idf(t) or unknown_idf for t in wanted)
        if not total:
            return 0.0
        best = 0.0
        for toks, bigrams, sent in sents:
            value = sum(idf(t) for t in wanted & toks) / total
            if pairs:
                value += mu * len(pairs & bigrams) / len(pairs)
            if kind is not None and _has_kind(sent, kind, wanted):
                value += tau
            best = max(best, value)
        return best
    return score


def _has_kind(sentence: str, kind: str, question_tokens: set[str]) -> bool:
    if kind == "number":
        return bool(_NUMBER.search(sentence))
    if kind == "time":
        return bool(_YEARISH.search(sentence))
    return any(tokenize(m.group(0))[:1] and tokenize(m.group(0))[0] not in question_tokens
               for m in _CAPITAL.finditer(sentence))


def sentence_sweep(full: Path, questions: list[Question], embedder) -> dict:
    """Sentence-level re-ranking of the top fused passages: window sizes, weights, depth, then
    the word-pair (bigram) bonus on top of the one-sentence score."""
    s_full, corpus, cands = question_candidates(full, questions, embedder)
    idf, unknown = s_full._idf, s_full._unknown_idf
    results = {}

    def report(key: str, fuse) -> None:
        results[key] = evaluate(cands, questions, corpus, fuse, idf)
        print(f"{key:45s} {json.dumps(results[key])}", flush=True)

    report("convex 0.4", convex(0.4))
    for window in (1, 2):
        scorer = sentence_scorer(corpus, idf, unknown, window)
        for lam in (0.05, 0.1, 0.2, 0.3, 0.5):
            for top in (10, 30):
                report(f"convex 0.4 + {lam} x sentence(w={window}) top {top}",
                       with_sentences(convex(0.4), scorer, lam, top))
    for mu in (0.1, 0.2, 0.4, 0.7, 1.0):
        scorer = bigram_scorer(corpus, idf, unknown, mu)
        for lam in (0.2, 0.3):
            report(f"convex 0.4 + {lam} x (sentence + {mu} x bigrams) top 10",
                   with_sentences(convex(0.4), scorer, lam, 10))
    scorer = bigram_scorer(corpus, idf, unknown, 0.4)
    for share in (0.3, 0.35, 0.45, 0.5):  # the fusion's BM25 share again, now under the re-ranking
        report(f"convex {share} + 0.2 x (sentence + 0.4 x bigrams) top 10",
               with_sentences(convex(share), scorer, 0.2, 10))
    return results


def best_threshold(values: np.ndarray, held: np.ndarray, thresholds) -> tuple[float, float, float] | None:
    """(threshold, held-out 'false', in-corpus 'true') of the threshold on `values` (answered when
    >= it) that keeps held-out 'false' >= 0.90 with the most in-corpus 'true'; None if none does."""
    best = None
    for t in thresholds:
        answered = values >= t
        false_held, true_in = float((~answered[held]).mean()), float(answered[~held].mean())
        if false_held >= 0.90 and (best is None or true_in > best[2]):
            best = (round(float(t), 4), round(false_held, 4), round(true_in, 4))
    return best


def answer_curves_sentences(half: Path, questions: list[Question], embedder) -> dict:
    """Answered-rules with the best sentence's score as a third signal, on the shipped ranking
    (convex 0.4 re-ranked by sentence + 0.4 x bigrams, weight 0.2, top 10). Prints, for each
    rule family, the threshold that keeps held-out 'false' >= 0.90 with the most in-corpus 'true'."""
    s_half, corpus, cands = question_candidates(half, questions, embedder)
    scorer = bigram_scorer(corpus, s_half._idf, s_half._unknown_idf, 0.4)
    fuse = with_sentences(convex(0.4), scorer, 0.2, 10)
    sig = np.zeros((len(cands), 3))
    for i, c in enumerate(cands):
        j = int(np.argmax(fuse(c)))
        pos = int(c.pos[j])
        sig[i] = c.dense[j], s_half._coverage(corpus.texts[pos], c.tokens), scorer(c.tokens, pos)
    held = np.array([q.held_out for q in questions])
    out: dict[str, object] = {}
    for a in (0.0, 0.3, 0.5, 0.7, 1.0):
        for b in (0.0, 0.2, 0.4, 0.7, 1.0):
            best = best_threshold(sig[:, 0] + a * sig[:, 1] + b * sig[:, 2], held, np.arange(0.3, 2.0, 0.0125))
            key = f"cos + {a} cov + {b} sentence"
            out[key] = best
            print(f"{key:35s} {best}", flush=True)
    return out


def dense_sentence_sweep(full: Path, questions: list[Question], embedder, model) -> dict:
    """The ceiling of a dense sentence signal: on top of the shipped ranking, add lam x the best
    cosine between the question and any one sentence of each of the ten best passages (every
    sentence embedded by the model here; shipping it would mean sentence vectors in the index)."""
    s_full, corpus, cands = question_candidates(full, questions, embedder)
    idf, unknown = s_full._idf, s_full._unknown_idf
    shipped = with_sentences(convex(0.4), bigram_scorer(corpus, idf, unknown, 0.4), 0.2, 10)
    need: set[int] = set()
    for c in cands:
        s = shipped(c)
        need.update(int(p) for p in c.pos[np.argsort(-s, kind="stable")[:10]])
    spans = {p: sentence_spans(corpus.texts[p]) or [(0, len(corpus.texts[p]))] for p in need}
    texts = sorted({corpus.texts[p][a:b] for p in need for a, b in spans[p]}, key=len)
    t0 = time.monotonic()
    vecs = dict(zip(texts, model.encode(texts)))
    print(f"{len(texts)} sentences of {len(need)} passages embedded in {time.monotonic() - t0:.0f} s", flush=True)
    sent_vecs = {p: np.vstack([vecs[corpus.texts[p][a:b]] for a, b in spans[p]]) for p in need}
    qvec_of = {id(c): embedder.vectors[q.text] for c, q in zip(cands, questions)}

    def plus_dense(lam: float, replace: bool = False):
        def fused(c: Cands) -> np.ndarray:
            s = shipped(c)
            out = s.copy()
            qvec = qvec_of[id(c)]
            for i in np.argsort(-s, kind="stable")[:10]:
                best = float((sent_vecs[int(c.pos[i])] @ qvec).max())
                out[i] = (s[i] - 0.6 * c.dense[i] + 0.6 * best) if replace else s[i] + lam * best
            return out
        return fused

    results = {}
    for name, fuse in [("shipped", shipped)] + [(f"shipped + {lam} x best sentence cosine", plus_dense(lam))
                                                for lam in (0.1, 0.2, 0.3, 0.5, 0.8)] + \
                      [("shipped, passage cosine replaced by best sentence cosine", plus_dense(0, True))]:
        results[name] = evaluate(cands, questions, corpus, fuse, idf)
        print(f"{name:55s} {json.dumps(results[name])}", flush=True)
    return results


def answer_type(question: str) -> str | None:
    """What kind of words the answer is, from the question's wh-word (None: no clear kind)."""
    q = question.lower()
    if re.search(r"\bhow (many|much|long|old|far|large|big|tall|high)\b|\bwhat (percentage|number|amount)\b", q):
        return "number"
    if re.search(r"\bwhen\b|\bwhat (year|century|decade|month|day|date)\b|\bwhich (year|century|month)\b", q):
        return "time"
    if re.match(r"\s*(who|whom|whose)\b", q):
        return "name"
    return None


def answer_type_sweep(full: Path, questions: list[Question], embedder) -> dict:
    s_full, corpus, cands = question_candidates(full, questions, embedder)
    idf, unknown = s_full._idf, s_full._unknown_idf
    kinds = {id(c.tokens): answer_type(q.text) for c, q in zip(cands, questions)}
    print("answer kinds:", {k: sum(1 for v in kinds.values() if v == k) for k in ("number", "time", "name", None)})
    results = {}
    for tau in (0.0, 0.05, 0.1, 0.2, 0.3):
        fuse = with_sentences(convex(0.4), bigram_scorer(corpus, idf, unknown, 0.4, tau, kinds), 0.2, 10)
        key = f"shipped, sentence + {tau} for the answer's kind"
        results[key] = evaluate(cands, questions, corpus, fuse, idf)
        print(f"{key:55s} {json.dumps(results[key])}", flush=True)
    return results


# -- word weights within the article, and the two rankings' agreement ---------------------------------
def article_scorer(searcher: Searcher, corpus: Corpus, mu: float, share: float):
    """bigram_scorer with each question word's weight times qa.highlight.article_factor (at this
    ARTICLE_SHARE): how few passages of its own article hold it, from the index's BM25 postings
    as the engine counts them (title words count in every passage)."""
    from qa.highlight import article_factor

    idf, unknown = searcher._idf, searcher._unknown_idf
    by_path: dict[str, list[int]] = {}
    for pos, path in enumerate(corpus.paths):
        by_path.setdefault(path, []).append(pos)
    doc_positions = {path: np.array(ps) for path, ps in by_path.items()}
    postings: dict[str, np.ndarray] = {}
    held: dict[tuple[str, str], int] = {}
    sents_of: dict[int, list[tuple[frozenset[str], frozenset[tuple[str, str]]]]] = {}

    def holding(path: str, term: str) -> int:
        key = (path, term)
        if key not in held:
            if term not in postings:
                col = searcher.bm25.vocabulary.get(term)
                row = searcher.bm25.weights[col] if col is not None else None
                postings[term] = row.indices if row is not None else np.zeros(0, dtype=np.int64)
            held[key] = int(np.isin(doc_positions[path], postings[term]).sum())
        return held[key]

    def score(tokens: list[str], pos: int) -> float:
        path = corpus.paths[pos]
        n = len(doc_positions[path])
        wanted = set(tokens)
        pairs = set(zip(tokens, tokens[1:]))
        total = sum(idf(t) or unknown for t in wanted)
        if not total:
            return 0.0
        weight = {t: idf(t) * article_factor(n, holding(path, t), share) for t in wanted}
        sents = sents_of.get(pos)
        if sents is None:
            text = corpus.texts[pos]
            sents = sents_of[pos] = [(frozenset(toks), frozenset(zip(toks, toks[1:])))
                                     for s, e in sentence_spans(text) or [(0, len(text))] for toks in [tokenize(text[s:e])]]
        best = 0.0
        for toks, bigrams in sents:
            value = sum(weight[t] for t in wanted & toks) / total
            if pairs:
                value += mu * len(pairs & bigrams) / len(pairs)
            best = max(best, value)
        return best
    return score


def article_sweep(full: Path, questions: list[Question], embedder) -> dict:
    """Sentence re-ranking with word weights within the article: share of a word's weight that
    depends on it, the sentence weight, the fusion's BM25 share, word-pair weight and depth."""
    s_full, corpus, cands = question_candidates(full, questions, embedder)
    idf, unknown = s_full._idf, s_full._unknown_idf
    results = {}

    def report(key: str, fuse) -> None:
        results[key] = evaluate(cands, questions, corpus, fuse, idf)
        print(f"{key:55s} {json.dumps(results[key])}", flush=True)

    report("before: convex 0.4 + 0.2 x sentence (share 0)", with_sentences(convex(0.4), bigram_scorer(corpus, idf, unknown, 0.4), 0.2, 10))
    for fusion in (0.3, 0.4):
        for share in (0.5, 1.0):
            scorer = article_scorer(s_full, corpus, 0.4, share)
            for lam in (0.2, 0.3, 0.4, 0.5):
                report(f"convex {fusion} + {lam} x sentence, article share {share}",
                       with_sentences(convex(fusion), scorer, lam, 10))
    for share in (0.3, 0.7):
        report(f"convex 0.3 + 0.4 x sentence, article share {share}",
               with_sentences(convex(0.3), article_scorer(s_full, corpus, 0.4, share), 0.4, 10))
    for mu in (0.2, 0.7):
        report(f"convex 0.3 + 0.4 x sentence (pairs {mu}), article share 0.5",
               with_sentences(convex(0.3), article_scorer(s_full, corpus, mu, 0.5), 0.4, 10))
    shipped = with_sentences(convex(0.3), article_scorer(s_full, corpus, 0.4, 0.5), 0.4, 10)
    report("convex 0.3 + 0.4 x sentence, article share 0.5, top 20",
           with_sentences(convex(0.3), article_scorer(s_full, corpus, 0.4, 0.5), 0.4, 20))
    # the dense counterpart: cosine of question and passage after taking away the article's mean
    # vector (what all its passages share), added for the ten best
    by_path: dict[str, list[int]] = {}
    for pos, path in enumerate(corpus.paths):
        by_path.setdefault(path, []).append(pos)
    means = {path: corpus.vectors[ps].mean(axis=0) for path, ps in by_path.items()}
    qvec_of = {id(c): embedder.vectors[q.text] for c, q in zip(cands, questions)}

    def centred(lam: float):
        def fused(c: Cands) -> np.ndarray:
            s = shipped(c)
            out = s.copy()
            for i in np.argsort(-s, kind="stable")[:10]:
                path = corpus.paths[int(c.pos[i])]
                if len(by_path[path]) > 1:
                    a, b = qvec_of[id(c)] - means[path], corpus.vectors[int(c.pos[i])] - means[path]
                    out[i] += lam * float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))
            return out
        return fused

    for lam in (0.05, 0.1, 0.2, 0.3):
        report(f"shipped + {lam} x cosine centred on the article", centred(lam))
    return results


def answer_curves_agreement(half: Path, questions: list[Question], embedder) -> dict:
    """Answered-rules on the shipped ranking with the article-weighted sentence score, with and
    without the agreement signal (the best BM25 and the best dense passage from one article).
    For each weighting, the threshold keeping held-out 'false' >= 0.90 with the most in-corpus 'true';
    then the shipped rule's curve around its threshold."""
    s_half, corpus, cands = question_candidates(half, questions, embedder)
    scorer = article_scorer(s_half, corpus, 0.4, 0.5)
    fuse = with_sentences(convex(0.3), scorer, 0.4, 10)
    sig = np.zeros((len(cands), 4))
    for i, c in enumerate(cands):
        j = int(np.argmax(fuse(c)))
        pos = int(c.pos[j])
        agree = corpus.paths[int(c.pos[np.argmax(c.bm25)])] == corpus.paths[int(c.pos[np.argmax(c.dense)])]
        sig[i] = c.dense[j], s_half._coverage(corpus.texts[pos], c.tokens), scorer(c.tokens, pos), agree
    held = np.array([q.held_out for q in questions])
    print(f"agreement: in-corpus {sig[~held, 3].mean():.3f}, held-out {sig[held, 3].mean():.3f}", flush=True)
    out: dict[str, object] = {}
    for a in (0.3, 0.5, 0.7):
        for b in (0.2, 0.4, 0.7):
            for g in (0.0, 0.1, 0.15):
                best = best_threshold(sig[:, 0] + a * sig[:, 1] + b * sig[:, 2] + g * sig[:, 3], held,
                                      np.arange(0.5, 1.6, 0.005))
                key = f"cos + {a} cov + {b} sentence + {g} agree"
                out[key] = best
                print(f"{key:45s} {best}", flush=True)
    for t in np.arange(0.87, 0.921, 0.005):
        answered = sig[:, 0] + 0.5 * sig[:, 1] + 0.4 * sig[:, 2] + 0.1 * sig[:, 3] >= t
        key = f"shipped rule >= {t:.3f}"
        out[key] = (round(float((~answered[held]).mean()), 4), round(float(answered[~held].mean()), 4))
        print(f"{key:45s} {out[key]}", flush=True)
    return out


def _answer_values(searcher: Searcher, corpus: Corpus, cands: list[Cands]) -> dict[str, np.ndarray]:
    """Per mode, the value its answered rule thresholds for each question's top passage:
    coverage for bm25; cosine + 0.5 coverage + 0.4 sentence for dense (as the engine); the same
    + 0.1 x agreement for the hybrid, on the shipped ranking."""
    scorer = article_scorer(searcher, corpus, 0.4, 0.5)
    hybrid = with_sentences(convex(0.3), scorer, 0.4, 10)
    values: dict[str, list[float]] = {"bm25": [], "dense": [], "hybrid": []}
    for c in cands:
        for mode, fuse in (("bm25", only("bm25")), ("dense", only("dense")), ("hybrid", hybrid)):
            j = int(np.argmax(fuse(c)))
            pos = int(c.pos[j])
            cov = searcher._coverage(corpus.texts[pos], c.tokens)
            if mode == "bm25":
                values[mode].append(cov)
                continue
            value = c.dense[j] + 0.5 * cov + 0.4 * scorer(c.tokens, pos)
            if mode == "hybrid":
                value += 0.1 * (corpus.paths[int(c.pos[np.argmax(c.bm25)])] == corpus.paths[int(c.pos[np.argmax(c.dense)])])
            values[mode].append(value)
    return {mode: np.array(v) for mode, v in values.items()}


def operating_points(full: Path, half: Path, questions: list[Question], v2: list[str], embedder) -> dict:
    """Each mode at its own threshold: the most in-corpus 'true' with held-out 'false' >= 0.90
    (half index), and the share of SQuAD v2.0's unanswerable questions it then answers 'false'
    (full index): the no-answer figures compared at one operating point."""
    s_half, corpus, cands = question_candidates(half, questions, embedder)
    values = _answer_values(s_half, corpus, cands)
    v2_values = None
    if v2:
        s_full = Searcher(full)
        corpus_f = load_corpus(s_full)
        c_v2 = candidates(s_full.bm25, corpus_f, v2, np.vstack([embedder.vectors[t] for t in v2]))
        v2_values = _answer_values(s_full, corpus_f, c_v2)
    held = np.array([q.held_out for q in questions])
    out = {}
    for mode, v in values.items():
        best = best_threshold(v, held, np.unique(np.round(v, 4)))
        row = {"threshold": best[0], "heldout_false": best[1], "incorpus_true": best[2]}
        if v2_values is not None:
            row["v2_false"] = round(float((v2_values[mode] < best[0]).mean()), 4)
        out[mode] = row
        print(f"{mode:8s} {json.dumps(row)}", flush=True)
    out["cue"] = cue_calibration(s_half, corpus, cands, questions)
    return out


def cue_calibration(searcher: Searcher, corpus: Corpus, cands: list[Cands], questions: list[Question]) -> dict:
    """Percentiles (5, 25, 50, 75, 95) of the shipped ranking score of the first passage, for
    held-out questions and for in-corpus questions whose first passage is right / wrong: where
    the UI's score cue (qa/ui/widgets.py) puts its bars."""
    from benchmarks.quality import contains

    ranking = with_sentences(convex(0.3), article_scorer(searcher, corpus, 0.4, 0.5), 0.4, 10)
    groups: dict[str, list[float]] = {"held-out": [], "in-corpus, right": [], "in-corpus, wrong": []}
    for c, q in zip(cands, questions):
        s = ranking(c)
        i = int(np.argmax(s))
        pos = int(c.pos[i])
        right = corpus.paths[pos] == q.path and contains(int(corpus.starts[pos]), int(corpus.ends[pos]), q.spans)
        groups["held-out" if q.held_out else "in-corpus, right" if right else "in-corpus, wrong"].append(float(s[i]))
    out = {k: [round(float(x), 3) for x in np.percentile(v, [5, 25, 50, 75, 95])] for k, v in groups.items() if v}
    print(f"first passage's score, percentiles 5/25/50/75/95: {json.dumps(out)}", flush=True)
    return out
