"""Re-rank by sentences: each passage's best sentence (qa/retrieval/highlight.py), its words weighed within
their own article, added to the fused score of the best passages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from itertools import chain

import numpy as np

from qa.retrieval.role_verbs import verb_roles
from qa.retrieval.answer_types import (PERSON, REACTION, SAID, asked_role, asked_speaker, asked_speech, asks_agent,
                                       measure_of, own_names, question_type)
from qa.retrieval.highlight import AnswerEvidence, Choice, SentenceScore, article_factor, scored_best_sentence, with_answer
from qa.retrieval.snapshot import IndexSnapshot
from qa.settings import RetrievalSettings
from qa.index.store import CitationRow, DocumentPassage
from qa.index.text import ANALYZER

#: per document, each question term's weight in it
ArticleWeights = dict[int, dict[str, float]]
#: (document, term) counts kept per generation (snapshot.article_counts); more and they are forgotten
ARTICLE_COUNTS_KEPT = 200_000


def article_weights(snapshot: IndexSnapshot, doc_passages: Iterable[DocumentPassage], doc_ids: set[int],
                    tokens: list[str], share: float) -> ArticleWeights:
    """Per document, each question term's weight in it: its IDF times article_factor (how few of
    the document's passages hold it, from the in-memory BM25 postings). doc_passages: the
    passages of these documents. The counts are kept per generation (snapshot.article_counts):
    a document asked about again with a word asked before costs a look-up."""
    terms = sorted(set(tokens))
    idf = {t: snapshot.idf(t) for t in terms}  # looked up once, not once a document
    out = {doc: dict(idf) for doc in doc_ids}
    known = [t for t in terms if t in snapshot.bm25.vocabulary]
    if not doc_ids or not known:
        return out
    counts = snapshot.article_counts
    missing = [t for t in known if any((doc, t) not in counts for doc in doc_ids)]
    if missing:
        if len(counts) > ARTICLE_COUNTS_KEPT:
            counts.clear()
            missing = known
        counts.update(_holding(snapshot, doc_passages, doc_ids, missing))
    for doc, weights in out.items():
        for term in known:
            passages, holding = counts[doc, term]
            if holding > 1:  # held once or not at all: factor 1, weight unchanged
                weights[term] *= article_factor(passages, holding, share)
    return out


def _holding(snapshot: IndexSnapshot, doc_passages: Iterable[DocumentPassage], doc_ids: set[int],
             terms: list[str]) -> dict[tuple[int, str], tuple[int, int]]:
    """(document, term) -> (the document's live passages, how many of them hold the term)."""
    found = dict.fromkeys(((doc, term) for doc in doc_ids for term in terms), (0, 0))
    listed = list(doc_passages)  # (doc_id, passage_id) pairs, flattened: ~3x sooner than an array of tuples
    pairs = np.fromiter(chain.from_iterable(listed), dtype=np.int64, count=2 * len(listed)).reshape(-1, 2)
    if pairs.size == 0 or snapshot.passage_ids.size == 0:
        return found
    positions = snapshot.positions(pairs[:, 1])
    last = snapshot.passage_ids.size - 1
    inside = snapshot.passage_ids[np.minimum(positions, last)] == pairs[:, 1]  # not removed meanwhile
    docs, positions = pairs[inside, 0], positions[inside]
    held_docs, slot = np.unique(docs, return_inverse=True)  # counted per term with bincount, not unique
    sizes = np.bincount(slot, minlength=held_docs.size).tolist()
    docs_held = held_docs.tolist()
    for term in terms:
        postings = snapshot.bm25.postings(term)
        if postings.size == 0:
            continue
        at = np.minimum(np.searchsorted(postings, positions), postings.size - 1)
        holding = np.bincount(slot[postings[at] == positions], minlength=held_docs.size).tolist()
        for doc, size, held in zip(docs_held, sizes, holding):
            found[doc, term] = (size, held)
    return found


def story_shares(snapshot: IndexSnapshot, doc_ids: set[int], tokens: list[str]) -> dict[int, float]:
    """Per document, how much of the question's weight (IDF) its story holds: a term held in one
    of its passages counts half, in two or more (what the story is about) whole. A passage's own
    sentence evidence prefers a story that names the question's words once, in one sentence (a
    round-up, a passing mention: its weights are not lowered by article_factor) to the story on
    them, which spreads them over its passages; this says which story is the one on them. Read from
    the counts article_weights keeps (snapshot.article_counts): call it after article_weights."""
    idf = {t: snapshot.idf(t) or 0.0 for t in set(tokens)}
    total = sum(idf.values())
    counts = snapshot.article_counts
    out = {}
    for doc in doc_ids:
        held = sum(w * min(counts.get((doc, t), (0, 0))[1], 2) / 2 for t, w in idf.items())
        out[doc] = held / total if total > 0 else 0.0
    return out


def score_sentences(rows: Mapping[int, CitationRow], tokens: list[str], weights: ArticleWeights,
                    total_weight: float, settings: RetrievalSettings,
                    aliases: Mapping[str, str] | None = None, question: str = "",
                    dense: Mapping[int, Sequence[float]] | None = None,
                    before: Mapping[int, frozenset[str]] | None = None,
                    pending: dict[int, Callable[[], SentenceScore]] | None = None) -> dict[int, SentenceScore]:
    """Each passage's best sentence, its words weighed within its article (a name's other
    spellings, aliases, counted as the name), the phrase type the question asks for and each
    sentence's context (the sentence before, the title) counted as qa/retrieval/highlight.py says;
    `dense`: per passage, a score added to each of its sentences (scored_best_sentence); `before`:
    per passage, the terms of the text before it (its first sentence's context: a lead the last
    passage ended on, qa/retrieval/boundary.py). `pending` given: each answer phrase is left out,
    and `pending[pid]()` gives the passage's sentence with it (qa/retrieval/shown.py)."""
    kind, asked = question_type(question), frozenset(tokens) | frozenset(aliases or ())
    agent = kind == PERSON and asks_agent(question)
    measure = measure_of(question, kind)
    own = own_names(question) if kind == PERSON else ()
    roles = frozenset({asked_role(question)} - {""}) | verb_roles(question) if kind == PERSON else frozenset()
    speech = asked_speech(question) if kind == PERSON else ""
    speaker = asked_speaker(question) if kind in (SAID, REACTION) else frozenset()
    titles: dict[str, frozenset[str]] = {}
    choice = Choice(settings.choice_answer, settings.choice_first, settings.choice_heading)
    out = {}
    for pid, row in rows.items():
        if row.title not in titles:
            titles[row.title] = frozenset(ANALYZER.analyse(row.title).tokens)
        evidence = AnswerEvidence(kind, asked, titles[row.title], settings.answer_type_weight,
                                  settings.context_weight, settings.follow_sentences, settings.follow_share,
                                  settings.answer_proximity, agent, measure, own,
                                  before.get(pid, frozenset()) if before else frozenset(),
                                  settings.anaphor_context_weight, roles, settings.role_holder_weight, choice,
                                  speech, speaker)
        weight = weights[row.doc_id].__getitem__
        out[pid] = scored_best_sentence(row.text, tokens, weight, total_weight, settings.bigram_weight, aliases,
                                        evidence, dense.get(pid) if dense is not None else None, pending is None)
        if pending is not None and (out[pid].found or speech):  # "who said": the speaker may be a sentence away
            pending[pid] = partial(with_answer, row.text, out[pid], tokens, weight, evidence)
    return out


def rerank(ranked: list[int], fused: dict[int, float], sentences: Mapping[int, SentenceScore], depth: int,
           settings: RetrievalSettings, bm25: Mapping[int, float] | None = None,
           story: Mapping[int, float] | None = None) -> tuple[list[int], dict[int, float]]:
    """The ranking and scores after adding sentence_weight x the sentence evidence (evidence) to
    the rerank_depth best passages; the first `depth` re-sorted (new list and dict). `bm25`: the
    candidates' BM25 scores (the re-rank weighs BM25 / best anew, rerank_bm25); `story`: per
    passage, its story's share of the question's weight (story_shares, x rerank_story), for a
    passage the fusion scored above 0."""
    scores = dict(fused)
    best_bm25 = max(bm25.values(), default=0.0) if bm25 else 0.0
    for pid in ranked[:settings.rerank_depth]:
        if pid in sentences:
            lexical = bm25.get(pid, 0.0) / best_bm25 if best_bm25 > 0 else 0.0
            # a passage neither ranking scored (fused 0: no word of the question, no similarity)
            # takes nothing from its story: it says nothing of the question itself
            on_subject = settings.rerank_story * story.get(pid, 0.0) if story and fused[pid] > 0 else 0.0
            scores[pid] += settings.sentence_weight * (evidence(sentences[pid], lexical, settings) + on_subject)
    head = sorted(ranked[:depth], key=lambda pid: -scores[pid])
    return head + ranked[depth:], scores


def evidence(sentence: SentenceScore, lexical: float, settings: RetrievalSettings) -> float:
    """A passage's sentence evidence, what the re-rank adds (x sentence_weight) to its fused score:
    the chosen sentence's parts (highlight.Parts) and the passage's best word match, each with its
    re-rank weight (fitted together on the tuning half: BENCHMARKS.md "The re-rank's weights
    learned"), and BM25 / best (`lexical`) with rerank_bm25: the sentence match counts the words
    again. rerank_by_answer False: the plain word match alone."""
    if not settings.rerank_by_answer:
        return sentence.match
    parts = sentence.parts
    return (settings.rerank_match * parts.match + settings.rerank_best_match * sentence.match
            + settings.rerank_context * parts.context + settings.rerank_title * parts.title
            + settings.rerank_dense * parts.dense + settings.rerank_answer_type * parts.typed
            + settings.rerank_bm25 * lexical)
