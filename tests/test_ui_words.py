"""What the UI says is true (issue 21, "small lies a newcomer read"): a filter prefix never reaches
the question's words; counts are pluralised by one helper; an answer sorted by date says so; the
strength cue never contradicts the "why" line; the sentence count counts the passage's sentences;
the add dialog names every supported type; the question box is bounded and says when it cuts."""

from __future__ import annotations

import pytest

from robust_util import HashEmbedder
from qa.ui.app import QAApp
from qa.ui.widgets import AnswerView, HistoryInput, HitCard, Notice, QuestionMessage
from test_ui import run_async, settle

TEXAS = """---
title: Continental sues Texas Air
date: 1987-03-10
---
Continental Airlines filed an anti-trust suit against Texas Air on March 9, the airline's lawyers said.

The suit asks a federal court in Houston to stop the merger of the two carriers.
"""
OLDER = """---
title: Eastern strike talks
date: 1986-11-02
---
Eastern Airlines and its pilots met again on Sunday without an agreement on wages.
"""


@pytest.fixture
def dated(tmp_path, monkeypatch):
    from qa.index.indexer import sync

    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "texas.md").write_text(TEXAS, encoding="utf-8")
    (tmp_path / "news" / "eastern.md").write_text(OLDER, encoding="utf-8")
    sync(tmp_path / "index", [tmp_path / "news"], embedder=HashEmbedder())
    monkeypatch.chdir(tmp_path)
    return tmp_path / "index"


def stand_in_app(index_dir) -> QAApp:
    return QAApp(index_dir, embedder_factory=lambda name: HashEmbedder(), poll_seconds=None)


async def asked(pilot, question: str) -> AnswerView | None:
    app = pilot.app
    app.chat.query_one(HistoryInput).value = question
    await pilot.press("enter")
    await settle(pilot)
    views = app.chat.query(AnswerView)
    return views.last() if views else None


@run_async
async def test_a_filter_prefix_never_reaches_the_question_words(dated):
    app = stand_in_app(dated)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = await asked(pilot, 'since:"9 March 1987" Who filed an anti-trust suit against Texas Air?')
        assert view.answer.filters and view.answer.filters["since"] == "1987-03-09"
        assert [card.hit.title for card in view.query(HitCard)] == ["Continental sues Texas Air"]
        card = view.query(HitCard).first()
        why = str(card.query(".why").last().visual)
        assert "it holds" in why and "Texas" in why
        for word in ("March", "9", "1987", "since"):
            assert word not in why.split("holds", 1)[1].replace(",", " ").split(), why
        assert not ({"march", "since", "9"} & card.terms)
        assert view.answer.corrected == {}
        assert plain_question(app).startswith('› since:"9 March 1987" Who filed')  # shown as typed
        # a follow-up borrows the question's names, not the filter's
        await asked(pilot, "since:1987 Was it settled?")
        borrowed = app.chat.conversation.previous_query
        assert "Texas" in borrowed and "March" not in borrowed and "since" not in borrowed


def plain_question(app) -> str:
    return str(app.chat.query(QuestionMessage).last().visual)


@run_async
async def test_a_date_that_is_not_one_is_the_questions_fault_not_the_index(dated):
    app = stand_in_app(dated)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await asked(pilot, "since:someday Who filed an anti-trust suit?")
        notes = [str(n.visual) for n in app.chat.query(Notice)]
        assert any('cannot read "someday" as a date' in n for n in notes), notes
        assert app.has_index and app.status.stats.startswith("2 articles")
        assert not any("Ctrl+R to index" in n for n in notes)


# -- one way to count ---------------------------------------------------------------------------
def test_counts_are_pluralised_by_one_helper_in_the_ui_and_the_cli(dated, capsys):
    from types import SimpleNamespace

    from qa import cli
    from qa.render import count
    from qa.ui.engine import IndexStats
    from qa.ui.widgets import answer_header

    assert [count(n, "document") for n in (0, 1, 2)] == ["0 documents", "1 document", "2 documents"]
    assert str(IndexStats(1, 1)) == "1 article, 1 passage"
    one = SimpleNamespace(hits=[SimpleNamespace(path="a")], sort="relevance")
    assert answer_header(one) == "1 passage from 1 article"
    assert cli.main(["sources", "--index", str(dated)]) == 0
    line = capsys.readouterr().out
    assert " 2 documents " in line and "docs" not in line, line
    folder = dated.parent / "one"
    folder.mkdir()
    (folder / "a.txt").write_text("Alone\n\nA single short article about a harbour.\n", encoding="utf-8")
    from qa.index.indexer import sync

    sync(dated, [folder], embedder=HashEmbedder())
    assert cli.main(["sources", "--index", str(dated)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(" 1 document " in line and " 1 passage " in line for line in lines), lines


# -- an answer sorted by date says so -----------------------------------------------------------
@run_async
async def test_an_answer_sorted_by_date_says_so_in_the_ui(dated):
    app = stand_in_app(dated)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        view = await asked(pilot, "Which airlines met or filed a suit?")
        assert "sorted by date" not in str(view.query_one(".answer-header").visual)
        app.action_toggle_date_order()
        view = await asked(pilot, "Which airlines met or filed a suit?")
        assert view.answer.sort == "date"
        assert str(view.query_one(".answer-header").visual).endswith(", sorted by date, undated last")


def test_an_answer_sorted_by_date_says_so_in_the_cli(dated, capsys):
    from qa import cli
    from qa.index.indexer import sync

    # a third article: over two, BM25 gives every word an IDF of 0 and a keyword answer no passage
    (dated.parent / "news" / "weather.md").write_text("Rain is expected in Houston on Monday.\n", encoding="utf-8")
    sync(dated, [dated.parent / "news"], embedder=HashEmbedder())
    assert cli.main(["ask", "Which airlines met or filed a suit?", "--index", str(dated), "--mode", "bm25",
                     "--sort", "date"]) == 0
    out = capsys.readouterr().out
    assert "sorted by date, undated last" in out and "\n[1] " in out
    assert cli.main(["ask", "Which airlines met or filed a suit?", "--index", str(dated), "--mode", "bm25"]) == 0
    assert "sorted by date" not in capsys.readouterr().out


# -- the cue and the why line agree; the sentence count counts sentences ------------------------
@run_async
async def test_the_strength_cue_never_says_no_match_beside_the_words_a_card_holds(dated):
    app = stand_in_app(dated)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = await asked(pilot, "Who filed an anti-trust suit against Texas Air?")
        cards = list(view.query(HitCard))
        holding = [c for c in cards if "it holds" in str(c.query(".why").last().visual)]
        assert holding
        for card in holding:
            assert "no match" not in str(card.query_one(".where").visual)


def _hit(text: str, title: str, sentence: str):
    from qa.retrieval.records import Hit

    at = text.index(sentence)
    return Hit(1, 1, title, "/a.txt", 1, 3, 0, len(text), text, 0.5, 1.0, 0.5, at, at + len(sentence))


def test_the_sentence_count_counts_the_body_not_the_title_or_a_caption():
    from qa.ui.widgets import why_highlighted

    title = "Gunmen fired at a convoy in Derna."
    text = (f"{title}\n\nMilitia leader is believed to have been in charge since 2011\n\n"
            "Sufian al Qumu escaped unhurt. He heads Ansar al-Sharia in Derna. Residents said so.")
    why = str(why_highlighted(_hit(text, title, "He heads Ansar al-Sharia in Derna."), frozenset({"derna"})))
    assert why.startswith("sentence 2 of 3 highlighted"), why
    why = str(why_highlighted(_hit(text, title, title), frozenset({"derna"})))
    assert why.startswith("the sentence highlighted"), why  # the title is no numbered sentence


def test_sentences_pasted_as_the_query_are_counted_as_a_range_and_their_words_cut_short():
    """A pasted paragraph is highlighted whole (qa/retrieval/pasted.py): the card says which
    sentences, and lists a few of the dozens of words they hold, not all of them."""
    from qa.ui.widgets import MAX_HELD_SHOWN, why_highlighted

    title = "Gunmen fired at a convoy in Derna."
    pasted = "Sufian al Qumu escaped unhurt. He heads Ansar al-Sharia in Derna."
    text = f"{title}\n\nMilitia leader said so.\n\n{pasted} Residents said so."
    from qa.index.text import tokenize

    why = str(why_highlighted(_hit(text, title, pasted), frozenset(tokenize(pasted))))
    assert why.startswith("sentences 2–3 of 4 highlighted"), why
    held = len(set(tokenize(pasted)))
    assert held > MAX_HELD_SHOWN and why.count(",") == MAX_HELD_SHOWN - 1, why
    assert why.endswith(f"({held} of the question's words)"), why


# -- the add dialog names every type the indexer reads ------------------------------------------
@run_async
async def test_the_add_dialog_names_every_supported_type(dated):
    from qa.config import DOCUMENT_SUFFIXES

    app = stand_in_app(dated)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        said = str(app.screen.query("Label").first().visual)
        assert all(suffix in said.split("(")[1].split(")")[0].split() for suffix in DOCUMENT_SUFFIXES), said
        assert ".pdf" in said


# -- the footer at narrow widths ----------------------------------------------------------------
@run_async
async def test_the_footer_leaves_no_stray_letter_beside_the_palette_key(dated):
    app = stand_in_app(dated)
    async with app.run_test(size=(60, 24)) as pilot:
        await settle(pilot)
        for key in (None, "f2", "f3"):
            if key:
                await pilot.press(key)
                await settle(pilot)
            last = footer_line(app)
            assert last.rstrip().endswith("^p palette"), (key, last)
            if key:
                await pilot.press("escape")
                await settle(pilot)


def footer_line(app) -> str:
    import io

    from rich.console import Console

    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), record=True,
                      color_system=None, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text().splitlines()[-1]


# -- the question box is bounded (issue 22) -----------------------------------------------------
@run_async
async def test_a_huge_paste_or_key_flood_is_cut_at_the_question_limit_and_said(dated):
    from textual import events

    from qa.ui.settings import UI

    app = stand_in_app(dated)
    told: list[str] = []
    app.notify = lambda message, **kw: told.append(str(message))  # type: ignore[method-assign]
    limit = UI.question_max_chars
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = app.chat.query_one(HistoryInput)
        for _ in range(limit + 300):  # a terminal without bracketed paste sends a paste as keys
            app.post_message(events.Key("a", "a"))
        await settle(pilot)
        assert len(box.value) == limit and box.border_subtitle == f"cut at {limit} characters"
        assert [t for t in told if "at most" in t] == [f"A question holds at most {limit} characters: the rest was cut."]
        box.value = ""
        assert box.border_subtitle == ""
        app.post_message(events.Paste("b" * 200_000))  # bracketed: one event, into the box
        await settle(pilot)
        assert box.value == "b" * limit and len([t for t in told if "at most" in t]) == 2
        box.value = "Who"
        app.screen.set_focus(None)  # not on the box: a paste is routed to it, cut too
        app.post_message(events.Paste(" filed" * 100_000))
        await settle(pilot)
        assert box.value.startswith("Who filed filed") and len(box.value) == limit
