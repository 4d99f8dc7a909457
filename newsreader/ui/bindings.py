"""The key bindings, each with an id equal to its action name so config [keys] can override it."""

from __future__ import annotations

from textual.binding import Binding

from newsreader.actions import ACTION_IDS, APP_KEYS, MAIN_KEYS, KeySpec


def _bind(spec: KeySpec) -> Binding:
    """A binding whose id is its action name (without arguments), so [keys] can rebind it."""
    return Binding(spec.keys, spec.action, spec.short, show=spec.show, id=spec.id,
                   tooltip=spec.tip)


# The tables themselves are plain data in newsreader/actions.py, which the config checks
# [keys] against without Textual.
MAIN_BINDINGS: list[Binding] = [_bind(spec) for spec in MAIN_KEYS]
APP_BINDINGS: list[Binding] = [_bind(spec) for spec in APP_KEYS]

# j / k / g / G where a list of choices has the focus (the F and D pickers, the links and
# thread views, the related links, search results) and in the help. They carry the ids of the
# main screen's keys, so a [keys] rebinding of list_down / list_up / ... moves these too.
LIST_KEYS: list[Binding] = [
    Binding("j", "cursor_down", "Down", show=False, id="list_down"),
    Binding("k", "cursor_up", "Up", show=False, id="list_up"),
    Binding("g", "first", "First", show=False, id="list_first"),
    Binding("G", "last", "Last", show=False, id="list_last"),
]
SCROLL_KEYS: list[Binding] = [
    Binding("j", "scroll_down", "Down", show=False, id="list_down"),
    Binding("k", "scroll_up", "Up", show=False, id="list_up"),
    Binding("g", "scroll_home", "Top", show=False, id="list_first"),
    Binding("G", "scroll_end", "End", show=False, id="list_last"),
]
# Quit from a dialog too: a modal screen cuts the app's own bindings off. Not a priority
# binding, so q is typed into a focused Input (the S and O prompts) and Ctrl+C copies a
# selection there first. The app's id, so a [keys] rebinding of quit applies here too.
QUIT_KEYS: list[Binding] = [
    Binding("q,ctrl+c", "app.quit", "Quit", show=False, id="quit"),
]

# Ctrl+C quits from every view, Textual's own command palette and theme picker (T) included:
# their search box takes Ctrl+C as "copy" and their modal screen cuts the app's bindings off.
# A priority binding runs before either; its action steps aside (SkipAction) for a selection to
# copy, and when config [keys] gives Ctrl+C to another action or takes it from quit. Not in
# APP_BINDINGS (no id): the help and the clash check see Ctrl+C on quit already.
CTRL_C_QUITS = Binding("ctrl+c", "quit_unless_copying", show=False, priority=True)
APP_CLASS_BINDINGS: list[Binding] = [*APP_BINDINGS, CTRL_C_QUITS]  # the App's BINDINGS

# Bindings Textual itself provides, named so the help screen and palette can list them.
BUILTIN_HELP: list[tuple[str, str]] = [
    ("tab / shift+tab", "Move focus: headlines → story → related links"),
    ("↓ ↑ pgdn pgup home end", "Move in the focused list or scroll the story"),
    ("enter", "Open the highlighted headline or related link"),
    ("ctrl+p", "Command palette: every action by name, themes"),
]


def binding_ids() -> set[str]:
    return set(ACTION_IDS)


def keymap_from_config(keys: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Turn config [keys] (action -> "k1, k2") into a Textual keymap; also return unknown names
    (ignored here: the config's own warnings name them, with their line)."""
    keymap: dict[str, str] = {}
    unknown: list[str] = []
    for action, value in keys.items():
        if action not in ACTION_IDS:
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
