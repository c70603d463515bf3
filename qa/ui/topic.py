"""The chat's conversation, kept off the UI's event loop (issue #23). Whether a short question is a
follow-up reads the index (two BM25 sums over its passages, qa/retrieval/context.py), so it is
decided on a thread of its own. One thread, fed in the order the user acts: a question asked, Ctrl+N
and a late spelling correction reach the Conversation in the same order as on the event loop, however
fast they come; each answer worker waits for its question's Turn before it searches."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from qa.retrieval.context import Conversation, Turn

if TYPE_CHECKING:
    from qa.retrieval.speller import Lexicon


class ChatTopic:
    """A Conversation whose every step runs, in order, on one worker thread. `lexicon`: called
    there, the loaded index's words (None before it is loaded: the words' rule alone decides)."""

    def __init__(self, lexicon: Callable[[], Lexicon | None]) -> None:
        self.conversation = Conversation()
        self._lexicon = lexicon
        self._steps = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-topic")

    def ask(self, question: str) -> Future[Turn]:
        """The question's Turn, decided after every earlier step (its `result()` blocks: call it
        from the answer worker, never from the event loop)."""
        return self._steps.submit(self._ask, question)

    def _ask(self, question: str) -> Turn:
        from qa.retrieval.filters import strip_prefix  # numpy: loaded here, off the event loop

        # a filter prefix ("since:2024 ...") is not words to search, explain or carry on
        lexicon = self._lexicon()
        turn = self.conversation.ask(question, strip_prefix(question), lexicon)
        if lexicon is not None:  # its slips corrected now, as its search will: a question typed
            # before this one's answer is back borrows "killed", not "kiled" (the answer's own
            # correction, `spelled`, came too late for it)
            from qa.retrieval.spelling import spell
            from qa.settings import DEFAULT_SETTINGS

            self.conversation.spelled(turn, spell(lexicon, turn.query, DEFAULT_SETTINGS).corrected)
        return turn

    def clear(self) -> None:
        """Ctrl+N: the next question asked stands alone (those asked before keep their topic)."""
        self._steps.submit(self.conversation.clear)

    def spelled(self, turn: Turn, corrected: Mapping[str, str]) -> None:
        """The words searched for a turn's misspelled ones become what its follow-ups borrow."""
        if corrected:
            self._steps.submit(self.conversation.spelled, turn, corrected)

    def close(self) -> None:
        """Drop the steps not begun (the chat is going away); a step under way ends on its own."""
        self._steps.shutdown(wait=False, cancel_futures=True)
