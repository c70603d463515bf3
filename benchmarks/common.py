"""What the quality benchmark and its sweeps share: the questions, the corpus and its indexes,
question vectors, the scores, and every question's candidates retrieved once (Bench).

Each SQuAD article is written as a text file (title line, blank line, paragraphs separated by
blank lines), so a gold answer's offset maps to a file offset. The articles at odd positions are
held out: the "half" index holds the other SQuAD articles and the 2,225 BBC articles; the "full"
index is a copy of it to which the held-out folder is added with the indexer's own incremental
sync. Indexes are cached in benchmarks/.work/ keyed by the chunk settings and model.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.index import store
from qa.config import DEFAULT_MODEL, ChunkSettings
from qa.retrieval.candidates import retrieve
from qa.retrieval.pipeline import PassagesInMemory, Ranking, rank_candidates
from qa.retrieval.records import Candidates, Query
from qa.retrieval.snapshot import IndexSnapshot
from qa.retrieval.spelling import spell
from qa.settings import RetrievalSettings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SQUAD1 = DATA / "squad" / "dev-v1.1-even.json"
SQUAD2 = DATA / "squad" / "dev-v2.0-even.json"
BBC = DATA / "bbc-news"
WORK = ROOT / "benchmarks" / ".work"
#: bump when the way articles are written changes (invalidates cached indexes)
CORPUS_VERSION = 1
#: indexes whose passages carry story groups (qa/index/duplicates.py); the index of the key before was
#: copied to this key and synced (fingerprints computed from the stored text, nothing re-embedded),
#: so the cached index of the previous key is left as it was
STORIES_VERSION = 1


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


def _article_text(article: dict, path: Path, held_out: bool, questions: list[Question]) -> tuple[str, dict[str, int]]:
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
    return text, offsets


def write_corpus(folder_in: Path, folder_out: Path) -> tuple[list[Question], dict[str, tuple[str, dict[str, int]]]]:
    """Write the v1.1 articles; return their questions and, per title, (path, context -> offset)."""
    data = json.loads(SQUAD1.read_text(encoding="utf-8"))["data"]
    questions: list[Question] = []
    articles: dict[str, tuple[str, dict[str, int]]] = {}
    for i, article in enumerate(data):
        held_out = i % 2 == 1
        path = ((folder_out if held_out else folder_in) / _file_name(i, article["title"])).resolve()
        text, offsets = _article_text(article, path, held_out, questions)
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
def index_key(settings: ChunkSettings, model: str) -> str:
    """The name of the cached indexes' folder for these settings (what changes their passages)."""
    return hashlib.sha1(json.dumps([settings.as_dict(), model, CORPUS_VERSION, STORIES_VERSION],
                                   sort_keys=True).encode()).hexdigest()[:12]


def build_indexes(settings: ChunkSettings, model: str, embedder: object) -> tuple[Path, Path, dict]:
    """(half, full) index folders for these settings, built on first use, then only synced."""
    from qa.index.indexer import sync

    key = index_key(settings, model)
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
        """The cached vectors; a text not cached (a corrected question) is encoded and kept."""
        missing = sorted({t for t in texts if t not in self.vectors})
        if missing:
            self.vectors.update(zip(missing, self.inner.encode(missing, batch_size=128)))
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
    marked: int = 0  # the top passage is right and marks an answer phrase
    phrase: int = 0  # ... that shares a character with a gold answer

    def add(self, ranked: list[tuple[str, int, int]], highlight: tuple[int, int] | None, answered: bool,
            q: Question, answer: tuple[int, int] | None = None) -> None:
        """ranked: (path, start, end) of the top 10, best first; answer: the top passage's marked
        answer phrase (file offsets), if any."""
        self.n += 1
        first = next((r for r, (p, s, e) in enumerate(ranked[:10], 1) if p == q.path and contains(s, e, q.spans)), None)
        if first is not None:
            self.hit1 += first <= 1
            self.hit3 += first <= 3
            self.hit5 += first <= 5
            self.rr += 1 / first
        if highlight is not None and ranked and ranked[0][0] == q.path and contains(*highlight, q.spans):
            self.highlight += 1
        if answer is not None and ranked and ranked[0][0] == q.path:
            self.marked += 1
            self.phrase += any(a < e and s < b for s, e in q.spans for a, b in [answer])
        self.answered += answered

    def add_hits(self, hits: list, answered: bool, q: Question) -> None:
        """The same from Hits (qa.search.Hit)."""
        top = hits[0] if hits else None
        self.add([(h.path, h.start, h.end) for h in hits],
                 (top.highlight_start, top.highlight_end) if top else None, answered, q,
                 top.answer if top else None)

    def row(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {"hit@1": self.hit1 / n, "hit@3": self.hit3 / n, "hit@5": self.hit5 / n, "mrr@10": self.rr / n,
                "highlight": self.highlight / n, "answered": self.answered / n,
                # of the right top passages marking a phrase, the share whose phrase is (in) the answer
                "phrase": self.phrase / max(self.marked, 1), "marked": self.marked / n}


# -- cached candidates -------------------------------------------------------------------------------
@dataclass
class Bench:
    """One index's snapshot and passages (in memory), and each question's candidates retrieved once
    by the shipped `retrieve` stage; `rankings` runs the shipped stages after it on them, with any
    settings whose retrieval part (BM25 params, candidate depth) is the one retrieved with."""

    snapshot: IndexSnapshot
    passages: PassagesInMemory
    queries: list[Query]
    candidates: list[Candidates]
    mode: str
    retrieved_with: tuple

    @classmethod
    def load(cls, index_dir: Path, texts: list[str], embedder: CachedEmbedder, settings: RetrievalSettings,
             mode: str = "hybrid") -> "Bench":
        t0 = time.monotonic()
        conn = store.connect(index_dir)
        snapshot = IndexSnapshot.load(conn, index_dir, settings.bm25_params)
        meta = snapshot.meta  # sentence vectors only from an index built with them (as LocalIndexReader)
        passages = PassagesInMemory(store.all_citation_rows(conn),
                                    store.all_sentence_vectors(conn) if meta.sentence_vectors else None, meta.dim)
        conn.close()
        spelled = [spell(snapshot.lexicon, t, settings) for t in texts]
        vectors = embedder.encode([s.text for s in spelled]) if mode != "bm25" and spelled else None
        queries = [s.query(vectors[i] if vectors is not None else None) for i, s in enumerate(spelled)]
        candidates = [retrieve(snapshot, q, mode, settings) for q in queries]
        print(f"{mode} candidates of {len(texts)} questions in {time.monotonic() - t0:.1f} s "
              f"({index_dir.name} index, k1 {settings.k1} b {settings.b}, depth {settings.candidates})", flush=True)
        return cls(snapshot, passages, queries, candidates, mode, _retrieval_part(settings))

    def rankings(self, settings: RetrievalSettings, k: int = 10) -> Iterator[Ranking]:
        assert _retrieval_part(settings) == self.retrieved_with, "these settings need candidates of their own"
        for query, candidates in zip(self.queries, self.candidates):
            yield rank_candidates(self.snapshot, self.passages, query, candidates, self.mode, k, settings)


def _retrieval_part(settings: RetrievalSettings) -> tuple:
    return (settings.bm25_params, settings.candidates, settings.spelling, settings.min_name_correction_length,
            settings.min_real_word_count,
            settings.max_name_variants, settings.name_variant_weight)


def evaluate(bench: Bench, questions: list[Question], settings: RetrievalSettings) -> dict[str, float]:
    """hit@1/3/5, MRR@10, highlight-hit and the share answered, through the shipped stages (k=10)."""
    scores = Scores()
    for ranking, q in zip(bench.rankings(settings), questions):
        scores.add_hits(ranking.hits, ranking.answered, q)
    return {key: round(value, 4) for key, value in scores.row().items()}


def dev_bench(settings: RetrievalSettings) -> tuple[list[Question], Bench]:
    """The dev questions and their Bench on the newest cached full index (built by quality.py), the
    question vectors from the embedder's cache: what the tuning scripts read (highlight_misses.py,
    learn_rank.py, learn_sentence.py)."""
    from qa.embedding.embedder import Embedder

    questions, _ = write_corpus(WORK / "corpus" / "squad-in", WORK / "corpus" / "squad-out")
    cached = CachedEmbedder(Embedder(DEFAULT_MODEL), [q.text for q in questions], DEFAULT_MODEL)
    full = max((WORK / "index").glob("*/full"), key=lambda p: (p / "qa.sqlite").stat().st_mtime)
    return questions, Bench.load(full, [q.text for q in questions], cached, settings)


def conditional_logit(z: np.ndarray, y: np.ndarray, group: np.ndarray, l2: float,
                      penalised: np.ndarray | None = None, start: np.ndarray | None = None) -> np.ndarray:
    """The weights of a softmax over each group's rows (a question's head, a passage's sentences)
    whose right rows (`y` 1) should come first: the mean negative log of the right rows' share,
    plus l2 on the `penalised` weights (all by default), minimised by scipy's L-BFGS from `start`
    (zeros by default). learn_rank.py and learn_sentence.py fit their features with it."""
    from scipy.optimize import minimize

    g = np.unique(group, return_inverse=True)[1]
    n = g.max() + 1
    free = np.ones(z.shape[1]) if penalised is None else penalised

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = z @ w
        top = np.full(n, -np.inf)
        np.maximum.at(top, g, s)
        e = np.exp(s - top[g])
        all_, pos = np.bincount(g, e, n), np.bincount(g, e * y, n)
        grad = z.T @ (e / all_[g] - e * y / pos[g]) / n
        return -(np.log(pos) - np.log(all_)).sum() / n + l2 * (free * w) @ w, grad + 2 * l2 * free * w

    return minimize(loss, np.zeros(z.shape[1]) if start is None else start, jac=True, method="L-BFGS-B").x
