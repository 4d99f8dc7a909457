"""The app's actions with their default keys, and the theme names: plain data (stdlib only).

`ui/bindings.py` makes the Textual bindings from `MAIN_KEYS` and `APP_KEYS`; the config layer
checks `[keys]` and `theme` against them, so every command (not only the app) can say that a
name is unknown without importing Textual.
"""

from __future__ import annotations

from typing import NamedTuple


class KeySpec(NamedTuple):
    keys: str  # Textual key names, comma-separated
    action: str  # the action, with its arguments: "follow(3)"
    short: str  # the footer's label
    tip: str  # the help screen's line
    show: bool = False  # in the footer

    @property
    def id(self) -> str:
        """The name [keys] rebinds it by: the action without its arguments ("follow_3")."""
        return self.action.replace("(", "_").rstrip(")")


# Main-screen actions. A user rebinds one by id in config.toml:  [keys] next_story = "n,ctrl+n"
MAIN_KEYS: list[KeySpec] = [
    KeySpec("j", "list_down", "Down", "Move down the list (scroll a focused story)"),
    KeySpec("k", "list_up", "Up", "Move up the list (scroll a focused story)"),
    KeySpec("g", "list_first", "First", "First headline (a focused story: its top)"),
    KeySpec("G", "list_last", "Last", "Last headline (a focused story: its end)"),
    KeySpec("l", "open_selected", "Open", "Open the highlighted headline", show=True),
    KeySpec("space", "page_down", "Page down", "Scroll the story down a page"),
    KeySpec("b", "page_up", "Page up", "Scroll the story up a page"),
    KeySpec("n", "next_story", "Next", "Open the next story in the list", show=True),
    KeySpec("p", "previous_story", "Prev", "Open the previous story in the list", show=True),
    KeySpec("N", "next_unread", "Next unread", "Open the next unread story", show=True),
    KeySpec("backspace,h", "back", "Back", "Back to the previous story, as it was", show=True),
    KeySpec("L,alt+right", "forward", "Forward", "Forward again in the story history"),
    KeySpec("o", "open_browser", "Browser", "Open the story in the web browser"),
    KeySpec("u", "show_links", "Links", "List the story's links (o: in the browser)"),
    KeySpec("y", "copy_link", "Copy link", "Copy the story's link"),
    KeySpec("s", "toggle_saved", "Save", "Save or unsave the story", show=True),
    KeySpec("m", "toggle_read", "Read/unread", "Mark the story read or unread"),
    KeySpec("t", "thread", "Thread", "Its thread: the Recall chain, oldest first"),
    KeySpec("z", "toggle_full_story", "Full screen", "The story alone, or beside the list"),
    KeySpec("A", "mark_all_read", "All read", "Mark every headline the list shows read"),
    KeySpec("U", "undo_mark_all", "Undo all read", "Undo the last mark-all-read"),
    KeySpec("r", "refresh", "Refresh", "Refresh every source in the background", show=True),
    KeySpec("slash", "filter", "Filter", "Filter the headlines as you type", show=True),
    KeySpec("escape", "clear_filter", "Clear filter", "Clear the filter"),
    KeySpec("f", "cycle_scope", "Source", "Show one folder or source at a time"),
    KeySpec("F", "pick_scope", "Show folder/source…", "Choose the folder or source to show"),
    KeySpec("O", "open_any_url", "Open URL…", "Open any story by its URL"),
    KeySpec("S", "search_stories", "Search stories…", "Search the full text of cached stories"),
    KeySpec("a", "add_source", "Add source…", "Add a source: a feed or a site's home page"),
    KeySpec("D", "remove_source", "Remove source…", "Remove a source (asks first)"),
    *(KeySpec(str(n), f"follow({n})", f"Link {n}", f"Follow link {n} (Recall, Read also, text)")
      for n in range(1, 10)),
]

APP_KEYS: list[KeySpec] = [
    KeySpec("q,ctrl+c", "quit", "Quit", "Quit newsreader", show=True),
    KeySpec("question_mark,f1", "help", "Help", "Show every key binding", show=True),
    KeySpec("T", "change_theme", "Theme", "Pick a colour theme (it is remembered)"),
]

ACTION_IDS: frozenset[str] = frozenset(spec.id for spec in (*MAIN_KEYS, *APP_KEYS))

# Textual's built-in themes, the only ones the app offers (tests/test_ui_format.py checks this
# list against the installed Textual's).
THEME_NAMES: frozenset[str] = frozenset({
    "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe",
    "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki",
    "gruvbox", "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon",
    "solarized-dark", "solarized-light", "textual-dark", "textual-light", "tokyo-night",
})
