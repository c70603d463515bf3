"""Counts in words, one rule for every count the CLI, the UI and the library's messages print.

Its own module, importing nothing, so the library (the write side) can word its messages without
importing the renderer (which types itself against the search side)."""

from __future__ import annotations


def noun(n: int, word: str, plural: str | None = None) -> str:
    """The word for n things: "document" for 1, "documents" otherwise."""
    return word if n == 1 else plural or word + "s"


def count(n: int, word: str, plural: str | None = None) -> str:
    """"1 document", "2 documents", "0 passages"."""
    return f"{n} {noun(n, word, plural)}"
