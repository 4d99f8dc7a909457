"""Pilot tests: filter, save, read marks, refresh in the background, help, keys, theme, links."""

from __future__ import annotations

import asyncio
import dataclasses
import webbrowser
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Static

from newsreader.config import Config, load_config
from newsreader.models import Story
from newsreader.ui.help import KEY_WIDTH, HelpScreen
from newsreader.ui.widgets.headlines import HeadlineList
from tests.ui_fakes import (
    SIZE,
    FakeReader,
    arrivals,
    headline,
    main,
    make_app,
    make_story,
    open_highlighted,
    settle,
    shown_text,
    status_text,
    url,
)


def rows(headlines: HeadlineList) -> list[str]:
    return headlines.row_texts()


async def test_slash_filters_as_you_type_and_escape_clears() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        headlines = main(app).headlines
        await pilot.press("slash")
        assert app.focused is not None and app.focused.id == "filter"
        await pilot.press("d", "e", "l")
        await pilot.pause()
        assert headlines.option_count == 1 and "Delta story" in rows(headlines)[0]
        await pilot.press("enter")  # keep the filter, back to the list
        assert app.focused is headlines
        await pilot.press("escape")
        await pilot.pause()
        assert headlines.option_count == 5
        assert not main(app).filter_input.display


async def test_filter_matches_the_source_name_too() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"other")
        await pilot.pause()
        assert main(app).headlines.option_count == 2


async def test_keys_typed_into_the_filter_are_not_commands() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "q", "n", "1")
        await settle(pilot)
        assert app.is_running
        assert main(app).story_view.url is None
        assert main(app).filter_input.value == "qn1"


async def test_f_cycles_folders_and_sources() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        headlines = main(app).headlines
        await pilot.press("f")
        assert headlines.scope == ("folder", "World")
        assert headlines.option_count == 3
        await pilot.press("f", "f")
        assert headlines.scope == ("source", "Example News")
        await pilot.press("f", "f")
        assert headlines.scope is None and headlines.option_count == 5


async def test_s_saves_and_unsaves_and_marks_the_row() -> None:
    reader = FakeReader()
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert reader.is_saved("a")
        assert "★" in rows(main(app).headlines)[0]
        await pilot.press("s")
        assert not reader.is_saved("a")
        assert "★" not in rows(main(app).headlines)[0]


async def test_s_on_a_story_in_no_feed_saves_it_too() -> None:
    reader = FakeReader()
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("2", "tab")  # open Xray (in no feed), focus the story
        await settle(pilot)
        await pilot.press("s")
        assert reader.is_saved(url("x"))


async def test_m_toggles_read() -> None:
    reader = FakeReader()
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert rows(main(app).headlines)[1].startswith("●")
        await pilot.press("j", "m")
        assert reader.is_read("b")
        assert not rows(main(app).headlines)[1].startswith("●")
        assert "4 unread" in status_text(main(app))
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["Marked read."]
        await pilot.press("m")
        assert not reader.is_read("b")
        await pilot.pause()
        # The second notice replaces the first: they never stack over the story.
        assert [n.message for n in app._notifications] == ["Marked unread."]


async def test_refresh_runs_behind_the_ui_and_keys_keep_working() -> None:
    gate = asyncio.Event()
    new = headline("new", "Brand new story", 0.1)
    reader = FakeReader(refresh_gate=gate, refresh_adds=[new])
    app = make_app(reader, refresh_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        assert reader.refresh_calls == 1
        assert "⟳ 0/2 sources" in status_text(screen)
        # The "network" has not answered, yet the list answers keys and stories open.
        await pilot.press("j", "enter")
        await pilot.pause()
        await pilot.pause()
        assert screen.headlines.highlighted == 1
        assert screen.story_view.url == url("b")
        await pilot.press("r")  # a second r while one runs does not start another
        await pilot.pause()
        assert reader.refresh_calls == 1
        gate.set()
        await settle(pilot)
        assert "Brand new story" in rows(screen.headlines)[0]
        assert screen.headlines.current is not None and screen.headlines.current.id == "b"
        status = status_text(screen)
        assert "updated 2/2 sources, 1 new" in status
        assert "Other Wire: timeout after 20 s" in status


async def test_a_refresh_that_met_a_damaged_cache_says_so() -> None:
    reader = FakeReader()
    reader.refresh_notices = ["cache was corrupt; moved aside to /x/newsreader.corrupt-1"]
    app = make_app(reader, refresh_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = [n.message for n in app._notifications]
        assert shown.count(reader.refresh_notices[0]) == 1


async def test_offline_never_refreshes() -> None:
    reader = FakeReader(offline=True)
    app = make_app(reader, refresh_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert reader.refresh_calls == 0
        assert "offline" in status_text(main(app))


async def test_markup_looking_text_is_shown_literally() -> None:
    evil = "[@click=app.quit]x[/] [b]not bold[/b]"
    story = make_story(url("evil"), evil, [("recall", "[/]", url("a"))])
    story.lead = "[red]lead[/red] [/"
    reader = FakeReader(headlines=[headline("evil", evil, 1)], stories={url("evil"): story})
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert evil in rows(main(app).headlines)[0]
        await pilot.press("enter")
        await settle(pilot)
        assert evil in shown_text(main(app))
        assert "[red]lead[/red] [/" in shown_text(main(app))
        await pilot.click("#story-text", offset=(2, 1))  # on the title
        await pilot.pause()
        assert app.is_running


async def test_question_mark_shows_the_live_bindings() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for expected in (
            "Open the next unread story",
            "Back to the previous story",
            "Quit",
            "1 … 9",
            "Filter the headlines",
        ):
            assert expected in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_every_help_row_has_its_keys_apart_from_its_description_and_fits() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = app.screen.query_one("#help-text", Static)
        lines = str(help_text.render()).splitlines()
        width = help_text.content_size.width
        assert width and all(cell_len(line) <= width for line in lines), "no row wraps"
        rows = {line.strip(): line for line in lines}
        follow = next(line for line in lines if "Follow link N" in line)
        assert follow.startswith("  1 … 9" + " " * 9 + "Follow link N")
        # Keys too long for the column: on a line of their own, the description under them.
        long_keys = {"tab / shift+tab": "Move focus",
                     "↓ ↑ pgdn pgup home end": "Move in the focused list"}
        for keys, description in long_keys.items():
            below = lines[lines.index(rows[keys]) + 1]
            assert below.startswith(" " * (2 + KEY_WIDTH) + description)
        for line in lines:  # the others: the keys, at least one space, the description
            if line.startswith("  ") and line[2] != " " and line.strip() not in long_keys:
                assert line[1 + KEY_WIDTH] == " " and line[2 + KEY_WIDTH] != " ", line


async def test_config_keys_override_bindings_and_the_help_shows_them(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "nordic"\n[keys]\nnext_unread = "u"\nnonsense = "x"\n')
    config = load_config(path)
    config.sources = FakeReader().sources
    reader = FakeReader(config=config)
    reader.warnings = list(config.warnings)  # as the CLI hands them to the app
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Each said once, by the config's warnings (which every command prints too).
        # One notice, a line each (a second notice would replace the first).
        messages = [line for n in app._notifications for line in n.message.splitlines()]
        assert [m for m in messages if "nonsense" in m] == [
            f"{path}:4: [keys.nonsense] unknown action ignored (help, ?, names them all)"
        ]
        assert [m for m in messages if "nordic" in m] == [
            f"{path}:1: [theme] unknown theme \"nordic\" ignored"
        ]
        await pilot.press("u")
        await settle(pilot)
        assert main(app).story_view.url == url("a")
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text").render())
        line = next(line for line in text.splitlines() if "next unread" in line)
        assert line.split()[0] == "u"


async def test_a_key_bound_to_two_actions_in_config_keys_is_warned_about() -> None:
    config = Config(sources=FakeReader().sources, keys={"quit": "n"})
    app = make_app(FakeReader(config=config))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert [n.message for n in warnings] == [
            '[keys] "n" is bound to both quit and next_story'
        ]


async def test_theme_is_remembered_and_restored() -> None:
    reader = FakeReader()
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await pilot.pause()
    assert reader.get_setting("theme") == "nord"
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "nord"


async def test_a_saved_theme_that_is_gone_is_said_in_the_start_notice() -> None:
    reader = FakeReader()
    reader.set_setting("theme", "gone")  # e.g. saved by a newer Textual
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert warnings == [f"Unknown theme 'gone'; using {app.theme}."]
        assert app.theme == "textual-dark"


async def test_command_palette_offers_every_action() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for expected in (
            "Next unread",
            "Back",
            "Forward",
            "Refresh",
            "Save",
            "Browser",
            "Copy link",
            "Filter",
            "Link 1",
            "Help",
            "Theme",
        ):
            assert expected in titles


async def test_command_palette_names_keys_as_the_help_does() -> None:
    config = Config(sources=FakeReader().sources, keys={"next_unread": "u,ctrl+u"})
    app = make_app(FakeReader(config=config))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        helps = {command.title: command.help for command in app.get_system_commands(app.screen)}
        assert helps["Back"] == "Key: ⌫ / h"
        assert helps["Forward"] == "Key: L / alt+→"
        assert helps["Filter"] == "Key: /"
        assert helps["Next unread"] == "Key: u / ^u"  # [keys] overrides included


async def test_o_opens_the_browser_in_a_thread_and_y_copies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda u, *a, **k: opened.append(u) or True)
    app = make_app()
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("o", "y")
        await settle(pilot)
        assert opened == [url("a")]
        assert copied == [url("a")]


async def test_a_non_http_link_is_never_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda u, *a, **k: opened.append(u) or True)
    bad = "javascript:alert(1)"
    reader = FakeReader(
        headlines=[headline("j", "Bad link", 1)], stories={url("j"): Story(url=bad, title="x")}
    )
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == []
        assert any("no http(s) link" in n.message for n in app._notifications)


async def test_narrow_terminal_puts_the_list_above_the_story() -> None:
    app = make_app()
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.has_class("-narrow")
        assert screen.headlines.region.bottom <= screen.story_view.region.y


async def test_ten_thousand_headlines_load_and_filter_with_one_list_rebuild_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    many = [headline(f"h{i}", f"Story number {i}", i / 100) for i in range(10_000)]
    app = make_app(FakeReader(headlines=many, stories={}))
    calls: list[int] = []
    original = HeadlineList._replace_options

    def counting(self: HeadlineList, options: list) -> None:
        calls.append(1)
        original(self, options)

    monkeypatch.setattr(HeadlineList, "_replace_options", counting)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        headlines = main(app).headlines
        assert headlines.option_count == 10_000
        calls.clear()
        await pilot.press("slash", "9", "9", "9")
        await pilot.pause()
        assert len(calls) == 3
        assert headlines.option_count == 19  # 999, 1999 ... 9990-9999
        await pilot.press("escape")
        await pilot.pause()
        assert headlines.option_count == 10_000
        await pilot.press("G")
        assert headlines.highlighted == 9_999


async def test_startup_warnings_are_shown_as_notifications() -> None:
    reader = FakeReader()
    reader.warnings.append("The cache was damaged and has been moved aside.")
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any("moved aside" in n.message for n in app._notifications)


async def test_a_refresh_that_raises_does_not_take_the_app_down() -> None:
    reader = FakeReader()

    async def broken(on_progress: object = None) -> object:
        raise RuntimeError("bug")

    reader.refresh = broken  # type: ignore[method-assign]
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running
        first = [n for n in app._notifications if "Refresh failed" in n.message]
        assert len(first) == 1
        await pilot.press("r")  # and another one can start
        await settle(pilot)
        again = [n for n in app._notifications if "Refresh failed" in n.message]
        assert len(again) == 1 and again[0] is not first[0]  # said again, in place of the first


async def test_a_refresh_process_that_dies_says_so_in_one_line_and_keeps_what_it_stored() -> None:
    from newsreader.services.refresh_process import RefreshProcessError

    reader = FakeReader()
    arrived = headline("late", "Stored before the refresh process died", 10.0)

    async def dies(on_progress: object = None, *, force: bool = True) -> object:
        reader._headlines.insert(0, arrived)  # the child stored one source, then stopped
        raise RefreshProcessError("the refresh stopped: boom: disk on fire")

    reader.refresh = dies  # type: ignore[method-assign]
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running
        messages = [n.message for n in app._notifications]
        assert "Refresh failed: the refresh stopped: boom: disk on fire" in messages
        assert main(app).headlines.headline_at(0) == arrived


async def test_clicking_a_row_after_new_stories_arrived_above_opens_the_row_clicked() -> None:
    # Rendered rows carry their index for the mouse: a reload that shifts every row by two
    # must not leave a click opening the story that used to be there.
    from tests.ui_fakes import arrivals

    reader = FakeReader(refresh_adds=arrivals())
    app = make_app(reader, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = main(app).headlines.headline_at(1)
        await pilot.press("r")
        await settle(pilot)
        listed = main(app).headlines
        assert listed.headline_at(3) == before
        await pilot.click(listed, offset=(4, 1 + 3))  # the border, then row 3
        await settle(pilot)
        assert main(app).story_view.url == before.url


async def test_a_reload_shows_a_headline_whose_title_the_feed_changed() -> None:
    reader = FakeReader()
    app = make_app(reader, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = reader._headlines[0]
        reader._headlines[0] = dataclasses.replace(first, title="Corrected: a new title")
        main(app).reload_headlines()
        await settle(pilot)
        rows = main(app).headlines.row_texts()
        assert "Corrected: a new title" in rows[0]
        assert first.title not in rows[0]


async def test_mark_all_read_marks_what_the_list_shows_and_u_undoes_it() -> None:
    reader = FakeReader()
    reader.set_read("b")  # already read: an undo must leave it read
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.headlines.set_scope(("source", "Other Wire"))  # b and d
        await pilot.press("A")
        await settle(pilot)
        assert reader.is_read("d") and not reader.is_read("a"), "only what the list shows"
        assert "3 unread" in status_text(screen)
        screen.headlines.set_scope(None)
        await pilot.press("A")
        await settle(pilot)
        assert all(reader.is_read(h.id) for h in reader.headlines())
        await pilot.press("U")  # undoes the last mark-all: a, c, e again unread
        await settle(pilot)
        assert [h.id for h in reader.headlines() if not reader.is_read(h.id)] == ["a", "c", "e"]
        assert reader.is_read("b") and reader.is_read("d")
        await pilot.press("U")
        await settle(pilot)
        assert any(n.message == "No mark-all-read to undo." for n in app._notifications)


async def test_ctrl_c_quits() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 0


async def test_g_and_capital_g_go_to_the_top_and_end_of_a_focused_story() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_highlighted(pilot)
        await pilot.press("tab")
        await settle(pilot)
        scroller = screen.story_view.scroller
        await pilot.press("G")
        await settle(pilot)
        assert scroller.scroll_y == scroller.max_scroll_y > 0
        await pilot.press("g")
        await settle(pilot)
        assert scroller.scroll_y == 0
        assert screen.headlines.highlighted == 0, "the list did not move"


async def test_z_shows_the_story_alone_and_back() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_highlighted(pilot)
        wide = screen.story_view.size.width
        await pilot.press("z")
        await settle(pilot)
        assert not screen.query_one("#list-pane").display
        assert screen.story_view.size.width > wide
        await pilot.press("z")
        await settle(pilot)
        assert screen.query_one("#list-pane").display
        assert screen.story_view.size.width == wide


async def test_an_empty_cache_says_what_to_do() -> None:
    app = make_app(FakeReader(headlines=[], stories={}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Nothing cached yet: press r to refresh, or run `newsreader fetch`." in (
            shown_text(main(app))
        )
    offline = make_app(FakeReader(headlines=[], stories={}, offline=True))
    async with offline.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "--offline: run `newsreader fetch` when online." in shown_text(main(offline))
    arriving = FakeReader(headlines=[], stories={}, refresh_adds=arrivals())
    app = make_app(arriving, refresh_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Pick a headline and press Enter to read it." in shown_text(main(app))


async def test_n_after_a_recall_walk_goes_on_from_the_story_on_screen() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_highlighted(pilot)  # a, row 0; its Recall 1 is c, row 2
        await pilot.press("1")
        await settle(pilot)
        assert screen.story_view.url == url("c")
        assert screen.headlines.highlighted == 2, "c is listed: the highlight follows it"
        await pilot.press("g")  # the cursor leaves the story on screen
        await pilot.press("n")
        await settle(pilot)
        assert screen.story_view.url == url("d"), "the story after c, not after a"


async def test_capital_o_opens_any_url_into_the_history() -> None:
    remote = {"https://elsewhere.example/story": make_story("https://elsewhere.example/story",
                                                            "A story from elsewhere")}
    reader = FakeReader(remote=remote)
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_highlighted(pilot)
        await pilot.press("O")
        await pilot.pause()
        await pilot.press(*"not a url", "enter")
        await pilot.pause()
        assert "Not an http(s) URL." in str(app.screen.query_one(".status").render())
        field = app.screen.query_one("#open-url")
        field.value = "elsewhere.example/story"  # https:// assumed, as a browser does
        await pilot.press("enter")
        await settle(pilot)
        assert screen.story_view.url == "https://elsewhere.example/story"
        assert "A story from elsewhere" in shown_text(screen)
        await pilot.press("backspace")
        await settle(pilot)
        assert screen.story_view.url == url("a"), "back to where it was opened from"


async def test_story_text_is_at_most_max_width_columns_and_centred() -> None:
    config = Config(sources=FakeReader().sources, max_width=60)
    app = make_app(FakeReader(config=config))
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_highlighted(pilot)
        await pilot.press("z")  # the story alone: a pane far wider than 60
        await settle(pilot)
        text = screen.story_view.text
        assert text.size.width == 60
        pane = screen.story_view.scroller.content_region
        left, right = text.region.x - pane.x, pane.right - text.region.right
        assert abs(left - right) <= 2, "centred"
        assert max(cell_len(line) for line in text.plain.splitlines()) <= 60


async def test_the_f_picker_counts_unread_marks_failing_sources_and_offers_the_saved() -> None:
    from textual.widgets import OptionList

    reader = FakeReader(refresh_adds=[])
    reader.set_read("a")
    app = make_app(reader, refresh_on_start=True)  # its refresh reports "Other Wire" failing
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_highlighted(pilot)
        await pilot.press("s")  # save the open story, a
        await settle(pilot)
        screen.headlines.focus()
        await pilot.press("F")
        await pilot.pause()
        options = app.screen.query_one("#choices", OptionList).options
        labels = [str(o.prompt).strip() for o in options]
        assert labels[:2] == ["All sources  4 unread", "★ Saved  1 saved"]
        assert "Example News  2 unread" in labels, "a, read, is not counted"
        assert "Other Wire  2 unread  ⚠ failing" in labels
        app.screen.query_one("#choices", OptionList).highlighted = 1
        await pilot.press("enter")
        await settle(pilot)
        assert [h.id for h in screen.headlines.shown] == ["a"]


async def test_new_since_last_time_is_counted_at_start_and_has_a_view() -> None:
    from textual.widgets import OptionList

    from tests.ui_fakes import NOW, sample_headlines

    headlines = sample_headlines()
    last_session = NOW.timestamp() - 3 * 3600
    for h in headlines:  # b and d arrived after the last session began; the rest before
        hours = 1 if h.id in ("b", "d") else 5
        h.seen = datetime.fromtimestamp(NOW.timestamp() - hours * 3600, UTC).isoformat()
    reader = FakeReader(headlines=headlines)
    reader.set_setting("session_started", last_session)
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert "2 new since last time" in status_text(screen)
        assert reader.get_setting("session_started") == NOW.timestamp(), "this session now"
        await pilot.press("F")
        await pilot.pause()
        picker = app.screen.query_one("#choices", OptionList)
        labels = [str(o.prompt).strip() for o in picker.options]
        assert labels[1] == "✦ New since last time  2 new"
        picker.highlighted = 1
        await pilot.press("enter")
        await settle(pilot)
        assert [h.id for h in screen.headlines.shown] == ["b", "d"]


async def test_a_first_session_has_nothing_new_since_last_time() -> None:
    app = make_app(FakeReader())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "new since last time" not in status_text(main(app))
