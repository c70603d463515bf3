"""The re-rank's own weights of the sentence evidence (qa/retrieval/rerank.py `evidence`, issue 24):
the parts the sentence choice adds are weighed anew, with the passage's best word match, the
share of the question only the title holds, and BM25 counted less in the head."""

from dataclasses import replace

from qa.index.text import tokenize
from qa.retrieval.highlight import AnswerEvidence, Parts, SentenceScore, scored_best_sentence
from qa.retrieval.rerank import evidence, rerank
from qa.settings import DEFAULT_SETTINGS

#: the weights as they were before they were fitted: the chosen sentence's score, nothing else
HAND = replace(DEFAULT_SETTINGS, rerank_match=1.0, rerank_best_match=0.0, rerank_context=1.0, rerank_title=0.0,
               rerank_dense=1.0, rerank_answer_type=1.0, rerank_bm25=0.0)


def _sentence(match: float, context: float = 0.0, title: float = 0.0, dense: float = 0.0, typed: float = 0.0,
              best: float | None = None) -> SentenceScore:
    return SentenceScore(0, 10, match + context + dense + typed, match if best is None else best,
                         parts=Parts(match, context, title, dense, typed))


def test_a_passage_with_the_stronger_evidence_outranks_one_that_wins_on_bm25():
    """Passage 1 leads on the fused score by BM25 alone (its words everywhere, its sentence
    matching more of them); passage 2's sentence is completed by its title and the sentence before
    and is nearer the question by its vector. The fitted weights put 2 first, the hand weights 1."""
    bm25 = {1: 10.0, 2: 4.0}
    cosine = {1: 0.50, 2: 0.62}
    fused = {pid: 0.3 * bm25[pid] / 10.0 + 0.7 * cosine[pid] for pid in bm25}
    assert fused[1] > fused[2]
    sentences = {1: _sentence(0.6), 2: _sentence(0.35, context=0.1, title=0.4, dense=0.15)}
    assert rerank([1, 2], fused, sentences, 2, HAND, bm25)[0] == [1, 2]
    assert rerank([1, 2], fused, sentences, 2, DEFAULT_SETTINGS, bm25)[0] == [2, 1]


def test_the_hand_weights_are_the_chosen_sentences_score():
    sentence = _sentence(0.4, context=0.1, title=0.3, dense=0.2, typed=0.2, best=0.7)
    assert abs(evidence(sentence, 1.0, HAND) - sentence.score) < 1e-12
    assert evidence(sentence, 1.0, replace(HAND, rerank_by_answer=False)) == sentence.match


def test_bm25_is_counted_less_in_the_head():
    sentence = _sentence(0.5)
    assert evidence(sentence, 1.0, DEFAULT_SETTINGS) < evidence(sentence, 0.0, DEFAULT_SETTINGS)
    # without the candidates' BM25 scores (a single mode) the head has none to count less
    ranked, scores = rerank([1], {1: 0.5}, {1: sentence}, 1, DEFAULT_SETTINGS)
    assert scores[1] == 0.5 + DEFAULT_SETTINGS.sentence_weight * evidence(sentence, 0.0, DEFAULT_SETTINGS)


PASSAGE = "The committee met on Tuesday. It approved the plan for the harbour."


def _parts(title: str, question: str) -> SentenceScore:
    tokens = tokenize(question)
    evidence = AnswerEvidence(None, frozenset(tokens), frozenset(tokenize(title)), 0.2, 0.5)
    return scored_best_sentence(PASSAGE, tokens, lambda t: 1.0, float(len(set(tokens))), 0.4, evidence=evidence)


def test_the_parts_add_up_to_the_score_and_the_title_share_is_the_titles_alone():
    chosen = _parts("Harbour board of Kiel", "What did the board approve for the harbour?")
    assert PASSAGE[chosen.start:chosen.end].startswith("It approved")
    parts = chosen.parts
    assert abs(parts.match + parts.context + parts.dense + parts.typed - chosen.score) < 1e-12
    # "board": the title holds it, neither the sentence nor the one before: 1 of the 4 question terms
    assert parts.title == 1 / len(set(tokenize("What did the board approve for the harbour?")))
    assert parts.context > 0  # the title's word counted as the choice counts context
    # the sentence before says it too: no longer the title's alone
    assert _parts("Kiel news", "What did the committee approve for the harbour?").parts.title == 0.0
    assert _parts("Committee of Kiel", "What did the committee approve for the harbour?").parts.title == 0.0
