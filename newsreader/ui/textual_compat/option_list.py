"""OptionList internals (Textual 8.2.8): a one-line-per-option line cache, options swapped whole."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.geometry import Size
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from newsreader.ui.textual_compat.versions import verified


class OneLineOptionList(OptionList):
    """An OptionList whose every option is exactly one line (nowrap, no divider, no padding).

    Its line cache is then built without measuring options: OptionList asks each option's
    visual for its height (a wrap per row), ~0.3 s for 10,000 rows after every `set_options`
    or prompt change; here option i is line i. Stock OptionList behaviour when not verified.
    """

    def _update_lines(self) -> None:
        if not verified():
            super()._update_lines()
            return
        cache = self._line_cache
        lines = cache.lines
        count = len(self.options)
        start = len(lines)
        if start == count and self.virtual_size.height == count and count:
            return  # up to date (a resize clears the cache): called once per painted line
        if not self.scrollable_content_region:
            return
        if start < count:
            new = range(start, count)
            lines.extend((index, 0) for index in new)
            cache.index_to_line.update(zip(new, new, strict=True))
            cache.heights.update(dict.fromkeys(new, 1))
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        virtual_size = Size(width, count)
        if virtual_size != self.virtual_size:
            self.virtual_size = virtual_size
            self._scroll_update(virtual_size)


def replace_options(option_list: OptionList, options: Sequence[Option]) -> None:
    """`option_list.set_options(options)` for Options with unique ids (or none), in one pass.

    `add_options` checks and indexes 10,000 Options one by one (~35 ms per list reload).
    """
    if not verified():
        option_list.set_options(options)
        return
    option_list._options[:] = options
    option_list._option_to_index = {option: index for index, option in enumerate(options)}
    option_list._id_to_option = {option.id: option for option in options if option.id}
    # Cached renders carry each row's index (for mouse clicks): they must go.
    option_list._option_render_cache.clear()
    option_list._line_cache.clear()
    option_list.highlighted = None
    option_list.scroll_y = 0
    if option_list.is_mounted:
        option_list.refresh()
        option_list._update_lines()


def set_option_prompt(
    option_list: OptionList, option: Option, prompt: Content, index: int | None
) -> Option:
    """Give `option` (listed at `index`, or None) a new prompt; repaint none of the others.

    OptionList's own replace_option_prompt* drop every cached option render and the line
    cache, so every other visible row is rendered again. Returns the Option that now carries
    the prompt: `option` itself, but a new one when not verified and `option` is not listed.
    """
    if not verified():
        return _stock_prompt(option_list, option, prompt, index)
    option._set_prompt(prompt)
    cache = option_list._option_render_cache
    for key in [key for key in cache.keys() if key[0] is option]:  # noqa: SIM118 (LRUCache has no __iter__)
        cache.discard(key)
    return option


def fill_option_prompt(
    option_list: OptionList, option: Option, prompt: Content, index: int | None
) -> Option:
    """`set_option_prompt` for an option with no cached render (a placeholder not painted yet,
    or any after `forget_option_renders`): the render cache is not searched."""
    if not verified():
        return _stock_prompt(option_list, option, prompt, index)
    option._set_prompt(prompt)
    return option


def forget_option_renders(option_list: OptionList) -> None:
    """Drop every cached option render (the prompts are about to change), not the line cache.

    Not verified, there is nothing to drop: prompts then change through OptionList's own
    replace_option_prompt_at_index, which drops them all each time.
    """
    if verified():
        option_list._option_render_cache.clear()


def _stock_prompt(
    option_list: OptionList, option: Option, prompt: Content, index: int | None
) -> Option:
    if index is not None:
        option_list.replace_option_prompt_at_index(index, prompt)
        return option
    return Option(prompt, id=option.id, disabled=option.disabled)
