"""Pilot tests for full-text search (S) and the folder/source chooser (F) on the real Reader."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Static

from newsreader.ui.dialogs import PickScreen
from newsreader.ui.main_screen import MainScreen
from newsreader.ui.search import NO_MATCH, SearchScreen
from tests.http_server import TestServer
from tests.ui_fakes import SIZE, burst, main, settle, shown_text
from tests.ui_manage_site import HOSTILE_TITLE, SECRET_WORD, open_app, serve, write_config


def result_rows(app) -> list[str]:  # type: ignore[no-untyped-def]
    results = app.screen.query_one("#search-results", OptionList)
    return [str(option.prompt) for option in results.options]


def status_of(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(".status", Static).render())


async def type_query(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*text)
    await settle(pilot)  # the debounced search runs in a worker


async def refreshed_app(server: TestServer):  # type: ignore[no-untyped-def]
    serve(server)
    config = write_config(server, ("Feed A", "/a.xml", "World"), ("Feed B", "/b.xml", None),
                          ("Feed C", "/c.xml", "World/Politics"))
    return open_app(config, refresh_on_start=True)  # the refresh prefetches every story


async def test_search_finds_a_word_of_a_cached_body_and_enter_opens_it(
    http_server: TestServer,
) -> None:
    app = await refreshed_app(http_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert app.reader.is_cached(http_server.url("/story/harbour"))
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await type_query(pilot, SECRET_WORD)
        rows = result_rows(app)
        assert len(rows) == 2 and "2 stories" in status_of(app)
        harbour = next(i for i, row in enumerate(rows) if row.startswith("Harbour reopens"))
        assert SECRET_WORD in rows[harbour] and "Feed A" in rows[harbour]
        # ↓ moves into the results; Enter opens the highlighted one.
        await pilot.press("down")
        assert app.focused is app.screen.query_one("#search-results")
        app.screen.query_one("#search-results", OptionList).highlighted = harbour
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        url = http_server.url("/story/harbour")
        assert screen.story_view.url == url
        assert screen.story_view.story is not None
        assert screen.story_view.story.title == "Harbour reopens after storm"
        # The normal open path: the row is highlighted, history visited, marked read.
        assert screen.headlines.current is not None and screen.headlines.current.url == url
        assert app.reader.history.current is not None and app.reader.history.current.url == url
        assert app.reader.is_read(screen.headlines.current.id)


async def test_a_hostile_title_in_results_is_literal_and_no_match_says_so(
    http_server: TestServer,
) -> None:
    app = await refreshed_app(http_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await pilot.pause()
        await type_query(pilot, "deposit")
        rows = result_rows(app)
        assert len(rows) == 1 and rows[0].startswith(HOSTILE_TITLE)
        await pilot.press("enter")  # Enter in the box opens the first result
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, MainScreen)
        assert " ".join(HOSTILE_TITLE.split()) in shown_text(main(app))
        await pilot.press("S")
        await pilot.pause()
        await type_query(pilot, "nothing-like-this")
        assert result_rows(app) == [] and status_of(app) == NO_MATCH
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_typing_fast_runs_one_search(http_server: TestServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import newsreader.services.reader as reader_module

    calls: list[str] = []
    real = reader_module.search

    def counting(headlines, visited, stories, query, limit=100):  # type: ignore[no-untyped-def]  # a spy with the real one's arguments
        calls.append(query)
        return real(headlines, visited, stories, query, limit)

    monkeypatch.setattr(reader_module, "search", counting)
    app = await refreshed_app(http_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await pilot.pause()
        await pilot.press(*"harbour")  # each key within the debounce of the one before
        await settle(pilot)
        assert calls == ["harbour"]
        assert app.screen.query_one("#search-input", Input).value == "harbour"


async def test_shift_f_chooses_a_folder_or_source(http_server: TestServer) -> None:
    app = await refreshed_app(http_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        headlines = main(app).headlines
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        picker = app.screen.query_one("#choices", OptionList)
        labels = [str(option.prompt) for option in picker.options]
        # Saved stories, then the folder tree A–Z, each folder's sources under it, sources in
        # no folder last; each with its unread count.
        assert [label.rstrip() for label in labels] == [
            "All sources  4 unread", "★ Saved  0 saved", "World/  3 unread",
            "    Feed A  2 unread", "    Politics/  1 unread", "        Feed C  1 unread",
            "Feed B  1 unread",
        ]
        picker.highlighted = 2
        await pilot.press("enter")
        await pilot.pause()
        assert headlines.scope == ("folder", "World")
        assert {h.source_name for h in headlines.shown} == {"Feed A", "Feed C"}, "subfolders too"
        await pilot.press("F")
        await pilot.pause()
        picker = app.screen.query_one("#choices", OptionList)
        assert picker.highlighted == 2, "the current scope is preselected"
        picker.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert headlines.scope is None and len(headlines.shown) == 4


async def _opened_after(pilot, *keys: str) -> tuple[SearchScreen, str | None]:  # type: ignore[no-untyped-def]
    """Open the search dialog, send `keys` in one burst; the dialog and the story then shown."""
    await pilot.press("S")
    await pilot.pause()
    search = pilot.app.screen
    assert isinstance(search, SearchScreen)
    await burst(pilot, *keys)
    return search, main(pilot.app).story_view.url


async def test_down_down_enter_at_once_open_the_second_result(http_server: TestServer) -> None:
    app = await refreshed_app(http_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await pilot.pause()
        search = app.screen
        assert isinstance(search, SearchScreen)
        await type_query(pilot, SECRET_WORD)  # the results are listed
        assert len(search.hits) == 2
        await burst(pilot, "down", "down", "enter")
        assert isinstance(app.screen, MainScreen)
        assert main(app).story_view.url == search.hits[1].url
        # In the results (once listed: before, letters go to the box), j and k move too.
        await pilot.press("S")
        await type_query(pilot, SECRET_WORD)
        search = app.screen
        assert isinstance(search, SearchScreen) and len(search.hits) == 2
        await burst(pilot, "down")
        await burst(pilot, "j", "k", "j", "enter")
        assert main(app).story_view.url == search.hits[1].url


async def test_a_query_then_down_down_enter_typed_in_one_go_open_the_second_result(
    http_server: TestServer,
) -> None:
    app = await refreshed_app(http_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # None of the keys waits for the results: ↓ ↓ Enter arrive before the search has run.
        search, opened = await _opened_after(pilot, *SECRET_WORD, "down", "down", "enter")
        assert isinstance(app.screen, MainScreen) and len(search.hits) == 2
        assert opened == search.hits[1].url
        # Enter alone opens the first; ↓ more often than there are results, the last.
        search, opened = await _opened_after(pilot, *SECRET_WORD, "enter")
        assert opened == search.hits[0].url
        search, opened = await _opened_after(pilot, *SECRET_WORD, *["down"] * 5, "enter")
        assert opened == search.hits[1].url


def test_search_takes_every_word_and_highlights_them() -> None:
    from newsreader.services.search import SearchHit
    from newsreader.ui.search import MATCH_STYLE, hit_row
    from newsreader.words import has_all, query_words

    words = query_words("ODESA grain")
    assert has_all(words, "grain shipments through odesa ports")
    assert not has_all(words, "grain shipments through the ports")
    hit = SearchHit("https://e.x/1", "Grain from Odesa", "RNA", "…the grain left Odesa…")
    row = hit_row(hit, "odesa GRAIN")
    marked = [row.plain[span.start:span.end] for span in row.spans if span.style == MATCH_STYLE]
    assert marked == ["Grain", "Odesa", "grain", "Odesa"]


async def test_the_filter_takes_words_as_the_search_does() -> None:
    """Every word, in any order and case: "odesa grain" finds "Grain from Odesa"."""
    from tests.ui_fakes import FakeReader, headline, make_app

    reader = FakeReader(headlines=[headline("a", "Grain from Odesa", 1),
                                   headline("b", "Odesa port reopens", 2),
                                   headline("c", "Grain prices fall", 3)], stories={})
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"odesa grain")
        await settle(pilot)
        assert [h.title for h in main(app).headlines.shown] == ["Grain from Odesa"]
