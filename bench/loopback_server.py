"""A loopback news site for the refresh benches: asyncio HTTP/1.1, fixed latency, ETag -> 304.

Run as a subprocess so it never competes with the measured process for the GIL:

    python bench/loopback_server.py --latency 0.1 --hosts 50 [--feed-items 20]

It prints "READY <port>" once every 127.0.0.x address listens on that port. Routes:
/feeds/<i>.xml (RSS, `--feed-items` new stories), /s/<i>/<key>.html (a page from a pool of
generated 10-200 KB pages), /__stats (JSON counters, no latency). Every other response is sent
`--latency` seconds after its request arrived; requests wait concurrently (asyncio.sleep), so
the server adds latency, not queueing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import BASE_TIME, paragraph, rss_feed, story_page, title

POOL_SIZE = 120


class Site:
    """Bodies by path, generated once; ETags are a hash of the body."""

    def __init__(self, port: int, hosts: int, feed_items: int) -> None:
        import random

        self.port, self.hosts, self.feed_items = port, hosts, feed_items
        base = f"http://127.0.0.1:{port}"
        self.pool = [story_page(seed, f"/pool/{seed}.html", base) for seed in range(POOL_SIZE)]
        self.feeds: dict[str, bytes] = {}
        rng = random.Random(7)
        for i in range(200):
            host = f"http://127.0.0.{1 + i % hosts}:{port}"
            items = [(f"{title(rng)} (new {i}.{k})", f"{host}/s/{i}/n{k}.html",
                      BASE_TIME + timedelta(hours=1, minutes=k, seconds=i), paragraph(rng)[:300])
                     for k in range(feed_items)]
            self.feeds[f"/feeds/{i}.xml"] = rss_feed(f"Source {i:03d}", host, items)
        self.requests = 0
        self.not_modified = 0
        self.bytes_sent = 0
        self.in_flight = 0
        self.max_in_flight = 0

    def lookup(self, path: str) -> tuple[bytes, str] | None:
        if path in self.feeds:
            return self.feeds[path], "application/rss+xml; charset=utf-8"
        # /n/<k>: the pages the stories' "Read also" links point to (in no feed: a refresh
        # reaches them only along threads).
        if (path.startswith("/s/") and path.endswith(".html")) or path.startswith("/n/"):
            index = int(hashlib.md5(path.encode()).hexdigest()[:8], 16) % POOL_SIZE
            page = self.pool[index]
            return page.body, page.content_type
        return None


async def handle(site: Site, latency: float, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            arrived = time.monotonic()
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {k.strip().lower(): v.strip() for k, _, v in
                       (line.partition(":") for line in lines[1:] if line)}
            if path == "/__stats":
                body = json.dumps(stats(site)).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
                continue
            site.requests += 1
            site.in_flight += 1
            site.max_in_flight = max(site.max_in_flight, site.in_flight)
            found = site.lookup(path.split("?")[0])
            await asyncio.sleep(max(0.0, latency - (time.monotonic() - arrived)))
            site.in_flight -= 1
            if found is None:
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            else:
                body, ctype = found
                etag = '"' + hashlib.md5(path.encode() + body[:64]).hexdigest()[:16] + '"'
                if headers.get("if-none-match") == etag:
                    site.not_modified += 1
                    writer.write(b"HTTP/1.1 304 Not Modified\r\nETag: %s\r\n\r\n" % etag.encode())
                else:
                    site.bytes_sent += len(body)
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nETag: %s\r\n"
                                 b"Content-Length: %d\r\n\r\n" % (ctype.encode(), etag.encode(),
                                                                  len(body)) + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


def stats(site: Site) -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"requests": site.requests, "not_modified": site.not_modified,
            "bytes_sent": site.bytes_sent, "max_in_flight": site.max_in_flight,
            "cpu_seconds": usage.ru_utime + usage.ru_stime}


async def serve(latency: float, hosts: int, feed_items: int) -> None:
    first = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = first.sockets[0].getsockname()[1]
    first.close()
    await first.wait_closed()
    site = Site(port, hosts, feed_items)
    servers = [await asyncio.start_server(lambda r, w: handle(site, latency, r, w),
                                          f"127.0.0.{h}", port, backlog=512)
               for h in range(1, hosts + 1)]
    print(f"READY {port}", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--feed-items", type=int, default=20)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.latency, args.hosts, args.feed_items))


if __name__ == "__main__":
    main()
