"""The per-sentence score a dense signal adds to the sentence choice (benchmarks/sentence_vectors.py,
issue 24): it can move the highlight off a lead that only repeats the question's words."""

from qa.index.text import tokenize
from qa.retrieval.highlight import scored_best_sentence

PASSAGE = ("The city council debated the budget for the new library on Tuesday. "
           "Members agreed to spend 4 million pounds on it.")


def _best(dense=None):
    tokens = tokenize("How much did the city council agree for the library budget?")
    return scored_best_sentence(PASSAGE, tokens, lambda t: 1.0, float(len(set(tokens))), 0.3, dense=dense)


def test_the_words_alone_choose_the_lead_that_repeats_the_question():
    best = _best()
    assert PASSAGE[best.start:best.end].startswith("The city council")


def test_a_sentence_score_from_its_vector_chooses_the_sentence_that_answers():
    best = _best(dense=[0.0, 1.0])
    assert PASSAGE[best.start:best.end].startswith("Members agreed")


def test_no_dense_score_is_the_words_alone():
    assert _best(dense=None) == _best(dense=[0.0, 0.0])
