"""Changing the sources in config.toml without losing the user's comments or layout."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from newsreader.config import Config, load_config
from newsreader.errors import ConfigError
from newsreader.models import Source

_HEADER = """\
# newsreader configuration — see `newsreader config --example` for every key.
"""


def add_sources(path: Path, new: list[Source]) -> tuple[list[Source], list[Source]]:
    """Append sources not already present (by URL); returns (added, duplicates skipped).

    With no config file yet, the new sources replace the built-in defaults: someone importing
    their OPML wants their own list, not ours mixed in.
    """
    if path.exists():
        text = path.read_text(encoding="utf-8")
        known = {s.url for s in load_config(path).sources}
    else:
        text, known = _HEADER, set()
    added, duplicates = [], []
    for source in new:
        if source.url in known:
            duplicates.append(source)
            continue
        known.add(source.url)
        added.append(source)
    if added:
        _replace(path, text.rstrip("\n") + "\n\n" + _render(added))
    return added, duplicates


def remove_source(path: Path, name_or_url: str) -> Source:
    """Remove the one source whose name or URL matches; raises ConfigError when none does."""
    config = load_config(path)
    matches = [i for i, s in enumerate(config.sources) if name_or_url in (s.name, s.url)]
    if not matches:
        raise ConfigError(str(path), f"no source named {name_or_url!r}")
    if len(matches) > 1:
        raise ConfigError(str(path), f"{name_or_url!r} matches several sources; use its URL")
    index = matches[0]
    if not path.exists():
        # Removing one of the built-in defaults: write the rest out explicitly.
        rest = [s for i, s in enumerate(config.sources) if i != index]
        _replace(path, _HEADER + _render(rest))
        return config.sources[index]
    text = path.read_text(encoding="utf-8")
    headers = list(re.finditer(r"^[ \t]*\[\[\s*sources\s*\]\][^\n]*\n?", text, re.MULTILINE))
    if len(headers) != len(config.sources):
        raise ConfigError(str(path), "sources are not all [[sources]] tables; edit it by hand")
    start = headers[index].start()
    following = re.compile(r"^[ \t]*\[", re.MULTILINE).search(text, headers[index].end())
    end = following.start() if following else len(text)
    _replace(path, text[:start] + text[end:])
    return config.sources[index]


def _render(sources: list[Source]) -> str:
    blocks = []
    for source in sources:
        lines = [
            "[[sources]]",
            f"name = {_toml_str(source.name)}",
            f"url = {_toml_str(source.url)}",
        ]
        if source.folder:
            lines.append(f"folder = {_toml_str(source.folder)}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


def _replace(path: Path, text: str) -> Config:
    """Write atomically, and only a file that still loads: the user's file is never broken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        config = load_config(tmp)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
        return config
    finally:
        tmp.unlink(missing_ok=True)
