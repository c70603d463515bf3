"""What a third new user met on 2026-12-07 (BENCHMARKS.md "Reliability / A new user's session,
third pass"): typing fast, closing the terminal, the drive pulled away, an interrupted index, two
things at once, a read-only index. Each test failed on the code before its fix. The stand-in
embedder or keyword search: the model is not the point."""

from __future__ import annotations

from robust_util import HashEmbedder
from test_ui import run_async, settle


def _stand_in_app(index, monkeypatch, tmp_path):
    from qa.ui.app import QAApp

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return QAApp(index, embedder_factory=lambda name: HashEmbedder(), poll_seconds=None)


@run_async
async def test_the_next_question_typed_right_after_enter_is_kept(built, monkeypatch, tmp_path):
    """Keys typed right after Enter (a fast typist, or a busy app reading a burst of keys) reached
    the box before the screen handled the question, which then emptied the box: the next question
    was lost, and an Up pressed at once recalled the question before."""
    from qa.ui.widgets import AnswerView, HistoryInput

    index, _ = built
    app = _stand_in_app(index, monkeypatch, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = app.chat.query_one(HistoryInput)
        box.value = "Who heads Ansar al-Sharia in Derna?"
        await box.action_submit()  # Enter: the question is posted, not yet handled
        box.insert_text_at_cursor("where is")  # the next keys, handled before it
        await settle(pilot)
        assert box.value == "where is", "the next question's keys were dropped"
        assert len(app.chat.query(AnswerView)) == 1
        box.value = "Was he killed?"
        await box.action_submit()
        box.action_history(-1)  # Up at once recalls the question just asked
        assert box.value == "Was he killed?"
        await settle(pilot)
        assert box.value == "Was he killed?"
