"""What the other outlets' set (formats24) left wrong in the answer phrase, support and "Sources
differ": race times, ages, wire datelines, news abbreviations, death words. Synthetic text, the
stand-in embedder: no model."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.index.text import tokenize
from qa.retrieval.answer_types import DATE, NUMBER, PERSON, phrases, question_type
from qa.search import Searcher
from tests.robust_util import HashEmbedder
from tests.test_answers import _choose, _write_articles as _write  # the filler articles BM25's weights need


def _search(tmp_path: Path, articles: dict[str, str], question: str):
    from qa.index.indexer import sync

    _write(tmp_path / "articles", articles)
    sync(tmp_path / "index", [tmp_path / "articles"], embedder=HashEmbedder())
    searcher = Searcher(tmp_path / "index")
    try:
        return searcher.search(question, k=3, embedder=HashEmbedder())
    finally:
        searcher.close()


def _chosen(text: str, question: str):
    """The sentence of `text` chosen for the question, and its answer phrase ("" for none)."""
    chosen = _choose(text, question)
    answer = text[chosen.answer[0]:chosen.answer[1]] if chosen.answer else ""
    return text[chosen.start:chosen.end], answer


@pytest.mark.parametrize("sentence, time", [
    ("Samuel Otieno won the Dunmore marathon on Sunday in 2:06:41, breaking the record.", "2:06:41"),
    ("Mara Holt won the 100m breaststroke final in 1:02.5 on Friday night.", "1:02.5"),
    ("Kofi Adjei won the 100m sprint in 9.58sec at the Dunmore games.", "9.58sec"),
])
def test_a_race_time_is_one_amount_of_time(sentence, time):
    """A race time is one phrase: never the amount "41" (and a clock time "2:06"), which another
    story's "41" would then "support"."""
    amounts = [sentence[s:e] for s, e in phrases(sentence, NUMBER, frozenset())]
    assert time in amounts and not any(a != time and a in time for a in amounts)
    for question in ("how long did the winner take", "what was the winning time", "how fast did the winner run"):
        assert question_type(question) == NUMBER
        assert _chosen(sentence, question)[1] == time, question


@pytest.mark.parametrize("text, age", [
    ('"After 18 years, it is time for me to be at home," Calloway said. Calloway, 71, is the senior senator.', "71"),
    ("She retired after 30 years at the bank. Calloway died at 87 in Kelby.", "87"),
    ("Calloway served for 18 years. The 71-year-old Calloway said she would go.", "71-year-old"),
])
def test_how_old_is_answered_by_an_age_not_a_duration(text, age):
    """"After 18 years" is how long, not how old: the age is "aged 54", "54-year-old", ", 54,", "at 54"."""
    sentence, answer = _chosen(text, "how old is calloway")
    assert answer == age and age in sentence


def test_a_duration_alone_is_no_age():
    sentence, answer = _chosen('"After 18 years, it is time for me to go," Calloway said.', "how old is calloway")
    assert answer == ""


@pytest.mark.parametrize("lead", [
    "LONDON, Nov 12 (Reuters) - Budget carrier Kestrel Airways reported a fall in profit.",
    "HARLOW, Ore. (AP) — Budget carrier Kestrel Airways reported a fall in profit.",
])
def test_the_word_after_a_wire_dateline_opens_the_sentence(lead):
    """The dateline's agency is no person, and the common word after it is a sentence's first word,
    not part of a name."""
    found = [lead[s:e] for s, e in phrases(lead, PERSON, frozenset(tokenize("who runs kestrel airways")))]
    assert not any(word in name for name in found for word in ("Reuters", "AP", "Budget", "LONDON", "HARLOW"))


def test_the_wire_archives_dateline_names_no_one():
    """1987 wire copy: "MANAMA, March 3 - " with a plain hyphen and no agency is a dateline too."""
    lead = "MANAMA, March 3 - Deputy oil ministers of the Gulf states ended a meeting chaired by Yousef Shirawi."
    found = [lead[s:e] for s, e in phrases(lead, PERSON, frozenset(tokenize("who chaired the gulf oil meeting")))]
    assert "Yousef Shirawi" in found and not any("MANAMA" in name for name in found)


@pytest.mark.parametrize("lead", [
    "MANAMA, March 2 - Deputy oil ministers of the Gulf states ended a meeting here today.",
    "LONDON, Nov 12 (Reuters) - Deputy oil ministers of the Gulf states ended a meeting.",
])
def test_a_datelines_date_answers_no_when_and_its_day_is_no_amount(lead):
    """The day the story was filed is no answer to "when will they meet again" (the lead then
    yields to the sentence that has one), nor its day of the month an amount."""
    asked = frozenset(tokenize("when will the gulf deputy oil ministers meet again"))
    dates = [lead[s:e] for s, e in phrases(lead, DATE, asked)]
    assert not any("March" in d or "Nov" in d for d in dates)
    assert phrases(lead, NUMBER, frozenset(tokenize("how many ministers met"))) == []
    later = "They will meet again in Abu Dhabi on May 11, a statement said."
    assert [later[s:e] for s, e in phrases(later, DATE, asked)] == ["May 11"]


@pytest.mark.parametrize("question, kind", [
    ("What will the basic rate of income tax fall to", NUMBER),
    ("What did May sugar close at", NUMBER),
    ("What has Lone Star cut its drilling budget to", NUMBER),
    ("What did the company's shares rise by", NUMBER),
    ("Which unions called the rail strike", PERSON),
    ("Which bank leads the lenders", PERSON),
])
def test_the_level_a_figure_moved_to_is_an_amount_and_which_bank_a_name(question, kind):
    """Wire questions: "what did sugar close at" asks for the price it closed at ("7.92 cents"), and
    "which unions / which bank" for the name ("the CGT and CFDT unions", "led by Mediobanca")."""
    assert question_type(question) == kind


@pytest.mark.parametrize("sentence, question, level", [
    ("May sugar closed 0.41 cent higher at 7.92 cents a pound on the exchange.", "What did May sugar close at",
     "7.92 cents"),
    ("The basic rate will fall by two pence to 27 pence in the pound from April 6.",
     "What will the basic rate of income tax fall to", "27 pence"),
    ("The discount rate was cut by half a point to three pct, its lowest level.", "What was the discount rate cut to",
     "three pct"),
])
def test_the_level_after_to_or_at_is_the_phrase_not_the_change(sentence, question, level):
    """"Closed 0.41 cent higher at 7.92 cents": the question asks for the level it closed at."""
    assert _chosen(sentence, question) == (sentence, level)


@pytest.mark.parametrize("question", ["what did the talks lead to", "What did she set out to"])
def test_a_verb_with_to_that_moves_no_figure_asks_for_no_amount(question):
    assert question_type(question) != NUMBER


def test_a_wire_headline_in_capitals_names_no_one():
    """The title line in capitals is no run of names: the sentence that names the unions is."""
    title = "FRENCH UNIONS CALL RAIL STRIKE OVER PAY"
    asked = frozenset(tokenize("which unions called the rail strike"))
    assert phrases(title, PERSON, asked) == []
    body = "The strike was called by the CGT and CFDT unions after talks broke down."
    assert [body[s:e] for s, e in phrases(body, PERSON, asked)] == ["CGT and CFDT"]


@pytest.mark.parametrize("sentence, question, name", [
    ("The meeting was chaired by Bahrain's Under-Secretary for Oil, Yousef al-Shirawi, who spoke.",
     "who chaired the meeting", "Yousef al-Shirawi"),  # the example: the office, then the name
    ("The Minister for Health, Mary Harney, opened the ward.", "who opened the ward", "Mary Harney"),
    ("The attack was claimed by Abu Musab al-Zarqawi on Monday.", "who claimed the attack", "Abu Musab al-Zarqawi"),
])
def test_an_office_set_off_before_a_name_is_no_answer_and_the_name_is_whole(sentence, question, name):
    """"Under-Secretary for Oil, Yousef al-Shirawi,": the office (a role before "for" / "of") is a
    title set off before the name, and "al-" opens the name's last word."""
    found = [sentence[s:e] for s, e in phrases(sentence, PERSON, frozenset(tokenize(question)))]
    assert found == [name]


def test_a_list_of_bodies_is_no_office_before_a_name():
    sentence = "He met officials from the Bank of England, HSBC, and Barclays."
    found = [sentence[s:e] for s, e in phrases(sentence, PERSON, frozenset(tokenize("who did he meet")))]
    assert "Bank of England" in found


def test_a_plain_hyphen_is_a_dateline_only_after_a_month_and_day():
    """"NATO - China talks" opens with no dateline: its capitals may be the answer."""
    lead = "NATO - China talks were chaired by Kestrel Airways."
    found = [lead[s:e] for s, e in phrases(lead, PERSON, frozenset(tokenize("who held talks")))]
    assert "NATO" in found


def test_who_is_a_firms_ceo_asks_for_a_person():
    assert question_type("who is kestrel airways ceo") == PERSON
    assert question_type("who is kestrel airways chief executive") == PERSON


@pytest.mark.parametrize("question, aliases", [
    ("who is kestrel airways ceo", {"chief": "ceo", "execut": "ceo"}),
    ("who is the chief executive of kestrel", {"ceo": "chief"}),
    ("how fast did the US economy grow", {"unit": "us", "state": "us"}),
    ("what did the minister tell us", {}),  # "us" the pronoun
])
def test_an_abbreviation_and_its_spelled_out_form_are_searched_as_each_other(question, aliases):
    from qa.retrieval.abbreviations import abbreviation_aliases

    assert abbreviation_aliases(question, tokenize(question)) == aliases


KESTREL = {
    "kestrel.txt": "Kestrel Airways profit slides\n\n"
                   "LONDON, Nov 12 (Reuters) - Budget carrier Kestrel Airways reported a fall in profit.\n\n"
                   "Chief executive Lorna Whitcombe said fares would rise over the winter. "
                   "Shares in Kestrel were down 9 percent by 1015 GMT.\n",
}


def test_ceo_finds_the_chief_executive(tmp_path):
    """"ceo" is spelled out in the story: the sentence that names the chief executive answers."""
    hit = _search(tmp_path, KESTREL, "who is kestrel airways ceo").hits[0]
    assert hit.answer is not None and hit.text[hit.answer[0] - hit.start:hit.answer[1] - hit.start] == "Lorna Whitcombe"


PELLAN = {
    "wire.txt": "Floods in Pellan kill 14\n\nKARSA, April 22 (Reuters) - Floods caused by heavy rain killed 14 "
                "people in Pellan province, the disaster agency said on Tuesday.\n",
    "ap.txt": "Death toll in Pellan floods rises\n\nKARSA (AP) — Floods in Pellan province have killed 11 people, "
              "officials said Tuesday.\n",
}


def test_died_and_killed_are_one_claim_for_sources_differ(tmp_path):
    """The question says "died", both stories "killed": 14 against 11 dead is "Sources differ"."""
    answer = _search(tmp_path, PELLAN, "how many people died in the pellan floods")
    assert all(h.answer is not None for h in answer.hits[:2])
    assert len(answer.sources_differ) == 2


REVERSE = {
    "fares.txt": "Kestrel Airways to raise fares\n\nKestrel Airways will raise fares this winter. "
                 "Passenger numbers rose 6 percent in the half.\n\n"
                 "The airline's CEO, Lorna Whitcombe, said the rise would be small.\n",
}


def test_chief_executive_finds_the_ceo(tmp_path):
    """The other way: the question spells it out, the story abbreviates it."""
    hit = _search(tmp_path, REVERSE, "who is kestrel airways chief executive").hits[0]
    assert hit.answer is not None and hit.text[hit.answer[0] - hit.start:hit.answer[1] - hit.start] == "Lorna Whitcombe"
