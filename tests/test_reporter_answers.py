"""The answer phrase on a reporter's hurried questions about unseen stories (issue 24, trial24e):
"according to" typed at a question's end or without "whom", who a role held before a name is,
and "which <band / committee / centre>" asking for a name. Synthetic sentences in the stories'
shapes; each case failed before its rule."""

from __future__ import annotations

import pytest

from qa.retrieval.answer_types import question_type
from tests.test_answers import _marked


@pytest.mark.parametrize("sentence, question, source", [
    # "according to" last, with or without its "who"
    ("Film director Jan Kowal has signed a three-year deal with Acme Pictures, according to Variety trade magazine.",
     "kowal acme deal according to who", "Variety trade magazine"),
    ("Now, according to Kirin Breweries, the market for beer-like drinks is set to grow 84% this year.",
     "beer-like drinks growth according to?", "Kirin Breweries"),
    # the source after the clause, by a verb of claiming
    ("National Insurance will be raised if the government wins the next election, opposition leader Tom Hale has "
     "claimed.", "according to who will national insurance rise", "opposition leader Tom Hale"),
])
def test_according_to_typed_in_a_hurry_marks_who_gives_it(sentence, question, source):
    assert question_type(question) == "source"
    assert _marked(sentence, question) == source


@pytest.mark.parametrize("question", [
    "which wales centre will miss the match",  # a word before the noun
    "which band took over the station last year",
    "who is rems bass player",  # who holds a role, not what a person is
    "bluewater spokesman",  # a keyword query ending in a role
    "russian economy minister",
])
def test_who_holds_a_role_asks_for_a_name(question):
    assert question_type(question) == "person"


@pytest.mark.parametrize("question", ["sullivan age", "chelsea profit 2004", "the new minister"])
def test_other_keyword_queries_keep_their_type(question):
    assert question_type(question) != "person"


def test_the_asked_role_holder_outweighs_the_name_nearer_the_verb():
    """"Wales centre Sonny Parker and number eight Ryan Jones will miss ...": the centre, though
    Ryan Jones shares the clause of "miss" and "Italy" (weighed as the index does: "will" is common)."""
    from qa.index.text import tokenize
    from qa.retrieval.answer_types import NUMBER, PERSON, asked_measure, asked_role, asks_agent, own_names
    from qa.retrieval.highlight import AnswerEvidence, scored_best_sentence
    from qa.settings import DEFAULT_SETTINGS

    sentence = "Wales centre Sonny Parker and number eight Ryan Jones will miss Saturday's game with Italy."
    question = "which wales centre will miss italy"
    tokens, kind = tokenize(question), question_type(question)
    evidence = AnswerEvidence(kind, frozenset(tokens), frozenset(), 0.2, 0.5, 0, 0.0, DEFAULT_SETTINGS.answer_proximity,
                              kind == PERSON and asks_agent(question), asked_measure(question) if kind == NUMBER else None,
                              own_names(question) if kind == PERSON else (), roles=frozenset({asked_role(question)} - {""}))
    weight = {"will": 0.2}.get
    chosen = scored_best_sentence(sentence, tokens, lambda t: weight(t, 1.0), 4.2, 0.3, None, evidence)
    assert chosen.answer is not None and sentence[chosen.answer[0]:chosen.answer[1]] == "Sonny Parker"


@pytest.mark.parametrize("sentence, question, name", [
    # the name the asked role stands before, though another is nearer the question's other words
    ("Rock band Zenith have cancelled concerts after bass player Mike Mills was taken to hospital.",
     "who is zeniths bass player", "Mike Mills"),
    ("Economy minister German Gref told the Kommersant newspaper that state involvement was unjustified.",
     "russian economy minister", "German Gref"),
    ("They follow in the footsteps of Radiohead, who took over the station for a week last year.",
     "which band took over the station last year", "Radiohead"),
])
def test_the_role_holder_is_marked(sentence, question, name):
    assert _marked(sentence, question) == name


@pytest.mark.parametrize("text, question, age", [
    # the age after one of the person's names, sentences away from the one that names them in full
    ("Anil Ambani, the younger of the two brothers, has resigned from the board of the chemicals unit. The move is "
     "the latest twist in a feud between the brothers. Anil, 45, has stepped down as director and vice-chairman.",
     "how old is anil ambani", "45"),
    ("Former leader William Hague says he will not stand again. Mr Hague, 43, told the Daily Telegraph he would find "
     "such a life boring. Mr Hague, who recently published a biography of William Pitt, wants to write more books.",
     "how old is william hague", "43"),
    # "the 74-year-old" inside a sentence after the one naming him
    ("Ronnie Corbett says he and Barker never let success go to their heads. Speaking to the paper, the star said "
     "there is too much bad language on television. \"It's just laughing at each other,\" said the 74-year-old "
     "comedian.", "how old is ronnie corbett", "74-year-old"),
])
def test_how_old_finds_the_age_by_another_of_the_names(text, question, age):
    from tests.test_answers import _choose

    chosen = _choose(text, question)
    assert chosen.answer is not None and text[chosen.answer[0]:chosen.answer[1]] == age


def test_the_asked_bodys_own_of_phrase_is_no_answer():
    """"the Police Federation of England and Wales" for "the police federation": the places name
    the body asked about, not its chairman."""
    from qa.retrieval.answer_types import phrases
    from qa.index.text import tokenize

    sentence = ("Responding to the plans, the chairman of the Police Federation of England and Wales, which "
                "represents officers, said it was essential independence was retained.")
    question = "who is chairman of the police federation"
    assert phrases(sentence, question_type(question), frozenset(tokenize(question))) == []


def test_what_someone_called_a_thing_is_the_words_said():
    sentence = 'Political editor Andrew Marr said that Mr Brown\'s article was "a warning shot" to Mr Blair.'
    assert question_type("what did andrew marr call browns article") == "said"
    assert _marked(sentence, "what did andrew marr call browns article") == "a warning shot"


@pytest.mark.parametrize("sentence, question, amount", [
    # by how much, not to what: the level after "to" is money, the change is not
    ("Acme saw its profits fall 9% last year to £6.2bn ($11.5bn), but the drugmaker says a recovery is on the way.",
     "how much did acmes profits fall", "9%"),
    ("Sales at the chain jumped 12% to $3.1bn in the three months to December.",
     "how much did sales at the chain jump", "12%"),
])
def test_how_much_a_change_is_by_how_much(sentence, question, amount):
    assert _marked(sentence, question) == amount


@pytest.mark.parametrize("sentence, question, amount", [
    ("The value of trade in April-July rose to $186.3m (£97m) from $64.4m in the same period.",
     "how much did trade rise to in april-july", "$186.3m"),  # "rise to": to what
    ("Shareholders lost about $180bn in the collapse.", "how much did shareholders lose", "$180bn"),
])
def test_how_much_to_what_or_no_change_keeps_the_sum(sentence, question, amount):
    assert _marked(sentence, question) == amount


def test_an_age_written_with_a_space_before_year_old():
    sentence = "The memory that returns to him is that of a 12 year-old girl, whose parents died of Aids."
    assert _marked(sentence, "how old was the girl he remembers") == "12 year-old"
