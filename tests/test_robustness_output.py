"""What qa prints or writes for a person is made harmless (render.visible, applied where text
leaves qa: CLI errors and messages, exports): ESC and OSC 52 (a clipboard write) never reach a
terminal raw, whether they come from a file name, an article or a path the user typed."""

from __future__ import annotations

import sqlite3

from qa import cli
from qa.retrieval.context import Turn
from qa.ui.export import answer_text, conversation_markdown
from qa.index.indexer import sync
from qa.search import Answer, Hit

from robust_util import HashEmbedder, story

OSC52 = "\x1b]52;c;aGVsbG8=\x07"  # "write 'hello' to the clipboard"


def _raw_escapes(text: str) -> bool:
    return "\x1b" in text or "\x07" in text or "\x9b" in text


def test_a_file_name_with_osc52_is_not_printed_raw_in_the_damage_error(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    (src / f"evil{OSC52}.txt").write_text(story(1))
    for n, topic in enumerate(["election", "bridge", "museum"], start=2):
        (src / f"{topic}.txt").write_text(story(n, topic))
    sync(tmp_path / "index", [src], embedder=HashEmbedder())
    with sqlite3.connect(tmp_path / "index" / "qa.sqlite") as conn:
        conn.execute("UPDATE passages SET text = replace(text, 'harbour', 'harbor')")
    code = cli.main(["ask", "What flooded the harbour?", "--index", str(tmp_path / "index"), "--mode", "bm25"])
    err = capsys.readouterr().err
    assert code == 1 and "damaged" in err and "evil" in err
    assert not _raw_escapes(err)


def test_a_typed_path_is_not_echoed_raw(tmp_path, capsys):
    assert cli.main(["ask", "Who?", "--index", str(tmp_path / f"nowhere{OSC52}")]) == 1
    err = capsys.readouterr().err
    assert "nowhere" in err and not _raw_escapes(err)
    assert cli.main(["index", str(tmp_path / f"gone{OSC52}"), "--index", str(tmp_path / "index")]) == 1
    err = capsys.readouterr().err
    assert "gone" in err and not _raw_escapes(err)


def test_exports_keep_no_raw_escape_codes_from_articles():
    text = f"The harbour reopened.{OSC52} Ships \x1b[2Jsailed."
    hit = Hit(1, 1, f"Title{OSC52}", f"/news/a{OSC52}.txt", 1, 1, 0, len(text), text, 1.0, 1.0, 0.9, 0, 21)
    answer = Answer(f"Q{OSC52}?", True, [hit])
    markdown = conversation_markdown([(Turn(answer.question, answer.question), answer)])
    assert "harbour reopened" in markdown and not _raw_escapes(markdown)
    assert not _raw_escapes(answer_text(answer))
