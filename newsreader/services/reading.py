"""Reading state: read marks, saved stories, settings and history, answered from memory."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from newsreader.models import Headline, Story
from newsreader.services.history import History
from newsreader.store.state import StateReadOnly, UserState
from newsreader.store.writer import StateWriter


class ReadingState:
    """The user's marks over the state database; writes go to the state-writer thread.

    Reads are answered from sets held in memory (the list asks for every row at start-up), so
    the UI never waits for SQLite; `version` changes with every change of a read mark, so a
    count built on them knows when to recount.
    """

    def __init__(self, state: UserState, writer: StateWriter | None = None) -> None:
        self.state = state
        self.writer = writer or StateWriter()
        self.version = 0
        self._read_ids: set[str] | None = None
        self._saved_ids: set[str] | None = None
        self._saved_headlines: list[Headline] | None = None
        # The saved records (headline and story copy), read once: opening a story that missed
        # the cache looks for a saved copy, and must not wait for the state writer to do it.
        self._saved_records: dict[str, dict[str, Any]] | None = None
        self.history = History.from_dict(state.get_history(), on_change=self._save_history)

    def _state_now(self) -> UserState:
        """The user state once every write already submitted is in it (to read it back)."""
        self.writer.flush()
        return self.state

    # -- read marks ---------------------------------------------------------------------------

    def read_ids(self) -> set[str]:
        """The ids marked read (the held set: do not change it)."""
        if self._read_ids is None:
            self._read_ids = set(self._state_now().read_ids())
        return self._read_ids

    def is_read(self, headline_id: str) -> bool:
        return headline_id in self.read_ids()

    def set_read(self, headline_id: str, read: bool = True) -> None:
        self.set_read_many([headline_id], read)

    def set_read_many(self, headline_ids: list[str], read: bool = True) -> list[str]:
        """Mark (or unmark) these in one write; returns the ids whose mark changed (an undo
        of a "mark all read" unmarks exactly those)."""
        reads = self.read_ids()
        changed = [i for i in dict.fromkeys(headline_ids) if (i in reads) != read]
        self.writer.submit(self.state.set_read, list(headline_ids), read)
        if changed:
            self.version += 1
        if read:
            reads.update(changed)
        else:
            reads.difference_update(changed)
        return changed

    # -- saved stories ------------------------------------------------------------------------

    def _saved(self) -> set[str]:
        # One query, then a set: the list asks for every row (10,000 queries at start-up).
        if self._saved_ids is None:
            self._saved_ids = self._state_now().saved_ids()
        return self._saved_ids

    def is_saved(self, headline_id: str) -> bool:
        return headline_id in self._saved()

    def toggle_saved(self, headline: Headline, story: Story | None) -> bool:
        """Save or unsave; a saved story keeps its own copy (`story`), safe from cache eviction."""
        saved = not self.is_saved(headline.id)
        record = None
        if saved:
            record = {"headline": headline.to_dict(), "story": story.to_dict() if story else None}
        self.writer.submit(self.state.set_saved, headline.id, record)
        self._saved_headlines = None  # re-read with the next rebuild of the list
        records = self._records()
        if record is None:
            records.pop(headline.id, None)
        else:
            records[headline.id] = record
        if saved:
            self._saved().add(headline.id)
        else:
            self._saved().discard(headline.id)
        return saved

    def _records(self) -> dict[str, dict[str, Any]]:
        """The saved records by headline id, read from the database once."""
        if self._saved_records is None:
            self._saved_records = {
                str(record.get("id") or (record.get("headline") or {}).get("id") or i): record
                for i, record in enumerate(self._state_now().saved())
            }
        return self._saved_records

    def saved_headlines(self) -> list[Headline]:
        """The headlines of saved stories (they stay listed after the cache drops their feed)."""
        if self._saved_headlines is None:
            out: list[Headline] = []
            for saved in self._records().values():
                try:
                    out.append(Headline.from_dict(saved.get("headline") or saved))
                except (TypeError, KeyError):
                    continue
            self._saved_headlines = out
        return self._saved_headlines

    def forget_saved_headlines(self) -> None:
        """Rebuild the saved list when next asked (the cache was cleared under it)."""
        self._saved_headlines = None

    def saved_story(self, url: str) -> Story | None:
        """The copy kept with a saved story, if any (used when the cache lost it)."""
        for record in self._records().values():
            headline, story = record.get("headline") or {}, record.get("story")
            if isinstance(story, dict) and url in (headline.get("url"), story.get("url")):
                try:
                    return Story.from_dict(story)
                except (KeyError, TypeError, ValueError):
                    return None
        return None

    # -- settings and history -----------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        return self._state_now().get_setting(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        write = partial(self.state.set_setting, key)
        self.writer.submit_latest(f"setting:{key}", write, value)

    def _save_history(self, history: History) -> None:
        self.writer.submit_latest("history", self.state.set_history, history.to_dict())

    # -- closing ------------------------------------------------------------------------------

    def report_errors(self, report: Callable[[Exception], bool] | None) -> None:
        """Who is told when a state write fails (returns whether it told the user), or None.

        A write to a state opened read-only (a full disk) is not told again: its start-up
        warning (`UserState.warning`, in `Reader.warnings`) said so once.
        """
        if report is None:
            self.writer.on_error = None
            return

        def on_error(exc: Exception) -> bool:
            return isinstance(exc, StateReadOnly) or report(exc)

        self.writer.on_error = on_error

    def close_writes(self) -> list[str]:
        """Write the queued state; one line for each kind of failure nobody was told about."""
        self.writer.close()
        failures, self.writer.unreported = self.writer.unreported, []
        lines = (f"could not save your reading state: {exc}" for exc in failures
                 if not isinstance(exc, StateReadOnly))
        return list(dict.fromkeys(lines))

    def close(self) -> None:
        try:
            self.writer.close()
        finally:
            self.state.close()
