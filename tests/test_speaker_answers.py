"""What was said, by whom (issue 24, trial24f): a reporter's "who said <a claim>", "what did X say
about Y" and "how did X respond" on stories nobody had asked about. Synthetic sentences in the BBC
stories' shapes; each case failed before its rule."""

from __future__ import annotations

import pytest

from qa.retrieval.answer_types import SAID, question_type
from tests.test_answers import _choose, _marked


@pytest.mark.parametrize("sentence, question, said", [
    # a quotation opened after a colon or a verb of saying, running on past the sentence's end
    ('Bo Lind said: "This is enormously damaging.', "what did bo lind say about the row",
     "This is enormously damaging."),
    ('He also praised the director: "Thank you to Ann Vale for taking a chance on this film.',
     "what did he say about ann vale", "Thank you to Ann Vale for taking a chance on this film."),
    ('The injury came in the cup defeat and manager Jon Mills said: "He cannot run.',
     "what did jon mills say about the injury", "He cannot run."),
])
def test_a_quotation_running_on_past_the_sentence_is_the_words_said(sentence, question, said):
    assert question_type(question) == SAID
    assert _marked(sentence, question) == said


@pytest.mark.parametrize("sentence, question, speaker", [
    # a name inside the quotation is what was said, not who said it
    ('"Wanting to share your best-loved song is the perfect way to sign off," music manager Simon Gale said.',
     "who said sharing your song is the perfect way to sign off", "Simon Gale"),
    ('"The fact that the book is number one in our Hot 100 chart shows how excited readers are," said Acme\'s '
     'Robin Tell.', "who said readers are excited about the book", "Acme's Robin Tell"),
    ('Race director Mark Tubb said: "Susan will add even more strength in depth to the line-up."',
     "who said she will add strength in depth", "Mark Tubb"),
    # who says it, though a body stands between the name and the verb
    ("Mark Serle, from the Public and Commercial Services union said there should be a one-day strike.",
     "who called for a one day strike", "Mark Serle"),
    ("But William Corr of the Campaign for Tobacco-Free Kids urged the government to continue pressing its case.",
     "who urged the government to keep pressing the case", "William Corr"),
    ("Matthew Herren from EduVision told the BBC programme Go Digital how the slates work.",
     "who told go digital about the slates", "Matthew Herren"),
])
def test_who_said_marks_the_speaker(sentence, question, speaker):
    assert _marked(sentence, question) == speaker


def test_who_said_marks_no_name_the_quotation_holds_alone():
    """'"..., the chancellor's record is very mixed," he said.': the only name is the words', so no
    name of this sentence is who said them (the speaker is named a sentence before)."""
    sentence = '"For all his talk, the chancellor\'s record is very mixed and Tony Blair knows it," he said.'
    assert _choose(sentence, "who said the chancellors record is very mixed").answer is None


@pytest.mark.parametrize("question", [
    "how did eads and bae respond to the announcement",
    "how did the muslim council of britain respond to david bell",
    "how has the union reacted to the plans",
    "what was man united fans reaction to glazer",
    "what was the governments response to the report",
])
def test_how_did_they_respond_asks_the_reaction(question):
    assert question_type(question) == "reaction"


@pytest.mark.parametrize("sentence, question, reaction", [
    # the words said, as for "what did X say"
    ('The Muslim Council said Ofsted boss Mr Bell\'s comments were "highly irresponsible".',
     "how did the muslim council respond to david bell", 'Ofsted boss Mr Bell\'s comments were "highly irresponsible"'),
    ('Mr Milton said he understood the concerns, but insisted that "what they were was anti-Tory".',
     "how did milton respond to the claims", "what they were was anti-Tory"),
    # else what they did: the verb of reacting and its object
    ("EADS and BAE Systems, the firms which own Airbus, welcomed Mr Mandel's announcement.",
     "how did eads and bae respond to the announcement", "welcomed Mr Mandel's announcement"),
    ("United fans have reacted with anger at the announcement.", "what was united fans reaction to the bid",
     "reacted with anger at the announcement"),
    ("But the charity Actionaid criticised Mr Brown's preoccupation with finding a vaccine.",
     "how did actionaid respond to browns plan", "criticised Mr Brown's preoccupation with finding a vaccine"),
])
def test_the_reaction_is_the_words_said_or_the_verb_of_reacting(sentence, question, reaction):
    assert _marked(sentence, question) == reaction


def test_a_clause_said_after_told_that_is_the_words_not_the_speaker():
    """"X, which ..., told the BBC that <clause>": the clause after "that" is what was said (was the
    words before ", told", read as a report whose speaker follows)."""
    sentence = ("BT Openzone, which runs most public hotspots in the UK, told the BBC News website that it made "
                "every effort to make its wi-fi secure.")
    assert _marked(sentence, "what did bt openzone tell the bbc") == "it made every effort to make its wi-fi secure"


@pytest.mark.parametrize("text, question, said", [
    # the sentence naming the speaker reports them in the writer's words; their own follow, by "he"
    ('Jo Caud, spokesman for Vodafone, said that when phones were launched they were the size of a briefcase. '
     '"Despite that they were hugely popular in the mid-80s," he said.',
     "what did jo caud say about the first mobiles", "Despite that they were hugely popular in the mid-80s"),
    # ... by the speaker's name
    ("Ireland coach Eddie Sully was surprised that England coach Andy Robb said he was certain Cueto was onside. "
     '"Andy was sitting two yards from me and I could not see whether he was offside," said Sully.',
     "what did eddie sully say about the disallowed try",
     "Andy was sitting two yards from me and I could not see whether he was offside"),
    # ... opening with the speaker and a colon
    ('But UK Athletics chief Max Jonas believes it is likely Holmes will race. He said: "It is worth a punt, isn\'t it?',
     "what did max jonas say about holmes", "It is worth a punt, isn't it?"),
    # ... a sentence on
    ("Children's author Judy Blum used the ceremony to speak out over censorship. Sales of her books have exceeded "
     '75 million. Blum said: "The urge to ban is contagious.',
     "what did judy blum say about censorship", "The urge to ban is contagious."),
])
def test_what_did_they_say_prefers_their_own_words_to_a_report_of_them(text, question, said):
    assert _marked(text, question) == said


@pytest.mark.parametrize("text, question, said", [
    # another speaker's words next are not theirs
    ('Jo Caud, spokesman for Vodafone, said that phones were the size of a briefcase. '
     '"They were a status symbol," said Ann Lee of Orange.',
     "what did jo caud say about the first mobiles", "phones were the size of a briefcase"),
    # their own quotation already: stays
    ('"We expect the deficit to widen," said economist Marie Rip. "The dollar will fall," he added.',
     "what did marie rip say about the deficit", "We expect the deficit to widen"),
])
def test_what_did_they_say_keeps_their_words_when_the_next_are_not_theirs(text, question, said):
    assert _marked(text, question) == said


def test_the_speakers_name_typed_without_its_apostrophe():
    text = ("Ireland coach Eddie O'Sully was surprised that Andy Robb said Cueto was onside. "
            '"Andy was sitting two yards from me and I could not see it," said O\'Sully.')
    assert _marked(text, "what did eddie osully say about the try") == "Andy was sitting two yards from me and I could not see it"


@pytest.mark.parametrize("text, question, speaker, highlight", [
    # "..., he said.": who "he" is, the sentence before says; the highlight runs from it
    ("Liberal Democrat shadow chancellor Vince Cabe warned the picture was not as rosy. "
     '"For all his talk, the chancellor\'s record is very mixed and Tony Blair knows it," he said.',
     "who said the chancellors record is very mixed", "Vince Cabe", None),
    ("Tony Mack, director of product at Ask Jeeves, pointed out that it has done this since 2003. "
     '"The major search providers have moved on, so in many ways Microsoft is following the market," he said.',
     "who said microsoft is following the market", "Tony Mack", None),
    # a quotation going on into the next sentence, whose end names who says it
    ('"We will fight tooth and nail to stop him whatever his offer says. We do not want him or anybody else '
     'taking over United," said Mark Long of the supporters\' association.',
     "who said we will fight tooth and nail to stop glazer", "Mark Long", None),
])
def test_who_said_finds_the_speaker_a_sentence_away(text, question, speaker, highlight):
    chosen = _choose(text, question)
    assert chosen.answer is not None and text[chosen.answer[0]:chosen.answer[1]] == speaker
    assert chosen.start == 0 and chosen.end == len(text)  # the speaker and the words, highlighted together


def test_he_said_then_he_said_is_the_same_speaker():
    text = ("And he said there was one figure from his childhood he would love to play - Ian Paisley. "
            'He said that the DUP leader was a "very dynamic, extraordinary figure".')
    assert _marked(text, "what did liam neeson say about ian paisley") == "very dynamic, extraordinary figure"


def test_who_said_weighs_each_speaker_by_the_words_they_say():
    """Two speakers: the one whose clause holds the question's words ("in 1765" between the name
    and its verb)."""
    sentence = ("Francis Black in 1765 argued that John Jortin misread the passage, while Gottfried Fritz "
                "pointed out in 1867 that it refers to the soul of a man.")
    assert _marked(sentence, "who stated that john jortin misunderstood the passage") == "Francis Black"


@pytest.mark.parametrize("text, question, said", [
    # "what did X call / believe": the report's words, not a quotation after them (the dev set's answers)
    ('Luther argued that every good work designed to attract favour is a sin. Luther wrote to a friend on the '
     'same theme: "Be a sinner, and let your sins be strong.', "what did luther call good works",
     "every good work designed to attract favour is a sin"),
])
def test_what_did_they_call_keeps_the_report(text, question, said):
    assert _marked(text, question) == said
