"""Every kind of question: an answer or answered:false, or a one-line error; never a traceback.

The CLI runs in-process (cli.main) with the session model standing in for the one it would load,
so the whole list is asked in hybrid mode in a second; one real subprocess checks the same
questions end to end through stdin.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa import cli
from qa.embedding import embedder as embedder_module

from conftest import ROOT

QUESTIONS = {
    "one char": "x",
    "stop words only": "what is the of and it",
    "punctuation only": "?!...",
    "long": ("Who heads Ansar al-Sharia in Derna? " * 300)[:10_000],
    "emoji": "🔥💥 who fought in Derna 🇱🇾?",
    "arabic rtl": "من يقود أنصار الشريعة في درنة؟",
    "hebrew rtl": "מי שולט בדרנה?",
    "mixed rtl": "Who is \u202eanraD\u202c leader \u200f?",
    "control chars": "Derna\x00\x01\x07\x1b[2J\x1b]0;pwned\x07 fighters\x7f",
    "markup": "[bold]Derna[/] [link=file:///etc/passwd]x[/link] [@click=app.quit]q[/]",
    "sql": "'; DROP TABLE passages; -- \" OR 1=1",
    "nothing matches": "zyxwvut qwertyuiop plonk",
    "cjk": "德尔纳 的 领导人 是谁",
    "combining": "Dérna Z̷̢̛a̶l̴g̸o̵ text",
}


@pytest.fixture
def in_process(monkeypatch, model):
    """cli.main with the session model instead of loading another one."""
    monkeypatch.setattr(embedder_module, "Embedder", lambda name=None: model)
    monkeypatch.delenv("QA_MODEL", raising=False)
    return cli.main


def _check_passages(data: dict) -> None:
    assert isinstance(data["answered"], bool)
    for p in data["passages"]:
        text = Path(p["source"]).read_text(encoding="utf-8")  # seeds are UTF-8 with \n
        assert text[p["start"]:p["end"]] == p["text"]
        assert p["start"] <= p["highlight"]["start"] <= p["highlight"]["end"] <= p["end"]


@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
@pytest.mark.parametrize("label", list(QUESTIONS))
def test_odd_questions_answer_or_say_not_found(in_process, seed_index, capsys, label, mode):
    question = QUESTIONS[label]
    assert in_process(["ask", question, "--json", "--mode", mode, "--index", str(seed_index)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out)
    assert data["question"] == question
    _check_passages(data)
    if label == "nothing matches":
        assert data["answered"] is False
    if label == "long" and mode == "bm25":
        assert data["answered"] and "Sufian al Qumu" in data["passages"][0]["text"]


@pytest.mark.parametrize("label", ["control chars", "markup", "mixed rtl"])
def test_odd_questions_print_safely_for_people(in_process, seed_index, capsys, label):
    assert in_process(["ask", QUESTIONS[label], "--index", str(seed_index)]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("Q: ")
    assert "\x1b" not in out and "\x00" not in out and "\x07" not in out  # no raw terminal control codes
    if label == "markup":
        assert "[bold]Derna[/]" in out and "[@click=app.quit]" in out


@pytest.mark.parametrize("question", ["", "   ", "\t\n ", "\u3000\u00a0"])
def test_empty_questions_are_one_line_errors(in_process, seed_index, capsys, question):
    assert in_process(["ask", question, "--index", str(seed_index)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("qa: error:") and "empty" in err


def test_bad_k_is_a_one_line_error(in_process, seed_index, capsys):
    assert in_process(["ask", "Derna", "-k", "0", "--index", str(seed_index)]) == 1
    assert capsys.readouterr().err.startswith("qa: error: -k must be")


def test_odd_questions_through_a_real_process(seed_index, tmp_path):
    """The same questions (those a line of stdin can carry) in one `qa ask -` subprocess."""
    lines = [q for q in QUESTIONS.values() if "\n" not in q and "\x00" not in q]
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    result = subprocess.run([sys.executable, "-m", "qa", "ask", "-", "--json", "--mode", "bm25",
                             "--index", str(seed_index)], input="\n".join(lines) + "\n", cwd=ROOT, env=env,
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == lines
    for data in answers:
        _check_passages(data)
