"""Headless commands for daily upkeep: sources, OPML, config example, cache and search."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader.config import Config
from newsreader.errors import NewsreaderError
from newsreader.models import Source
from newsreader.parse.urls import url_from_user
from newsreader.present import local_time, plural

if TYPE_CHECKING:
    from newsreader.services.reader import Reader
    from newsreader.services.sources import FoundFeeds

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MANAGE_COMMANDS = frozenset(
    {"sources", "import-opml", "export-opml", "config", "cache", "search", "mark-read"}
)


def add_manage_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser):
    sources = commands.add_parser("sources", parents=[common], help="list, add or remove sources")
    actions = sources.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", parents=[common], help="list the sources")
    add = actions.add_parser("add", parents=[common],
                             help="add a feed (or a site's home page: its feed is found)")
    add.add_argument("url", metavar="URL")
    add.add_argument("--name",
                     help="display name (default: the feed's title; unchecked, the host)")
    add.add_argument("--folder", help='folder, nested with "/" (e.g. "News/Ukraine")')
    remove = actions.add_parser("remove", parents=[common], help="remove a source")
    remove.add_argument("name_or_url", metavar="NAME|URL")

    opml_in = commands.add_parser("import-opml", parents=[common], help="add sources from OPML")
    opml_in.add_argument("file", type=Path, metavar="FILE")
    opml_out = commands.add_parser("export-opml", parents=[common], help="write sources as OPML")
    opml_out.add_argument("file", type=Path, nargs="?", metavar="FILE",
                          help="output file (default: standard output)")

    config = commands.add_parser("config", parents=[common], help="configuration helpers")
    config.add_argument("--example", action="store_true", required=True,
                        help="print a commented example config.toml")

    cache = commands.add_parser("cache", parents=[common], help="inspect or clear the cache")
    cache_actions = cache.add_subparsers(dest="action", metavar="ACTION", required=True)
    cache_actions.add_parser("info", parents=[common], help="size, stories, oldest, per source")
    clear = cache_actions.add_parser("clear", parents=[common], help="drop cached data")
    clear.add_argument("--source", metavar="NAME", help="only this source's data")

    search = commands.add_parser("search", parents=[common], help="full-text search the cache")
    search.add_argument("words", nargs="+", metavar="WORD")

    mark = commands.add_parser("mark-read", parents=[common],
                               help="mark headlines read: all, a source's or a folder's")
    which = mark.add_mutually_exclusive_group()
    which.add_argument("--source", metavar="NAME", help="only this source (name or URL)")
    which.add_argument("--folder", metavar="FOLDER", help="only this folder (and its subfolders)")
    mark.add_argument("--before", metavar="DATE",
                      help="only stories published before this date (YYYY-MM-DD or ISO time)")


def say_notices(reader: Reader) -> None:
    """Print what went wrong quietly while the command ran (a damaged cache started afresh)."""
    for notice in reader.notices():
        print(f"newsreader: warning: {notice}", file=sys.stderr)


def run_manage(
    args: argparse.Namespace, config: Config, open_reader: Callable[[], Reader]
) -> int:
    """Run one management command; expected failures print one line and return non-zero."""
    try:
        if args.command == "config":
            from importlib import resources

            text = resources.files("newsreader").joinpath("config.example.toml").read_text("utf-8")
            sys.stdout.write(text)
            return EXIT_OK
        if args.command == "export-opml":
            return _export(config, args.file)
        if args.command == "import-opml":
            return _import(config, args.file)
        if args.command == "sources":
            if args.action == "list":
                return _list(config)
            if args.action == "remove":
                from newsreader.services.sources import remove_source

                removed = remove_source(config, args.name_or_url)
                print(f"removed {removed.name} ({removed.url})")
                return EXIT_OK
            return _add(config, args, open_reader)
        reader = open_reader()
        try:
            if args.command == "cache":
                return _cache(reader, args)
            if args.command == "mark-read":
                return _mark_read(reader, args)
            return _search(reader, " ".join(args.words))
        finally:
            say_notices(reader)
            reader.close()
    except NewsreaderError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _list(config: Config) -> int:
    for source in sorted(config.sources, key=lambda s: (s.folder or "", s.name.casefold())):
        folder = f"[{source.folder}] " if source.folder else ""
        print(f"{folder}{source.name}\t{source.url}")
    return EXIT_OK


def _add(config: Config, args: argparse.Namespace, open_reader: Callable[[], Reader]) -> int:
    from newsreader.services.sources import import_sources

    url = url_from_user(args.url)
    if url is None:
        print(f"newsreader: {args.url!r}: not an http(s) URL", file=sys.stderr)
        return EXIT_USAGE
    # Only the look-up runs in an event loop: the question below is asked outside it, so that
    # Ctrl+C there stops at once (asyncio.run's own SIGINT handling would only cancel its task).
    found = asyncio.run(_find_feeds(open_reader(), url))
    if not found.feeds:
        print(f"newsreader: {url}: no feed found on that page", file=sys.stderr)
        return EXIT_FAILED
    title, feed_url = found.feeds[0]
    if len(found.feeds) > 1:
        try:
            choice = _choose(found.feeds)
        except EOFError:  # Ctrl+D
            print("newsreader: cancelled: nothing added", file=sys.stderr)
            return EXIT_FAILED
        if choice is None:
            print("newsreader: several feeds found; add one of them by URL:", file=sys.stderr)
            for feed_title, feed in found.feeds:
                print(f"  {feed}  ({feed_title})", file=sys.stderr)
            return EXIT_FAILED
        title, feed_url = found.feeds[choice]
    source = Source(args.name or title or feed_url, feed_url, args.folder)
    _, duplicates = import_sources(config, [source])
    if duplicates:
        print(f"newsreader: already a source: {feed_url}", file=sys.stderr)
        return EXIT_FAILED
    where = f" in {source.folder}" if source.folder else ""
    note = f"; {found.note()}" if found.unchecked else ""
    print(f"added {source.name} ({source.url}){where}{note}")
    return EXIT_OK


async def _find_feeds(reader: Reader, url: str) -> FoundFeeds:
    try:
        return await reader.find_feeds(url)
    finally:
        await reader.aclose()


def _choose(feeds: list[tuple[str, str]]) -> int | None:
    """Ask which feed to add; None when there is no one to ask (not a terminal) or no answer.

    Ctrl+D raises EOFError, Ctrl+C KeyboardInterrupt, each after ending the prompt's line.
    """
    if not sys.stdin.isatty():
        return None
    for number, (title, url) in enumerate(feeds, 1):
        print(f"[{number}] {title}  {url}")
    while True:
        try:
            answer = input(f"Which feed (1-{len(feeds)})? ").strip()
        except (EOFError, KeyboardInterrupt):
            print(flush=True)
            raise
        if answer.isdigit() and 1 <= int(answer) <= len(feeds):
            return int(answer) - 1
        if not answer:
            return None


def _import(config: Config, file: Path) -> int:
    from newsreader.parse.opml import parse_opml  # defusedxml: only for this command
    from newsreader.services.sources import import_sources

    try:
        content = file.read_bytes()
    except OSError as exc:
        print(f"newsreader: {file}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    found = parse_opml(content, str(file))
    if not found.sources and not found.skipped:
        print(f"newsreader: {file}: the file holds no feeds; nothing added", file=sys.stderr)
        return EXIT_FAILED
    added, duplicates = import_sources(config, found.sources)
    for source in added:
        print(f"added {source.name} ({source.url})")
    for source in duplicates:
        print(f"skipped (already a source): {source.name} ({source.url})", file=sys.stderr)
    for reason in found.skipped:
        print(f"skipped: {reason}", file=sys.stderr)
    print(f"{len(added)} added, {plural(len(duplicates), 'duplicate')}, "
          f"{len(found.skipped)} refused")
    return EXIT_OK


def _export(config: Config, file: Path | None) -> int:
    from newsreader.parse.opml import write_opml

    text = write_opml(config.sources)
    if file is None:
        sys.stdout.write(text)
        return EXIT_OK
    from newsreader.store.files import write_atomically

    try:
        write_atomically(file, text)  # all or nothing: an earlier export stays until then
    except OSError as exc:
        print(f"newsreader: {file}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {len(config.sources)} sources to {file}")
    return EXIT_OK


def _cache(reader: Reader, args: argparse.Namespace) -> int:
    from newsreader.services.housekeeping import cache_info, clear_cache

    if args.action == "clear":
        source = None
        if args.source:
            source = next((s for s in reader.sources if args.source in (s.name, s.url)), None)
            if source is None:
                print(f"newsreader: no source named {args.source!r}", file=sys.stderr)
                return EXIT_FAILED
        count = clear_cache(reader.library, reader.cache, source)
        print(f"cleared {count} entries" + (f" of {source.name}" if source else ""))
        return EXIT_OK
    info = cache_info(reader.library, reader.stories)
    print(f"size      {info.size_bytes / 1024 / 1024:.1f} MiB in {info.entries} entries")
    unlisted = f", plus {info.stories_unlisted} in no feed" if info.stories_unlisted else ""
    print(f"stories   {info.stories_cached} cached of {info.headlines} headlines{unlisted}")
    print(f"oldest    {info.oldest or '-'}")
    for held in info.sources:
        print(f"  {held.name}: {held.headlines} headlines, {held.stories_cached} cached, "
              f"oldest {held.oldest or '-'}")
    return EXIT_OK


def _mark_read(reader: Reader, args: argparse.Namespace) -> int:
    from newsreader.dates import parse_time
    from newsreader.folders import in_folder

    before = parse_time(args.before) if args.before else None
    if args.before and before is None:
        print(f"newsreader: --before {args.before!r}: not a date (YYYY-MM-DD)", file=sys.stderr)
        return EXIT_USAGE
    known = {s.name for s in reader.sources} | {s.url for s in reader.sources}
    if args.source and args.source not in known:
        print(f"newsreader: no source named {args.source!r}", file=sys.stderr)
        return EXIT_FAILED
    if args.folder and not any(in_folder(s.folder, args.folder) for s in reader.sources):
        print(f"newsreader: no folder named {args.folder!r}", file=sys.stderr)
        return EXIT_FAILED
    chosen = reader.library.select(source=args.source, folder=args.folder, before=before)
    changed = reader.mark_read([h.id for h in chosen])
    print(f"marked {plural(len(changed), 'headline')} read")
    return EXIT_OK


def _search(reader: Reader, query: str) -> int:
    hits = reader.prepare_search(query)()
    for hit in hits:
        where = ", ".join(part for part in (hit.source, local_time(hit.published)) if part)
        print(f"{hit.title}  [{where}]\n  {hit.url}\n  {hit.snippet}")
    if not hits:
        print(f"newsreader: nothing cached matches {query!r}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
