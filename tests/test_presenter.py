"""One presenter (issue 23): `qa ask` and the UI's answer show the same notices, in the same words
and order, as qa/presenter.py lists them; `qa ask --json` carries the same list. Each view's
output is read back by its layout (lines and citation marks in the text; Notice widgets, the
header and the card's lines in the UI) and whatever is not a passage, a title or a citation must
be one of the presenter's notices, so a notice one view adds on its own fails here."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from qa import presenter
from qa.presenter import Notice
from qa.render import byline, paragraph_range, print_answer, visible
from qa.retrieval.context import Turn
from qa.retrieval.filters import make_filters
from qa.retrieval.records import Copy
from qa.search import Answer, Searcher
from qa.ui.widgets import AnswerView, HitCard, answer_header, Notice as NoticeWidget, why_highlighted
from test_ui import run_async

#: (question, search options): a slip corrected, filters (one leaving nothing, one a source and the
#: date order), a question the seeds do not answer, stories that disagree, keywords only
CASES = {
    "corrected": ("Who comanded the Abu Salim brigde?", {}),
    "filtered-out": ("Who heads Ansar al-Sharia in Derna?", {"filters": make_filters(None, "1999", None)}),
    "filtered": ("Who heads Ansar al-Sharia in Derna?", {"filters": make_filters(None, None, "000"), "sort": "date"}),
    "not found": ("What is the capital of Peru?", {}),
    "differ": ("What became of Sufian al Qumu?", {}),
    "keyword": ("Who comanded the Abu Salim brigde?", {"mode": "bm25"}),
}


@pytest.fixture(scope="module")
def answers(stand_in_seed_index) -> dict[str, Answer]:
    from robust_util import HashEmbedder

    searcher = Searcher(stand_in_seed_index)
    try:
        out = {name: searcher.search(q, k=3, embedder=HashEmbedder(), **options) for name, (q, options) in CASES.items()}
    finally:
        searcher.close()
    # a passage's own notices: its file away and changed, its story's copies and support
    hits = out["differ"].hits
    copies = [Copy(f"copies/c{i}.txt", "Copy", "2024-03-0" + str(i + 1)) for i in range(5)]
    marked = [dataclasses.replace(hits[0], available=False, changed=True, duplicates=copies[:2], support=1),
              dataclasses.replace(hits[1], duplicates=copies, support=3)] + hits[2:]
    out["marked"] = dataclasses.replace(out["differ"], hits=marked)
    return out


def test_the_cases_have_the_notices_they_are_for(answers):
    kinds = {name: {n.kind for n in presenter.notices(answer)} for name, answer in answers.items()}
    assert {"corrected"} <= kinds["corrected"] and "mode" not in kinds["corrected"]
    assert {"missing", "filters"} <= kinds["filtered-out"] and not answers["filtered-out"].hits
    assert {"filters", "order"} <= kinds["filtered"]
    assert "missing" in kinds["not found"] and all(h.weak for h in answers["not found"].hits)
    assert "very weak" in {n.text for n in presenter.notices(answers["not found"])}
    assert "differ" in kinds["differ"] and {"mode", "corrected"} <= kinds["keyword"]
    assert "strength" not in kinds["keyword"]  # by keywords only the cue is relative: no word
    assert {"unavailable", "changed", "copies", "support", "strength"} <= kinds["marked"]


def cli_notices(answer: Answer, out: str) -> list[Notice]:
    """The notices the text output shows, read back by its layout: the lines between the question
    and the first citation; on each citation, the marks in parentheses and the word after the
    score; the lines between a citation and its passage."""
    lines = out.splitlines()
    assert lines[0] == f"Q: {answer.question}"
    firsts = [i for i, line in enumerate(lines) if re.match(r"\[\d+\] ", line)] + [len(lines)]
    said = [Notice(kind="?", text=line) for line in lines[1:firsts[0]]]
    for hit, at in zip(answer.hits, firsts):
        head = f"[{hit.rank}] {hit.title} — {hit.source}"
        tail = re.search(r"  \(score \d\.\d{3}(?:, ([a-z ]+))?\)$", lines[at])
        assert lines[at].startswith(head) and tail, lines[at]
        where = lines[at][len(head):tail.start()]
        about = byline(hit.date, hit.author, hit.site)
        page = f"p. {hit.page}, " if hit.page else ""
        core = f", {page}{paragraph_range(hit)}, chars {hit.start}–{hit.end}" + (f" — {about}" if about else "")
        assert where.endswith(core), where
        said += [Notice("?", mark, hit.rank) for mark in re.findall(r" \(([^()]*)\)", where[:-len(core)])]
        said += [Notice("?", tail.group(1), hit.rank)] if tail.group(1) else []
        passage_at = lines.index(visible(hit.text).split("\n")[0], at + 1)
        said += [Notice("?", line, hit.rank) for line in lines[at + 1:passage_at]]
    return said


class Host(App):
    def __init__(self, view: AnswerView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield VerticalScroll(self.view)


async def ui_notices(answer: Answer, query: str) -> list[Notice]:
    """The notices the UI's answer shows, read back by its layout: its Notice widgets, the header
    after its count, and on each card the where line's marks and cue word and the line under it
    after the byline. A card shows nothing else but its title, why, passage and "more" lines."""
    view = AnswerView(Turn(answer.question, query), answer)
    async with Host(view).run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        said = [Notice("?", str(n.visual)) for n in view.query(NoticeWidget)]
        for header in view.query(".answer-header"):
            rest = str(header.visual).removeprefix(answer_header(answer)).removeprefix(", ")
            said += [Notice("?", rest)] if rest else []
        for card in view.query(HitCard):
            hit = card.hit
            texts = {tuple(sorted(s.classes)): str(s.visual) for s in card.children}
            assert set(texts) <= {("title",), ("where",), ("why",), ("passage",), ("more",)}, texts
            lines = [str(s.visual) for s in card.query(".why")]
            assert lines[-1] == str(why_highlighted(hit, card.terms)), lines
            where = texts[("where",)]
            head, page = f"— {hit.source}", f", {'p. %d, ' % hit.page if hit.page else ''}{paragraph_range(hit)}   "
            assert where.startswith(head) and page in where, where
            said += [Notice("?", mark, hit.rank) for mark in re.findall(r" \(([^()]*)\)", where[len(head):where.index(page)])]
            cue = where[where.index(page) + len(page):].strip("▰▱ ")
            said += [Notice("?", cue, hit.rank)] if cue else []
            if len(lines) == 2:
                about = byline(hit.date, hit.author, hit.site)
                parts = lines[0].removeprefix(about).removeprefix(" · ") if about else lines[0]
                said += [Notice("?", part, hit.rank) for part in parts.split(" · ") if part]
    return said


def shown(notices: list[Notice]) -> list[tuple[str, int | None]]:
    return [(n.text, n.rank) for n in notices]


@pytest.mark.parametrize("name", [*CASES, "marked"])
def test_the_cli_and_the_ui_show_the_same_notices_in_the_same_words(answers, name, capsys):
    answer = answers[name]
    expected = shown(presenter.notices(answer))
    print_answer(answer)
    assert shown(cli_notices(answer, capsys.readouterr().out)) == expected
    assert shown(run_async(ui_notices)(answer, answer.question)) == expected


def test_piped_answers_are_the_characters_rich_prints(answers, capsys):
    """`qa ask -` piped writes an answer's lines without rich's rendering: the same bytes, a
    passage with a tab or a carriage return (which rich rewrites) printed by rich itself."""
    from qa.render import answer_lines, console

    hit = answers["differ"].hits[0]
    rewritten = dataclasses.replace(answers["differ"], hits=[dataclasses.replace(hit, text=hit.text.replace(" ", "\t", 2))])
    for answer in [*answers.values(), rewritten]:
        print_answer(answer)
        fast = capsys.readouterr().out
        for line in answer_lines(answer):
            console().print(line.rich())
        assert fast == capsys.readouterr().out


def test_visible_text_is_what_rich_keeps_of_it():
    """A text visible() makes harmless is kept whole by rich (the piped answer writes it without
    making a Text), and a text with nothing to make harmless comes back as it is, each control
    character, bidi control and line end beside plain words changed as the mapping says."""
    from qa.render import BIDI_CONTROLS, Line, visible

    for code in [*range(0, 160), *BIDI_CONTROLS, 0x2028, 0xFFFD]:
        text = f"a{chr(code)}b\r\nc"
        for newlines in (True, False):
            shown = visible(text, newlines)
            assert Line(shown).rich().plain == shown
            if code < 32 or 127 <= code < 160 or code in BIDI_CONTROLS:
                assert shown[1] != chr(code) or (newlines and code in (9, 10)), (code, newlines)
            else:
                assert shown[1] == chr(code)
    assert visible("plain words") == "plain words" and visible("a\rb") == "a\nb"
    assert visible("a\tb\nc", newlines=False) == "a b c"


def test_the_json_carries_the_same_notices(stand_in_seed_index, run_qa):
    result = run_qa("ask", "--index", str(stand_in_seed_index), "--mode", "bm25", "--json", "-k", "2",
                    "Who comanded the Abu Salim brigde?")
    data = json.loads(result.stdout)
    assert {"question", "answered", "corrected", "passages"} <= set(data)  # nothing renamed
    assert [n["kind"] for n in data["notices"]] == ["corrected", "mode"]
    assert data["notices"][0] == {"kind": "corrected", "text": "searched for: commanded, brigade", "rank": None}


@pytest.mark.parametrize("name", [*CASES, "marked"])
def test_the_exports_say_the_answers_notices_in_the_same_words(answers, name):
    """The clipboard's answer and the Markdown export (qa/ui/export.py) word the answer's notices
    as the chat did, and the Markdown its passages' lines too."""
    from qa.ui.export import answer_text, conversation_markdown

    answer = answers[name]
    markdown = conversation_markdown([(Turn(answer.question, answer.question), answer)])
    clipboard = answer_text(answer)
    for notice in presenter.notices(answer):
        if notice.rank is None:
            assert f"*{notice.text}*" in markdown and f"\n{notice.text}\n" in clipboard, notice
        elif notice.kind in presenter.LINE_KINDS:
            assert f"\n{notice.text}\n" in markdown, notice
        elif notice.kind in presenter.MARK_KINDS:
            assert f"({notice.text})" in markdown and f"({notice.text})" in clipboard, notice
