"""The app's actions in Textual's command palette (Ctrl+P)."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider


class QACommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        chat = app.chat  # type: ignore[attr-defined]
        return [
            ("Reindex sources", "Sync the index with its files and folders (Ctrl+R)", app.action_reindex),
            ("Add a file or folder", "Add articles to the sources and index them (Ctrl+O)", app.action_add_source),
            ("Documents", "List the indexed articles and their passage counts (F2)", app.action_documents),
            ("Sources", "The sources with their documents and state; remove one (F3)", app.action_sources),
            ("Automatic sync on/off", "Sync by itself when the sources change (now "
             f"{'on' if getattr(app, 'auto_sync', True) else 'off'})", app.action_toggle_auto_sync),
            ("Order by date on/off", "List an answer's passages by date, for 'what happened next' (now "
             f"{'on' if app.engine.sort == 'date' else 'off'})", app.action_toggle_date_order),
            ("New topic", "Forget the conversation: the next question stands alone (Ctrl+N)", chat.action_new_topic),
            ("Copy last answer", "Copy the last answer with its citations (Ctrl+Y)", chat.action_copy_answer),
            ("Export conversation", "Save the conversation as Markdown with citations (Ctrl+S)", chat.action_export),
            ("Help", "The keys and the follow-up rule (F1)", app.action_help),
        ]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
