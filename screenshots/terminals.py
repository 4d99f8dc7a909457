"""Screenshots of a command in real graphics terminals (xterm with sixel, kitty) under Xvfb.

    python screenshots/terminals.py [--terminal xterm|kitty|xterm-plain|both] [--venv DIR]
                                    [--out PATH]
                                    [--keys STEP ...] [--check | --probe] [-- COMMAND ...]

CI has no graphics terminal, so this is how to see what a branch really draws: it starts Xvfb
on a free display, a terminal of a fixed size running COMMAND (by default `newsreader --demo` of
--venv, walked to the Dnipro story, which has a picture), sends the keys with xdotool, waits
until the screen stops changing and writes a PNG of the window (default
screenshots/terminal-{terminal}.png; not committed). The terminals are started as a user with
graphics would start them:

  xterm   xterm -ti vt340 -xrm 'XTerm*decTerminalID: vt340' -xrm 'XTerm*numColorRegisters: 256'
          (sixel; a plain xterm says vt420 and no sixel)
  kitty   kitty --config NONE (its graphics protocol); runs on Xvfb's Mesa software OpenGL
  xterm-plain  xterm as it comes (only when asked for): the fallback where no graphics are

KEYS are steps run in order, the screen left to settle after each: an xdotool key name
(`Return`, `slash`, `j`, `ctrl+p`; several in one step, space-separated, go as one burst),
`type:TEXT` (typed character by character), `sleep:SECONDS`, or `shot:LABEL` (a PNG of the
screen at that point, beside the last: terminal-xterm-LABEL.png). `--check` shows instead a
picture drawn by the terminal's own tool (img2sixel in xterm, `kitty +kitten icat` in kitty),
to prove the harness shows real graphics. `--probe` runs a probe inside each terminal and prints
the raw replies to DA1, the kitty graphics query and the other queries a graphics detector may
send, and the pixel size TIOCGWINSZ reports. COMMAND runs with --venv's bin first on PATH, in
throw-away XDG dirs (the user's config, cache and history are never touched, and every run
starts from a first run), with the environment of a fresh terminal: no TMUX, no TERM_PROGRAM.
`--env NAME=VALUE` is set inside the terminal, as xterm passes some variables on and not others
(it drops COLORTERM: the app is in 16 colours there unless `--env COLORTERM=truecolor`).

    python screenshots/terminals.py --venv /work/wt-graphics/.venv --terminal kitty --out x.png
    python screenshots/terminals.py --check            # img2sixel / kitty icat: graphics show?
    python screenshots/terminals.py --probe > replies.json
    python screenshots/terminals.py --keys slash type:grain Return Return
    python screenshots/terminals.py -- python -m textual_image textual   # textual-image's demo

Debian 12's kitty is 0.26.5: it answers the kitty graphics query but has no Unicode placeholders
(kitty 0.28), which textual-image places its pictures with; there they show as boxes.

Needs Debian's `xvfb xterm kitty xdotool x11-apps fonts-dejavu-core` (x11-apps has xwd) and,
for --check, `libsixel-bin`. Every process it starts (Xvfb, the terminal, the app and what the
app started) is ended when it stops, however it stops, short of kill -9.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import select
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import tty
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from generate import PICTURED, _chunk

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
INSTALL = "apt-get install xvfb xterm kitty xdotool x11-apps fonts-dejavu-core libsixel-bin"
TERMINALS = ("xterm", "kitty")
PICTURE = REPO / "newsreader" / "demo" / "site" / "img" / f"{PICTURED}.jpg"
# The demo, walked to the story with a picture: filter the list for it, leave the filter, open.
DEMO_KEYS = ["slash", "type:Dnipro", "Return", "Return"]
# Variables that would tell the command it runs somewhere else than the terminal drawn here.
FOREIGN_ENV = (
    "TMUX", "TMUX_PANE", "STY", "TERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "COLORTERM",
    "VTE_VERSION", "WT_SESSION", "WAYLAND_DISPLAY", "LC_ALL", "LC_CTYPE", "XTERM_VERSION",
    "XTERM_LOCALE", "XTERM_SHELL", "KITTY_WINDOW_ID", "KITTY_PID", "KITTY_PUBLIC_KEY",
    "KITTY_INSTALLATION_DIR", "WINDOWID",
)  # fmt: skip
# What --probe asks, each followed by DA1 so the DA1 reply marks where the answers end.
QUERIES = {
    "da1": b"",
    "kitty_graphics": b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\",
    "cell_pixels_16t": b"\x1b[16t",
    "text_area_pixels_14t": b"\x1b[14t",
    "sixel_colour_registers": b"\x1b[?1;1;0S",
    "sixel_max_geometry": b"\x1b[?2;1;0S",
    "xtversion": b"\x1b[>0q",
    "da2": b"\x1b[>c",
}
DA1 = b"\x1b[c"


def _fail(message: str) -> SystemExit:
    return SystemExit(f"screenshots/terminals.py: {message}")


# --- processes -------------------------------------------------------------------------------


class Processes:
    """Every process started here, ended (with all it started) however the run stops."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(
        self,
        argv: list[str],
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        output: IO[bytes] | int = subprocess.DEVNULL,
        pass_fds: tuple[int, ...] = (),
    ) -> subprocess.Popen[bytes]:
        if shutil.which(argv[0]) is None:
            raise _fail(f"{argv[0]} not found; install: {INSTALL}")
        process = subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
            pass_fds=pass_fds, start_new_session=True,  # its own group: signals meant for us
        )  # fmt: skip
        self.started.append(process)
        return process

    def end(self, process: subprocess.Popen[bytes]) -> None:
        """End one process and all it started (the terminal, the app in it, the app's refresh
        process), deepest first, so each is reaped by its parent and none is left to init."""
        for generation in reversed(_generations(process.pid)):
            _end(generation)
        process.terminate()
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def end_all(self) -> None:
        # A Ctrl+C or kill now waits until all is ended, rather than cutting the ending short.
        held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
        try:
            while self.started:
                self.end(self.started.pop())
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        parent = int(stat.rpartition(")")[2].split()[1])  # after "(comm)": state, ppid
        children.setdefault(parent, []).append(int(entry.name))
    return children


def _generations(pid: int) -> list[list[int]]:
    """The process's children, then their children, and so on."""
    children, generations = _children(), [[pid]]
    while found := [child for parent in generations[-1] for child in children.get(parent, [])]:
        generations.append(found)
    return generations[1:]


def _end(pids: list[int]) -> None:
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.05)
    for pid in pids:
        if _alive(pid):
            _signal(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def _signal(pid: int, number: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, number)


def _on_signal(number: int, frame: object) -> None:
    raise SystemExit(128 + number)  # unwinds through the finally blocks that end processes


# --- X ---------------------------------------------------------------------------------------


def _xvfb(processes: Processes, size: tuple[int, int]) -> str:
    """Start Xvfb on a display no other server has (it picks, -displayfd tells) and name it."""
    read_end, write_end = os.pipe()
    try:
        server = processes.start(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{size[0]}x{size[1]}x24",
             "-dpi", "96", "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_end,),
        )  # fmt: skip
        os.close(write_end)
        write_end = -1
        number = b""
        deadline = time.monotonic() + 15
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read_end, 16) if ready else b""
            if not chunk:
                raise _fail(f"Xvfb did not start (exit status {server.poll()})")
            number += chunk
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    return f":{int(number)}"


def _xdotool(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["xdotool", *args], env=env, capture_output=True, text=True, timeout=30
    )
    for line in done.stderr.splitlines():  # e.g. a key name it does not know, which it skips
        print(f"xdotool {args[0]}: {line}", file=sys.stderr)
    return done.stdout.strip()


def _window(env: dict[str, str], terminal: subprocess.Popen[bytes], log: Path) -> str:
    """The terminal's window, once it is mapped: the one its process says it owns."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = _xdotool(env, "search", "--onlyvisible", "--pid", str(terminal.pid))
        if found:
            return found.split()[0]
        if terminal.poll() is not None:
            raise _fail(f"the terminal stopped (exit status {terminal.returncode}) before "
                        f"it showed a window; did the command exit at once?{_tail(log)}")
        time.sleep(0.1)
    raise _fail(f"no terminal window after 30 s{_tail(log)}")


def _tail(log: Path) -> str:
    """The end of what the terminal printed, if anything, on lines of its own."""
    return "".join(f"\n  {line}" for line in log.read_text(errors="replace").splitlines()[-15:])


def _grab(env: dict[str, str], window: str) -> tuple[int, int, bytes]:
    """The window's pixels as (width, height, RGB bytes), read from xwd's dump of it."""
    dump = subprocess.run(
        ["xwd", "-silent", "-nobdrs", "-id", window], env=env, capture_output=True, timeout=30
    ).stdout
    if len(dump) < 100:
        raise _fail(f"xwd could not read window {window}")
    fields = struct.unpack(">25I", dump[:100])  # XWDFileHeader: always big-endian
    header_size, width, height = fields[0], fields[4], fields[5]
    byte_order, bits, stride = fields[7], fields[11], fields[12]
    masks, colours = fields[14:17], fields[19]
    if bits != 32 or set(masks) != {0xFF0000, 0xFF00, 0xFF}:
        raise _fail(f"xwd wrote {bits}-bit pixels with masks {masks}; expected 32-bit RGB")
    start = header_size + colours * 12
    pixels = dump[start : start + stride * height]
    # 32-bit pixels 0x00RRGGBB: B, G, R, 0 in memory when least significant byte first.
    red, green, blue = (2, 1, 0) if byte_order == 0 else (1, 2, 3)
    rows = bytearray()
    for y in range(height):
        row = pixels[y * stride : y * stride + width * 4]
        rgb = bytearray(width * 3)
        rgb[0::3], rgb[1::3], rgb[2::3] = row[red::4], row[green::4], row[blue::4]
        rows += b"\0" + rgb  # PNG filter type 0 for each row
    return width, height, bytes(rows)


def _png(frame: tuple[int, int, bytes], out: Path) -> None:
    width, height, rows = frame
    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", head)
        + _chunk(b"IDAT", zlib.compress(rows, 6))
        + _chunk(b"IEND", b"")
    )


def _settle(
    env: dict[str, str], window: str, quiet: float, limit: float
) -> tuple[int, int, bytes]:
    """The window once no frame it has not shown before came for `quiet` seconds (at most
    `limit` seconds on). A blinking cursor only repeats frames, so it does not hold this up."""
    start = time.monotonic()
    frame = _grab(env, window)
    seen, since = {hash(frame)}, start
    while time.monotonic() - since < quiet:
        if time.monotonic() - start > limit:
            print(f"warning: the screen still changed after {limit:g} s; taken as it was",
                  file=sys.stderr)
            break
        time.sleep(0.1)
        frame = _grab(env, window)
        if hash(frame) not in seen:
            seen.add(hash(frame))
            since = time.monotonic()
    return frame


def _press(env: dict[str, str], window: str, step: str, delay: int) -> None:
    _xdotool(env, "windowfocus", "--sync", window)
    kind, _, value = step.partition(":")
    if kind == "type" and value:
        _xdotool(env, "type", "--delay", str(delay), "--", value)
    elif kind == "sleep" and value:
        time.sleep(float(value))
    else:
        _xdotool(env, "key", "--delay", str(delay), *step.split())


# --- the terminals ---------------------------------------------------------------------------


def _terminal_argv(name: str, command: list[str], args: argparse.Namespace) -> list[str]:
    columns, rows = args.size
    if name.startswith("xterm"):
        sixel = [
            "-ti", "vt340", "-xrm", "XTerm*decTerminalID: vt340",
            "-xrm", "XTerm*numColorRegisters: 256",
        ]  # fmt: skip
        return [
            "xterm", *(sixel if name == "xterm" else []), "-u8",
            "-geometry", f"{columns}x{rows}+0+0", "-fa", args.font, "-fs", str(args.font_size),
            "-e", *command,
        ]  # fmt: skip
    options = {
        "font_family": args.font,
        "font_size": str(args.font_size),
        "initial_window_width": f"{columns}c",
        "initial_window_height": f"{rows}c",
        "remember_window_size": "no",
        "placement_strategy": "top-left",
        "cursor_blink_interval": "0",  # a blinking cursor never lets the screen settle
        "update_check_interval": "0",
        "enable_audio_bell": "no",
        "linux_display_server": "x11",
    }
    overrides = [f"--override={k}={v}" for k, v in options.items()]
    return ["kitty", "--config", "NONE", *overrides, *command]


def _environment(display: str, venv: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_ENV}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / name.lower())
    env.update(
        DISPLAY=display,
        LANG="C.UTF-8",
        TZ="UTC",
        LIBGL_ALWAYS_SOFTWARE="1",  # kitty draws with OpenGL: Mesa's llvmpipe on Xvfb
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


@contextmanager
def _terminal(
    name: str, command: list[str], args: argparse.Namespace
) -> Iterator[tuple[dict[str, str], str, subprocess.Popen[bytes]]]:
    """Xvfb and the terminal running `command`: (environment, window, terminal) while open."""
    processes = Processes()
    home = Path(tempfile.mkdtemp(prefix="newsreader-terminals-"))
    columns, rows = args.size
    try:
        # Room for the window: a cell is about 0.8 x 1.7 times the font size in points at 96 dpi.
        width, height = columns * args.font_size + 64, rows * args.font_size * 2 + 64
        screen = (max(1280, width), max(800, height))
        env = _environment(_xvfb(processes, screen), args.venv, home)
        if args.env:  # set inside the terminal: xterm drops COLORTERM from what it passes on
            command = ["env", *args.env, *command]
        log = home / f"{name}.log"
        with log.open("wb") as sink:
            terminal = processes.start(
                _terminal_argv(name, command, args), env=env, cwd=home, output=sink
            )
        yield env, _window(env, terminal, log), terminal
    finally:
        processes.end_all()
        shutil.rmtree(home, ignore_errors=True)


def _shoot(
    name: str, command: list[str], keys: list[str], out: Path, args: argparse.Namespace
) -> None:
    with _terminal(name, command, args) as (env, window, _):
        _settle(env, window, quiet=1.5, limit=args.limit)  # the first frame
        for step in keys:
            kind, _, label = step.partition(":")
            if kind == "shot" and label:  # a picture on the way, named after the last one
                _png(_settle(env, window, quiet=2.0, limit=args.limit), _beside(out, label))
                print(_beside(out, label))
                continue
            _press(env, window, step, args.key_delay)
            _settle(env, window, quiet=1.2, limit=args.limit)
        time.sleep(args.wait)
        _png(_settle(env, window, quiet=2.0, limit=args.limit), out)
    print(out)


def _beside(out: Path, label: str) -> Path:
    return out.with_name(f"{out.stem}-{label}{out.suffix}")


def _probe(name: str, args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="newsreader-probe-") as tmp:
        report = Path(tmp) / "probe.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--probe-reply", str(report)]
        with _terminal(name, command, args) as (_, _, terminal):
            try:
                terminal.wait(timeout=60)  # the terminal closes when the probe is done
            except subprocess.TimeoutExpired:
                raise _fail(f"the probe in {name} did not finish in 60 s") from None
        if not report.exists():
            raise _fail(f"the probe in {name} wrote nothing")
        return json.loads(report.read_text())  # type: ignore[no-any-return]


def _probe_reply(out: Path) -> None:
    """Inside the terminal: send each query (then DA1), keep the raw reply; write them as JSON."""
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    replies: dict[str, object] = {}
    try:
        tty.setraw(fd)
        for name, query in QUERIES.items():
            os.write(sys.stdout.fileno(), query + DA1)
            reply, deadline = b"", time.monotonic() + 2
            while time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.05)
                if ready:
                    reply += os.read(fd, 4096)
                    at = reply.rfind(b"\x1b[?")
                    if at >= 0 and reply.endswith(b"c"):  # DA1's reply: the last to come
                        break
            replies[name] = reply.decode("latin-1")
        size = fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    rows, columns, width, height = struct.unpack("HHHH", size)
    replies["TIOCGWINSZ"] = {"rows": rows, "columns": columns, "xpixel": width, "ypixel": height}
    replies["env"] = {
        k: os.environ.get(k) for k in ("TERM", "COLORTERM", "TERM_PROGRAM", "KITTY_WINDOW_ID")
    }
    out.write_text(json.dumps(replies, indent=1), encoding="utf-8")


def _check_command(name: str, picture: Path) -> list[str]:
    draw = f"img2sixel {shlex.quote(str(picture))}" if name == "xterm" else (
        f"kitty +kitten icat --align left {shlex.quote(str(picture))}"
    )
    report = f"status=$?; echo; echo {name}: exit status $status"
    return ["sh", "-c", f"{draw}; {report}; exec sleep 600"]  # stays up to be photographed


# --- main ------------------------------------------------------------------------------------


def _size(text: str) -> tuple[int, int]:
    columns, _, rows = text.partition("x")
    if not (columns.isdigit() and rows.isdigit() and int(columns) > 0 and int(rows) > 0):
        raise argparse.ArgumentTypeError(f"expected COLUMNSxROWS, got {text!r}")
    return int(columns), int(rows)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="screenshots/terminals.py",
        description="Screenshots of a command in xterm (sixel) and kitty under Xvfb.",
    )
    parser.add_argument("--terminal", choices=(*TERMINALS, "xterm-plain", "both"), default="both",
                        help="both: xterm and kitty; xterm-plain: Debian's xterm as it comes "
                        "(vt420, no sixel), to see the fallback")
    parser.add_argument("--venv", type=Path, default=REPO / ".venv",
                        help="whose bin/newsreader runs, first on PATH (default: the repo's .venv)")
    parser.add_argument("--out", type=Path, default=HERE / "terminal-{terminal}.png",
                        help="the PNG; {terminal} is replaced (default: %(default)s)")
    parser.add_argument("--keys", nargs="*", metavar="STEP",
                        help="key steps (default: to the Dnipro story with the demo, else none)")
    parser.add_argument("--wait", type=float, default=1.0,
                        help="seconds to wait after the last key before the screen must settle")
    parser.add_argument("--limit", type=float, default=30.0,
                        help="seconds at most to wait for the screen to settle after a step")
    parser.add_argument("--key-delay", type=int, default=30, help="ms between keys of a step")
    parser.add_argument("--size", type=_size, default=(120, 40), help="COLUMNSxROWS (120x40)")
    parser.add_argument("--font", default="DejaVu Sans Mono")
    parser.add_argument("--font-size", type=int, default=10)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        type=_assignment,
                        help="set in the command's environment (repeatable)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="the terminal's own tool draws --picture (img2sixel, kitty icat)")
    mode.add_argument("--probe", action="store_true",
                      help="print each terminal's replies to DA1, the kitty query, TIOCGWINSZ")
    mode.add_argument("--probe-reply", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--picture", type=Path, default=PICTURE, help="for --check")
    parser.add_argument("command", nargs="*", help="the command (after --; default: the demo)")
    return parser


def _assignment(text: str) -> str:
    name, equals, _ = text.partition("=")
    if not (equals and name.isidentifier()):
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return text


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.probe_reply:
        _probe_reply(args.probe_reply)
        return 0
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("screenshots/terminals.py: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    args.venv = args.venv.absolute()
    names = TERMINALS if args.terminal == "both" else (args.terminal,)
    if args.probe:
        print(json.dumps({name: _probe(name, args) for name in names}, indent=1))
        return 0
    keys: list[str] = []
    if args.command:
        command = args.command
    elif args.check:
        command = []
        if not args.picture.is_file():
            raise _fail(f"--picture {args.picture}: no such file")
    else:
        newsreader = args.venv / "bin" / "newsreader"
        if not newsreader.exists():
            raise _fail(f"{newsreader} not found: give --venv the venv newsreader is installed in")
        command, keys = [str(newsreader), "--demo"], DEMO_KEYS
    if args.keys is not None:
        keys = args.keys
    for name in names:
        out = Path(str(args.out).replace("{terminal}", name))
        if len(names) > 1 and "{terminal}" not in str(args.out):
            out = _beside(out, name)
        _shoot(name, _check_command(name, args.picture.absolute()) if args.check else command,
               keys, out, args)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
