"""benchmarks/highlight_misses.py's "words there": a miss whose highlight says the gold answer all
the same (SQuAD marks it at one place of its article) is told apart from a highlight without it."""

from benchmarks.highlight_misses import words_there


def test_the_answer_said_again_elsewhere_counts_as_there() -> None:
    shown = "The game was played at Levi's Stadium in Santa Clara, California."
    assert words_there(shown, ["Levi's Stadium"])
    assert words_there(shown, ["levi s  stadium"])  # case and punctuation aside


def test_a_highlight_without_the_answer_is_not() -> None:
    shown = "The Super Bowl XLVIII halftime show was headlined by Bruno Mars."
    assert not words_there(shown, ["Super Bowl XLVII"])  # whole words: XLVII is not XLVIII
    assert not words_there(shown, ["Beyoncé", ""])
    assert not words_there("", ["Beyoncé"])
