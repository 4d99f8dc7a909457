"""Textual's Strips never cache themselves here, so painting leaves no cyclic garbage behind."""

# Textual 8.2's `Strip.divide` and `Strip.crop_extend` store their result in a cache on the strip,
# and when that result is the strip itself (a line that already has the asked-for width: the
# compositor's common case, on every painted line) the strip holds itself, a reference cycle.
# Every painted line then lives on, with its seven caches and its segments, until a full
# collection: ~100,000 objects per 5 s of opening stories, and a 140-210 ms collection pause to
# free them (bench/open_bench.py with gc.DEBUG_SAVEALL). The wrappers below answer those cases
# with the strip itself before the cache is touched, which is what Textual would have returned;
# every other result is still Textual's own, cached as before.

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.style import Style
from textual.strip import Strip

# Textual's own methods, even if this module is imported again after install().
_divide = getattr(Strip.divide, "textual_method", Strip.divide)
_crop_extend = getattr(Strip.crop_extend, "textual_method", Strip.crop_extend)


def _divide_uncached_self(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cell_length = self.cell_length
    kept = [cut for cut in cuts if cut <= cell_length]
    if kept == [cell_length]:
        return [self]
    return _divide(self, kept)


def _crop_extend_uncached_self(self: Strip, start: int, end: int, style: Style | None) -> Strip:
    if start <= 0 and end == self.cell_length:
        return self
    return _crop_extend(self, start, end, style)


_divide_uncached_self.textual_method = _divide  # type: ignore[attr-defined]  # a function marker
_crop_extend_uncached_self.textual_method = _crop_extend  # type: ignore[attr-defined]  # marker


def install() -> None:
    """Replace the two methods (idempotent: the originals are kept at import)."""
    Strip.divide = _divide_uncached_self  # type: ignore[method-assign]  # the patch itself
    Strip.crop_extend = _crop_extend_uncached_self  # type: ignore[method-assign]  # the patch


def uninstall() -> None:
    """Textual's own methods again (idempotent)."""
    Strip.divide = _divide  # type: ignore[method-assign]  # putting the original back
    Strip.crop_extend = _crop_extend  # type: ignore[method-assign]  # putting the original back


def installed() -> bool:
    return Strip.divide is _divide_uncached_self and Strip.crop_extend is _crop_extend_uncached_self


def originals() -> dict[str, object]:
    """Textual's own methods, for the tests that compare results with them."""
    return {"divide": _divide, "crop_extend": _crop_extend}
