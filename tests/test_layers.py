"""The layer rules of DESIGN.md, enforced: who may import whom, and no textual in the core."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "newsreader"

# layer -> the newsreader layers it may import (itself always allowed).
ALLOWED: dict[str, set[str]] = {
    "models": set(),
    "errors": set(),
    "dates": set(),
    "folders": set(),
    "words": set(),
    "actions": set(),
    "paths": {"models", "errors"},
    "config": {"models", "errors", "paths", "actions"},
    "config_write": {"models", "errors", "config"},
    "parse": {"models", "errors"},
    "net": {"models", "errors", "__init__"},
    "store": {"models", "errors"},
    "demo": {"models", "errors"},
    "services": {
        "models", "errors", "paths", "config", "config_write", "parse", "net", "store", "demo",
        "dates", "folders", "words",
    },
    "present": {"models", "dates"},
    "cli_render": {"models", "errors", "services", "present"},
    "ui": {
        "models", "errors", "paths", "config", "parse", "services", "present", "folders",
        "actions", "dates", "words", "__init__",
    },
    "cli": {"*"},
    "cli_manage": {"*"},
    "__init__": set(),
    "__main__": {"cli"},
}
# Third-party packages a layer must never touch.
FORBIDDEN_THIRD_PARTY: dict[str, set[str]] = {
    "models": {"textual", "rich", "httpx", "diskcache", "feedparser", "trafilatura"},
    "actions": {"textual", "rich", "httpx", "diskcache", "feedparser", "trafilatura"},
    "errors": {"textual", "rich", "httpx", "diskcache", "feedparser", "trafilatura"},
    "parse": {"textual", "rich", "httpx", "diskcache"},
    "net": {"textual", "rich", "diskcache", "feedparser", "trafilatura"},
    "store": {"textual", "rich", "httpx", "feedparser", "trafilatura"},
    "services": {"textual", "rich"},
    "demo": {"textual", "rich", "diskcache"},
}


def _layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py") if relative.parts else "__init__"


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _violations() -> list[str]:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        layer = _layer_of(path)
        allowed = ALLOWED.get(layer)
        assert allowed is not None, f"{path}: layer {layer!r} is not in the table"
        for line, module in _imports(path):
            parts = module.split(".")
            if parts[0] == "newsreader":
                target = parts[1] if len(parts) > 1 else "__init__"
                if target != layer and "*" not in allowed and target not in allowed:
                    problems.append(f"{path.relative_to(PACKAGE)}:{line} {layer} -> {target}")
            elif parts[0] in FORBIDDEN_THIRD_PARTY.get(layer, set()):
                problems.append(f"{path.relative_to(PACKAGE)}:{line} {layer} -> {parts[0]}")
    return problems


def test_no_import_crosses_the_layer_table() -> None:
    assert _violations() == []


@pytest.mark.parametrize(
    "module", ["newsreader.services.reader", "newsreader.services.refresh", "newsreader.cli"]
)
def test_core_modules_do_not_load_textual(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual'); "
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_services_do_not_load_rich() -> None:
    code = (
        "import sys, newsreader.services.reader; "
        "print(any(m.split('.')[0] == 'rich' for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
