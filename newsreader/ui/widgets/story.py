"""The story view: headline, meta line, lead, body blocks and the numbered related links."""

from __future__ import annotations

from collections.abc import Sequence

from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import OptionList, Static

from newsreader.models import Block, Story
from newsreader.ui.format import meta_line, related_row

PLACEHOLDER = "Pick a headline and press Enter to read it."


def _static(content: Content | str, classes: str) -> Static:
    # markup=False: a plain str here is fetched text and must stay literal.
    return Static(content, classes=classes, markup=False)


def block_widget(block: Block) -> Widget | None:
    """One body block as a widget; styling comes from the .tcss by class."""
    if block.type == "heading":
        return _static(block.text, "heading") if block.text else None
    if block.type == "quote":
        parts: list[str | tuple[str, str]] = [(f"“{block.text}”", "italic")]
        if block.attribution:
            parts += ["\n", (f"— {block.attribution}", "$text-muted")]
        return _static(Content.assemble(*parts), "quote")
    if block.type == "image":
        # Images are never fetched: the alt text or caption stands in for them.
        label = block.caption or block.alt or block.src or ""
        return _static(Content.assemble(("[image] ", "bold $text-muted"), label), "image")
    if block.type == "list":
        items = [item for item in block.items if item.strip()] or [block.text]
        return _static(Content("\n".join(f"• {item}" for item in items)), "list")
    return _static(block.text, "paragraph") if block.text else None


class RelatedList(OptionList):
    """The story's "Recall" / "Read also" links, numbered like the 1–9 keys that follow them."""

    def __init__(self) -> None:
        super().__init__(id="related", markup=False)


class StoryView(VerticalScroll):
    """Shows one story, a loading state or a message; owns no data and does no I/O."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.story: Story | None = None
        self.url: str | None = None

    def compose(self):  # type: ignore[override]
        yield _static(PLACEHOLDER, "placeholder")
        yield Static(id="story-title", markup=False)
        yield Static(id="story-meta", markup=False)
        yield Static(id="story-lead", markup=False)
        yield Vertical(id="story-body")
        yield Static(id="story-message", markup=False)
        yield Static("Related stories", id="related-heading", markup=False)
        yield RelatedList()

    def _set_state(self, state: str) -> None:
        """One of "empty", "story", "loading", "message": the .tcss shows what fits."""
        for name in ("empty", "story", "loading", "message"):
            self.set_class(name == state, f"-{name}")

    async def show_story(self, story: Story, cached: Sequence[bool], scroll_y: float = 0.0) -> None:
        """Render `story`; `cached[i]` tells whether related link i is in the cache."""
        self.story, self.url = story, story.url
        self.query_one("#story-title", Static).update(Content(story.title or story.url))
        self.query_one("#story-meta", Static).update(meta_line(story))
        lead = self.query_one("#story-lead", Static)
        lead.update(Content(story.lead or ""))
        lead.display = bool(story.lead)
        body = self.query_one("#story-body", Vertical)
        await body.remove_children()
        widgets = [w for w in (block_widget(b) for b in story.blocks) if w is not None]
        if widgets:
            await body.mount_all(widgets)
        self.set_related(story, cached)
        self._set_state("story")
        self.border_title = Content(story.source or "")
        self.restore_scroll(scroll_y)

    def set_related(self, story: Story, cached: Sequence[bool]) -> None:
        related = self.query_one(RelatedList)
        related.set_options(
            related_row(i, link, cached=bool(cached[i - 1]) if i - 1 < len(cached) else False)
            for i, link in enumerate(story.related, 1)
        )
        has_related = bool(story.related)
        if has_related:
            related.highlighted = 0  # so Enter follows a link as soon as the list has focus
        related.display = has_related
        self.query_one("#related-heading").display = has_related

    def restore_scroll(self, scroll_y: float) -> None:
        """Scroll once the new content has been laid out (before that the height is unknown)."""
        self.scroll_to(y=0, animate=False, immediate=True)
        if scroll_y:
            self.call_after_refresh(self.scroll_to, y=scroll_y, animate=False, immediate=True)

    def show_loading(self, url: str, title: str | None = None) -> None:
        self.story, self.url = None, url
        self.query_one("#story-message", Static).update(
            Content.assemble(("Loading… ", "bold"), title or url)
        )
        self._set_state("loading")
        self.scroll_to(y=0, animate=False, immediate=True)

    def show_message(self, url: str | None, title: str, detail: str = "") -> None:
        """A clear message in place of a story (not available offline, fetch failed, ...)."""
        self.story, self.url = None, url
        parts: list[str | tuple[str, str]] = [(title, "bold $warning")]
        if detail:
            parts += ["\n\n", detail]
        if url:
            parts += ["\n\n", (url, "$text-muted")]
        self.query_one("#story-message", Static).update(Content.assemble(*parts))
        self._set_state("message")
        self.scroll_to(y=0, animate=False, immediate=True)

    def show_empty(self) -> None:
        self.story, self.url = None, None
        self._set_state("empty")
