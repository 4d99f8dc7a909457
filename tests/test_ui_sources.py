"""Pilot tests for managing sources in the app: add (feed or home page), remove, OPML in and out.

The real Reader on a loopback site and a real config file: what the dialogs write is read back.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList, Static

from newsreader.config import Config, load_config
from newsreader.models import Source
from newsreader.parse.opml import parse_opml
from newsreader.services.sources import import_sources
from newsreader.services.wiring import open_reader
from newsreader.ui.app import NewsreaderApp
from newsreader.ui.dialogs import AddSourceScreen, ConfirmScreen, OpmlScreen, PickScreen
from newsreader.ui.main_screen import MainScreen
from tests.http_server import TestServer, free_port
from tests.ui_fakes import SIZE, demo_app, fixed_clock, main, settle
from tests.ui_manage_site import open_app, serve, write_config


def notes(app: NewsreaderApp) -> list[str]:
    return [n.message for n in app._notifications]


def status_of(app: NewsreaderApp) -> str:
    return str(app.screen.query_one(".status", Static).render())


def has_error(app: NewsreaderApp) -> bool:
    return app.screen.query_one(".status", Static).has_class("-error")


async def submit(pilot, selector: str, value: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one(selector, Input).value = value
    pilot.app.screen.query_one(selector, Input).focus()
    await pilot.press("enter")
    await settle(pilot)


def urls(path: Path) -> list[str]:
    return [s.url for s in load_config(path).sources]


# -- add ----------------------------------------------------------------------------------------


async def test_a_adds_a_feed_by_its_url_and_fetches_it(http_server: TestServer) -> None:
    serve(http_server)
    config = write_config(http_server, ("Feed A", "/a.xml", None))
    app = open_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddSourceScreen)
        await submit(pilot, "#source-url", http_server.url("/b.xml"))
        assert isinstance(app.screen, MainScreen)
        assert urls(config) == [http_server.url("/a.xml"), http_server.url("/b.xml")]
        assert [s.name for s in app.reader.sources] == ["Feed A", "Feed B"]
        assert "Added Feed B" in notes(app)
        # The new source was refreshed: its headline is in the list.
        titles = [h.title for h in main(app).headlines.shown]
        assert "Bridge works begin" in titles
    assert config.read_text().startswith("# my sources"), "the user's file is kept, not rewritten"


async def test_a_home_page_with_two_feeds_asks_which(http_server: TestServer) -> None:
    serve(http_server)
    config = write_config(http_server, ("Feed A", "/a.xml", None))
    app = open_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#source-folder", Input).value = "News/Local"
        await submit(pilot, "#source-url", http_server.url("/"))
        assert isinstance(app.screen, AddSourceScreen)
        choices = app.screen.query_one("#feed-choices", OptionList)
        assert choices.display and choices.option_count == 2
        assert app.focused is choices
        assert "pick one" in status_of(app)
        assert urls(config) == [http_server.url("/a.xml")], "nothing added before the choice"
        await pilot.press("down", "down", "enter")  # the list stops at its end: no wrap
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        added = load_config(config).sources[-1]
        assert (added.name, added.url, added.folder) == (
            "Feed C politics", http_server.url("/c.xml"), "News/Local"
        )
        assert added in app.reader.sources
        assert http_server.url("/b.xml") not in urls(config)


async def test_a_page_without_a_feed_shows_an_error_and_changes_nothing(
    http_server: TestServer,
) -> None:
    serve(http_server)
    config = write_config(http_server, ("Feed A", "/a.xml", None))
    before = config.read_bytes()
    app = open_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        # A page with no feed, a site's error, a duplicate and a bad address are refused.
        await submit(pilot, "#source-url", http_server.url("/plain"))
        assert isinstance(app.screen, AddSourceScreen)
        assert has_error(app) and "No feed found" in status_of(app)
        await submit(pilot, "#source-url", http_server.url("/missing.xml"))
        assert has_error(app) and "HTTP 404" in status_of(app)
        assert "\n" not in status_of(app).strip()
        await submit(pilot, "#source-url", http_server.url("/a.xml"))
        assert has_error(app) and "Already a source" in status_of(app)
        await submit(pilot, "#source-url", "javascript:alert(1)")
        assert has_error(app) and "Not an http(s) address" in status_of(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert config.read_bytes() == before


async def test_an_unreachable_host_is_added_unchecked_with_a_warning(
    http_server: TestServer,
) -> None:
    serve(http_server)
    config = write_config(http_server, ("Feed A", "/a.xml", None))
    app = open_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        dead = f"http://127.0.0.1:{free_port()}/feed.xml"
        await submit(pilot, "#source-url", dead)
        assert isinstance(app.screen, MainScreen)
        assert urls(config) == [http_server.url("/a.xml"), dead]
        assert app.reader.sources[-1] == Source("127.0.0.1", dead), "named after its host"
        assert ("127.0.0.1: not checked: unreachable (connection refused) — it will be checked "
                "at the next refresh") in notes(app)
        assert "Added 127.0.0.1" in notes(app)


async def test_the_demo_edition_says_it_has_no_config_file(http_server: TestServer) -> None:
    serve(http_server)
    reader = open_reader(Config(sources=[Source("Feed A", http_server.url("/a.xml"))]))
    assert reader.config.path is None
    app = NewsreaderApp(reader, clock=fixed_clock, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await submit(pilot, "#source-url", http_server.url("/b.xml"))
        assert has_error(app) and "demo edition" in status_of(app)
        assert [s.name for s in reader.sources] == ["Feed A"]


# -- remove -------------------------------------------------------------------------------------


async def test_shift_d_removes_the_highlighted_source_after_asking(
    http_server: TestServer,
) -> None:
    serve(http_server)
    config = write_config(http_server, ("Feed A", "/a.xml", "World"), ("Feed B", "/b.xml", None))
    app = open_app(config, refresh_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        index = next(i for i, h in enumerate(screen.headlines.shown) if h.source_name == "Feed B")
        screen.headlines.move_to(index)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        picker = app.screen.query_one("#choices", OptionList)
        assert "Feed B" in str(picker.get_option_at_index(picker.highlighted or 0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one(".prompt", Static).render())
        assert "Remove Feed B? Its cached stories stay until they expire. [y/N]" in question
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert len(urls(config)) == 2 and "Kept Feed B" in notes(app)
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert urls(config) == [http_server.url("/a.xml")]
        assert [s.name for s in app.reader.sources] == ["Feed A"]
        assert "Removed Feed B" in notes(app)
        assert all(h.source_name == "Feed A" for h in screen.headlines.shown)
    assert "# my sources" in config.read_text()


async def test_escape_in_the_source_picker_removes_nothing(http_server: TestServer) -> None:
    serve(http_server)
    config = write_config(http_server, ("Feed A", "/a.xml", None))
    before = config.read_bytes()
    app = open_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert config.read_bytes() == before


# -- OPML ---------------------------------------------------------------------------------------


def nested_opml(server: TestServer) -> bytes:
    return f"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="News">
    <outline text="Ukraine">
      <outline type="rss" text="Bee" xmlUrl="{server.url('/b.xml')}"/>
    </outline>
    <outline type="rss" text="Sea" xmlUrl="{server.url('/c.xml')}"/>
  </outline>
  <outline type="rss" text="Again A" xmlUrl="{server.url('/a.xml')}"/>
  <outline type="rss" text="Local file" xmlUrl="file:///etc/passwd"/>
</body></opml>""".encode()


async def open_opml(pilot, export: bool) -> None:  # type: ignore[no-untyped-def]
    # The palette commands run these actions.
    await main(pilot.app).run_action("export_opml" if export else "import_opml")
    await pilot.pause()
    assert isinstance(pilot.app.screen, OpmlScreen)


async def test_import_opml_keeps_folders_and_reports_duplicates_and_refusals(
    http_server: TestServer, tmp_path: Path
) -> None:
    serve(http_server)
    config = write_config(http_server, ("Feed A", "/a.xml", None))
    opml = tmp_path / "subs.opml"
    opml.write_bytes(nested_opml(http_server))
    app = open_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_opml(pilot, export=False)
        await submit(pilot, "#opml-path", str(opml))
        assert isinstance(app.screen, MainScreen)
        assert any(n.startswith("2 added, 1 duplicates skipped, 1 refused") for n in notes(app))
        assert any("Again A" in n for n in notes(app))
        assert any("Local file" in n and "not an http(s) feed URL" in n for n in notes(app))
        folders = {s.name: s.folder for s in load_config(config).sources}
        assert folders == {"Feed A": None, "Bee": "News/Ukraine", "Sea": "News"}
        assert [s.name for s in app.reader.sources] == ["Feed A", "Bee", "Sea"]
        titles = {h.title for h in main(app).headlines.shown}
        assert {"Bridge works begin", "Council budget vote"} <= titles  # refreshed


async def test_a_broken_opml_file_gives_line_and_column_and_changes_nothing(
    http_server: TestServer, tmp_path: Path
) -> None:
    serve(http_server)
    config = write_config(http_server, ("Feed A", "/a.xml", None))
    before = config.read_bytes()
    broken = tmp_path / "broken.opml"
    broken.write_bytes(b'<?xml version="1.0"?>\n<opml version="2.0"><body>\n  <outline text="x">\n'
                       b"</body></opml>\n")
    app = open_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_opml(pilot, export=False)
        await submit(pilot, "#opml-path", str(broken))
        assert isinstance(app.screen, OpmlScreen)
        assert has_error(app) and f"{broken}:4:2: not valid OPML" in status_of(app)
        await submit(pilot, "#opml-path", str(tmp_path / "missing.opml"))
        assert has_error(app) and "cannot read" in status_of(app)
        await pilot.press("escape")
        await pilot.pause()
    assert config.read_bytes() == before
    assert [s.name for s in app.reader.sources] == ["Feed A"]


async def test_export_opml_writes_a_file_that_parses_back(
    http_server: TestServer, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    serve(http_server)
    config = write_config(http_server, ("Feed A", "/a.xml", "News/Ukraine"),
                          ("Feed B", "/b.xml", None))
    monkeypatch.setenv("HOME", str(tmp_path))
    app = open_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_opml(pilot, export=True)
        await submit(pilot, "#opml-path", str(tmp_path / "nowhere" / "out.opml"))
        assert has_error(app) and "cannot write" in status_of(app)
        await submit(pilot, "#opml-path", "~/out.opml")
        assert isinstance(app.screen, MainScreen)
        assert f"Wrote 2 sources to {tmp_path / 'out.opml'}" in notes(app)
    back = parse_opml((tmp_path / "out.opml").read_bytes())
    assert [(s.name, s.url, s.folder) for s in back.sources] == [
        (s.name, s.url, s.folder) for s in load_config(config).sources
    ]
    assert not list(tmp_path.glob(".newsreader-*")), "no temporary file left behind"


# -- the service underneath ---------------------------------------------------------------------


def test_import_sources_without_a_config_file_replaces_the_defaults() -> None:
    from newsreader.paths import default_paths

    path = default_paths().config_file
    reader = open_reader(load_config(path))
    try:
        assert reader.config.path == path and not path.exists()
        assert len(reader.sources) > 2  # the built-in list
        new = [Source("Mine", "https://example.org/feed.xml", "X")]
        added, duplicates = import_sources(reader.config, new + new, reader.library)
        assert (added, duplicates) == (new, new)
        assert reader.sources == new == load_config(path).sources
    finally:
        reader.close()


# -- palette and help ---------------------------------------------------------------------------


async def test_palette_and_help_offer_the_new_actions(http_server: TestServer) -> None:
    serve(http_server)
    app = open_app(write_config(http_server, ("Feed A", "/a.xml", None)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Add source…", "Remove source…", "Search stories…", "Show folder/source…",
                "Import OPML…", "Export OPML…"} <= titles
        rows = dict(row for _, section in app.help_rows() for row in section)
        assert rows["a"].startswith("Add a source")
        assert rows["D"].startswith("Remove a source")
        assert rows["S"].startswith("Search the full text")
        assert rows["F"].startswith("Choose the folder")


async def test_offline_the_add_dialog_never_touches_the_network(http_server: TestServer) -> None:
    serve(http_server)
    config = write_config(http_server, ("Feed A", "/a.xml", None))
    reader = open_reader(load_config(config), offline=True)
    app = NewsreaderApp(reader, clock=fixed_clock, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#source-name", Input).value = "Feed B"
        # Typed without a scheme, like a browser's address: https is assumed.
        address = http_server.url("/b.xml").removeprefix("http://")
        await submit(pilot, "#source-url", address)
        assert isinstance(app.screen, MainScreen)
        assert ("Feed B: not checked: offline — it will be checked at the next refresh"
                in notes(app))
    assert http_server.requests == []
    assert urls(config) == [http_server.url("/a.xml"), "https://" + address]


async def test_the_demo_edition_says_at_once_that_its_sources_are_fixed() -> None:
    app = demo_app(refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("a", "D"):
            app._notifications.clear()
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, MainScreen), f"{key} asks nothing"
            assert notes(app) == [
                "The demo edition's sources are fixed: nothing can be added or removed."
            ]
