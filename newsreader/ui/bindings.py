"""The key bindings, each with an id equal to its action name so config [keys] can override it."""

from __future__ import annotations

from textual.binding import Binding


def _bind(
    keys: str, action: str, short: str, tip: str, *, show: bool = False, priority: bool = False
) -> Binding:
    """A binding whose id is its action name (without arguments), so [keys] can rebind it."""
    binding_id = action.replace("(", "_").rstrip(")")
    return Binding(keys, action, short, show=show, id=binding_id, tooltip=tip, priority=priority)


# Main-screen bindings. A user rebinds one by id in config.toml:  [keys] next_story = "n,ctrl+n"
MAIN_BINDINGS: list[Binding] = [
    _bind("j", "list_down", "Down", "Move down the list (scroll a focused story)"),
    _bind("k", "list_up", "Up", "Move up the list (scroll a focused story)"),
    _bind("g", "list_first", "First", "Go to the first headline"),
    _bind("G", "list_last", "Last", "Go to the last headline"),
    _bind("l", "open_selected", "Open", "Open the highlighted headline", show=True),
    _bind("space", "page_down", "Page down", "Scroll the story down a page"),
    _bind("b", "page_up", "Page up", "Scroll the story up a page"),
    _bind("n", "next_story", "Next", "Open the next story in the list", show=True),
    _bind("p", "previous_story", "Prev", "Open the previous story in the list", show=True),
    _bind("N", "next_unread", "Next unread", "Open the next unread story", show=True),
    _bind("backspace,h", "back", "Back", "Back to the previous story, as it was", show=True),
    _bind("L,alt+right", "forward", "Forward", "Forward again in the story history"),
    _bind("o", "open_browser", "Browser", "Open the story in the web browser"),
    _bind("y", "copy_link", "Copy link", "Copy the story's link"),
    _bind("s", "toggle_saved", "Save", "Save or unsave the story", show=True),
    _bind("m", "toggle_read", "Read/unread", "Mark the story read or unread"),
    _bind("r", "refresh", "Refresh", "Refresh every source in the background", show=True),
    # Priority: it runs before the keys typed after it are dispatched, so "/cyber" typed fast
    # (or pasted) all lands in the filter instead of firing "y" (copy) and "r" (refresh).
    _bind("slash", "filter", "Filter", "Filter the headlines as you type",
          show=True, priority=True),
    _bind("escape", "clear_filter", "Clear filter", "Clear the filter"),
    _bind("f", "cycle_scope", "Source", "Show one folder or source at a time"),
    _bind("F", "pick_scope", "Show folder/source…", "Choose the folder or source to show"),
    _bind("S", "search_stories", "Search stories…", "Search the full text of cached stories"),
    _bind("a", "add_source", "Add source…", "Add a source: a feed or a site's home page"),
    _bind("D", "remove_source", "Remove source…", "Remove a source (asks first)"),
    *(_bind(str(n), f"follow({n})", f"Link {n}", f"Follow related link {n}") for n in range(1, 10)),
]

# j / k where a list of choices has the focus (the F and D pickers, the related links, search
# results) and in the help. They carry the ids of the main screen's j / k, so a [keys] rebinding
# of list_down / list_up moves these too.
LIST_KEYS: list[Binding] = [
    Binding("j", "cursor_down", "Down", show=False, id="list_down"),
    Binding("k", "cursor_up", "Up", show=False, id="list_up"),
]
SCROLL_KEYS: list[Binding] = [
    Binding("j", "scroll_down", "Down", show=False, id="list_down"),
    Binding("k", "scroll_up", "Up", show=False, id="list_up"),
]

APP_BINDINGS: list[Binding] = [
    _bind("q", "quit", "Quit", "Quit newsreader", show=True),
    _bind("question_mark,f1", "help", "Help", "Show every key binding", show=True),
    _bind("T", "change_theme", "Theme", "Pick a colour theme (it is remembered)"),
]

# Bindings Textual itself provides, named so the help screen and palette can list them.
BUILTIN_HELP: list[tuple[str, str]] = [
    ("tab / shift+tab", "Move focus: headlines → story → related links"),
    ("↓ ↑ pgdn pgup home end", "Move in the focused list or scroll the story"),
    ("enter", "Open the highlighted headline or related link"),
    ("ctrl+p", "Command palette: every action by name, themes"),
]


def binding_ids() -> set[str]:
    return {b.id for b in (*MAIN_BINDINGS, *APP_BINDINGS) if b.id}


def keymap_from_config(keys: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Turn config [keys] (action -> "k1, k2") into a Textual keymap; also return unknown names."""
    known = binding_ids()
    keymap: dict[str, str] = {}
    unknown: list[str] = []
    for action, value in keys.items():
        if action not in known:
            unknown.append(action)
            continue
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if parts:
            keymap[action] = ",".join(parts)
    return keymap, unknown


def keymap_clashes(keymap: dict[str, str]) -> list[tuple[str, list[str]]]:
    """Keys that fire two or more of our actions once `keymap` applies: [(key, [ids])].

    The main screen's and the app's bindings are live together, so a clash across them counts
    too; Textual resolves any clash silently, leaving one of the actions without its key.
    The actions the config rebinds are named first: they are what the user just changed.
    """
    ours = [(b.id, b) for b in (*MAIN_BINDINGS, *APP_BINDINGS) if b.id]
    ours.sort(key=lambda pair: pair[0] not in keymap)
    ids_by_key: dict[str, list[str]] = {}
    for binding_id, binding in ours:
        keys = keymap.get(binding_id, binding.key)
        # make_bindings spells keys as Textual matches them ("?" -> "question_mark").
        for single in Binding.make_bindings([Binding(keys, binding.action)]):
            ids = ids_by_key.setdefault(single.key, [])
            if binding_id not in ids:
                ids.append(binding_id)
    return [(key, ids) for key, ids in ids_by_key.items() if len(ids) > 1]


def clash_message(key: str, ids: list[str]) -> str:
    """'[keys] "n" is bound to both quit and next_story' (or "to a, b and c")."""
    *rest, last = ids
    names = f"both {rest[0]}" if len(rest) == 1 else ", ".join(rest)
    return f'[keys] "{key}" is bound to {names} and {last}'
