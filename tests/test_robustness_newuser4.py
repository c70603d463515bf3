"""What a fourth new user met on 2026-12-07 (BENCHMARKS.md "Reliability / A new user's session,
fourth pass"): scripts and pipes, locales, models, folders as found on a reporter's drive. Each
test failed on the code before its fix. Keyword search or the stand-in embedder: the model is
not the point (except where the model's name is)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from cli_util import ROOT, qa

QUESTIONS = ["Who heads Ansar al-Sharia in Derna?", "Wer führt die Brigade in Zürich?", "Was he killed?"]


def _qa_process(index, *args: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "qa", *args, "--index", str(index)], env=env, **kwargs)


def test_a_pipe_closed_early_exits_as_a_unix_tool(built):
    """`qa ask --json - < q.txt | head -c 100`: the reader went away; qa exited 1 (a failure to
    `set -o pipefail` scripts that expect a tool in a pipe to die of SIGPIPE, 141, as `yes | head` does)."""
    index, _ = built
    proc = _qa_process(index, "ask", "--json", "--mode", "bm25", "-", stdin=subprocess.PIPE,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(("\n".join(QUESTIONS * 200) + "\n").encode())  # far more than a pipe holds
    proc.stdin.close()
    assert proc.stdout.read(100).startswith(b'{"question"')
    proc.stdout.close()
    assert proc.wait(timeout=120) == 141
    assert proc.stderr.read() == b""  # no traceback, no "Exception ignored"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
@pytest.mark.parametrize("command", [["docs"], ["sources", "--json"], ["ask", "--mode", "bm25", QUESTIONS[0]],
                                     ["ask", "--help"]])
def test_output_to_a_full_disk_is_one_line(built, command):
    """`qa docs > /dev/full` (a full disk): `qa: unexpected error: OSError: [Errno 28] ... (set
    QA_DEBUG=1 for the traceback)`, or for a short output nothing at all and exit 0; `--help`:
    nothing and exit 0 (argparse drops the write error)."""
    index, _ = built
    with open("/dev/full", "w") as full:
        proc = _qa_process(index, *command, stdout=full, stderr=subprocess.PIPE, text=True)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert err.splitlines() == ["qa: error: could not write the output (No space left on device); "
                                "free space where it goes, or send it elsewhere"], err


@pytest.mark.parametrize("command, said", [(["ask", "-"], "standard input is closed"),
                                           ([], "the UI needs a terminal")])
def test_a_closed_stdin_is_one_line(built, command, said):
    """`qa ask - <&-` (a cron job, a daemon's child): `unexpected error: AttributeError: 'NoneType'
    object has no attribute 'buffer'`; `qa <&-`: `... has no attribute 'isatty'`."""
    index, _ = built
    proc = _qa_process(index, *command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       preexec_fn=lambda: os.close(0))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and out == ""
    assert len(err.splitlines()) == 1 and said in err and "unexpected" not in err, err


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_question_file_is_read_as_text(built, run_qa, codec):
    """A question file saved as UTF-16 (Windows editors, PowerShell's `>`), CRLF line ends: each
    byte pair's NUL was part of the "question" (`"\\u0000w\\u0000h..."`), every line unanswered."""
    index, _ = built
    data = "\r\n".join(QUESTIONS).encode(codec)
    result = run_qa("ask", "-", "--json", "--mode", "bm25", "--index", str(index), stdin=data)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["question"] for line in result.stdout.splitlines()] == QUESTIONS


def test_a_latin1_question_file_is_still_read(built, run_qa):
    """The latin-1 case that worked before stays so (the UTF-16 check reads the first bytes)."""
    index, _ = built
    result = run_qa("ask", "-", "--json", "--mode", "bm25", "--index", str(index),
                    stdin="\n".join(QUESTIONS).encode("latin-1"))
    assert [json.loads(line)["question"] for line in result.stdout.splitlines()] == QUESTIONS


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_narrow_stdout_encoding_prints_and_keeps_json_whole(built, encoding):
    """stdout in ASCII (`LC_ALL=C` with Python's UTF-8 mode off, `PYTHONIOENCODING=ascii`) or
    latin-1: `qa ask "Wer führt ..."` ended in `unexpected error: UnicodeEncodeError`, and the
    latin-1 JSON was not UTF-8 (jq showed �). Text gets `?`, JSON is ASCII with escapes."""
    index, _ = built
    env = {"PYTHONIOENCODING": encoding, "LC_ALL": "C", "PYTHONUTF8": "0"}
    text = qa("ask", QUESTIONS[1], "--mode", "bm25", "--index", str(index), cwd=index.parent, env=env, input=b"")
    assert text.returncode == 0 and text.stderr == b"", text.stderr
    assert text.stdout.decode(encoding).startswith("Q: Wer f")
    as_json = qa("ask", QUESTIONS[1], "--json", "--mode", "bm25", "--index", str(index), cwd=index.parent,
                 env=env, input=b"")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout.decode("utf-8"))["question"] == QUESTIONS[1]
    assert as_json.stdout.isascii()


def test_a_model_name_not_installed_is_one_line_before_anything_is_made(tmp_path, run_qa, monkeypatch):
    """`qa index SRC --model org/not-installed`: torch was imported (~20 s), then the hub client's
    "We couldn't connect to 'https://huggingface.co' ..." (offline, so nothing was downloaded,
    but it reads as a failed download), and the new index folder was left with SRC recorded and
    nothing indexed (`qa ask` then said "an interrupted first qa index?")."""
    from conftest import SEEDS

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))  # an empty cache
    index = tmp_path / "index"
    result = run_qa("index", str(SEEDS), "--model", "someone/not-installed", "--index", str(index))
    assert result.returncode == 1
    assert result.stderr.startswith("qa: error: the model 'someone/not-installed' is not installed: ")
    assert "qa never downloads a model" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not index.exists()


def test_a_model_in_the_hugging_face_cache_is_still_taken(tmp_path, monkeypatch):
    """The check above must not refuse a model the cache holds (sentence-transformers loads it offline)."""
    from qa.embedding.embedder import resolve_model

    snapshot = tmp_path / "models--someone--cached-model" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (tmp_path / "models--someone--cached-model" / "refs").mkdir()
    (tmp_path / "models--someone--cached-model" / "refs" / "main").write_text("abc123")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path))
    assert resolve_model("someone/cached-model") == "someone/cached-model"


def test_the_index_model_folder_moved_away_says_what_to_do(tmp_path, run_qa, stand_in):
    """An index built with `--model /path/to/a/copy` whose folder was moved since: `qa ask` and a
    `qa index` with a new article said `no model folder at ...; give --model a ... folder`, but
    `qa ask --model` only checks, and `qa index --model` rebuilds everything."""
    from qa.index.indexer import sync
    from conftest import SEEDS

    model = tmp_path / "models" / "minilm-copy"
    src, index = tmp_path / "src", tmp_path / "index"
    src.mkdir()
    (src / "a.txt").write_text((SEEDS / sorted(os.listdir(SEEDS))[0]).read_text())
    sync(index, [src], model=str(model), embedder=stand_in)  # the folder is gone by now (never made)
    advice = (f"qa: error: the index's model {model} is not on this machine now (no folder there); put it back, "
              "ask by keywords with: qa ask --mode bm25 QUESTION, or rebuild the index with another (every "
              "passage embedded again): qa index --rebuild --model all-MiniLM-L6-v2\n")
    asked = run_qa("ask", "Who heads Ansar al-Sharia?", "--index", str(index))
    assert (asked.returncode, asked.stderr) == (1, advice)
    assert run_qa("ask", "Who heads Ansar al-Sharia?", "--mode", "bm25", "--index", str(index)).returncode == 0
    (src / "b.txt").write_text("Harbour reopens\n\nThe harbour of Derna reopened on Monday after repairs.\n")
    synced = run_qa("index", "--index", str(index))
    assert (synced.returncode, synced.stderr) == (1, advice)


def test_a_renamed_or_moved_article_is_not_embedded_again(tmp_path, stand_in):
    """`mv 011.txt 011.TXT` (a case-only rename), a subfolder renamed (the old name's documents are
    kept as away) and a copy: each was embedded again as a new file, minutes for a reorganised
    folder of articles. An indexed document with the same content now lends its vectors."""
    from qa.index.indexer import sync
    from conftest import SEEDS

    src, index = tmp_path / "src", tmp_path / "index"
    (src / "desk").mkdir(parents=True)
    seeds = sorted(p for p in SEEDS.iterdir() if p.suffix == ".txt")
    (src / "desk" / "a.txt").write_text(seeds[0].read_text())
    (src / "b.txt").write_text(seeds[1].read_text())
    first = sync(index, [src], embedder=stand_in)
    assert first.embedded > 0
    (src / "b.txt").rename(src / "B.TXT")
    (src / "desk").rename(src / "Desk")
    (src / "copy.txt").write_text(seeds[1].read_text())
    again = sync(index, embedder=stand_in)
    assert (again.added, again.embedded) == (3, 0), again.as_json()
    (src / "new.txt").write_text("Harbour reopens\n\nThe harbour of Derna reopened on Monday after repairs.\n")
    assert sync(index, embedder=stand_in).embedded > 0  # new text is still embedded
    from cli_util import check

    assert check(index)[1]["whole"]


class _Tty(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


def test_the_ui_under_lc_all_c_draws_in_utf8(monkeypatch):
    """`LC_ALL=C qa` with Python's UTF-8 mode off: Textual draws through stderr, ASCII with
    backslash escapes, so every box line read `\\u258a\\u2594\\u2594...` and the layout broke.
    The UI's streams are UTF-8 whatever the locale."""
    from qa import cli

    err = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="backslashreplace")
    monkeypatch.setattr(sys, "__stderr__", err)
    monkeypatch.setattr(sys, "stdin", _Tty(io.BytesIO(), encoding="ascii"))
    monkeypatch.setattr(sys, "stdout", _Tty(io.BytesIO(), encoding="ascii"))

    def draw(index_dir) -> int:
        sys.__stderr__.write("\u258a\u2594 Zürich")
        sys.__stderr__.flush()
        return 0

    monkeypatch.setattr("qa.ui.run", draw)
    assert cli.main([]) == 0
    assert err.buffer.getvalue() == "\u258a\u2594 Zürich".encode()


def test_a_broken_link_is_named_as_such(tmp_path, stand_in):
    """A link left by a moved file was reported by its target's name (`skipped .../gone.txt:
    cannot read: No such file or directory`, a file the user never had), a link to a folder that
    went away as `unsupported file type (no extension)`."""
    from qa.index.indexer import sync
    from conftest import SEEDS

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(sorted(SEEDS.glob("*.txt"))[0].read_text())
    (src / "dangling.txt").symlink_to(src / "gone.txt")
    (src / "old-desk").symlink_to(tmp_path / "nowhere")
    (src / "loop.txt").symlink_to(src / "loop.txt")
    report = sync(tmp_path / "index", [src], embedder=stand_in)
    assert report.added == 1
    assert report.skipped_files == {
        str(src / "dangling.txt"): f"broken symbolic link (to {src / 'gone.txt'}: not there, or a loop of links)",
        str(src / "old-desk"): f"broken symbolic link (to {tmp_path / 'nowhere'}: not there, or a loop of links)",
        str(src / "loop.txt"): f"broken symbolic link (to {src / 'loop.txt'}: not there, or a loop of links)"}


def test_a_terminal_without_styles_still_shows_which_sentence_answers(built, run_qa, monkeypatch):
    """`TERM=dumb` (Emacs' M-x shell): rich writes no styles there, so the highlighted sentence
    (bold, reversed) looked like every other: nothing said which sentence answers."""
    from rich.console import Console
    from qa import render

    index, _ = built
    shown = io.StringIO()
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setattr(render, "_console", Console(file=shown, force_terminal=True, highlight=False, width=100))
    result = run_qa("ask", "Who heads Ansar al-Sharia in Derna?", "-k", "1", "--mode", "bm25", "--index", str(index))
    assert result.returncode == 0
    hit = json.loads(run_qa("ask", "Who heads Ansar al-Sharia in Derna?", "-k", "1", "--mode", "bm25", "--json",
                            "--index", str(index)).stdout)["passages"][0]
    sentence = hit["text"][hit["highlight"]["start"] - hit["start"]:hit["highlight"]["end"] - hit["start"]]
    assert "\x1b[" not in shown.getvalue()
    assert "**" + sentence.split()[0] in shown.getvalue().replace("\n", " ")
    assert sentence.split()[-1] + "**" in shown.getvalue().replace("\n", " ")


def test_a_name_typed_without_its_accents_finds_the_article(built, run_qa, stand_in):
    """"who is the mayor of Zurich" on a keyboard without "ü": "Zurich" (an English word, so no
    slip to correct) matched nothing of an article that writes "Zürich" ("Not found", the article
    only by its other words). A name's other spellings now include its accented forms."""
    from qa.index.indexer import sync

    index, src = built
    (src / "zurich.txt").write_text("Café owner wins award\n\nThe café owner Renée Müller, 54, won the "
                                    "Städtepreis on Tuesday. The prize was handed over in Zürich by the mayor, "
                                    "Corine Mauch.\n", encoding="utf-8")
    sync(index, embedder=stand_in)
    for question in ("Where is Zurich?", "Who is Muller?", "Who won the Stadtepreis?"):
        answer = json.loads(run_qa("ask", question, "--json", "--mode", "bm25", "-k", "1", "--index", str(index)).stdout)
        assert answer["passages"] and answer["passages"][0]["source"].endswith("zurich.txt"), (question, answer)


def test_an_export_that_cannot_be_written_says_where_to_point_it(built, monkeypatch, tmp_path):
    """Ctrl+S with a read-only home: `Could not write .../qa-conversation-....md: Permission denied`
    and no way out said. The data folder is a file here (it cannot be made, even as root)."""
    from test_robustness_newuser3 import _stand_in_app
    from test_ui import ask, run_async, settle

    index, _ = built

    @run_async
    async def session():
        app = _stand_in_app(index, monkeypatch, tmp_path)
        (tmp_path / "data").write_text("not a folder")  # XDG_DATA_HOME, as _stand_in_app sets it
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await ask(pilot, "Who heads Ansar al-Sharia in Derna?")
            await pilot.press("ctrl+s")
            await settle(pilot)
            said = [n.message for n in app._notifications]
            assert any(m.startswith("Could not write") and m.endswith(
                "set XDG_DATA_HOME to a writable folder (exports go to $XDG_DATA_HOME/qa/exports)") for m in said), said

    session()


def test_app_py_help_names_the_index_it_opens(tmp_path):
    """`python app.py --help` from another folder said `default: $QA_INDEX or ./index`: the working
    folder's, which it never opens (README: the checkout's index/, whatever the working folder)."""
    env = {k: v for k, v in os.environ.items() if k != "QA_INDEX"}
    shown = subprocess.run([sys.executable, str(ROOT / "app.py"), "--help"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0
    assert "./index" not in shown.stdout and "checkout's index/" in " ".join(shown.stdout.split()), shown.stdout


def test_a_relative_xdg_cache_home_is_ignored(tmp_path, monkeypatch):
    """`XDG_CACHE_HOME=.cache qa ask ...` run in a folder of articles put the model's export and
    the UI's error log under that folder (the XDG spec: a relative path is ignored), as the data
    folder already did for a relative XDG_DATA_HOME."""
    from qa.locations import cache_dir

    monkeypatch.delenv("QA_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", ".cache")
    assert cache_dir() == tmp_path / "home" / ".cache" / "qa"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "qa"


def test_stdin_without_line_ends_is_refused_not_read_into_memory(built, run_qa):
    """`qa ask - < /dev/zero` (a device or binary file given by mistake): one endless "line", read
    until memory ran out (`MemoryError` under a 3 GB limit, the OOM killer without one). A line
    over streams.MAX_LINE is an error; the questions before it are answered."""
    index, _ = built
    data = (QUESTIONS[0] + "\n").encode() + b"\0" * 1_000_010  # streams.MAX_LINE and a few
    result = run_qa("ask", "-", "--json", "--mode", "bm25", "--index", str(index), stdin=data)
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("question") for o in out] == [QUESTIONS[0], None], out
    assert out[1]["error"].startswith("a line of the input is longer")  # --json: the error as JSON (sixth pass)
    assert result.stderr.startswith("qa: error: a line of the input is longer than 1,000,000 characters")


def test_a_linked_folder_outside_the_sources_says_how_to_index_it(tmp_path, stand_in):
    """`~/articles/archive -> /media/drive/archive`: "symbolic link to a folder, not followed", and
    nothing said of how to get its articles in. Now the command; a link back inside is as before."""
    from qa.index.indexer import sync
    from conftest import SEEDS

    src, outside = tmp_path / "src", tmp_path / "drive" / "archive"
    src.mkdir()
    outside.mkdir(parents=True)
    (outside / "a.txt").write_text(sorted(SEEDS.glob("*.txt"))[0].read_text())
    (src / "b.txt").write_text(sorted(SEEDS.glob("*.txt"))[1].read_text())
    (src / "archive").symlink_to(outside)
    (src / "again").symlink_to(src)
    report = sync(tmp_path / "index", [src], embedder=stand_in)
    assert report.skipped_files == {
        str(src / "archive"): f"symbolic link to a folder, not followed; to index it: qa index {outside}",
        str(src / "again"): "symbolic link to a folder, not followed"}
    assert sync(tmp_path / "index", [outside], embedder=stand_in).added == 1


def test_an_index_path_that_is_a_file_is_said_so(built, run_qa, tmp_path):
    """`--index INDEX/qa.sqlite` (the database given for its folder) or a file typed by mistake:
    `no index in .../qa.sqlite/; build one with: qa index PATH`, and `qa index` then said `cannot
    create the index folder ...: File exists`."""
    index, src = built
    database = index / "qa.sqlite"
    for command in (["ask", "Who heads Ansar al-Sharia?", "--mode", "bm25"], ["docs"], ["sources"], ["index"]):
        result = run_qa(*command, "--index", str(database))
        assert (result.returncode, result.stderr) == (
            1, f"qa: error: {database} is a file, not an index folder; give --index the folder of an index: "
               f"--index {index}\n"), (command, result.stderr)
    typo = tmp_path / "notes.txt"
    typo.write_text("x")
    result = run_qa("index", str(src), "--index", str(typo))
    assert result.stderr == f"qa: error: {typo} is a file, not an index folder; give --index the folder of an index\n"


def test_an_ascii_locale_reads_the_indexed_names(tmp_path, stand_in):
    """`LC_ALL=C PYTHONUTF8=0` (the file system encoding ASCII): `qa index` and `qa ask` ended in `unexpected error: UnicodeEncodeError: 'ascii' codec can't encode character
    '\\xdc'` at the first stat of "Über das Netz.txt". qa runs itself again in UTF-8 mode."""
    from qa.index.indexer import sync
    from conftest import SEEDS

    src, index = tmp_path / "src", tmp_path / "index"
    src.mkdir()
    (src / "Über das Netz – café.txt").write_text(sorted(SEEDS.glob("*.txt"))[0].read_text())
    sync(index, [src], embedder=stand_in)
    env = {"LC_ALL": "C", "PYTHONUTF8": "0"}
    synced = qa("index", "--index", str(index), cwd=tmp_path, env=env, input=b"")
    assert synced.returncode == 0 and b"1 unchanged" in synced.stdout, synced.stderr
    asked = qa("ask", QUESTIONS[0], "--json", "--mode", "bm25", "--index", str(index), cwd=tmp_path, env=env, input=b"")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["passages"][0]["source"].endswith("Über das Netz – café.txt")
