"""Every kind of file a user may drop in a source folder: skipped with a reason or read with
exact spans, never a crash, never an unbounded passage."""

from __future__ import annotations

import codecs
import os
import zipfile
from pathlib import Path

import pytest

from qa.ingest import chunking, documents
from qa.index import sync_read
from qa.ingest.chunking import MAX_PASSAGE_CHARS, chunk
from qa.config import ChunkSettings
from qa.ingest.documents import MAX_FILE_BYTES, Unreadable, load
from qa.index.indexer import sync
from qa.search import Searcher

from robust_util import HashEmbedder, check_consistent, decoded, passage_texts

BODY = "Flood warning\n\nThe river Ouse rose two metres on Tuesday. Residents of York were told to leave.\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 4


def _zip_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("story.txt", BODY * 50)
    return path.read_bytes()


@pytest.mark.parametrize("name, make, reason", [
    ("image.txt", lambda t: PNG, "binary"),
    ("report.txt", lambda t: PDF, "binary"),
    ("archive.txt", _zip_bytes, "binary"),
    ("random.md", lambda t: bytes((i * 7919) % 256 for i in range(5000)), "binary"),
    ("empty.txt", lambda t: b"", "empty"),
    ("blank.txt", lambda t: b"  \n\t\r\n \r  \n", "empty"),
    ("dots.txt", lambda t: b"...\n\n--- ***\n", "no words"),
    ("page.html", lambda t: b"<html><body><script>x=1</script></body></html>", "no article text"),
])
def test_files_that_are_not_articles_are_refused_with_a_reason(tmp_path, name, make, reason):
    path = tmp_path / name
    path.write_bytes(make(tmp_path))
    with pytest.raises(Unreadable, match=reason):
        load(path)


ENCODED = [
    ("utf8-bom", codecs.BOM_UTF8 + BODY.encode("utf-8"), "utf-8-sig"),
    ("utf16-le", BODY.encode("utf-16"), "utf-16"),
    ("utf16-be", codecs.BOM_UTF16_BE + BODY.encode("utf-16-be"), "utf-16"),
    ("cp1252", "Café owners’ “fury”\n\nThe café in Léon closed – €5 fines.\n".encode("cp1252"), "cp1252"),
    ("latin-1", "Caf\u00e9 \u0081odd\n\nA byte cp1252 lacks: \u008d here.\n".encode("latin-1"), "latin-1"),
    ("crlf", BODY.replace("\n", "\r\n").encode(), "utf-8"),
    ("cr", BODY.replace("\n", "\r").encode(), "utf-8"),
    ("mixed", b"Mixed endings\r\n\r\nFirst line here.\rSecond line there.\nThird line.\r\n\rLast one.", "utf-8"),
]


@pytest.mark.parametrize("label, data, encoding", ENCODED, ids=[e[0] for e in ENCODED])
def test_encodings_and_line_endings_keep_exact_spans(tmp_path, label, data, encoding):
    path = tmp_path / f"{label}.txt"
    path.write_bytes(data)
    doc = load(path)
    assert doc.encoding == encoding
    assert doc.text == decoded(path, encoding)  # offsets count in the file as opened by readers
    assert "\ufeff" not in doc.text and "\r" not in doc.title and doc.title
    passages = chunk(doc)
    assert passages and all(doc.text[p.start:p.end] == p.text for p in passages)
    for p in doc.paragraphs:  # a paragraph never swallows a line end
        assert not doc.text[p.start:p.end].startswith(("\r", "\n")) and not doc.text[p.start:p.end].endswith(("\r", "\n"))
    if label in ("cr", "crlf"):
        assert [doc.text[p.start:p.end] for p in doc.paragraphs] == [
            "Flood warning", "The river Ouse rose two metres on Tuesday. Residents of York were told to leave."]


def test_50_mb_article_is_skipped_unread_with_a_clear_reason(tmp_path, monkeypatch):
    big = tmp_path / "src" / "huge.txt"
    big.parent.mkdir()
    (tmp_path / "src" / "small.txt").write_text(BODY)
    with open(big, "wb") as handle:
        handle.write(b"Huge\n\n" + b"lorem ipsum dolor sit amet. " * (50 * 2**20 // 28))
    assert big.stat().st_size > 50 * 10**6 > MAX_FILE_BYTES
    reads = []
    real_read = documents.read_limited

    def spy(handle, limit=None):
        try:
            data = real_read(handle, limit)
        except Unreadable:
            reads.append(handle.tell())
            raise
        return data

    monkeypatch.setattr(sync_read, "read_limited", spy)
    report = sync(tmp_path / "index", [tmp_path / "src"], embedder=HashEmbedder())
    assert report.added == 1 and report.skipped == 1
    assert "too large" in report.skipped_files[str(big)] and "MB" in report.skipped_files[str(big)]
    assert reads == [0]  # refused from its size: not one byte read into memory
    with pytest.raises(Unreadable, match="too large"):
        load(big)


def test_file_growing_past_the_limit_while_read_is_refused(tmp_path):
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 10)

    class Growing:
        def __init__(self, handle):
            self.handle = handle

        def fileno(self):
            return self.handle.fileno()

        def read(self, n=-1):
            return b"word " * ((MAX_FILE_BYTES // 5) + 10)

    with open(path, "rb") as handle, pytest.raises(Unreadable, match="too large"):
        documents.read_limited(Growing(handle))


def test_2_mb_line_without_punctuation_is_cut_into_bounded_passages(tmp_path):
    words = [f"word{i % 997}" for i in range(330_000)]
    path = tmp_path / "line.txt"
    path.write_text("One endless line\n\n" + " ".join(words) + "\n\n" + "x" * 9_000 + "\n")
    assert path.stat().st_size > 2 * 10**6
    doc = load(path)
    settings = ChunkSettings()
    passages = chunk(doc, settings)
    assert all(doc.text[p.start:p.end] == p.text for p in passages)
    assert max(len(p.text.split()) for p in passages) <= settings.max_words
    assert max(len(p.text) for p in passages) <= MAX_PASSAGE_CHARS
    body = [p for p in passages if p.paragraph == 2]
    # cut between words, nothing lost or repeated beyond the overlap
    assert all(doc.text[p.start - 1] == " " and doc.text[p.end] in " \n" for p in body[1:-1])
    seen = " ".join(p.text for p in body).split()
    assert set(seen) == set(words) and len(words) <= len(seen) <= 2 * len(words)
    blob = [p for p in passages if p.paragraph == 3]  # one 9,000-character "word"
    assert "".join(p.text for p in blob) == "x" * 9_000


def test_thousands_of_tiny_files(tmp_path):
    src = tmp_path / "src"
    for folder in range(6):
        (src / f"day{folder}").mkdir(parents=True)
        for i in range(500):
            (src / f"day{folder}" / f"{i:04d}.txt").write_text(f"Note {folder}-{i}\n\nItem {i} of day {folder}: ok.\n")
    emb = HashEmbedder()
    report = sync(tmp_path / "index", [src], embedder=emb)
    assert (report.added, report.skipped) == (3000, 0)
    counts = check_consistent(tmp_path / "index")
    assert len(counts) == 3000 and all(n == 1 for n in counts.values())
    again = sync(tmp_path / "index", embedder=emb)
    assert (again.added, again.unchanged, again.embedded) == (0, 3000, 0)


def test_symlink_loops_do_not_hang_and_are_reported(tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "story.txt").write_text(BODY)
    (src / "sub" / "loop").symlink_to(src, target_is_directory=True)  # folder loop
    (src / "a.txt").symlink_to(src / "b.txt")  # file loop: a -> b -> a
    (src / "b.txt").symlink_to(src / "a.txt")
    (src / "self.txt").symlink_to(src / "self.txt")
    report = sync(tmp_path / "index", [src], embedder=HashEmbedder())
    assert report.added == 1
    reasons = {Path(p).name: r for p, r in report.skipped_files.items()}
    assert "not followed" in reasons["loop"]
    assert {"a.txt", "b.txt", "self.txt"} <= set(reasons)
    assert all("symbolic links" in reasons[n] or "link" in reasons[n] for n in ("a.txt", "b.txt", "self.txt"))


def _deny(monkeypatch, victim: Path) -> None:
    """Root can read anything, so 'no permission' is simulated where the indexer opens files."""
    real_open = sync_read.open_regular  # how the sync opens an article (a named pipe refused unopened)

    def guarded(file, *args, **kwargs):
        if os.fspath(file) == str(victim):
            raise PermissionError(13, "Permission denied", str(victim))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(sync_read, "open_regular", guarded)


def test_unreadable_file_is_skipped_and_an_indexed_one_kept(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    (src / "open.txt").write_text(BODY)
    secret = src / "secret.txt"
    secret.write_text("Secret memo\n\nThe budget for the bridge is four million pounds.\n")
    index = tmp_path / "index"
    emb = HashEmbedder()
    with monkeypatch.context() as m:
        _deny(m, secret)
        report = sync(index, [src], embedder=emb)
    assert report.added == 1 and report.skipped_files[str(secret)] == "cannot read: Permission denied"
    assert sync(index, embedder=emb).added == 1  # readable again: picked up

    secret.write_text("Secret memo\n\nThe budget for the bridge is five million pounds.\n")
    with monkeypatch.context() as m:
        _deny(m, secret)
        report = sync(index, embedder=emb)
    assert "kept" in report.skipped_files[str(secret)] and report.removed == 0
    assert "four million" in passage_texts(index)["secret.txt"]  # nothing lost while unreadable
    check_consistent(index)


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: chmod 000 does not stop root reading "
                    "(the monkeypatched test above covers the same code path)")
def test_unreadable_file_by_permissions(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "open.txt").write_text(BODY)
    (src / "secret.txt").write_text(BODY)
    (src / "secret.txt").chmod(0)
    report = sync(tmp_path / "index", [src], embedder=HashEmbedder())
    assert report.added == 1 and "Permission denied" in report.skipped_files[str(src / "secret.txt")]


def test_files_deleted_or_rewritten_while_indexing(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    for name in "abcd":
        (src / f"{name}.txt").write_text(f"Story {name}\n\nThe original text of story {name} about harbours.\n")
    real_parse = sync_read.parse
    calls = []

    def racing_parse(path, data):
        calls.append(path.name)
        if path.name == "a.txt":  # while a is being read: b vanishes, c and a itself are rewritten
            (src / "b.txt").unlink()
            (src / "c.txt").write_text("Story c\n\nA rewritten story c about lighthouses.\n")
            os.utime(src / "a.txt", ns=(1, 10**18))
            (src / "a.txt").write_text("Story a\n\nA rewritten story a about bridges.\n")
        return real_parse(path, data)

    monkeypatch.setattr(sync_read, "parse", racing_parse)
    emb = HashEmbedder()
    report = sync(tmp_path / "index", [src], embedder=emb)
    assert report.added == 3 and "No such file" in report.skipped_files[str(src / "b.txt")]
    texts = passage_texts(tmp_path / "index")
    assert "lighthouses" in texts["c.txt"] and "original" in texts["a.txt"]  # a was read before its rewrite
    monkeypatch.setattr(sync_read, "parse", real_parse)
    report = sync(tmp_path / "index", embedder=emb)  # the next run sees a's rewrite, b's removal
    assert (report.updated, report.removed, report.skipped) == (1, 0, 0)
    counts = check_consistent(tmp_path / "index")
    assert sorted(Path(p).name for p in counts) == ["a.txt", "c.txt", "d.txt"]
    assert "bridges" in passage_texts(tmp_path / "index")["a.txt"]


def test_names_with_spaces_unicode_and_newlines(tmp_path, capsys):
    src = tmp_path / "my articles"
    src.mkdir()
    names = ["a story.txt", "Ünïcødé 記事 ñews.txt", "line\nbreak.txt", "tab\tand 'quote\".md", "emoji 🚢.txt"]
    for i, name in enumerate(names):
        (src / name).write_text(f"Title {i}\n\nThe quay number {i} reopened after the zorblax storm.\n")
    index = tmp_path / "index"
    report = sync(index, [src], embedder=HashEmbedder())
    assert report.added == len(names) and report.skipped == 0
    hits = Searcher(index).search("zorblax quay", k=10, mode="dense", embedder=HashEmbedder()).hits
    assert sorted(Path(h.path).name for h in hits) == sorted(names)
    for hit in hits:
        assert Path(hit.path).read_text()[hit.start:hit.end] == hit.text
    from qa import cli

    assert cli.main(["docs", "--json", "--index", str(index)]) == 0
    import json

    listed = [json.loads(line)["source"] for line in capsys.readouterr().out.splitlines()]
    assert sorted(Path(s).name for s in listed) == sorted(names)
    assert cli.main(["docs", "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == len(names)  # a newline in a name does not break the listing
