"""Issue 19: a full cache disk, a killed prefetch, a damaged cache — real processes, real faults."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.hostile.helpers import items, rss
from tests.hostile.test_cache import tmpfs
from tests.http_server import TestServer, send_head

FEEDS = 20
PER_FEED = 20


def serve_site(server: TestServer, page_kib: int = 40, delay: list[float] | None = None) -> None:
    """FEEDS feeds of PER_FEED stories, each story page about `page_kib` KiB of real text;
    story pages wait `delay[0]` seconds before answering (the test changes it)."""
    paragraph = "<p>" + "The council met on Tuesday and agreed the budget for next year. " * 8
    body = paragraph + "</p>"
    page_count = max(1, page_kib * 1024 // len(body))
    for f in range(FEEDS):
        base = server.url(f"/s{f}")
        server.route(f"/feed{f}.xml", rss(items(PER_FEED, f"f{f}", base=base)),
                     content_type="application/rss+xml")
        for i in range(PER_FEED):
            html = (f"<html><head><title>Story {f}-{i}</title></head><body><article>"
                    f"<h1>Story {f}-{i}</h1>{body * page_count}</article></body></html>")
            server.handler(f"/s{f}/f{f}/{i}", _page(html.encode(), delay or [0.0]))


def _page(body: bytes, delay: list[float]):  # type: ignore[no-untyped-def]  # a handler factory
    def answer(h: BaseHTTPRequestHandler) -> None:
        if delay[0]:
            time.sleep(delay[0])
        send_head(h, 200, {"Content-Type": "text/html; charset=utf-8",
                           "Content-Length": str(len(body))})
        h.wfile.write(body)

    return answer


def write_config(home: Path, server: TestServer) -> None:
    config = home / "config" / "newsreader" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"prefetch_per_source = {PER_FEED}\n\n" + "".join(
        f'[[sources]]\nname = "Feed {f}"\nurl = "{server.url(f"/feed{f}.xml")}"\n\n'
        for f in range(FEEDS)
    ))


def fetch(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsreader", "fetch", *args], env=env,
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)


def environment(home: Path, cache_home: Path) -> dict[str, str]:
    return {**os.environ, "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(cache_home)}


def test_a_full_cache_disk_pauses_the_prefetch_and_keeps_the_headlines(
    http_server: TestServer, tmp_path: Path
) -> None:
    """19.1: 400 stories of ~40 KiB for a 2 MiB cache: one line, a summary, headlines kept."""
    serve_site(http_server)
    write_config(tmp_path, http_server)
    with tmpfs(tmp_path / "small", "2m") as mount:
        env = environment(tmp_path, mount)
        result = fetch(env, "--all")
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
        assert "sources refreshed" in result.stdout, (result.stdout, result.stderr[-2000:])
        full = [line for line in result.stderr.splitlines() if "cache full" in line]
        assert len(full) == 1, result.stderr
        assert "MiB free): prefetch paused" in full[0]
        info = subprocess.run([sys.executable, "-m", "newsreader", "cache", "info"], env=env,
                              capture_output=True, text=True, timeout=60)
        assert "Traceback" not in info.stderr
        listed = int(info.stdout.split("cached of ")[1].split()[0])
        assert listed == FEEDS * PER_FEED, (result.stdout, info.stderr, info.stdout)


def test_a_fetch_killed_in_its_prefetch_is_finished_by_the_next_fetch(
    http_server: TestServer, tmp_path: Path
) -> None:
    """19.5 and 19.6: kill -9 during the prefetch; a plain `fetch` (no feed due) finishes it,
    and what the killed process leaves behind says nothing on the terminal."""
    delay = [0.05]  # slow enough that the kill lands mid-prefetch
    serve_site(http_server, page_kib=8, delay=delay)
    write_config(tmp_path, http_server)
    env = environment(tmp_path, tmp_path / "cache")
    proc = subprocess.Popen([sys.executable, "-m", "newsreader", "fetch", "--all"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the feeds are in once a story page is asked for
        if any("/s" in path for _, path, _ in list(http_server.requests)):
            break
        time.sleep(0.02)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)  # the process, as `kill -9 PID` does: not its helpers
    _, killed_err = proc.communicate(timeout=30)  # EOF once its helpers have gone too
    delay[0] = 0.0
    again = fetch(env)
    assert "Traceback" not in again.stderr, again.stderr
    info = subprocess.run([sys.executable, "-m", "newsreader", "cache", "info"], env=env,
                          capture_output=True, text=True, timeout=60)
    cached, listed = (int(n) for n in info.stdout.split("stories")[1].split()[:4:3])
    assert listed == FEEDS * PER_FEED
    assert cached == listed, (again.stdout, info.stdout)
    assert "leaked semaphore" not in killed_err + again.stderr


def _pad_and_damage(env: dict[str, str], cache_dir: Path) -> None:
    """Fill the cache with enough rows that damage in the middle of the file hits real data,
    then write 64 KiB of garbage into the middle of cache.db (the issue's recipe)."""
    pad = ("import sys; from newsreader.store.cache import open_cache; "
           "c, _ = open_cache(sys.argv[1]); "
           "[c.put_json(f'pad{i}', {'pad': 'p' * 400}) for i in range(600)]; c.close()")
    subprocess.run([sys.executable, "-c", pad, str(cache_dir)], env=env, check=True)
    db = cache_dir / "cache.db"
    with open(db, "r+b") as f:
        f.seek(db.stat().st_size // 2)
        # Seeded: the same garbage every run, so a pass or a failure can be repeated.
        f.write(random.Random(19).randbytes(64 * 1024))


def _cache_info(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsreader", "cache", "info"], env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("first", ["fetch --all", "cache info"])
def test_a_damaged_cache_is_said_every_time_and_rebuilt(
    http_server: TestServer, tmp_path: Path, first: str
) -> None:
    """19.3: whichever command meets the damage says so in one line, and the next fetch
    rebuilds every headline and story that can be rebuilt."""
    serve_site(http_server, page_kib=4)
    write_config(tmp_path, http_server)
    env = environment(tmp_path, tmp_path / "cache")
    assert fetch(env, "--all").returncode == 0
    _pad_and_damage(env, tmp_path / "cache" / "newsreader")
    met = fetch(env, "--all") if first == "fetch --all" else _cache_info(env)
    assert "Traceback" not in met.stderr
    said = [line for line in met.stderr.splitlines() if "cache was corrupt" in line]
    assert len(said) == 1, met.stderr
    if first == "cache info":
        rebuilt = fetch(env)  # nothing is due, but the headlines are gone: it rebuilds them
        assert "Traceback" not in rebuilt.stderr
    info = _cache_info(env)
    cached, listed = (int(n) for n in info.stdout.split("stories")[1].split()[:4:3])
    assert listed == FEEDS * PER_FEED, (met.stdout, met.stderr, info.stdout)
    assert cached == listed
