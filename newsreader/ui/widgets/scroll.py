"""A vertical scroll in which every key moves the text: a line, a page, however fast they come.

Textual's scroll_down / scroll_up (and so its ↓ ↑ bindings) work out the new position when the
key is handled, from `scroll_target_y`, but scroll only after the next refresh, which is when
`scroll_target_y` is updated; scroll_page_down / up start from `scroll_y`, which an animation
leaves behind. Keys handled before that refresh (a burst, a key repeat while a frame is being
drawn) all aimed at the same line: twenty `j` at once scrolled one line, twenty held at 33 ms
with 50 ms frames about ten. Here each key scrolls at once, without animation, from where the
key before it left the text.
"""

from __future__ import annotations

from textual.actions import SkipAction
from textual.containers import VerticalScroll


class KeyScroll(VerticalScroll):
    """A VerticalScroll whose line and page keys each scroll exactly one line or one page."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Where to scroll once the content being laid out has a height (see scroll_after_layout).
        self._after_layout_y: float | None = None

    def scroll_lines(self, lines: int) -> None:
        """Scroll `lines` down (up if negative) from where the last scroll was going."""
        if self._after_layout_y is not None:
            # New content not laid out yet: its height (so the furthest it can go) is unknown.
            self._after_layout_y = max(0.0, self._after_layout_y + lines)
            return
        # An animation (a click on the scrollbar) ends where it was going, and this starts there.
        self.app.animator.force_stop_animation(self, "scroll_y")
        self.scroll_to(y=round(self.scroll_y) + lines, animate=False, immediate=True)

    def scroll_pages(self, pages: int) -> None:
        """Scroll `pages` screens down (up if negative)."""
        self.scroll_lines(pages * max(1, self.scrollable_content_region.height))

    def scroll_after_layout(self, y: float) -> None:
        """Scroll to `y` once the new content has been laid out; keys pressed meanwhile count
        from `y`. Until then it shows the top."""
        self.scroll_to(y=0, animate=False, immediate=True)
        self._after_layout_y = y
        self.call_after_refresh(self._scroll_laid_out)

    def _scroll_laid_out(self) -> None:
        y, self._after_layout_y = self._after_layout_y, None
        if y:
            self.scroll_to(y=y, animate=False, immediate=True)

    @property
    def awaiting_layout(self) -> bool:
        """New content is shown but not laid out yet, or laid out at a width that a scrollbar
        shown since has narrowed (a first story after the start's placeholder): the width its
        lines will have is not final."""
        return (self._after_layout_y is not None
                or self.virtual_size.width > self.scrollable_content_region.width)

    @property
    def position(self) -> float:
        """The line at the top, or the one it is about to be (a new story not laid out yet)."""
        return self.scroll_y if self._after_layout_y is None else self._after_layout_y

    # Textual's own bindings (↓ ↑ pgdn pgup) call these.
    def action_scroll_down(self) -> None:
        self._vertical_or_skip()
        self.scroll_lines(1)

    def action_scroll_up(self) -> None:
        self._vertical_or_skip()
        self.scroll_lines(-1)

    def action_page_down(self) -> None:
        self._vertical_or_skip()
        self.scroll_pages(1)

    def action_page_up(self) -> None:
        self._vertical_or_skip()
        self.scroll_pages(-1)

    def _vertical_or_skip(self) -> None:
        if not self.allow_vertical_scroll and self._after_layout_y is None:
            raise SkipAction()
