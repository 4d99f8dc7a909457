"""Upkeep commands as a user runs them: sources, OPML, config example, cache, search."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from newsreader.config import load_config
from newsreader.parse.opml import OpmlError, parse_opml, write_opml
from newsreader.paths import default_paths
from tests.http_server import TestServer
from tests.site_helpers import serve_fixture_site, write_config

NESTED_OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="News">
    <outline text="Ukraine">
      <outline type="rss" text="UNN" xmlUrl="https://unn.ua/en/rss/politics_en.xml"/>
      <outline type="rss" text="Kyiv Independent" xmlUrl="https://kyivindependent.com/news-archive/rss/"/>
    </outline>
    <outline type="rss" text="BBC World" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
  </outline>
  <outline type="rss" text="Top level" xmlUrl="https://example.org/feed.xml"/>
  <outline type="rss" text="Evil" xmlUrl="|~/script.sh"/>
  <outline type="rss" text="Local" xmlUrl="file:///etc/passwd"/>
  <outline type="rss" text="Exec" xmlUrl="exec:rm -rf"/>
</body></opml>"""


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsreader", *args], capture_output=True, text=True,
        timeout=60, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def config_file() -> Path:
    return default_paths().config_file


def test_opml_round_trip_keeps_nested_folders(tmp_path: Path) -> None:
    source = tmp_path / "in.opml"
    source.write_bytes(NESTED_OPML)
    result = run("import-opml", str(source))
    assert result.returncode == 0, result.stderr
    assert "5 added" not in result.stdout and "4 added, 0 duplicates, 3 refused" in result.stdout
    assert result.stderr.count("not an http(s) feed URL") == 3
    folders = {s.name: s.folder for s in load_config(config_file()).sources}
    assert folders["UNN"] == "News/Ukraine" and folders["BBC World"] == "News"
    assert folders["Top level"] is None
    exported = run("export-opml").stdout
    again = parse_opml(exported.encode())
    assert [(s.name, s.url, s.folder) for s in again.sources] == [
        (s.name, s.url, s.folder) for s in parse_opml(NESTED_OPML).sources
    ]
    assert exported.count("<outline text=\"News\"") == 1, "folders nest, not repeat"
    # A second import adds nothing and reports the duplicates.
    second = run("import-opml", str(source))
    assert "0 added, 4 duplicates" in second.stdout


def test_broken_opml_names_line_and_column_and_changes_nothing(tmp_path: Path) -> None:
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text('[[sources]]\nname = "A"\nurl = "https://a.example/feed"\n')
    before = config_file().read_bytes()
    broken = tmp_path / "broken.opml"
    broken.write_bytes(b"<opml><body>\n<outline text='x'>\n</body></opml>")
    result = run("import-opml", str(broken))
    assert result.returncode == 1
    assert f"{broken}:3:2: not valid OPML" in result.stderr
    assert config_file().read_bytes() == before


def test_billion_laughs_opml_is_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><opml><body>'
            b'<outline text="&lol2;" xmlUrl="https://a.example/f"/></body></opml>')
    with pytest.raises(OpmlError, match="not allowed"):
        parse_opml(bomb)


def test_write_opml_escapes_and_nests() -> None:
    from newsreader.models import Source

    text = write_opml([Source('A "quoted" & <b>', "https://a.example/f?x=1&y=2", "X/Y")])
    parsed = parse_opml(text.encode())
    assert parsed.sources == [Source('A "quoted" & <b>', "https://a.example/f?x=1&y=2", "X/Y")]


def test_sources_add_list_remove_keep_comments(http_server: TestServer) -> None:
    serve_fixture_site(http_server)
    write_config(http_server)
    config_file().write_text("# my precious comment\n" + config_file().read_text())
    feed = http_server.url("/extra.rss")
    http_server.route("/extra.rss", b'<?xml version="1.0"?><rss version="2.0"><channel>'
                      b"<title>Extra feed</title><item><title>x</title>"
                      b"<link>https://e.example/1</link></item></channel></rss>",
                      content_type="application/rss+xml")
    added = run("sources", "add", feed, "--folder", "More/Stuff")
    assert added.returncode == 0, added.stderr
    assert "added Extra feed" in added.stdout
    listing = run("sources", "list").stdout
    assert f"[More/Stuff] Extra feed\t{feed}" in listing
    assert run("sources", "add", feed).returncode == 1  # duplicate
    removed = run("sources", "remove", "Extra feed")
    assert removed.returncode == 0 and feed not in run("sources", "list").stdout
    assert config_file().read_text().startswith("# my precious comment")
    missing = run("sources", "remove", "Nope")
    assert missing.returncode == 1 and "no source named 'Nope'" in missing.stderr


def test_sources_add_finds_feed_on_home_page(http_server: TestServer) -> None:
    http_server.route("/feed.atom", b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/'
                      b'Atom"><title>Home feed</title><entry><title>x</title><id>1</id>'
                      b'<link href="https://e.example/1"/></entry></feed>',
                      content_type="application/atom+xml")
    http_server.route("/", b'<html><head><link rel="alternate" type="application/atom+xml" '
                      b'title="Home feed" href="/feed.atom"></head><body>hi</body></html>')
    result = run("sources", "add", http_server.url("/"), "--name", "Home")
    assert result.returncode == 0, result.stderr
    assert http_server.url("/feed.atom") in run("sources", "list").stdout
    # Several feeds and nobody to ask: list them, add nothing.
    http_server.route("/two", b'<html><head><link rel="alternate" type="application/rss+xml" '
                      b'href="/a.rss"><link rel="alternate" type="application/rss+xml" '
                      b'href="/b.rss"></head></html>')
    several = run("sources", "add", http_server.url("/two"))
    assert several.returncode == 1 and "several feeds found" in several.stderr
    assert "/a.rss" in several.stderr and "/b.rss" in several.stderr


def test_config_example_is_a_valid_config(tmp_path: Path) -> None:
    result = run("config", "--example")
    assert result.returncode == 0
    path = tmp_path / "example.toml"
    path.write_text(result.stdout)
    tomllib.loads(result.stdout)
    config = load_config(path)
    assert config.sources and config.mark_read == "open"


def test_cache_info_clear_and_search_after_fetch(http_server: TestServer) -> None:
    serve_fixture_site(http_server)
    write_config(http_server)
    assert run("fetch").returncode == 0
    info = run("cache", "info")
    assert info.returncode == 0
    lines = info.stdout.splitlines()
    assert lines[0].startswith("size") and "MiB" in lines[0]
    stories_line = next(line for line in lines if line.startswith("stories"))
    cached, total = (int(x) for x in stories_line.split()[1::3][:2])
    assert cached == total > 0
    found = run("search", "Details")
    assert found.returncode in (0, 1)
    nothing = run("search", "zzzqqq-no-such-word")
    assert nothing.returncode == 1 and "nothing cached matches" in nothing.stderr
    name = load_config(config_file()).sources[0].name
    cleared = run("cache", "clear", "--source", name)
    assert cleared.returncode == 0 and "cleared" in cleared.stdout
    after = run("cache", "info").stdout
    assert f"{name}: 0 headlines" in after


async def test_search_finds_a_story_reached_only_through_recall() -> None:
    from newsreader.config import Config
    from newsreader.demo import DEMO_BASE, DEMO_SOURCES
    from newsreader.services.wiring import open_reader

    reader = open_reader(Config(sources=list(DEMO_SOURCES)), demo=True)
    await reader.refresh()
    archive = f"{DEMO_BASE}/news/kyiv-council-adopts-2027-budget"
    assert reader.headline_for_url(archive) is None, "the archive page is in no feed"
    # The refresh's thread prefetch cached it: found before it is ever opened.
    assert [hit.url for hit in reader.prepare_search("trolleybuses")()] == [archive]
    await reader.open_story(archive)
    reader.history.visit(archive)
    hits = reader.prepare_search("trolleybuses")()
    await reader.aclose()
    assert [hit.url for hit in hits] == [archive]
    assert hits[0].title.startswith("Kyiv council adopts city budget for 2027")
