"""A sentence that opens by referring back ("It was later renamed ...") answers about the subject the
sentence before named (issue 24, the wrong sentence of the right passage): it reads the words that
sentence held, and those it read itself, as its context (qa/retrieval/highlight.py `_REFERS`,
RetrievalSettings.anaphor_context_weight)."""

import pytest

from qa.index.store import CitationRow
from qa.index.text import tokenize
from qa.retrieval.rerank import score_sentences
from qa.settings import DEFAULT_SETTINGS


def _chosen(text: str, question: str) -> str:
    """The sentence the shipped settings choose in a passage of an untitled article, each word
    weighing alike."""
    tokens = tokenize(question)
    row = CitationRow(1, 1, "", "/a.txt", 0, 0, 0, len(text), text)
    chosen = score_sentences({1: row}, tokens, {1: dict.fromkeys(tokens, 1.0)}, float(len(tokens)),
                             DEFAULT_SETTINGS, question=question)[1]
    return text[chosen.start:chosen.end]


@pytest.mark.parametrize("between", [
    "",  # right after the sentence naming the subject: its context weighs anaphor_context_weight, not context_weight
    "It showed holiday programmes from around the world. ",  # two on: "It" carries the subject on
    "They had hoped it would reach new viewers. ",
])
def test_a_sentence_referring_back_reads_the_subject_named_before(between):
    text = f"The Sky Travel channel launched on cable in 1997. {between}It was later renamed Pick TV."
    assert _chosen(text, "What was the Sky Travel channel later renamed?") == "It was later renamed Pick TV."


def test_a_sentence_that_does_not_refer_back_reads_only_the_sentence_before():
    """The subject is carried on by "It"/"They", not by any sentence: after a sentence on another
    subject, "It was later renamed" (the sentence before's subject, the schedule) is no answer."""
    text = ("The Sky Travel channel launched on cable in 1997. Its schedule was drawn up by a small team. "
            "The schedule was printed weekly. It was later renamed the Guide.")
    assert _chosen(text, "What was the Sky Travel channel later renamed?").startswith("The Sky Travel channel")
