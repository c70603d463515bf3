"""What a fourth new user met on 2026-12-07 (BENCHMARKS.md "Reliability / A new user's session,
fourth pass"): scripts and pipes, locales, models, folders as found on a reporter's drive. Each
test failed on the code before its fix. Keyword search or the stand-in embedder: the model is
not the point (except where the model's name is)."""

from __future__ import annotations

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
@pytest.mark.parametrize("command", [["docs"], ["sources", "--json"], ["ask", "--mode", "bm25", QUESTIONS[0]]])
def test_output_to_a_full_disk_is_one_line(built, command):
    """`qa docs > /dev/full` (a full disk): `qa: unexpected error: OSError: [Errno 28] ... (set
    QA_DEBUG=1 for the traceback)`, or for a short output nothing at all and exit 0."""
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
