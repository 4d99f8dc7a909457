"""Story pictures: fetched with their story when enabled, size-capped, cached, never raising."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newsreader.errors import NewsreaderError
from newsreader.models import Story

if TYPE_CHECKING:  # only types: the UI imports picture_urls, which needs none of them
    from newsreader.services.network import Network
    from newsreader.store.cache import Cache
    from newsreader.store.writer import CacheWriter

# Formats Pillow's wheels decode; anything else is still tried if its bytes say it is a picture.
IMAGE_ACCEPT = "image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1"
PICTURES_PER_STORY = 4  # the main picture and a few more; a gallery of 40 is not fetched whole
# The first bytes of the formats a story shows (PNG, JPEG, GIF, BMP; WebP is RIFF....WEBP).
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def picture_urls(story: Story, limit: int = PICTURES_PER_STORY) -> list[str]:
    """The http(s) addresses of the story's pictures, in order, each once, at most `limit`."""
    urls: list[str] = []
    for block in story.blocks:
        src = block.src if block.type == "image" else None
        if src and src not in urls and _fetchable(src):
            urls.append(src)
            if len(urls) == limit:
                break
    return urls


def forget_story(cache: Cache, url: str) -> int:
    """Delete a story's page, parsed form and pictures from the cache (an expired story, a
    removed source's); returns how many entries went. Reads the story: run it off the loop."""
    wrapped = cache.get_story(url)
    pictures: list[str] = []
    if isinstance(wrapped, dict) and isinstance(wrapped.get("story"), dict):
        with contextlib.suppress(KeyError, TypeError, ValueError):
            pictures = picture_urls(Story.from_dict(wrapped["story"]))
    return cache.delete_story(url) + sum(cache.delete_image(src) for src in pictures)


def looks_like_picture(content: bytes) -> bool:
    """True for the signatures of the formats above: an HTML error page sent with 200 is not."""
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return True
    return content.startswith(_SIGNATURES)


class Images:
    """The pictures of stories: from the cache, else (online, enabled) downloaded and cached.

    Every failure (not http(s), refused, too big, not a picture, disk full) reads as "no
    picture": the story keeps its caption. A URL that failed is not asked again this session.
    """

    def __init__(
        self,
        *,
        cache: Cache,
        cache_writer: CacheWriter,
        network: Network,
        offline: bool,
        enabled: bool,
    ) -> None:
        self.cache = cache
        self.cache_writer = cache_writer
        self.network = network
        self.offline = offline
        self.enabled = enabled
        self.failed: set[str] = set()

    async def load(self, url: str) -> bytes | None:
        """The picture's bytes: cached (read on a thread), else downloaded unless offline."""
        if not self.enabled or url in self.failed or not _fetchable(url):
            return None
        cached = await asyncio.to_thread(self.cache.get_image, url)
        if cached is not None:
            return cached.content
        if self.offline:
            return None
        return await self.download(url)

    async def prefetch(self, story: Story) -> None:
        """Download the story's pictures that are not cached yet (the refresh's prefetch)."""
        if not self.enabled or self.offline:
            return
        for url in picture_urls(story):
            if url not in self.failed and not self.cache.has_image(url):
                await self.download(url)

    async def download(self, url: str) -> bytes | None:
        """Fetch one picture within the image cap and cache it; None if it is not one."""
        from newsreader.net.client import fetch  # here: a start-up that never fetches skips httpx

        settings = self.network.settings
        try:
            result = await fetch(self.network.client, url, settings=settings,
                                 max_bytes=settings.max_image_bytes, accept=IMAGE_ACCEPT)
        except NewsreaderError:
            self.failed.add(url)
            return None
        if not looks_like_picture(result.content):
            self.failed.add(url)
            return None
        with contextlib.suppress(NewsreaderError):  # not cached (disk full): shown this time
            await self.cache_writer.run(
                self.cache.put_image, url, final_url=result.final_url, content=result.content,
                content_type=result.content_type,
            )
        return result.content


def _fetchable(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")
