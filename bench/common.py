"""Shared bench helpers: isolated dirs, a cached corpus built through Reader, a pty harness."""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
import platform
import random
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pages import BASE_TIME, UK_WORDS, paragraph, sentence, title  # noqa: E402
from newsreader.config import load_config  # noqa: E402
from newsreader.models import Block, Dateline, Headline, RelatedLink, Source, Story  # noqa: E402
from newsreader.paths import Paths  # noqa: E402

if TYPE_CHECKING:
    from newsreader.services.reader import Reader

PYTHON = sys.executable
NEWSREADER = str(Path(PYTHON).with_name("newsreader"))
N_SOURCES = 200
N_HOSTS = 50  # 127.0.0.1 ... 127.0.0.50: fetch() allows max_per_host connections per host
COLS, ROWS = 120, 40


@dataclass
class Row:
    """One line of the results table; `ratio` is figure / floor, `ok` whether the target holds."""

    name: str
    figure: float
    unit: str
    floor: float | None
    target: str
    ok: bool | None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.figure / self.floor if self.floor else None


def emit(rows: Sequence[Row], as_json: bool) -> None:
    """Print the rows as a table, or as one JSON line for run_all.py."""
    if as_json:
        print("BENCH-RESULT " + json.dumps([asdict(r) for r in rows]))
    else:
        print_table(rows)


def print_table(rows: Sequence[Row]) -> None:
    head = f"{'figure':44} {'value':>12} {'floor':>12} {'ratio':>7}  {'target':18} result"
    print(head)
    print("-" * len(head))
    for r in rows:
        floor = f"{r.floor:.3g} {r.unit}" if r.floor is not None else "-"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        ok = "-" if r.ok is None else ("PASS" if r.ok else "FAIL")
        print(f"{r.name:44} {f'{r.figure:.3g} {r.unit}':>12} {floor:>12} {ratio:>7}  "
              f"{r.target:18} {ok}")
        if r.note:
            print(f"    {r.note}")


def machine() -> str:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return (f"{os.cpu_count()} cores, {model}, {mem_kb / 1024 / 1024:.1f} GiB RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by the nearest-rank method."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# -- isolated dirs and the corpus -------------------------------------------------------------

def bench_env(root: Path) -> dict[str, str]:
    """Environment for a newsreader subprocess whose config/data/cache all live under `root`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "TEXTUAL"))}
    env.update(
        XDG_CONFIG_HOME=str(root / "config"), XDG_DATA_HOME=str(root / "data"),
        XDG_CACHE_HOME=str(root / "cache"), HOME=str(root / "home"),
        TERM="xterm-256color", COLORTERM="truecolor", COLUMNS=str(COLS), LINES=str(ROWS),
    )
    return env


def bench_paths(root: Path) -> Paths:
    """The Paths that `bench_env(root)` makes platformdirs produce (Linux XDG layout)."""
    return Paths(config_file=root / "config" / "newsreader" / "config.toml",
                 data_dir=root / "data" / "newsreader", cache_dir=root / "cache" / "newsreader")


def open_bench_reader(root: Path, **options: Any) -> Reader:
    """The Reader a bench drives, opened on `root`'s isolated dirs and config as the app would."""
    from newsreader.services.wiring import open_reader

    paths = bench_paths(root)
    return open_reader(load_config(paths.config_file), paths=paths, **options)


def source_url(index: int, port: int) -> str:
    return f"http://127.0.0.{1 + index % N_HOSTS}:{port}/feeds/{index}.xml"


def story_url(source: int, key: str, port: int) -> str:
    return f"http://127.0.0.{1 + source % N_HOSTS}:{port}/s/{source}/{key}.html"


def sources(port: int, n: int = N_SOURCES) -> list[Source]:
    return [Source(f"Source {i:03d}" if i % 5 else f"Джерело {i:03d}", source_url(i, port),
                   f"Folder {i % 10}") for i in range(n)]


def write_config(root: Path, port: int, n_sources: int = N_SOURCES, **extra: object) -> Path:
    path = bench_paths(root).config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    for s in sources(port, n_sources):
        lines += ["", "[[sources]]", f"name = {json.dumps(s.name)}", f"url = {json.dumps(s.url)}",
                  f"folder = {json.dumps(s.folder)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _story_for(headline: Headline, rng: random.Random) -> Story:
    paras = [Block("paragraph", paragraph(rng)) for _ in range(rng.randint(4, 12))]
    paras.insert(2, Block("quote", sentence(rng), attribution="the minister said"))
    paras.insert(1, Block("heading", "Details"))
    return Story(url=headline.url, canonical_url=headline.url, title=headline.title,
                 published=headline.published, source=headline.source_name,
                 dateline=Dateline("Kyiv", "UNN"), views=rng.randint(100, 9000),
                 lead=sentence(rng), blocks=paras,
                 related=[RelatedLink("recall", title(rng), headline.url + "?r=1", sentence(rng))],
                 language="en", encoding="utf-8")


def build_corpus(root: Path, n_stories: int, *, port: int = 8, n_sources: int = N_SOURCES,
                 parsed_stories: bool = True, read_fraction: float = 0.2,
                 config: dict[str, object] | None = None) -> list[Headline]:
    """Fill an isolated cache with `n_stories` headlines over `n_sources` feeds through the real
    Reader/Cache APIs (headline lists, parsed stories) and mark some read; returns them all,
    newest first.
    """
    write_config(root, port, n_sources, **(config or {}))
    reader = open_bench_reader(root, offline=True)
    rng = random.Random(n_stories)
    per_source = [n_stories // n_sources + (1 if i < n_stories % n_sources else 0)
                  for i in range(n_sources)]
    everything: list[Headline] = []
    read_ids: list[str] = []
    try:
        for i, source in enumerate(reader.sources):
            headlines = []
            for k in range(per_source[i]):
                minute = (i * 7919 + k * 104729) % (60 * 24 * 30)
                when = (BASE_TIME - timedelta(minutes=minute, seconds=i)).isoformat()
                words = UK_WORDS if i % 5 == 0 else None
                text = title(rng, words) if words else title(rng)
                url = story_url(i, f"old-{k}", port)
                h = Headline(id=url, source_url=source.url, source_name=source.name,
                             title=f"{text} ({i}.{k})", url=url, published=when,
                             summary=sentence(rng), seen=when)
                headlines.append(h)
                if rng.random() < read_fraction:
                    read_ids.append(h.id)
            reader.library.store_headlines(source, headlines)
            everything += headlines
            if parsed_stories:
                for h in headlines:
                    reader.cache.put_story(h.url, {"parser": _parser_version(),
                                                   "story": _story_for(h, rng).to_dict()})
        reader.reading.state.set_read(read_ids, True)
        if parsed_stories:
            # The thread index as the refresh that stored these stories would have left it
            # (put_story above bypasses it); without it every launch rebuilds it, a one-off cost
            # after an upgrade, not the daily start.
            reader.threads.index.ensure_loaded()
            reader.threads.index.save()
    finally:
        reader.close()
    everything.sort(key=lambda h: h.published or "", reverse=True)
    return everything


def _parser_version() -> int:
    from newsreader.services.stories import PARSER_VERSION

    return PARSER_VERSION


# -- the pty harness ----------------------------------------------------------------------------

@dataclass
class PtyRun:
    """One launch: seconds to the needle, VmRSS (MiB) at paint and 1 s later, or an error."""

    seconds: float
    rss_mb: float
    rss_settled_mb: float
    error: str = ""


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _spawn_on_pty(
    argv: Sequence[str], env: dict[str, str]
) -> tuple[int, subprocess.Popen[bytes], float]:
    """`argv` started on a fresh 120x40 pty: (the pty's master end, the process, its start)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True, close_fds=True)
    os.close(slave)
    return master, proc, start


DA1_QUERY = b"\x1b[c"
VT220_DA1 = b"\x1b[?62;1;2;6;9;15;22c"  # what a VT220-class terminal (no graphics) answers


def _answer(master: int, buf: bytes | bytearray, answered: bool) -> bool:
    """Answer the app's device-attributes query (ui/terminal_probe) as a real terminal does
    within a few ms (a pty answers nothing: the probe would wait its whole bound); True once
    answered."""
    if not answered and DA1_QUERY in buf:
        os.write(master, VT220_DA1)
        return True
    return answered


def _drain(master: int, seconds: float) -> None:
    """Read what the app writes for `seconds`, so it never blocks on a full pty."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        if select.select([master], [], [], 0.02)[0]:
            try:
                os.read(master, 1 << 16)
            except OSError:
                break


def _stop(proc: subprocess.Popen[bytes], master: int) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    os.close(master)


def run_in_pty(argv: Sequence[str], env: dict[str, str], needle: bytes, *,
               timeout: float = 60.0, settle: float = 1.0) -> PtyRun:
    """Launch `argv` on a fresh 120x40 pty; time from spawn until `needle` is in its output."""
    master, proc, start = _spawn_on_pty(argv, env)
    buf = bytearray()
    found = None
    answered = False
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 1 << 16)
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk
                answered = _answer(master, buf, answered)
                if needle in buf[-(len(chunk) + len(needle)):] or needle in buf:
                    found = time.perf_counter() - start
                    break
            elif proc.poll() is not None:
                break
        if found is None:
            tail = bytes(buf[-400:]).decode("utf-8", "replace")
            return PtyRun(float("nan"), float("nan"), float("nan"), f"needle not seen: {tail!r}")
        rss = _rss_mb(proc.pid)
        _drain(master, settle)
        return PtyRun(found, rss, max(rss, _rss_mb(proc.pid)))
    finally:
        _stop(proc, master)


def compile_bytecode() -> None:
    """Write newsreader's .pyc files, as installing it does.

    Under PYTHONDONTWRITEBYTECODE (set on some machines) a checkout never keeps them, and each
    launch would compile every module it imports again, a cost no installed copy has.
    """
    import compileall

    compileall.compile_dir(str(ROOT / "newsreader"), quiet=1)


@dataclass
class QuitRun:
    """One launch quit with a key: seconds from the key to the process's exit, or an error."""

    seconds: float
    error: str = ""


def quit_in_pty(argv: Sequence[str], env: dict[str, str], needle: bytes, key: bytes, *,
                timeout: float = 60.0, settle: float = 1.0) -> QuitRun:
    """Launch `argv` on a 120x40 pty, wait for `needle` and `settle` s more, then type `key`:
    the time until the process has exited (the shell would print its prompt then)."""
    master, proc, start = _spawn_on_pty(argv, env)
    buf = bytearray()
    answered = False
    try:
        while needle not in buf:
            if time.perf_counter() - start > timeout or proc.poll() is not None:
                tail = bytes(buf[-400:]).decode("utf-8", "replace")
                return QuitRun(float("nan"), f"needle not seen: {tail!r}")
            if select.select([master], [], [], 0.05)[0]:
                try:
                    buf += os.read(master, 1 << 16)
                except OSError:
                    break
                answered = _answer(master, buf, answered)
        _drain(master, settle)
        pressed = time.perf_counter()
        os.write(master, key)
        while proc.poll() is None:
            if time.perf_counter() - pressed > timeout:
                return QuitRun(float("nan"), "did not exit")
            # Keep reading what it writes on its way out (restoring the terminal).
            if select.select([master], [], [], 0.002)[0]:
                with contextlib.suppress(OSError):
                    os.read(master, 1 << 16)
        return QuitRun(time.perf_counter() - pressed)
    finally:
        _stop(proc, master)


# -- the loopback site -------------------------------------------------------------------------

def start_server(latency: float = 0.1, feed_items: int = 20) -> tuple[subprocess.Popen[str], int]:
    """Start bench/loopback_server.py in its own process; returns it and its port."""
    proc = subprocess.Popen(
        [PYTHON, str(Path(__file__).resolve().parent / "loopback_server.py"),
         "--latency", str(latency), "--hosts", str(N_HOSTS), "--feed-items", str(feed_items)],
        stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY"):
        proc.kill()
        raise RuntimeError(f"loopback server did not start: {line!r}")
    return proc, int(line.split()[1])


def stop_server(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def server_stats(port: int) -> dict[str, float]:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__stats", timeout=5) as r:
        return json.loads(r.read())


# -- frames of an in-process app ------------------------------------------------------------------

class FrameClock:
    """Timestamps of every frame the app hands to its driver (`App._display`).

    `App._display` is where a composed screen update (Screen._compositor_refresh ->
    Compositor.render_update) is turned into terminal bytes. Under run_test's headless driver
    Textual skips that last step, so the hook does it itself (render_segments), then stamps
    the frame: a stamp means the new content has been laid out, rendered and encoded for the
    terminal; only the write() syscall is missing.
    """

    def __init__(self, app: object) -> None:
        self.frames: list[float] = []
        original = app._display  # type: ignore[attr-defined]

        def display(screen: object, renderable: object) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                render(app.console)  # type: ignore[attr-defined]
            self.frames.append(time.perf_counter())

        app._display = display  # type: ignore[attr-defined]

    def first_after(self, t: float) -> float | None:
        import bisect

        i = bisect.bisect_right(self.frames, t)
        return self.frames[i] if i < len(self.frames) else None
