"""Who runs it (issue 24, heads24): "who runs / heads / leads / manages / speaks for / founded X"
asks who holds a role, whom news copy names by the role before the name ("Acme chief executive
Jane Doe", "Acme spokesman Sam Reed"), in a sentence holding none of the question's verb. The roles are searched as other spellings of the
verb, and the name a role stands before is the answer phrase. Keyword search (no model), so each
case runs the whole re-rank as `qa ask --mode bm25` does."""

from pathlib import Path

import pytest

from qa.retrieval.role_verbs import asked_by_verb as asked_head
from qa.search import Searcher

#: the company's story: its lead says what it did, the head is named three paragraphs down
COMPANY = ("Kestrel Foods profits rise\n\n"
           "Kestrel Foods said on Friday that its profits rose by a fifth in the year to March, helped by "
           "strong sales of frozen meals in France and Spain.\n\n"
           "The firm, which runs forty factories, said it would open two more in Poland next year and "
           "hire another 800 workers to run them.\n\n"
           "Shares in the group rose 3% in early trading in London, where analysts had expected a smaller rise, "
           "Kestrel Foods vice president Tom Grey said.\n\n"
           "\"These are the best results in our history,\" Kestrel Foods chief executive Jane Holloway said, "
           "adding that prices would stay the same.\n\n"
           "The company was started in a Leeds kitchen in 1971, and its recipes have changed little since.\n\n"
           "\"We will not raise prices this year,\" Kestrel Foods spokesman Sam Reed told reporters.\n\n"
           "Kestrel Foods founder Ada Pym, now 90, still tastes every new recipe.\n")
#: a party's story: its leader named by the role
PARTY = ("Greens launch campaign\n\n"
         "The Green Alliance has launched its election campaign in Leeds, promising to run the railways as a "
         "public service.\n\n"
         "The party says it will stand candidates in every seat for the first time.\n\n"
         "Green Alliance leader Martin Ashby told supporters the party would double its vote.\n")
#: a match report naming both sides' coaches, the visitors' first
MATCH = ("Ireland edge past Italy\n\n"
         "Ireland coach Eddie Walsh praised his side after a 28-17 win over Italy in Rome on Saturday.\n\n"
         "The hosts had led at half-time after two early penalties.\n\n"
         "Italy coach Marco Bellini said his players had given everything in the second half.\n")
#: another story on the company, naming its chairman
BOARD = ("Kestrel Foods board backs Poland plan\n\n"
         "Kestrel Foods chairman Robert Vance said the board backed the plan to run two more factories in "
         "Poland, where the company expects its profits to rise.\n")
#: a story where the question's verb is said of someone who heads nothing
RACE = ("Marathon record\n\n"
        "Tom Brennan runs the Leeds marathon every year, and this year he ran it in under three hours, "
        "raising money for the Kestrel Foods charity and the Green Alliance youth fund.\n")


@pytest.fixture(scope="module")
def stories(tmp_path_factory) -> Path:
    from qa.index.indexer import sync
    from robust_util import HashEmbedder

    root = tmp_path_factory.mktemp("heads")
    src = root / "src"
    src.mkdir()
    for name, text in (("company.txt", COMPANY), ("party.txt", PARTY), ("race.txt", RACE),
                       ("match.txt", MATCH), ("board.txt", BOARD)):
        (src / name).write_text(text, encoding="utf-8")
    sync(root / "index", [src], embedder=_embedder())
    return root / "index"


def _embedder():
    from robust_util import HashEmbedder

    return HashEmbedder()


@pytest.mark.parametrize("question, head", [
    ("who runs kestrel foods", "Jane Holloway"),
    ("who heads kestrel foods", "Jane Holloway"),
    ("who is in charge of kestrel foods", "Jane Holloway"),
    ("Who leads the Green Alliance?", "Martin Ashby"),
    ("who runs the green alliance", "Martin Ashby"),
    ("who speaks for kestrel foods", "Sam Reed"),
    ("who founded kestrel foods", "Ada Pym"),
    ("who coaches italy", "Marco Bellini"),  # not the other side's coach, named first
    ("who manages italy", "Marco Bellini"),
])
def test_the_role_holder_is_highlighted_and_marked(stories, question, head):
    hit = Searcher(stories).search(question, k=3).hits[0]
    highlight = hit.text[hit.highlight_start - hit.start:hit.highlight_end - hit.start]
    assert head in highlight
    assert hit.answer is not None and hit.text[hit.answer[0] - hit.start:hit.answer[1] - hit.start] == head


@pytest.mark.parametrize("question", [
    "who runs kestrel foods", "who heads the imf", "who is running the company", "Who leads the party?",
    "who manages chelsea", "who is the boss of bp", "who is in charge of the inquiry", "who coaches england",
    "who speaks for uefa", "who founded linux", "who represents the family", "who owns the club",
])
def test_questions_that_ask_who_holds_a_role(question):
    assert asked_head(question) is not None


@pytest.mark.parametrize("question", [
    "who ran the marathon", "who is running for mayor", "who won the leeds marathon",
    "what does kestrel foods run", "who said profits would rise", "how many factories does kestrel foods run",
])
def test_questions_that_do_not(question):
    assert asked_head(question) is None


def test_two_heads_of_one_body_are_no_disagreement(stories):
    """"who runs kestrel foods": its chief executive in one story, its chairman in another, both
    right; "Sources differ" would say the stories disagree."""
    answer = Searcher(stories).search("who runs kestrel foods", k=3)
    named = {hit.text[hit.answer[0] - hit.start:hit.answer[1] - hit.start] for hit in answer.hits if hit.answer}
    assert {"Jane Holloway", "Robert Vance"} <= named
    assert answer.sources_differ == []
