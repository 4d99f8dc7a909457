"""The `newsreader` command: the app by default, headless subcommands for scripts and cron."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader import __version__
from newsreader.cli_manage import MANAGE_COMMANDS, add_manage_commands, run_manage, say_notices
from newsreader.config import Config, load_config
from newsreader.errors import ConfigError, NewsreaderError
from newsreader.paths import default_paths

if TYPE_CHECKING:
    from newsreader.services.reader import Reader

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# The reader of our output went away (`newsreader search x | head -1`): end quietly with the status
# a shell reports for a Unix tool that SIGPIPE ended there (`seq 1 100000 | head -1`): 128 + 13.
EXIT_BROKEN_PIPE = 141


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS keeps a subcommand's unset option from overwriting the top-level one.
    common.add_argument("--config", type=Path, metavar="PATH", default=argparse.SUPPRESS,
                        help="config file (default: the user config dir's config.toml)")
    common.add_argument("--offline", action="store_true", default=argparse.SUPPRESS,
                        help="never touch the network; use the cache only")
    common.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                        help="use the bundled demo edition (no network needed)")
    parser = argparse.ArgumentParser(
        prog="newsreader",
        description="A terminal news reader. With no command, opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"newsreader {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    fetch = commands.add_parser("fetch", parents=[common],
                                help="refresh sources that are due and prefetch their stories")
    fetch.add_argument("--all", action="store_true", dest="force",
                       help="refresh every source now, whatever its schedule")
    read = commands.add_parser("read", parents=[common], help="print one or more stories")
    read.add_argument("urls", nargs="+", metavar="URL")
    read.add_argument("--format", choices=("text", "json"), default="text",
                      help="text (default) or json: one JSON object per line")
    thread = commands.add_parser(
        "thread", parents=[common],
        help="print a story's thread: what it recalls and what followed it, oldest first")
    thread.add_argument("url", metavar="URL")
    thread.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or json: one object with the stories in order")
    commands.add_parser("paths", parents=[common],
                        help="print the config, data and cache locations")
    add_manage_commands(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every command's output may go to a pipe that closes early."""
    try:
        status = _main(argv)
        sys.stdout.flush()  # a short output is still buffered: a closed pipe fails here
    except BrokenPipeError:
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    return status


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit does not fail on the pipe again
    (the recipe of Python's signal module documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout replaced by something file-less
        pass


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.command:  # collections were held while the modules loaded (__main__.run)
        gc.enable()  # the app holds them until its first frame (ui/gc_pacing)
    demo = getattr(args, "demo", False)
    offline = getattr(args, "offline", False)
    paths = default_paths(demo=demo)
    config_path = getattr(args, "config", None) or paths.config_file
    if getattr(args, "config", None) and not config_path.exists():
        print(f"newsreader: config file not found: {config_path}", file=sys.stderr)
        return EXIT_USAGE
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        print(f"newsreader: config error: {exc}", file=sys.stderr)
        if args.command == "paths":  # still says where the file is, to fix it
            _paths(config_path, demo)
        return EXIT_USAGE
    if args.command:
        # Headless commands say it at once; the app shows them with its start-up notices.
        for warning in config.warnings:
            print(f"newsreader: warning: {warning}", file=sys.stderr)
        config.warnings = []
    if args.command == "paths":
        return _paths(config_path, demo)
    if demo:
        from newsreader.demo import DEMO_SOURCES

        config.sources = list(DEMO_SOURCES)
        config.path = None  # the demo never writes the user's config file
    try:
        writes_config = args.command == "import-opml" or (
            args.command == "sources" and args.action in ("add", "remove")
        )
        if demo and writes_config:
            print("newsreader: the demo edition's sources are fixed", file=sys.stderr)
            return EXIT_USAGE
        if args.command in MANAGE_COMMANDS:
            return run_manage(
                args, config, lambda: _open_reader(config, offline=offline, demo=demo)
            )
        if args.command == "fetch":
            return asyncio.run(_fetch(config, offline=offline, demo=demo, force=args.force))
        if args.command == "read":
            return asyncio.run(_read(config, args.urls, args.format, offline, demo))
        if args.command == "thread":
            return asyncio.run(_thread(config, args.url, args.format, offline, demo))
        return _app(config, offline=offline, demo=demo)
    except KeyboardInterrupt:
        return 130
    except NewsreaderError as exc:  # e.g. a state.db that cannot even be read: one line
        print(f"newsreader: {exc}", file=sys.stderr)
        return EXIT_FAILED


def run() -> None:
    """The `newsreader` command: `main()`, then exit without Python's own teardown when it has
    nothing left to do.

    By the time main() returns, the app has left the screen and every read mark, history
    entry and cache write is committed and its database closed; what remained was Python
    collecting and freeing every object of the session and tearing its modules down, which
    kept the shell prompt waiting 0.15-0.3 s after `q` (and a cached story's `read` ~0.03 s).
    That is skipped only when nothing else could still need the normal exit: no other
    thread running, no process pool ever started (its atexit clean-up), and both output
    streams flushed. Otherwise it is the ordinary exit.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: let the normal exit say and handle it
        raise SystemExit(code) from None
    if _nothing_left_running():
        os._exit(code)
    raise SystemExit(code)


def _nothing_left_running() -> bool:
    main_thread = threading.main_thread()
    if any(t is not main_thread and not t.daemon for t in threading.enumerate()):
        return False
    return "concurrent.futures.process" not in sys.modules and "multiprocessing.pool" not in \
        sys.modules


def _paths(config_path: Path, demo: bool) -> int:
    paths = default_paths(demo=demo)
    print(f"config  {config_path}")
    print(f"data    {paths.data_dir}")
    print(f"cache   {paths.cache_dir}")
    return EXIT_OK


def _open_reader(
    config: Config, *, offline: bool, demo: bool, refresh_in_child: bool = False
) -> Reader:
    from newsreader.services.wiring import open_reader

    reader = open_reader(config, offline=offline, demo=demo, refresh_in_child=refresh_in_child)
    reader.warnings[:0] = config.warnings  # shown once: here, or by the app at start-up
    for warning in reader.warnings:
        print(f"newsreader: warning: {warning}", file=sys.stderr)
    return reader


async def _fetch(config: Config, *, offline: bool, demo: bool, force: bool) -> int:
    from newsreader.cli_render import fetch_progress
    from newsreader.present import failure_groups

    reader = _open_reader(config, offline=offline, demo=demo)
    try:
        if offline:
            print("newsreader: offline: nothing fetched", file=sys.stderr)
            return EXIT_OK
        with fetch_progress() as on_progress:
            progress = await reader.refresh(on_progress, force=force)
    finally:
        say_notices(reader)
        await reader.aclose()
    for name, reason in sorted(progress.errors.items()):
        print(f"newsreader: {name}: {reason}", file=sys.stderr)
    for name, note in sorted(progress.warnings.items()):
        print(f"newsreader: {name}: warning: {note}", file=sys.stderr)
    for notice in progress.notices:
        print(f"newsreader: warning: {notice}", file=sys.stderr)
    if progress.paused:
        print(f"newsreader: {progress.paused}", file=sys.stderr)
    if progress.story_errors:
        noun = "story" if progress.story_errors == 1 else "stories"
        print(f"newsreader: {progress.story_errors} {noun} not prefetched:", file=sys.stderr)
        for line in failure_groups(progress.story_failures):
            print(f"  {line}", file=sys.stderr)
    ok = progress.succeeded
    prefetched = progress.stories_done - progress.story_errors - progress.stories_paused
    summary = (
        f"{ok} of {progress.sources_total} sources refreshed, {progress.new_headlines} new "
        f"headlines, {prefetched} of "
        f"{progress.stories_total} stories prefetched"
    )
    if progress.threads_total:
        summary += (f", {progress.threads_done - progress.thread_errors} of "
                    f"{progress.threads_total} pages along their threads")
    if progress.not_due:
        summary += (
            f"; {progress.not_due} not due yet or waiting to retry after an error"
            " (fetch --all refreshes them now)"
        )
    if progress.offline:
        summary += " (the network looks down: the cache is unchanged)"
    print(summary)
    # Any source still failing (just now, or earlier and waiting to retry) makes it exit 1,
    # so cron and scripts notice; the cache and the other sources are fine either way. So does
    # a prefetch of which not one story arrived; a few failing stories do not, nor does a
    # full cache (an expected state: the headlines are kept and the line says so).
    nothing_prefetched = progress.stories_total > 0 and not prefetched and not progress.paused
    return EXIT_FAILED if progress.errors or nothing_prefetched else EXIT_OK


async def _read(
    config: Config, urls: list[str], output: str, offline: bool, demo: bool
) -> int:
    from newsreader.cli_render import print_story
    from newsreader.parse.urls import url_from_user
    from newsreader.present import has_text

    reader = _open_reader(config, offline=offline, demo=demo)
    status = EXIT_OK
    try:
        for raw in urls:
            url = url_from_user(raw)  # "example.com/a" is https://example.com/a, as `O` takes it
            if url is None:
                print(f"newsreader: {raw!r}: not an http(s) URL", file=sys.stderr)
                status = EXIT_FAILED
                continue
            try:
                story = await reader.open_story(url)
            except NewsreaderError as exc:
                print(f"newsreader: {exc}", file=sys.stderr)
                status = EXIT_FAILED
                continue
            if output == "json":
                print(json.dumps(story.to_dict(), ensure_ascii=False), flush=True)
            else:
                print_story(story, cached=reader.is_cached)
            if not has_text(story):
                print(f"newsreader: {url}: no article text found", file=sys.stderr)
                status = EXIT_FAILED
    finally:
        say_notices(reader)
        await reader.aclose()
    return status


async def _thread(config: Config, raw: str, output: str, offline: bool, demo: bool) -> int:
    from newsreader.cli_render import print_thread
    from newsreader.parse.urls import url_from_user

    url = url_from_user(raw)
    if url is None:
        print(f"newsreader: {raw!r}: not an http(s) URL", file=sys.stderr)
        return EXIT_FAILED
    reader = _open_reader(config, offline=offline, demo=demo)
    try:
        entries = await reader.load_thread(url)
    except NewsreaderError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        say_notices(reader)
        await reader.aclose()
    if output == "json":
        print(json.dumps({"url": url, "stories": [e.to_dict() for e in entries]},
                         ensure_ascii=False))
    else:
        print_thread(entries)
    return EXIT_OK


def _app(config: Config, *, offline: bool, demo: bool) -> int:
    from newsreader.ui.gc_pacing import hold_until_first_paint

    hold_until_first_paint()  # the app's GcPacer takes collections over after its first frame
    # The app's loop only paints and answers keys; its refreshes run in a child process.
    from newsreader.ui.terminal_probe import Graphics, detect, hold, release

    # Keys typed from here until Textual's driver reads them are read as it reads them (an
    # Enter typed in the cooked mode a shell leaves reached the app as ctrl+j).
    held = hold()
    try:
        # Asked before Textual reads the terminal (after that its replies would be keys).
        graphics = detect(config.images) if config.images != "off" else Graphics()
        if held is not None:
            graphics = graphics._replace(typed=held.typed + graphics.typed)
        if graphics is not None and graphics.protocol == "kitty":
            # A kitty picture's id is its cells' 24-bit colour: Textual must not reduce it to
            # 256 colours, as it does when COLORTERM is unset (over ssh, kitty's is not sent).
            os.environ["COLORTERM"] = "truecolor"
        reader = _open_reader(config, offline=offline, demo=demo, refresh_in_child=True)
        from newsreader.ui.app import run_app

        return run_app(reader, crash_log=default_paths(demo=demo).data_dir / "crash.log",
                       graphics=graphics, tty_mode=held.mode if held else None)
    finally:
        release(held.mode if held else None)  # whatever happened before the driver put it back
        gc.enable()  # whatever happened before the first frame

