"""The headless CLI as a user runs it: real processes against a loopback fixture site."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsreader import __version__
from newsreader.models import STORY_KEYS
from newsreader.paths import default_paths
from tests.fixture_site import STORY_PATHS
from tests.http_server import TestServer
from tests.site_helpers import serve_fixture_site, write_config


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsreader", *args],
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def site(http_server: TestServer) -> TestServer:
    serve_fixture_site(http_server)
    write_config(http_server)
    return http_server


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"newsreader {__version__}"


@pytest.mark.parametrize("args", [["read"], ["read", "--format", "xml", "http://a.b/"],
                                  ["--bogus"], ["frobnicate"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_fetch_then_read_offline_as_json_lines(site: TestServer) -> None:
    fetched = run("fetch")
    assert fetched.returncode == 0, fetched.stderr
    assert "sources refreshed" in fetched.stdout
    urls = [site.url(path) for path in STORY_PATHS]
    count = len(site.requests)
    result = run("read", "--offline", "--format", "json", *urls)
    assert len(site.requests) == count, "--offline never touches the network"
    lines = result.stdout.splitlines()
    stories = [json.loads(line) for line in lines]
    listed = [s for s in stories]
    assert listed and all(list(s) == list(STORY_KEYS) for s in listed)
    assert {s["url"] for s in listed} <= set(urls) | {s["canonical_url"] for s in listed}
    # Stories in the feeds were prefetched; any not in a feed fail cleanly with one line each.
    errors = [line for line in result.stderr.splitlines() if line]
    assert all(line.endswith("not in cache") for line in errors)
    assert len(lines) + len(errors) == len(urls)
    assert result.returncode == (1 if errors else 0)


def test_read_text_prints_story_without_markup_or_escapes(site: TestServer) -> None:
    result = run("read", site.url(STORY_PATHS[0]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert "\x1b" not in result.stdout  # not a tty: no styling, and never fetched escapes


def test_read_lists_the_links_of_the_text_after_the_related_ones_in_text_and_json(
    site: TestServer,
) -> None:
    metro = site.url(STORY_PATHS[2])  # Read also [1], Recall [2], a link in its text [3]
    target = site.url("/uk/news/uriad-sproshchuie-dopomohu-pereselentsiam")
    text = run("read", metro)
    assert text.returncode == 0, text.stderr
    after = text.stdout.split("Links in the text", 1)[1]
    assert after.split() == ["[3]", "the", "government", "simplified", "aid", "for",
                             "displaced", "people", target]
    data = json.loads(run("read", "--offline", "--format", "json", metro).stdout)
    assert data["links"] == [{"text": "the government simplified aid for displaced people",
                              "url": target, "block": 4}]  # image, p, quote, heading, it


def test_each_error_is_one_line_and_others_still_print(site: TestServer) -> None:
    site.route("/binary", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, content_type="image/png")
    good = site.url(STORY_PATHS[0])
    result = run("read", "--format", "json", site.url("/missing"), "http://127.0.0.1:9/x",
                 site.url("/binary"), "javascript:alert(1)", good)
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 1
    assert json.loads(result.stdout)["title"]
    errors = result.stderr.splitlines()
    assert len(errors) == 4, result.stderr
    assert "/missing" in errors[0] and "404" in errors[0]
    assert "127.0.0.1:9" in errors[1] and "unreachable" in errors[1]
    assert "/binary" in errors[2] and "not HTML" in errors[2]
    assert "javascript:alert(1)" in errors[3] and "not an http(s) URL" in errors[3]
    assert "Traceback" not in result.stderr


def test_offline_uncached_is_not_in_cache(site: TestServer) -> None:
    result = run("read", "--offline", site.url(STORY_PATHS[0]))
    assert result.returncode == 1
    assert result.stderr.strip().endswith("not in cache")


def test_bad_config_is_one_line_exit_2(site: TestServer) -> None:
    config = write_config(site, extra='refresh_minutes = "soon"\n')
    result = run("fetch")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert str(config) in result.stderr and "refresh_minutes" in result.stderr


def test_paths_prints_the_three_locations(isolated_dirs: dict) -> None:
    result = run("paths")
    assert result.returncode == 0
    out = result.stdout
    assert str(isolated_dirs["config"]) in out and str(isolated_dirs["cache"]) in out
    assert str(isolated_dirs["data"]) in out


def test_paths_says_the_config_warnings_like_every_command() -> None:
    config = default_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('refesh_minutes = 5\ntheme = "nosuch"\n[keys]\nnxt_story = "n"\n')
    result = run("paths")
    assert result.returncode == 0
    assert result.stdout.startswith(f"config  {config}\n")
    assert result.stderr.splitlines() == [
        f"newsreader: warning: {config}:1: [refesh_minutes] unknown key ignored",
        f"newsreader: warning: {config}:4: [keys.nxt_story] unknown action ignored "
        "(help, ?, names them all)",
        f'newsreader: warning: {config}:2: [theme] unknown theme "nosuch" ignored',
    ]


def test_paths_with_a_broken_config_still_says_where_it_is() -> None:
    config = default_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('refresh_minutes = "soon"\n')
    result = run("paths")
    assert result.returncode == 2  # a config error, as for every command
    assert result.stdout.startswith(f"config  {config}\n")
    assert result.stderr == (f"newsreader: config error: {config}:1: [refresh_minutes] "
                             'expected an integer (minutes), got "soon"\n')


def test_fetch_honours_schedule_and_backoff(site: TestServer) -> None:
    first = run("fetch")
    assert first.returncode == 0 and "not due" not in first.stdout
    again = run("fetch")
    assert again.returncode == 0
    assert again.stdout.startswith("0 of 0 sources refreshed") and "not due yet" in again.stdout
    forced = run("fetch", "--all")
    sources = forced.stdout.split(" of ")[1].split()[0]
    assert forced.stdout.startswith(f"{sources} of {sources} sources refreshed")


def test_fetch_with_every_source_down_exits_1_then_backs_off(site: TestServer) -> None:
    config = write_config(site)
    config.write_text('[[sources]]\nname = "Down"\nurl = "http://127.0.0.1:9/feed"\n')
    down = run("fetch")
    assert down.returncode == 1
    assert down.stderr.strip() == "newsreader: Down: unreachable (connection refused)"
    assert "0 of 1 sources refreshed" in down.stdout
    backing_off = run("fetch")
    # Still failing while it waits to retry: exit 1 again, so cron notices.
    assert backing_off.returncode == 1 and "1 not due yet" in backing_off.stdout
    # Its last error is still reported until it works again.
    assert "Down: unreachable" in backing_off.stderr


def test_read_of_a_page_without_article_text_exits_1(http_server: TestServer) -> None:
    page = (b"<html><head><title>Gallery</title></head><body><h1>Gallery</h1>"
            b"<img src='/1.jpg'></body></html>")
    http_server.route("/gallery", page)
    result = run("read", http_server.url("/gallery"))
    assert result.returncode == 1
    assert result.stderr.strip().endswith("/gallery: no article text found")
    assert "Gallery" in result.stdout


def test_fetch_says_why_stories_were_not_prefetched(site: TestServer) -> None:
    """Every story page answers 403: the summary says 0 prefetched, and stderr says why,
    grouped by host and cause, once per group; nothing at all prefetched exits 1."""
    for path in STORY_PATHS:
        site.route(path, "Forbidden", status=403, content_type="text/plain")
    result = run("fetch")
    assert "Traceback" not in result.stderr
    assert " 0 of " in result.stdout and "stories prefetched" in result.stdout
    failed = [line for line in result.stderr.splitlines() if "not prefetched" in line]
    assert len(failed) == 1, result.stderr
    groups = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert groups and all(line.startswith("127.0.0.1: HTTP 403") for line in groups)
    assert len(groups) == 1, "one line per host and cause, with its count"
    assert result.returncode == 1


def test_mark_read_marks_a_source_then_the_rest_and_refuses_unknown_names(
    site: TestServer,
) -> None:
    assert run("fetch").returncode == 0
    info = run("cache", "info").stdout
    first = info.split("\n  ")[1].split(":")[0]  # the first source's name
    one = run("mark-read", "--source", first)
    assert one.returncode == 0 and one.stdout.startswith("marked ")
    marked = int(one.stdout.split()[1])
    assert marked > 0
    again = run("mark-read", "--source", first)
    assert again.stdout.strip() == "marked 0 headlines read", "already read"
    old = run("mark-read", "--before", "2000-01-01")
    assert old.stdout.strip() == "marked 0 headlines read"
    rest = run("mark-read", "--folder", "Fixtures")
    assert rest.returncode == 0 and int(rest.stdout.split()[1]) > 0
    assert run("mark-read").stdout.strip() == "marked 0 headlines read", "nothing left unread"
    unknown = run("mark-read", "--folder", "Nowhere")
    assert unknown.returncode == 1 and unknown.stderr.strip() == (
        "newsreader: no folder named 'Nowhere'"
    )
    bad = run("mark-read", "--before", "yesterday")
    assert bad.returncode == 2 and "not a date" in bad.stderr
