"""The reader's loop in the terminal UI (issue 14): every keystroke reaches the question box, in
order, from a card, the article view or the documents list; the answer is on screen; resizing keeps
the latest answer in view; the views cite the same paragraphs; the clipboard, pager and documents
filter tell the truth. Driven by Textual's pilot; keys are posted in a burst, as a fast typist or
a terminal's paste sends them, not one at a time with a pause between."""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat

from rich.console import Console
from textual import events
from textual.keys import _character_to_key

from qa.render import paragraph_range
from qa.ingest.sentences import sentence_spans
from qa.ui.screens import ChatScreen, DocumentsScreen, SourceScreen
from qa.ui.widgets import WORD_STYLE, AnswerView, body_sentences, HistoryInput, HitCard, Notice, QuestionMessage
from test_ui import ask, make_app, opened, own_index, plain, run_async, settle  # noqa: F401 (own_index: a fixture)

#: a question holding the keys a card used to take for itself ("c" copied, "?" opened help, j/k moved)
QUESTION = "Which company cut jobs, and could Qumu be back? (j/k)"


async def type_fast(pilot, text: str) -> None:
    """Post every key at once (no pause between them), as the terminal delivers fast typing."""
    app = pilot.app
    for character in text:
        app.post_message(events.Key(_character_to_key(character), character))
    for _ in range(5):
        await pilot.pause()


def screen_text(app) -> str:
    """What the terminal shows now, as text, the lines joined (for "is it on screen?")."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), record=True,
                      color_system=None, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    lines = [line.strip(" ▌▊▎▏▁▔▄▆▇█") for line in console.export_text().splitlines()]
    return " ".join(line for line in lines if line)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@run_async
async def test_typing_after_esc_from_the_article_and_on_a_card_keeps_every_key(seed_index, model):
    app = make_app(seed_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        box = app.chat.query_one(HistoryInput)
        # after Tab to the cards
        await pilot.press("tab")
        assert isinstance(app.focused, HitCard)
        await type_fast(pilot, QUESTION)
        assert box.value == QUESTION and app.focused is box
        assert not isinstance(app.screen, type(None)) and app.screen is app.chat  # "?" opened no help
        box.value = ""
        # after Esc from the article view (the first key used to be lost: "hich company?")
        await pilot.press("tab", "enter")
        await opened(pilot)
        await pilot.press("escape")
        assert app.screen is app.chat and isinstance(app.focused, HitCard)
        await type_fast(pilot, QUESTION)
        assert box.value == QUESTION and app.focused is box
        box.value = ""
        # typing in the article view itself goes back to the question
        await pilot.press("tab", "enter")
        await opened(pilot)
        await type_fast(pilot, QUESTION)
        assert app.screen is app.chat and box.value == QUESTION and app.focused is box
        await pilot.press("enter")  # and it is asked
        await settle(pilot)
        assert plain(app.chat.query(QuestionMessage).last()).startswith(f"› {QUESTION}")


@run_async
async def test_a_paste_on_a_card_arrives_whole(seed_index, model):
    app = make_app(seed_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        box = app.chat.query_one(HistoryInput)
        await pilot.press("tab")
        app.post_message(events.Paste(QUESTION))  # a bracketed paste
        await pilot.pause()
        assert box.value == QUESTION and app.focused is box
        box.value = ""
        await pilot.press("tab")
        await type_fast(pilot, "Who? " + QUESTION)  # an unbracketed paste is keys, one after another
        assert box.value == "Who? " + QUESTION
        # the card's own actions are on keys that cannot be typed
        await pilot.press("tab", "ctrl+c")
        hit = app.focused.hit
        assert app.clipboard.startswith(hit.text[:40]) and app.clipboard.endswith(f"chars {hit.start}–{hit.end}")


LONG_ARTICLE = ("Harbour report\n\n"
                + " ".join(f"Representatives of the international maritime administration number {n} "
                           "reconsidered extraordinary infrastructure commitments yesterday." for n in range(1, 9))
                + " The harbourmaster of Zuwara is Idris Bukhari, according to maritime administration officials.\n")


@run_async
async def test_the_answer_sentence_of_a_long_passage_is_on_screen_and_the_card_expands(tmp_path, model, monkeypatch):
    from qa.index.indexer import sync

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "harbour.txt").write_text(LONG_ARTICLE, encoding="utf-8")
    sync(tmp_path / "index", [tmp_path / "a"], embedder=model)
    monkeypatch.chdir(tmp_path)
    app = make_app(tmp_path / "index", model)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = await ask(pilot, "Who is the harbourmaster of Zuwara?")
        card = view.query(HitCard).first()
        hit = card.hit
        sentence = hit.text[hit.highlight_start - hit.start:hit.highlight_end - hit.start]
        assert "Idris Bukhari" in sentence
        assert card.window is not None and not card.window.whole  # too long for the card: cut
        assert squeeze(sentence) in squeeze(screen_text(app))  # yet the answer is on screen
        assert "…" in plain(card.query_one(".passage"))
        why = card.query_one(".why").visual
        count = len(body_sentences(hit))  # the title line is no numbered sentence
        assert count == len(sentence_spans(hit.text)) - 1
        assert f"sentence {count} of {count} highlighted" in why.plain  # the last one
        styled = {why.plain[s.start:s.end] for s in why.spans if WORD_STYLE in str(s.style)}
        assert {"harbourmaster", "Zuwara"} <= styled
        # → (or a click on the "more" line) shows the whole passage in place
        await pilot.press("tab", "right")
        await pilot.pause()
        assert card.window.whole and "…" not in plain(card.query_one(".passage"))
        await pilot.press("left")
        await pilot.pause()
        assert not card.window.whole
        await pilot.click(card.query_one(".more"))
        await pilot.pause()
        assert card.window.whole and app.screen is app.chat  # the click expanded, did not open


@run_async
async def test_a_passage_that_fits_shows_whole(seed_index, model):
    app = make_app(seed_index, model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        for card in view.query(HitCard):
            assert card.window is not None and card.window.whole
            assert plain(card.query_one(".passage")).replace(" \n", "\n\n") == card.hit.text
            assert not card.query_one(".more").display


@run_async
async def test_resizing_keeps_the_latest_answer_in_view(seed_index, model):
    app = make_app(seed_index, model)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        for question in ("Who drove IS out of Derna?", "Was Qumu captured?", "Who commanded the Abu Salim Brigade?",
                         "Who heads Ansar al-Sharia in Derna?"):
            await ask(pilot, question)
        transcript = app.chat.transcript
        for size in ((80, 24), (120, 40), (60, 20), (100, 30)):
            await pilot.resize_terminal(*size)
            for _ in range(5):
                await pilot.pause()
            last = app.chat.query(QuestionMessage).last()
            first_card = app.chat.query(AnswerView).last().query(HitCard).first()
            assert last.region.overlaps(transcript.region), size
            assert first_card.region.overlaps(transcript.region), size
            assert "Who heads Ansar al-Sharia in Derna?" in screen_text(app), size


@run_async
async def test_the_article_view_cites_the_paragraphs_the_card_cites(seed_index, model):
    app = make_app(seed_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        view = await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        cards = list(view.query(HitCard))
        assert any(c.hit.paragraph != c.hit.paragraph_end for c in cards)  # a range to compare
        for index, card in enumerate(cards):
            await pilot.press("tab", *["down"] * index, "enter")
            screen = await opened(pilot)
            where = plain(screen.query_one("#source-where"))
            assert where.endswith(paragraph_range(card.hit)) and paragraph_range(card.hit) in plain(card.query_one(".where"))
            assert [m.id for m in screen.query(".-passage")] == [
                f"p{n}" for n in range(card.hit.paragraph, card.hit.paragraph_end + 1)]
            await pilot.press("escape", "escape")  # back to the chat, then to the box


@run_async
async def test_answer_header_counts_articles_and_not_found_says_what_it_looked_for(seed_index, model):
    app = make_app(seed_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        view = await ask(pilot, "Was Qumu captured?")
        articles = {hit.path for hit in view.answer.hits}
        assert len(articles) == 2
        assert plain(view.query_one(".answer-header")) == f"{len(view.answer.hits)} passages from 2 articles"
        view = await ask(pilot, "What is the capital of Peru?")
        assert not view.answer.answered
        missing = plain(view.query(Notice).last())
        assert "Not found" in missing and "the words capital" in missing and "the names Peru" in missing


@run_async
async def test_documents_view_filters_as_you_type_and_cuts_titles_with_an_ellipsis(seed_index, model):
    app = make_app(seed_index, model)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DocumentsScreen)
        table = screen.query_one("#documents")
        assert table.row_count == 2
        text = screen_text(app)
        assert "…" in text and table.virtual_size.width <= table.size.width  # cut, no sideways scroll
        await type_fast(pilot, "militants derna")
        assert table.row_count == 1 and "1 of 2 indexed documents" in plain(screen.query_one("#documents-title"))
        await pilot.click("#documents")  # the table takes the focus; typing still filters
        await type_fast(pilot, "x")
        assert table.row_count == 0
        await pilot.press("escape")  # clears the filter first
        assert table.row_count == 2 and isinstance(app.screen, DocumentsScreen)
        await type_fast(pilot, "gunmen")
        await pilot.press("enter")
        screen = await opened(pilot)
        assert isinstance(screen, SourceScreen) and screen.doc.title.startswith("Gunmen")
        await pilot.press("escape")
        assert isinstance(app.screen, DocumentsScreen) and table.row_count == 1  # where it was
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, ChatScreen)


@run_async
async def test_copy_says_sent_to_the_terminal_and_how_to_enable_it_under_tmux(seed_index, model, monkeypatch):
    import qa.ui.clipboard as clipboard

    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    monkeypatch.setattr(clipboard, "tmux_clipboard_setting", lambda: "external")
    app = make_app(seed_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        await pilot.press("ctrl+y")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Sent the last answer with its citations to the terminal's clipboard")
                   and "set -g set-clipboard on" in m for m in messages), messages
        assert not any(m.startswith("Copied") for m in messages)


def test_clipboard_note_depends_on_tmux(monkeypatch):
    import qa.ui.clipboard as clipboard

    monkeypatch.setattr(clipboard, "tmux_clipboard_setting", lambda: "on")
    assert "set -g" not in clipboard.clipboard_note({"TMUX": "x"})
    monkeypatch.setattr(clipboard, "tmux_clipboard_setting", lambda: "off")
    assert clipboard.TMUX_HINT == clipboard.clipboard_note({"TMUX": "x"})
    assert "OSC 52" in clipboard.clipboard_note({})


def test_viewer_command_gives_the_line_where_the_program_takes_one(tmp_path):
    from qa.ui.outside import line_of, viewer_command

    assert line_of("a\nb\r\nc\rd", 0) == 1 and line_of("a\nb\r\nc\rd", 5) == 3 and line_of("a\nb\r\nc\rd", 7) == 4
    assert viewer_command("f.txt", 7, {"PAGER": "less -R"}) == ["less", "-R", "+7g", "f.txt"]
    assert viewer_command("f.txt", 7, {"EDITOR": "vim"}) == ["vim", "+7", "f.txt"]
    assert viewer_command("f.txt", 7, {"EDITOR": "hx"}) == ["hx", "f.txt:7"]
    assert viewer_command("f.txt", 7, {"PAGER": "bat"}) == ["bat", "f.txt"]
    assert viewer_command("f.html", 7, {"PAGER": "less"}) == ["less", "f.html"]  # offsets are not lines


@run_async
async def test_a_key_opens_the_file_in_the_pager_and_comes_back_to_the_same_place(seed_index, model, tmp_path,
                                                                                  monkeypatch):
    log = tmp_path / "pager.log"
    (tmp_path / "bin").mkdir()
    pager = tmp_path / "bin" / "less"  # a pager known to take "+LINEg"
    pager.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> {log}\n', encoding="utf-8")
    pager.chmod(pager.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PAGER", str(pager))
    suspended = []
    app = make_app(seed_index, model)

    @contextlib.contextmanager
    def suspend():  # the headless test driver cannot hand over the terminal; a real one does
        suspended.append(True)
        yield

    monkeypatch.setattr(app, "suspend", suspend)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        view = await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
        await pilot.press("tab", "down")
        card, scrolled = app.focused, app.chat.transcript.scroll_y
        hit = card.hit
        await pilot.press("ctrl+e")
        await settle(pilot)
        text = open(hit.path, encoding="utf-8", newline="").read()
        line = text[:hit.start].count("\n") + 1
        assert log.read_text().split() == [f"+{line}g", hit.path] and suspended
        assert app.focused is card and app.chat.transcript.scroll_y == scrolled and app.screen is app.chat
        await pilot.press("enter")
        screen = await opened(pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert log.read_text().split()[-2:] == [f"+{line}g", hit.path] and app.screen is screen


def test_bidi_controls_are_shown_harmlessly_in_the_cli_and_the_ui():
    from qa.render import visible
    from qa.ui.widgets import plain as ui_plain

    title = "Report \u202egnp.exe\u202c and \u2067isolated\u2069 — עברית stays"
    for shown in (visible(title), visible(title, newlines=False), ui_plain(title).plain):
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", shown)
        assert len(shown) == len(title) and "עברית" in shown and shown.count("\ufffd") == 4


@run_async
async def test_the_reindex_message_leaves_no_word_alone_on_a_line_at_100_columns(own_index, model):
    app = make_app(own_index, model)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.pause()
        notice = next(n for n in app.chat.query(Notice) if plain(n).startswith("Reindexed:"))
        lines = [line.plain.strip() for line in notice.visual.wrap(notice.content_size.width)]
        assert len(lines) >= 2 and min(len(line) for line in lines) > 10, lines


def test_the_cli_cites_without_bidi_controls_and_says_what_a_not_found_looked_for(capsys):
    from qa.render import citation, looked_for, print_answer
    from qa.search import Answer, Hit

    hit = Hit(rank=1, passage_id=1, title="Budget \u202etxt.exe\u202c", path="/tmp/a\u2066b\u2069.txt", paragraph=1,
              paragraph_end=2, start=0, end=5, text="Hello", score=0.5, bm25_score=1.0, dense_score=0.5,
              highlight_start=0, highlight_end=5, weak=True)
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", citation(hit)) and "¶ 1–2" in citation(hit)
    assert looked_for("What is the capital of Peru?") == "the words capital and the names Peru"
    assert looked_for("What is it?") == "no key words (only common words)"
    print_answer(Answer("What is the capital of Peru?", False, [hit], "hybrid"))
    out = capsys.readouterr().out
    assert "Looked for the words capital and the names Peru" in out
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", out)


@run_async
async def test_a_resize_while_reading_an_article_keeps_the_card_in_view_on_return(seed_index, model):
    app = make_app(seed_index, model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for question in ("Who drove IS out of Derna?", "Was Qumu captured?", "Who heads Ansar al-Sharia in Derna?"):
            await ask(pilot, question)
        await pilot.press("tab", "down", "down", "enter")
        await opened(pilot)
        card = app.chat.focused
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("escape")
        for _ in range(5):
            await pilot.pause()
        assert app.focused is card
        assert card.region.overlaps(app.chat.transcript.region)


def test_the_more_line_says_what_the_card_leaves_out():
    from qa.ui.widgets import CardText, hidden_sentences

    assert hidden_sentences(CardText(10, 20, 30, 2, 1)) == "2 sentences before and 1 after"
    assert hidden_sentences(CardText(0, 20, 30, 0, 1)) == "1 sentence after"


@run_async
async def test_the_chat_applies_a_filter_prefix_and_says_what_was_corrected(seed_index, model):
    """'until:1999 …' filters the answer (the seeds have no date: nothing passes, and it says why);
    a slip in a question is searched corrected and the answer says what was searched."""
    app = make_app(seed_index, model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = await ask(pilot, "until:1999 Who heads Ansar al-Sharia in Derna?")
        notices = " ".join(plain(n) for n in view.query(Notice))
        assert view.answer.filters is not None and "Filtered:" in notices and "without a known date" in notices
        assert view.answer.hits == []
        view = await ask(pilot, "Who comanded the Abu Salim brigde?")
        notices = " ".join(plain(n) for n in view.query(Notice))
        assert view.answer.corrected and "searched for: " in notices
        assert "Abu Salim" in view.answer.hits[0].text
        card = view.query(HitCard).first()  # its "why" line names the words searched, not the slips
        assert {"command", "brigad"} <= card.terms and not {"comand", "brigd"} & card.terms


@run_async
async def test_the_date_order_toggle_reaches_the_search(seed_index, model):
    app = make_app(seed_index, model)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert (await ask(pilot, "Who heads Ansar al-Sharia in Derna?")).answer.sort == "relevance"
        app.action_toggle_date_order()
        assert (await ask(pilot, "Who heads Ansar al-Sharia in Derna?")).answer.sort == "date"
        app.action_toggle_date_order()
        assert (await ask(pilot, "Who heads Ansar al-Sharia in Derna?")).answer.sort == "relevance"
