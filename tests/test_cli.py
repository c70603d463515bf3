"""The command line as scripts use it: JSON contracts, stdin questions, one-line errors. Commands
run in this process (tests/cli_util.py); the entry point itself once as a subprocess."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli_util import Cli, Result, one_line_error
from cli_util import qa as qa_process
from conftest import ROOT


@pytest.fixture
def qa(run_qa: Cli):
    """qa's main in this process, in cwd, on cwd's index/ (the default is no longer the working
    directory's): qa("ask", "...", cwd=workdir, stdin=...)."""
    def run(*args: str, cwd: Path, stdin: str | bytes | None = None) -> Result:
        return run_qa(*args, cwd=cwd, env={"QA_INDEX": str(cwd / "index")}, stdin=stdin)
    return run


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, seed_index, fast_model) -> Path:
    """A working directory with seeds/ and index/ (copied from the session's seed index).
    fast_model: the model's export is in the session's cache, so `qa ask` does not import torch
    to make it."""
    work = tmp_path_factory.mktemp("work")
    shutil.copytree(ROOT / "seeds", work / "seeds")
    shutil.copytree(seed_index, work / "index")
    return work


def test_ask_json_contract(workdir, qa):
    result = qa("ask", "Who heads Ansar al-Sharia in Derna?", "--json", "-k", "2", cwd=workdir)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["question"] == "Who heads Ansar al-Sharia in Derna?" and data["answered"] is True
    assert [p["rank"] for p in data["passages"]] == [1, 2]
    for p in data["passages"]:
        for key in ("rank", "title", "source", "paragraph", "start", "end", "text", "score", "highlight"):
            assert key in p
        text = open(workdir / p["source"], encoding="utf-8", newline="").read()
        assert text[p["start"]:p["end"]] == p["text"]
        assert p["start"] <= p["highlight"]["start"] < p["highlight"]["end"] <= p["end"]
    assert "Sufian al Qumu" in data["passages"][0]["text"]


def test_ask_reads_questions_from_stdin(workdir, qa):
    result = qa("ask", "-", "--json", "--mode", "bm25", cwd=workdir,
                stdin="Who heads Ansar al-Sharia in Derna?\n\nWho drove IS out of Derna?\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["question"] for d in lines] == ["Who heads Ansar al-Sharia in Derna?", "Who drove IS out of Derna?"]


def test_ask_prints_citation_for_people(workdir, qa):
    result = qa("ask", "Who heads Ansar al-Sharia in Derna?", "--mode", "bm25", cwd=workdir)
    assert result.returncode == 0
    assert "[1] " in result.stdout and "seeds/000_cd1c624dfe4b4cd0.txt, ¶ " in result.stdout
    assert "Sufian al Qumu" in result.stdout


def test_missing_index_is_one_line_with_next_step(tmp_path, qa):
    one_line_error(qa("ask", "anything", cwd=tmp_path), "no index", "qa index")


def test_an_article_folder_given_for_the_index_is_said_so(tmp_path, qa):
    """`qa ask --index ~/articles`: the articles' folder given for the index's. "no index in
    ~/articles/; build one with: qa index PATH" did not say what --index names (newuser6)."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "story.txt").write_text("Kestrel Foods profits rise\n\nProfits rose.\n", encoding="utf-8")
    for command in (["ask", "Who?"], ["docs"]):
        result = qa(*command, "--index", str(articles), cwd=tmp_path)
        one_line_error(result, "holds articles", f"qa index {articles}")


@pytest.mark.parametrize("flag,value", [("--until", "0000"), ("--since", "last tuesday"),
                                        ("--since", "1987-13-01")])
def test_a_date_that_is_no_date_is_one_line_naming_the_forms(tmp_path, flag, value, qa):
    one_line_error(qa("ask", "Who?", flag, value, cwd=tmp_path), value, "2024-03-12")


def test_empty_question_is_one_line(workdir, qa):
    one_line_error(qa("ask", "  ", cwd=workdir), "empty")


def test_unknown_path_is_one_line(tmp_path, qa):
    one_line_error(qa("index", "no/such/folder", "--index", str(tmp_path / "ix"), cwd=tmp_path), "no such file")


def test_corrupt_database_is_one_line(tmp_path, workdir, qa):
    broken = tmp_path / "index"
    shutil.copytree(workdir / "index", broken)
    (broken / "qa.sqlite").write_bytes(b"this is not a database" * 100)
    one_line_error(qa("ask", "Derna?", "--index", str(broken), cwd=tmp_path), "damaged", "--rebuild")


def test_corrupt_vector_file_is_one_line(tmp_path, workdir, qa):
    broken = tmp_path / "broken-index"  # not the QA_INDEX the helper sets: the advice names it
    shutil.copytree(workdir / "index", broken)
    for path in broken.glob("vectors.*.faiss"):
        path.write_bytes(path.read_bytes()[:100])
    one_line_error(qa("ask", "Derna?", "--index", str(broken), "--mode", "bm25", cwd=tmp_path), "damaged",
                    "vectors.1.faiss", f"repair with: qa index --index {broken}")


def test_model_mismatch_is_one_line(workdir, qa):
    one_line_error(qa("ask", "Derna?", "--model", "some/other-model", "--mode", "bm25", cwd=workdir),
                    "all-MiniLM-L6-v2", "--rebuild")


def test_docs_lists_documents(workdir, qa):
    result = qa("docs", "--json", cwd=workdir)
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(Path(d["source"]).name for d in docs) == ["000_cd1c624dfe4b4cd0.txt", "002_0e2a9cc3038cee0a.txt"]
    assert all(d["passages"] > 0 for d in docs)


def test_help_explains_commands(tmp_path):
    """`python -m qa`, the entry point itself, as a subprocess."""
    result = qa_process("--help", cwd=tmp_path)
    assert result.returncode == 0
    for word in ("index", "ask", "docs", "examples:"):
        assert word in result.stdout


def test_index_flag_also_before_the_command(tmp_path, workdir, qa):
    result = qa("--index", str(workdir / "index"), "docs", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    one_line_error(qa("--index", str(tmp_path / "none"), "docs", cwd=tmp_path), "no index", str(tmp_path / "none"))


def test_stdin_questions_in_a_legacy_encoding_are_all_answered(workdir, qa):
    """A cp1252 line (bytes that are not UTF-8) between good ones: every line gets its answer."""
    lines = ["Who heads Ansar al-Sharia in Derna?".encode(), "Qui a été capturé à Derna ?".encode("cp1252"),
             b"Was Sufian bin Qumu a \x93prisoner\x94 at Guantanamo?", "What did Microsoft warn?".encode()]
    result = qa("ask", "-", "--json", cwd=workdir, stdin=b"\n".join(lines) + b"\n")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == ["Who heads Ansar al-Sharia in Derna?", "Qui a été capturé à Derna ?",
                                                "Was Sufian bin Qumu a \u201cprisoner\u201d at Guantanamo?",
                                                "What did Microsoft warn?"]


def test_json_names_the_encoding_its_offsets_are_into(tmp_path, stand_in, run_qa):
    """A script checks a citation by opening the file as `encoding` says: a cp1252 file's "é"
    and a UTF-8 file's BOM would otherwise shift or break every offset after them."""
    from qa.index.indexer import sync

    src = tmp_path / "articles"
    src.mkdir()
    (src / "legacy.txt").write_bytes(("Café news\n\nCafé owners in Lyon said prices rose sharply.\n\n"
                                      "The harbour bridge at Nîmes collapsed after the storm, the mayor said.\n"
                                      ).encode("cp1252"))
    (src / "bom.txt").write_bytes(("\ufeffFerry news\n\nTromsø’s ferry was late again on Monday.\n\n"
                                   "The ferry captain blamed fog over the fjord for the delay.\n").encode("utf-8"))
    for i, topic in enumerate(("wheat prices", "a chess final", "the school budget", "rail strikes")):
        (src / f"other{i}.txt").write_text(f"News {i}\n\nA report on {topic} was published on Tuesday.\n")
    index = tmp_path / "index"
    sync(index, [src], embedder=stand_in)

    for question, encoding, word in (("harbour bridge Nîmes collapsed", "cp1252", "collapsed"),
                                     ("ferry captain blamed fog fjord", "utf-8-sig", "fog")):
        result = run_qa("ask", question, "--mode", "bm25", "--json", "--index", str(index), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        top = json.loads(result.stdout)["passages"][0]
        assert top["encoding"] == encoding
        with open(tmp_path / top["source"], encoding=top["encoding"], newline="") as f:
            text = f.read()
        assert text[top["start"]:top["end"]] == top["text"]
        assert word in text[top["highlight"]["start"]:top["highlight"]["end"]]
