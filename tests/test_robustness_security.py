"""Nothing read from an index can run code; sources never leak out of the user's folders through
symbolic links unannounced; markup and escape codes from articles print as plain characters."""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from qa import render
from qa.index.indexer import sync
from qa.search import Answer, Hit
from qa.ingest.sources import scan

from conftest import ROOT
from robust_util import HashEmbedder, passage_texts

# Imports and calls that can execute code or unpickle objects from bytes on disk.
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "joblib", "marshal", "shelve", "cloudpickle"}
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_ATTRIBUTES = {("torch", "load"), ("np", "load"), ("numpy", "load"), ("pd", "read_pickle"),
                        ("pandas", "read_pickle"), ("yaml", "load"), ("yaml", "unsafe_load")}
CODE_FILES = sorted((ROOT / "qa").rglob("*.py")) + [ROOT / "app.py"]


def forbidden(source: str) -> list[str]:
    """What in the source could run code from data: imports, builtin calls, loaders, allow_pickle."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
            found.append(node.module)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_BUILTINS:
                found.append(func.id)
            pickle_off = any(k.arg == "allow_pickle" and isinstance(k.value, ast.Constant) and k.value.value is False
                             for k in node.keywords)
            if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                    and (func.value.id, func.attr) in FORBIDDEN_ATTRIBUTES
                    and not (func.attr == "load" and func.value.id in ("np", "numpy") and pickle_off)):
                found.append(f"{func.value.id}.{func.attr}")
            found += [k.arg for k in node.keywords if k.arg == "allow_pickle" and not pickle_off]
    return found


@pytest.mark.parametrize("path", CODE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_execution_from_index_data(path):
    assert forbidden(path.read_text()) == []


def test_the_guard_catches_what_it_looks_for():
    bad = ("import pickle\nfrom joblib import load\nx = torch.load(p)\ny = eval(s)\nnp.load(f, allow_pickle=True)\n"
           "np.load(f)\n")
    assert forbidden(bad) == ["pickle", "joblib", "torch.load", "eval", "np.load", "allow_pickle", "np.load"]
    # numpy's loader with pickles explicitly refused reads plain arrays only
    assert forbidden("re.compile('x')\nself.evaluate(x)\nfaiss.read_index(p)\nnp.load(f, allow_pickle=False)\n") == []


def test_index_files_are_sqlite_and_faiss_only(stand_in_seed_index):
    """What the index folder holds and how each is read: no format that can carry code."""
    for path in stand_in_seed_index.iterdir():
        head = path.read_bytes()[:16]
        if path.name == "qa.sqlite":
            assert head.startswith(b"SQLite format 3")
        elif path.suffix == ".faiss":
            assert head[:4] == b"IxM2"  # faiss IndexIDMap2, read by faiss.read_index
        elif path.suffix == ".npz":
            assert head[:4] == b"PK\x03\x04"  # numpy arrays in a zip, read with allow_pickle=False
            with np.load(path, allow_pickle=False) as arrays:
                assert all(arrays[name].dtype != object for name in arrays.files)
        elif path.name == "checked.json":  # the last whole sync's note of the database (qa/index/inspection.py)
            mark = json.loads(path.read_text())
            assert set(mark) == {"generation", "database"} and all(isinstance(v, int) for v in mark["database"])
        elif path.name == "qa-index":  # the marker that makes the folder qa's own (qa/index/ownership.py): text
            assert path.read_text().startswith("This folder is a qa index.")
        else:
            assert path.name == "write.lock"


def test_symlinks_out_of_the_sources_are_skipped_and_reported(tmp_path):
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "diary.txt").write_text("Private diary\n\nThe secret code word is plumbago.\n")
    src = tmp_path / "articles"
    (src / "inner").mkdir(parents=True)
    (src / "story.txt").write_text("A story\n\nThe council met on Monday to discuss the harbour.\n")
    (src / "diary-link.txt").symlink_to(outside / "diary.txt")
    (src / "private-folder").symlink_to(outside, target_is_directory=True)
    (src / "etc-passwd.txt").symlink_to("/etc/passwd")
    (src / "inner" / "again.txt").symlink_to(src / "story.txt")  # inside: followed, and the same document
    report = sync(tmp_path / "index", [src], embedder=HashEmbedder())
    reasons = {Path(p).name: r for p, r in report.skipped_files.items()}
    assert "out of the source folders" in reasons["diary-link.txt"] and str(outside) in reasons["diary-link.txt"]
    assert "out of the source folders" in reasons["etc-passwd.txt"]
    assert "not followed" in reasons["private-folder"]
    texts = passage_texts(tmp_path / "index")
    assert sorted(texts) == ["story.txt"]  # one file through two paths is one document (by its real path)
    assert not any("plumbago" in t or "root:" in t for t in texts.values())
    # a file the user names explicitly is theirs to index, link or not
    assert str(outside / "diary.txt") not in scan([str(src)]).files
    assert str(outside / "diary.txt") in scan([str(src / "diary-link.txt")]).files


def _hit(text: str, title: str, path: str) -> Hit:
    return Hit(1, 1, title, path, 2, 2, 10, 10 + len(text), text, 0.5, 1.0, 0.6, 10, 10 + len(text))


def test_markup_and_escape_codes_print_literally(monkeypatch):
    buffer = io.StringIO()
    monkeypatch.setattr(render, "_console", Console(file=buffer, force_terminal=True, color_system="truecolor",
                                                   width=200, highlight=False))
    text = "[bold red]Alarm[/] [link=https://evil]x[/link] :smile: \x1b]0;owned\x07\x1b[2J done"
    answer = Answer("[blink]Q[/blink] \x1b[31m?", True,
                    [_hit(text, "[i]Title[/i]\x1b[5m", "/news/evil\n[u]name[/u].txt")])
    render.print_answer(answer)
    out = buffer.getvalue()
    for literal in ("[bold red]Alarm[/]", "[link=https://evil]x[/link]", ":smile:", "[blink]Q[/blink]",
                    "[i]Title[/i]", "/news/evil [u]name[/u].txt"):
        assert literal in out, literal
    assert "\x1b]0;owned" not in out and "\x1b[2J" not in out and "\x1b[5m" not in out and "\x1b[31m?" not in out
    assert "😄" not in out  # no emoji codes expanded either
