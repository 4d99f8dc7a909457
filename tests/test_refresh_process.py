"""The app's refresh in a child process: same result as in-process, progress, failure, cancel."""

from __future__ import annotations

import asyncio
import sys

import pytest

from newsreader.services import refresh_process, wiring
from newsreader.services.reader import Reader
from newsreader.services.refresh_process import RefreshProcessError
from tests.http_server import TestServer, stall
from tests.site_helpers import fixture_config, serve_fixture_site


@pytest.fixture
def site(http_server: TestServer) -> TestServer:
    serve_fixture_site(http_server)
    return http_server


@pytest.fixture
def stalled_config(http_server: TestServer):  # type: ignore[no-untyped-def]
    """The fixture site, with its last feed never answering: a refresh that stays running."""
    serve_fixture_site(http_server)
    config = fixture_config(http_server)
    http_server.handler(
        config.sources[-1].url.removeprefix(http_server.base_url), lambda h: stall(h, seconds=30)
    )
    return config


def open_reader(site: TestServer) -> Reader:
    return wiring.open_reader(fixture_config(site), refresh_in_child=True)


# (what the refresh process does, the one line the app shows)
BROKEN_CHILDREN = {
    "dies with a traceback": (
        [sys.executable, "-c", "import sys; print('Traceback (most recent call last):\\n"
         "  ...\\nOSError: disk on fire', file=sys.stderr); sys.exit(3)"],
        "the refresh stopped: OSError: disk on fire",
    ),
    "prints garbage on its protocol": (
        [sys.executable, "-c", "print('{\"progress\": {\"nope\": 1}}'); print('\\x1b[2J junk')"],
        "the refresh process sent an unreadable line (newsreader upgraded? restart it)",
    ),
    "is killed": (
        [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"],
        "the refresh stopped: killed by SIGKILL",
    ),
    "cannot start": (
        ["/nonexistent/newsreader-test/python"],
        "could not start the refresh process: No such file or directory",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_CHILDREN))
async def test_a_broken_refresh_process_is_one_line_and_the_app_lives_on(
    site: TestServer, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    command, message = BROKEN_CHILDREN[case]
    monkeypatch.setattr(refresh_process, "CHILD_COMMAND", tuple(command))
    reader = open_reader(site)
    with pytest.raises(RefreshProcessError) as caught:
        await reader.refresh()
    assert str(caught.value) == message
    assert not reader.progress.running
    assert not reader.refresher.lock.locked()
    assert reader.headlines() == []
    await reader.aclose()


async def test_child_refresh_lists_what_an_in_process_refresh_lists(site: TestServer) -> None:
    reader = open_reader(site)
    assert reader.refresher.child is not None
    ticks: list[tuple[int, int, bool]] = []
    progress = await reader.refresh(
        lambda p: ticks.append((p.sources_done, p.stories_done, p.running))
    )
    assert progress.errors == {} and not progress.running
    assert progress.sources_done == progress.sources_total == len(reader.sources)
    assert progress.stories_total > 0 and progress.stories_done == progress.stories_total
    assert ticks[-1] == (progress.sources_total, progress.stories_total, False)
    assert ticks[0] == (0, 0, True), "running is reported before the child has started"
    assert reader.progress is progress
    # The parent re-read what the child stored: the list is there without reopening.
    in_child = [(h.id, h.title) for h in reader.headlines()]
    assert in_child
    assert all(reader.is_cached(h.url) for h in reader.headlines() if h.url)
    await reader.aclose()

    # The same feeds refreshed in-process (another data dir) give the same list.
    other = wiring.open_reader(fixture_config(site), paths=_paths_under(reader, "other"))
    await other.refresh()
    assert [(h.id, h.title) for h in other.headlines()] == in_child
    await other.aclose()


async def test_a_second_child_refresh_is_all_304(site: TestServer) -> None:
    reader = open_reader(site)
    await reader.refresh()
    before = len(site.requests)
    progress = await reader.refresh()
    statuses = {path for _, path, _ in site.requests[before:]}
    assert progress.new_headlines == 0 and progress.errors == {}
    assert len(statuses) == len(reader.sources), "only the feeds were asked again"
    await reader.aclose()


async def test_cancelling_stops_the_child_and_leaves_a_usable_cache(
    stalled_config, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    config = stalled_config
    started: list[asyncio.subprocess.Process] = []
    real_exec = asyncio.create_subprocess_exec

    async def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        process = await real_exec(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(refresh_process.asyncio, "create_subprocess_exec", spy)
    reader = wiring.open_reader(config, refresh_in_child=True)
    first_tick = asyncio.Event()
    # The first tick comes before the child exists: wait for one the child sent.
    task = asyncio.create_task(reader.refresh(lambda p: started and first_tick.set()))
    await asyncio.wait_for(first_tick.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert started and started[0].returncode is not None, "the child is gone"
    assert not reader.refresher.lock.locked()
    await reader.aclose()
    # Whatever the child stored before it stopped is readable, nothing is half-written.
    again = wiring.open_reader(config, offline=True)
    assert not again.warnings
    assert isinstance(again.headlines(), list)
    await again.aclose()


async def test_offline_or_injected_transport_refreshes_in_process(site: TestServer) -> None:
    import httpx

    injected = wiring.open_reader(
        fixture_config(site), refresh_in_child=True,
        transport=httpx.AsyncHTTPTransport(),
    )
    assert injected.refresher.child is None
    await injected.aclose()
    offline = wiring.open_reader(fixture_config(site), refresh_in_child=True, offline=True)
    progress = await offline.refresh()
    assert progress.offline and not progress.running
    await offline.aclose()


def _paths_under(reader: Reader, name: str):  # type: ignore[no-untyped-def]
    from newsreader.paths import Paths

    assert reader.paths is not None
    base = reader.paths.data_dir.parent / name
    return Paths(base / "config.toml", base / "data", base / "cache")


async def test_a_schedule_check_with_nothing_due_starts_no_child(
    site: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = open_reader(site)
    await reader.refresh()
    started: list[object] = []

    async def no_spawn(*args: object, **kwargs: object) -> object:
        started.append(args)
        raise AssertionError("no child for a refresh with nothing due")

    monkeypatch.setattr(refresh_process.asyncio, "create_subprocess_exec", no_spawn)
    progress = await reader.refresh(force=False)
    assert started == []
    assert progress.not_due == len(reader.sources) and not progress.running
    await reader.aclose()


async def test_cancelling_before_the_child_reports_leaves_no_child(site: TestServer) -> None:
    import os
    from pathlib import Path

    reader = open_reader(site)
    task = asyncio.create_task(reader.refresh())
    for _ in range(3):  # cancel while the child is being started
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.5)
    ours = []
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (proc / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if int(stat[1]) == os.getpid() and stat[0] != "Z" and b"refresh_process" in cmdline:
            ours.append(proc.name)
    assert ours == [], "a refresh child outlived its cancelled refresh"
    await reader.aclose()


async def test_a_json_py_in_the_working_directory_is_not_imported_by_the_child(
    site: TestServer, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    (tmp_path / "json.py").write_text("raise SystemExit('imported the stray json.py')\n")
    monkeypatch.chdir(tmp_path)
    reader = open_reader(site)
    progress = await reader.refresh()
    assert progress.errors == {} and reader.headlines()
    await reader.aclose()


async def test_closing_the_reader_mid_refresh_waits_for_the_child_to_stop(
    stalled_config,  # type: ignore[no-untyped-def]
) -> None:
    # The app quitting: Reader.aclose stops the child and waits for it (SIGTERM: it cancels
    # its refresh and closes the cache), so nothing outlives the app's event loop.
    reader = wiring.open_reader(stalled_config, refresh_in_child=True)
    reported = asyncio.Event()
    task = asyncio.create_task(
        reader.refresh(lambda p: reader.refresher.child.process is not None and reported.set())
    )
    await asyncio.wait_for(reported.wait(), 30)
    child = reader.refresher.child.process
    await reader.aclose()
    assert child.returncode is not None, "the child has exited"
    assert child.returncode != -9, "it stopped by itself, it was not killed"
    with pytest.raises(RefreshProcessError):
        await task
