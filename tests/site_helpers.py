"""Helpers shared by service and CLI tests: serve the fixture site and write a config for it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from newsreader.config import Config
from newsreader.models import Source
from newsreader.paths import default_paths
from tests.fixture_site import FEED_PATHS, build_site
from tests.http_server import TestServer


def serve_fixture_site(server: TestServer) -> dict:
    """Route every fixture page; feeds get an ETag and Last-Modified so 304s can happen."""
    pages = build_site(server.base_url)
    for path, page in pages.items():
        validators = {}
        if path in FEED_PATHS:
            validators = {
                "etag": '"' + hashlib.sha1(page.body).hexdigest()[:16] + '"',
                "last_modified": "Mon, 23 Nov 2026 10:00:00 GMT",
            }
        server.route(path, page.body, content_type=page.content_type, **validators)
    return pages


def fixture_sources(server: TestServer) -> list[Source]:
    return [
        Source(f"Fixture {path.rsplit('/', 1)[-1]}", server.url(path), "Fixtures")
        for path in FEED_PATHS
    ]


def write_config(server: TestServer, *, extra: str = "") -> Path:
    """Write the user's config.toml (in the isolated XDG dir) listing the fixture feeds."""
    config_file = default_paths().config_file
    config_file.parent.mkdir(parents=True, exist_ok=True)
    lines = [extra]
    for source in fixture_sources(server):
        lines += ["[[sources]]", f'name = "{source.name}"', f'url = "{source.url}"',
                  f'folder = "{source.folder}"', ""]
    config_file.write_text("\n".join(lines), encoding="utf-8")
    return config_file


def fixture_config(server: TestServer) -> Config:
    return Config(sources=fixture_sources(server))
