"""The house rules beyond the layer table (test_layers.py): no import cycle, one wiring point,
no mixins, reasons on every type: ignore, the UI's contract kept."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from newsreader.services.ports import ReaderPort
from newsreader.services.reader import Reader

PACKAGE = Path(__file__).resolve().parent.parent / "newsreader"

def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every newsreader module `path` imports, wherever the import is (TYPE_CHECKING blocks and
    function bodies included: a cycle hidden there is still a cycle)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("newsreader")}


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        # `from newsreader.x import y` names module x.y when y is one, else module x.
        targets = {t for t in imports_of(path) if t in modules}
        edges[name] = {t for t in targets if t != name}
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            # A package's __init__ is imported with any of its modules: not an edge back.
            if node.startswith(target + "."):
                continue
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_there_is_no_import_cycle() -> None:
    assert find_cycle(graph()) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(edges) == ["a", "b", "c", "a"]


def test_services_are_built_in_one_place() -> None:
    """Only wiring.py calls the services' constructors; everyone else calls open_reader."""
    built = {"Reader", "Library", "ReadingState", "Stories", "Refresher", "Schedule", "Network",
             "ChildRefresh", "Threads", "ThreadIndex"}
    callers = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in built and path.name != "wiring.py"):
                callers.append(f"{module_name(path)}: {node.func.id}()")
    assert callers == []


@pytest.mark.parametrize("folder", ["services", "ui"])
def test_no_mixins_and_every_type_ignore_says_why(folder: str) -> None:
    problems = []
    for path in (PACKAGE / folder).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            if "# type: ignore" in line and "  # " not in line.split("# type: ignore", 1)[1]:
                problems.append(f"{path.name}:{number}: type: ignore without a reason")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id.endswith(("Mixin", "Actions", "Navigation"))
                for b in node.bases
            ):
                problems.append(f"{path.name}: {node.name} is built from a mixin")
    assert problems == []


def test_the_real_reader_keeps_the_ui_contract() -> None:
    """Checked by mypy too (this assignment); at run time, every member the Protocol names."""
    contract: type[ReaderPort] = Reader
    members = {name for name in dir(ReaderPort) if not name.startswith("_")}
    fields = set(Reader.__dataclass_fields__)
    assert members <= set(dir(contract)) | fields
