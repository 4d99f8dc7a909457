"""Textual's and Rich's private names are used in newsreader/ui/textual_compat/ and nowhere else."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

import newsreader

PACKAGE = Path(newsreader.__file__).parent
COMPAT = PACKAGE / "ui" / "textual_compat"
LIBRARIES = ("textual", "rich")

# Private names of Textual and Rich objects that newsreader has used (or might be tempted to):
# flagged even on self/cls/super(), and as method names defined in a class (overrides). Names
# as common as Timer's _run or Style's _meta are left out (our own classes have them too): read
# through another object they are flagged anyway, and through self on a Textual subclass the
# last test below catches them.
KNOWN_PRIVATES = frozenset({
    # OptionList / Option
    "_update_lines", "_options", "_line_cache", "_option_render_cache", "_option_to_index",
    "_id_to_option", "_get_left_gutter_width", "_scroll_update", "_set_prompt",
    "_get_visual", "_clear_caches", "_replace_option_prompt",
    # Widget / DOMNode
    "_vertical_scrollbar", "_horizontal_scrollbar", "_border_title", "_border_subtitle",
    "_get_style", "_styles_cache", "_dirty_regions", "_bindings", "_merged_bindings",
    "_component_styles", "_render_cache",
    # App
    "_start_widget", "_keymap", "_fatal_error", "_exception", "_exit_renderables",
    "_close_messages_no_wait", "_handle_exception", "_return_code", "_compositor",
    # Rich Style
    "_link_id",
})

# Private names read through another object that are not Textual's or Rich's, by file (relative
# to newsreader/) and why. Only files under ui/ or importing textual/rich are scanned for those.
ALLOWED: dict[str, dict[str, str]] = {}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] in LIBRARIES and any(_is_private(part) for part in parts[1:])


def _own_base(node: ast.expr) -> bool:
    """self, cls or super()."""
    if isinstance(node, ast.Name):
        return node.id in ("self", "cls")
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "super")


def _uses_libraries(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] in LIBRARIES for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in LIBRARIES:
            return True
    return False


def violations(source: str, *, scoped: bool = True, allowed: frozenset[str] = frozenset()
               ) -> list[str]:
    """What `source` does with private Textual/Rich names, one "line: what" each.

    `scoped`: the file is under ui/ (or imports textual or rich): any private attribute read
    through an object other than self/cls/super() counts (unless in `allowed`), and so do the
    KNOWN_PRIVATES through self. Elsewhere only imports count: no Textual object is there.
    """
    tree = ast.parse(source)
    scoped = scoped or _uses_libraries(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if _private_module(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] not in LIBRARIES:
                continue
            if _private_module(node.module):
                found.append(f"{node.lineno}: from {node.module} import")
            found += [f"{node.lineno}: from {node.module} import {a.name}" for a in node.names
                      if _is_private(a.name)]
        elif isinstance(node, ast.Attribute) and _is_private(node.attr):
            if node.attr in allowed:
                continue
            if scoped and (node.attr in KNOWN_PRIVATES or not _own_base(node.value)):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("getattr", "setattr", "hasattr", "delattr") and scoped:
                name = node.args[1] if len(node.args) > 1 else None
                if (isinstance(name, ast.Constant) and isinstance(name.value, str)
                        and _is_private(name.value) and name.value not in allowed):
                    found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ClassDef) and scoped:
            found += [f"{item.lineno}: def {item.name} (overrides a private)"
                      for item in node.body
                      if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                      and item.name in KNOWN_PRIVATES]
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if COMPAT not in p.parents)


def test_only_textual_compat_touches_textual_or_rich_privates() -> None:
    report: list[str] = []
    for path in _modules():
        relative = path.relative_to(PACKAGE).as_posix()
        allowed = frozenset(ALLOWED.get(relative, {}))
        found = violations(path.read_text(encoding="utf-8"),
                           scoped=relative.startswith("ui/"), allowed=allowed)
        report += [f"newsreader/{relative}:{line}" for line in found]
    assert not report, "private Textual/Rich use outside ui/textual_compat:\n" + "\n".join(report)


def test_the_scan_does_cover_the_package() -> None:
    scanned = {p.relative_to(PACKAGE).as_posix() for p in _modules()}
    assert {"ui/app.py", "ui/widgets/headlines.py", "ui/widgets/story.py"} <= scanned
    assert not any(name.startswith("ui/textual_compat/") for name in scanned)


@pytest.mark.parametrize(
    "snippet",
    [
        "from textual import _time",
        "import textual._context",
        "from textual._context import active_app",
        "from textual.widgets._option_list import OptionList",
        "from textual.keys import _normalize_key_list",
        "from rich._loop import loop_last",
        "bar = widget._vertical_scrollbar",
        "self.app._start_widget(self, bar)",
        "cache = self._option_render_cache",
        "super()._fatal_error()",
        "ok = hover._link_id",
        "value = getattr(timer, '_interval')",
        "class L(OptionList):\n    def _update_lines(self):\n        pass",
    ],
)
def test_the_scan_flags_private_use(snippet: str) -> None:
    assert violations(f"from textual.widgets import OptionList\n{snippet}\n"), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "self._rows = {}",
        "cls._cache = None",
        "super().__init__()",
        "x = self.options[0].prompt",
        "from textual.widgets import OptionList",
        "class L(OptionList):\n    def _apply(self):\n        pass",
    ],
)
def test_the_scan_lets_own_private_names_and_public_ones_be(snippet: str) -> None:
    assert violations(snippet) == []


def test_files_outside_ui_may_use_other_libraries_privates() -> None:
    source = "from lxml import etree\n\ndef f(e: etree._Element) -> None:\n    os._exit(1)\n"
    assert violations(source, scoped=False) == []
    assert violations(source, scoped=True)  # under ui/ the same would be flagged
    assert violations("import textual._time", scoped=False)  # (so it is scoped after all)


def _textual_privates(cls: type) -> set[str]:
    """Private names Textual's and Rich's classes in `cls.__mro__` define or set on self."""
    names: set[str] = set()
    for base in cls.__mro__:
        if (base.__module__ or "").split(".")[0] not in LIBRARIES:
            continue
        names |= {n for n in vars(base) if _is_private(n)}
        try:
            source = inspect.getsource(base)
        except (OSError, TypeError):
            continue
        names |= set(re.findall(r"self\.(_[A-Za-z]\w*)", source))
    return {n for n in names if _is_private(n)}


def test_no_ui_class_shares_a_private_name_with_its_textual_bases() -> None:
    """A Textual private read through self (or an attribute of ours shadowing one) is caught
    too, whether or not KNOWN_PRIVATES lists it."""
    report: list[str] = []
    for path in _modules():
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] != "ui":
            continue
        module = importlib.import_module(".".join(("newsreader", *relative.with_suffix("").parts)))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for class_node in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            cls = getattr(module, class_node.name, None)
            if not isinstance(cls, type):
                continue
            theirs = _textual_privates(cls)
            ours = {
                (n.attr, n.lineno) for n in ast.walk(class_node)
                if isinstance(n, ast.Attribute) and _own_base(n.value) and n.attr in theirs
            } | {
                (n.name, n.lineno) for n in class_node.body
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name in theirs
            }
            report += [f"newsreader/{relative.as_posix()}:{line}: {class_node.name}.{name}"
                       for name, line in sorted(ours)]
    assert not report, "Textual private names used outside ui/textual_compat:\n" + "\n".join(
        report)
