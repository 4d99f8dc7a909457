"""The user's configuration: config.toml read with tomllib, validated, with built-in defaults."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsreader.actions import ACTION_IDS, THEME_NAMES
from newsreader.errors import ConfigError
from newsreader.models import Source

MAX_CONFIG_BYTES = 1024 * 1024  # tomllib warns untrusted TOML can be CPU/memory heavy

DEFAULT_SOURCES: tuple[Source, ...] = (
    Source("UNN — Politics", "https://unn.ua/en/rss/politics_en.xml", "Ukraine"),
    Source("UNN — Economy", "https://unn.ua/en/rss/economy_en.xml", "Ukraine"),
    Source("Ukrainska Pravda", "https://www.pravda.com.ua/eng/rss/", "Ukraine"),
    Source("Kyiv Independent", "https://kyivindependent.com/news-archive/rss/", "Ukraine"),
    Source("BBC World", "https://feeds.bbci.co.uk/news/world/rss.xml", "World"),
    Source("The Guardian — World", "https://www.theguardian.com/world/rss", "World"),
    Source("NPR News", "https://feeds.npr.org/1001/rss.xml", "World"),
    Source("Al Jazeera", "https://www.aljazeera.com/xml/rss/all.xml", "World"),
)

MARK_READ_POLICIES = ("open", "leave")
IMAGE_MODES = ("auto", "kitty", "sixel", "halfblock", "off")


@dataclass(frozen=True, slots=True)
class HeadlineFilter:
    """A [[filters]] table: headlines whose title, source or link holds one of `words`
    (any case) or matches `pattern` are hidden; only one source's when `source` is set."""

    words: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    source: str | None = None  # a source's name or URL

    def hides(self, title: str, source_name: str, source_url: str, url: str) -> bool:
        if self.source is not None and self.source not in (source_name, source_url):
            return False
        fields = (title, source_name, url)
        folded = [field.casefold() for field in fields]
        if any(word in field for word in self.words for field in folded):
            return True
        return self.pattern is not None and any(self.pattern.search(f) for f in fields)


@dataclass(slots=True)
class Config:
    """Validated settings; every field has a default so a missing file is a valid config."""

    sources: list[Source] = field(default_factory=lambda: list(DEFAULT_SOURCES))
    refresh_minutes: int = 30
    source_refresh_minutes: dict[str, int] = field(default_factory=dict)  # by source url
    prefetch: bool = True
    prefetch_per_source: int = 30
    cache_size_mb: int = 1024
    keep_days: int = 30
    thread_depth: int = 3  # Recall / Read-also links the prefetch follows from each story
    thread_prefetch_max: int = 500  # pages a refresh fetches along threads at most
    mark_read: str = "open"
    max_width: int = 80  # story text columns at most, centred in a wider pane
    # Pictures are fetched with their story and drawn unless "off" (captions only): "auto" asks
    # the terminal (kitty graphics, sixel, else half blocks); the others force one way.
    images: str = "auto"
    theme: str | None = None
    browser: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    filters: list[HeadlineFilter] = field(default_factory=list)
    path: Path | None = None  # the file it came from, if any
    warnings: list[str] = field(default_factory=list)  # e.g. unknown keys, which are ignored


# key -> (expected python type(s), description for messages, (min, max) for ints)
_TOP_LEVEL: dict[str, tuple[type | tuple[type, ...], str, tuple[int, int] | None]] = {
    "refresh_minutes": (int, "an integer (minutes)", (1, 10_080)),
    "prefetch": (bool, "true or false", None),
    "prefetch_per_source": (int, "an integer", (0, 1000)),
    "cache_size_mb": (int, "an integer (MiB)", (16, 1_048_576)),
    "keep_days": (int, "an integer (days)", (1, 36_500)),
    "thread_depth": (int, "an integer (links)", (0, 10)),
    "thread_prefetch_max": (int, "an integer (pages)", (0, 100_000)),
    "mark_read": (str, '"open" or "leave"', None),
    "max_width": (int, "an integer (columns)", (20, 1000)),
    "images": (str, '"auto", "kitty", "sixel", "halfblock" or "off"', None),
    "theme": (str, "a theme name", None),
    "browser": (str, "a command", None),
    "keys": (dict, "a table of action = \"keys\"", None),
    "sources": (list, "an array of [[sources]] tables", None),
    "filters": (list, "an array of [[filters]] tables", None),
}
_FILTER_KEYS = {"words", "regex", "source"}
_SOURCE_KEYS = {"name", "url", "folder", "refresh_minutes"}


def load_config(path: Path | None) -> Config:
    """Read and validate `path`; a missing file gives the defaults. Raises ConfigError."""
    if path is None or not path.exists():
        return Config(path=path)  # where a first `sources add` will create it
    shown = str(path)
    try:
        if path.is_dir():
            raise ConfigError(shown, "is a directory, not a file")
        raw = path.read_bytes()[: MAX_CONFIG_BYTES + 1]
    except OSError as exc:
        raise ConfigError(shown, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(shown, "file is larger than 1 MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(shown, "is not valid UTF-8", line=bad_line) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(match.group(1)) if match else None
        if match is None and "end of document" in message:
            line = text.count("\n") + (0 if text.endswith("\n") else 1) or 1
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        col = f"col {match.group(2)}: " if match else ""
        raise ConfigError(shown, f"{col}TOML syntax error: {reason}", line=line) from None
    return _validate(data, text, shown, path)


def _validate(data: dict[str, Any], text: str, shown: str, path: Path) -> Config:
    config = Config(path=path)
    for key, value in data.items():
        if key not in _TOP_LEVEL:
            # A warning, not an error: a typo or a newer version's key must not stop the app.
            config.warnings.append(_where(shown, _line_of(text, key), key, "unknown key ignored"))
            continue
        expected, description, bounds = _TOP_LEVEL[key]
        _check_type(value, expected, description, bounds, shown, _line_of(text, key), key)
    for key, allowed in (("mark_read", MARK_READ_POLICIES), ("images", IMAGE_MODES)):
        if key in data and data[key] not in allowed:
            *most, last = (toml_value(choice) for choice in allowed)
            choices = f"{', '.join(most)} or {last}"
            raise ConfigError(shown, f"expected {choices}, got {toml_value(data[key])}",
                              line=_line_of(text, key), key=key)
    for key in ("refresh_minutes", "prefetch", "prefetch_per_source", "cache_size_mb",
                "keep_days", "thread_depth", "thread_prefetch_max", "mark_read", "max_width",
                "images", "theme", "browser"):
        if key in data:
            setattr(config, key, data[key])
    keys = data.get("keys", {})
    for action, binding in keys.items():
        if not isinstance(binding, str) or not binding.strip():
            raise ConfigError(shown, f'expected a key string such as "j,down", got '
                              f"{toml_value(binding)}", line=_line_of(text, action),
                              key=f"keys.{action}")
    config.keys = dict(keys)
    # Names only the app uses, checked here so that every command says so, with the line.
    for action in keys:
        if action not in ACTION_IDS:
            config.warnings.append(_where(shown, _line_of(text, action), f"keys.{action}",
                                          "unknown action ignored (help, ?, names them all)"))
    if isinstance(config.theme, str) and config.theme not in THEME_NAMES:
        config.warnings.append(_where(shown, _line_of(text, "theme"), "theme",
                                      f"unknown theme {toml_value(config.theme)} ignored"))
    if "sources" in data:
        config.sources = []
        for index, table in enumerate(data["sources"]):
            config.sources.append(_source(table, index, text, shown, config))
    for index, table in enumerate(data.get("filters", [])):
        config.filters.append(_filter(table, index, text, shown, config))
    return config


def _array_table(
    table: Any, name: str, index: int, known: set[str], text: str, shown: str, config: Config
) -> Callable[[str], int | None]:
    """Check one [[name]] table: a table, unknown keys warned about. Returns the look-up of a
    key's line in it, for messages.

    Line numbers are looked up only for a message: finding every [[sources]] header for each
    of 200 sources was most of the config's load time (0.1 s).
    """
    if not isinstance(table, dict):
        header = _line_of_table(text, name, index)
        raise ConfigError(shown, f"expected a [[{name}]] table, got {toml_value(table)}",
                          line=header,
                          key=f"{name}[{index}]")

    def line(key: str) -> int | None:
        return _line_in_table(text, _line_of_table(text, name, index), key)

    for key in table:
        if key not in known:
            config.warnings.append(
                _where(shown, line(key), f"{name}[{index}].{key}", "unknown key ignored")
            )
    return line


def _filter(table: Any, index: int, text: str, shown: str, config: Config) -> HeadlineFilter:
    where = f"filters[{index}]"
    line = _array_table(table, "filters", index, _FILTER_KEYS, text, shown, config)
    words = table.get("words", [])
    if isinstance(words, str):
        words = [words]
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise ConfigError(shown, f"expected a list of words, got {toml_value(words)}",
                          line=line("words"),
                          key=f"{where}.words")
    regex = table.get("regex")
    pattern = None
    if regex is not None:
        if not isinstance(regex, str) or not regex:
            raise ConfigError(shown, f"expected a regular expression, got {toml_value(regex)}",
                              line=line("regex"),
                              key=f"{where}.regex")
        try:
            pattern = re.compile(regex, re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(shown, f"expected a regular expression, got {toml_value(regex)}"
                              f" ({exc})",
                              line=line("regex"), key=f"{where}.regex") from None
    if not words and pattern is None:
        raise ConfigError(shown, "needs words or a regex", line=_line_of_table(text, "filters",
                          index), key=where)
    source = table.get("source")
    if source is not None and (not isinstance(source, str) or not source.strip()):
        raise ConfigError(shown, f"expected a source name or URL, got {toml_value(source)}",
                          line=line("source"),
                          key=f"{where}.source")
    return HeadlineFilter(tuple(w.strip().casefold() for w in words), pattern,
                          source.strip() if source else None)


def _source(table: Any, index: int, text: str, shown: str, config: Config) -> Source:
    where = f"sources[{index}]"
    line = _array_table(table, "sources", index, _SOURCE_KEYS, text, shown, config)
    for key in ("name", "url"):
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            problem = ("is required (a string)" if value is None
                       else f"expected a non-empty string, got {toml_value(value)}")
            raise ConfigError(shown, problem, line=line(key), key=f"{where}.{key}")
    url = table["url"].strip()
    if not re.match(r"https?://[^\s/]+", url, re.IGNORECASE):
        raise ConfigError(shown, f"expected an http(s) URL, got {toml_value(url)}",
                          line=line("url"), key=f"{where}.url")
    folder = table.get("folder")
    if folder is not None and not isinstance(folder, str):
        raise ConfigError(shown, f"expected a string, got {toml_value(folder)}",
                          line=line("folder"), key=f"{where}.folder")
    if "refresh_minutes" in table:
        _check_type(table["refresh_minutes"], int, "an integer (minutes)", (1, 10_080), shown,
                    line("refresh_minutes"), f"{where}.refresh_minutes")
        config.source_refresh_minutes[url] = table["refresh_minutes"]
    return Source(table["name"].strip(), url, folder.strip() if folder else None)


def _check_type(
    value: Any,
    expected: type | tuple[type, ...],
    description: str,
    bounds: tuple[int, int] | None,
    shown: str,
    line: int | None,
    key: str,
) -> None:
    # bool is an int subclass: `refresh_minutes = true` must not pass as 1.
    wrong = not isinstance(value, expected) or (expected is int and isinstance(value, bool))
    if wrong:
        raise ConfigError(shown, f"expected {description}, got {toml_value(value)}", line=line,
                          key=key)
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        raise ConfigError(shown, f"expected {description} from {bounds[0]} to {bounds[1]}, got "
                          f"{toml_value(value)}", line=line, key=key)


def toml_value(value: Any, width: int = 40) -> str:
    """`value` as it is spelt in TOML (`true`, `"soon"`, `[1, 2]`), on one line, cut to
    `width`: a message quotes what the file says, not Python's repr (`True`, `'soon'`)."""
    shown = _toml(value)
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # TOML's basic string escapes, on one line
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + "}"
    if hasattr(value, "isoformat"):  # TOML dates and times
        return str(value.isoformat())
    return repr(value)  # int, float (inf and nan are spelt the same)


def _where(shown: str, line: int | None, key: str, message: str) -> str:
    return f"{shown}:{line}: [{key}] {message}" if line else f"{shown}: [{key}] {message}"


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?\s*=", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _line_of_table(text: str, name: str, index: int) -> int | None:
    matches = list(re.finditer(rf"^[ \t]*\[\[\s*{re.escape(name)}\s*\]\]", text, re.MULTILINE))
    if index < len(matches):
        return text.count("\n", 0, matches[index].start()) + 1
    return None


def _line_in_table(text: str, header: int | None, key: str) -> int | None:
    """The line of `key` inside the table whose header is on line `header`; else the header.

    A missing key (or an inline table) has no line of its own: the header is the place to look.
    """
    if header is None:
        return None
    lines = text.splitlines()
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?\s*=")
    for number in range(header + 1, len(lines) + 1):
        current = lines[number - 1]
        if re.match(r"^[ \t]*\[", current):
            break  # the next table
        if pattern.match(current):
            return number
    return header
