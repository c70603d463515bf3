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
    from qa.indexer import sync

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
