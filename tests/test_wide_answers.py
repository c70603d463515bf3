"""The answer phrase on a reporter's questions across many stories (issue 24, trial24d): who a
name's apposition says they are, a change's new value, a share of the whole asked about, units
and currencies as stories write them, and the questions that ask for a mark or a price. Synthetic
sentences in the stories' shapes; each case failed before its rule."""

from __future__ import annotations

import pytest

from qa.retrieval.answer_types import FATE, NUMBER, PERSON, PLACE_NAME, ROLE, asked_measure, question_type
from tests.test_answers import _marked


@pytest.mark.parametrize("question, kind", [
    ("how cheap is the new laptop", NUMBER),  # a price
    ("how expensive was the stadium", NUMBER),
    ("what is isinbayevas world record", NUMBER),  # a mark, not the record's name
    ("what was maurice greenes 60m world record", NUMBER),
    ("what top tax rate would the lib dems put on top earners", NUMBER),  # a figure's name after a word or two
    ("what interest rate did the bank set", NUMBER),
    ("which eu countries are the biggest laggards on reform", PLACE_NAME),  # plural, a word between
    ("which other cities bid for the games", PLACE_NAME),
    ("who is yukos chief financial officer", PERSON),  # who holds the role, not what a person is
    ("who is the club's governor", PERSON),
    ("which studio is bruce willis suing", PERSON),  # a body or a person by what it is
    ("which mp will galloway stand against", PERSON),
    ("which agencies downgraded the broker", PERSON),
    ("what will happen to mps who use blackberries in the chamber", FATE),  # not "who use": a fate
])
def test_question_types_of_marks_prices_places_and_roles(question, kind):
    assert question_type(question) == kind


@pytest.mark.parametrize("question, kind", [
    ("what is state law on guns", None),  # "state" after "is": no place asked
    ("what record did the band sign", None),  # the name of a record, no mark
    ("what is the record label", None),
    ("who is norbert reithofer", ROLE),
])
def test_what_stays_untyped_or_a_role(question, kind):
    assert question_type(question) == kind


def test_a_price_question_asks_for_money_and_a_record_for_a_mark():
    assert asked_measure("how cheap is the new laptop").money
    record = asked_measure("what is her world record")
    assert record is not None and record.strict


@pytest.mark.parametrize("sentence, question, answer", [
    # the apposition between two commas says who the name is: its words are the name's own
    ("Jane Doe, Acme's chairwoman and chief executive, said it was a chance for the Acme brand to be sold "
     "through Globex.",
     "who is acmes chief executive", "Jane Doe"),
    # a relative clause's subject did what it says: "Napoleon, who caused ..."
    ("The Habsburg control of the First Empire ended after the defeat of Napoleon, who caused the collapse of "
     "that empire.",
     "Who caused the collapse of the old empire?", "Napoleon"),
    ("Actor Bruce Willis is suing Revolution Studios over an injury he said he suffered while filming.",
     "which studio is bruce willis suing", "Revolution Studios"),
    ("Galloway is to stand against pro-war Labour MP Oona King at the next general election.",
     "which mp will galloway stand against", "Labour MP Oona King"),
    ("He said taxes were about right, although he would put a new 50% tax on top earners.",
     "what top tax rate would the party put on top earners", "50%"),
    ("MPs will be thrown out of the Commons if they use pagers in the chamber, Speaker Tom Hale has ruled.",
     "what will happen to mps who use pagers in the chamber", "thrown out"),
    # a firm's name joined by "&", whole
    ("Shares rose after Marks & Spencer said it would cut prices.", "who said it would cut prices", "Marks & Spencer"),
    ("The bid came from Procter & Gamble, the maker of Gillette razors.", "who made the bid", "Procter & Gamble"),
    # a change's new value, not its first
    ("The assembly voted to cut Novacell's stake in the new mobile network from 70% to 49%.",
     "what stake will novacell have in the mobile network", "49%"),
    # a share of the whole the question names, not another share nearer its other words
    ("Women now make up more than half of all graduates from Ruritanian universities but only 5% of the workforce.",
     "what share of the ruritanian workforce is women", "5%"),
    # a unit written in capitals
    ("Some 83 MPs gave their answers in 100 hours of taped interviews for the study.",
     "how many mps were interviewed for the study", "83 MPs"),
    # a currency by its name, before its conversion in brackets
    ("Olsen was ordered to pay 100,000 kroner (£8,000) to the music industry.",
     "how much was olsen ordered to pay", "100,000 kroner"),
    ("The laptop will go on sale for less than $100 in poorer countries.", "how cheap is the laptop", "$100"),
    # a mark, not the count of records
    ("It was her 11th world record, and she cleared 4.91m in Athens.", "what is her world record", "4.91m"),
    # a list's places: the laggards, not the place that leads the sentence's context
    ("Among the biggest laggards, according to the report, are Greece and Italy.",
     "which eu countries are the biggest laggards", "Greece and Italy"),
])
def test_the_phrase_marked(sentence, question, answer):
    assert _marked(sentence, question) == answer


@pytest.mark.parametrize("sentence, question, answer", [
    # a question with the year asks the first value of a change
    ("Between 1992 and 2008 the share of pupils in private schools rose from 6.1% to 7.8%.",
     "in 1992, what percentage of pupils attended private schools", "6.1%"),
    # a list's next item is no apposition ("Marsden School in Wellington"), nor another name ("the MetroCentre")
    ("Close to the river, the largest indoor shopping centre in Europe, the Metrodome, is located in Gateshead.",
     "where is the metrodome located", "Gateshead"),
    ("Private schools include St Peter's School in Cambridge, Samuel Marsden School in Wellington, and others.",
     "where is samuel marsden school located", "Wellington"),
    # "by the British rock group Coldplay": the agent, over those a later clause says headlined other shows
    ("The halftime show was headlined by the British rock group Coldplay with guests Beyonce and Bruno Mars, "
     "who headlined the two shows before.", "who headlined the halftime show", "Coldplay"),
    # the whole a share is of is the head noun: "of the eligible voting population" is of no vote
    ("The vote was 51.6% in favour of an assembly, as 32.9% of the eligible voting population did not vote.",
     "what percentage of the vote was in favour of an assembly", "51.6%"),
])
def test_what_the_new_rules_leave_alone(sentence, question, answer):
    assert _marked(sentence, question) == answer


def test_how_old_finds_the_age_a_few_sentences_on():
    """No sentence naming her says her age; "The 39-year-old ..." two sentences on does."""
    from tests.test_answers import _choose

    text = ("Before that, Jane Roe spent time at the left-leaning institute for policy research. She then became "
            "secretary of the commission on social justice. The 39-year-old was educated at a comprehensive school.")
    chosen = _choose(text, "how old is jane roe")
    assert text[chosen.start:chosen.end].startswith("The 39-year-old")
    assert chosen.answer is not None and text[chosen.answer[0]:chosen.answer[1]] == "39-year-old"


@pytest.mark.parametrize("sentence, question, source", [
    ("The number of films made in the UK fell 40% in 2004, with two big films among those affected, Screen Daily has said.",
     "according to whom did uk film production fall 40%", "Screen Daily"),
    ("The carmaker is recalling nearly 200,000 vehicles in the US on safety grounds, according to federal regulators.",
     "according to whom is the carmaker recalling 200,000 vehicles", "federal regulators"),
    ("Ruritania has withdrawn $1bn in assets from the US, assets frozen for almost 20 years, the central bank has said.",
     "according to who has ruritania withdrawn $1bn", "the central bank"),
    # no attribution: a name, as for "who"
    ("A study by the Pew Internet and American Life Project found that MP3 players are the gadget of choice.",
     "according to who are mp3 players the gadget of choice", "Pew Internet and American Life Project"),
])
def test_according_to_whom_marks_who_gives_it(sentence, question, source):
    assert question_type(question) == "source"
    assert _marked(sentence, question) == source
