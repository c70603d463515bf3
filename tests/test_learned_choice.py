"""The sentence choice's learned terms (issue 24, sentence24; qa/retrieval/highlight.py `Choice`,
RetrievalSettings.choice_*): a headline that repeats the question yields to the story's sentence
saying it (the card's title shows the headline already), and a passage's first sentence that holds
the question's words no better than a later one yields to it. The terms move the choice only: the
score the re-rank reads is the chosen sentence's, as before."""

from dataclasses import replace

import pytest

from qa.index.store import CitationRow
from qa.index.text import tokenize
from qa.retrieval.rerank import score_sentences
from qa.settings import DEFAULT_SETTINGS


def _chosen(text: str, question: str, settings=DEFAULT_SETTINGS):
    """The sentence the settings choose in a passage of an untitled article, each word weighing alike."""
    tokens = tokenize(question)
    row = CitationRow(1, 1, "", "/a.txt", 0, 0, 0, len(text), text)
    return score_sentences({1: row}, tokens, {1: dict.fromkeys(tokens, 1.0)}, float(len(tokens)),
                           settings, question=question)[1]


def _sentence(text: str, question: str, settings=DEFAULT_SETTINGS) -> str:
    chosen = _chosen(text, question, settings)
    return text[chosen.start:chosen.end]


HEADLINES = [
    ("Halo 2 sells five million copies\n\nThe game has sold more than five million copies worldwide since "
     "it went on sale in November, the company said. It has proved popular online.",
     "how many copies has halo 2 sold", "The game has sold"),
    ("Umbro profits rise to £20m\n\nThe sportswear maker Umbro said its profits rose to £20m in the year, helped "
     "by sales of England shirts. Its shares climbed.",
     "how much did umbro profits rise", "The sportswear maker Umbro said"),
    ("Harbour reopens on Monday\n\nThe harbour reopens to ferries on Monday after the storm damage was "
     "repaired, the council said. Fishing boats returned last week.",
     "when does the harbour reopen", "The harbour reopens to ferries"),
]


@pytest.mark.parametrize("text,question,start", HEADLINES)
def test_a_headline_repeating_the_question_yields_to_the_story_sentence_saying_it(text, question, start):
    assert _sentence(text, question).startswith(start)


TIES = [
    ("The harbour plan was discussed by the council. The council approved the harbour plan after a long debate.",
     "what did the council do with the harbour plan", "The council approved"),
    ("Researchers studied the bridge collapse. The bridge collapse was caused by rusted cables, the researchers found.",
     "what did researchers find about the bridge collapse", "The bridge collapse was caused"),
]


@pytest.mark.parametrize("text,question,start", TIES)
def test_a_tie_with_the_passage_first_sentence_goes_to_the_sentence_after_it(text, question, start):
    """The first sentence of a passage (a lead, most often) that holds the question's words no
    better than a later one is the one that restates the question; the later one adds to it."""
    assert _sentence(text, question).startswith(start)


@pytest.mark.parametrize("text,question,start", HEADLINES + TIES)
def test_the_learned_terms_move_the_choice_not_the_score_the_rerank_reads(text, question, start):
    """The score and its parts are the chosen sentence's own: the same as the sentence scores with the
    terms at nought when that one is chosen there too (the words alone choose the same sentence in a
    one-sentence passage)."""
    chosen = _chosen(text, question)
    alone = text[chosen.start:chosen.end]
    plain = _chosen(alone, question, replace(DEFAULT_SETTINGS, choice_answer=0.0, choice_first=0.0,
                                             choice_heading=0.0, context_weight=0.0, anaphor_context_weight=None))
    assert chosen.parts.match == pytest.approx(plain.parts.match)
    assert chosen.score == pytest.approx(chosen.parts.match + chosen.parts.context + chosen.parts.dense
                                         + chosen.parts.typed)


def test_with_the_terms_at_nought_the_choice_is_the_score_alone():
    off = replace(DEFAULT_SETTINGS, choice_answer=0.0, choice_first=0.0, choice_heading=0.0)
    text, question, _ = HEADLINES[0]
    assert _sentence(text, question, off) == "Halo 2 sells five million copies"
