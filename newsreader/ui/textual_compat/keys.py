"""Keys read in one burst are each handled where the focus is when it is handled, in order."""

# Textual 8.2.8 hands a key read from the terminal to the widget focused *when it is read*
# (App.on_event: `(self.focused or self.screen)._forward_event(key)`) and runs the key's
# bindings only once it has bubbled back up to the App (App._on_key). A key that opens a prompt
# (S, O, a, D, F, t, u...) is such a binding, so the keys read with it (one read of "Sbudget":
# a fast typist, a paste, tmux send-keys) had all been handed to the headline list before the
# prompt existed. The list does not use letters; they bubbled up to the App after the prompt
# had the focus, where no binding takes "b" and the prompt's Input, which types letters in its
# own key handler, never saw them: they were lost. (A binding such a key did match ran on the
# prompt: the Input's own Enter submitted the still empty box.) Focusing the Input sooner
# cannot help: the keys were already on their way to the list.
#
# KeyRouter keeps Textual's path for every key and adds three rules:
# - a key that reaches the App from a widget that no longer has the focus (the prompt took it
#   while the key was on its way) is not matched against the bindings there: it is handed
#   again, as if read now, to what has the focus now;
# - once the focus has moved, a key read is held back (and so is every later one) until the
#   keys handed out before it are back or used: a marker event sent behind them to each widget
#   that got keys comes back up the same queues after them. A screen pushed but not yet
#   mounted gets a marker too, so held keys wait for its on_mount to have set the focus;
# - a key the focused widget would type (a letter in an Input) is held the same way while a
#   key handed to it that it does not type (Enter, Esc, an arrow: a binding's, which may move
#   the focus) is on its way: "/a Esc /b" must not type the second "/" into the first filter.
#   When that key went to a text box, every key after it is held so, typed or not: in
#   "/a Enter ↓ Enter" the ↓ and the second Enter are the list's, where the first Enter
#   leaves the focus (keys in the list, "j j j", are not held: the list types none).
#   Here a second round of markers follows the first, behind what the bindings posted (Enter
#   posts Input.Submitted, whose handler moves the focus). Each round costs a trip through the
#   queues, ~10 ms while a new screen is first drawn (bench/burst_bench.py).
# A key whose prompt is refused (the demo's fixed sources) calls swallow_burst: the keys read
# with it, meant for the prompt, are dropped instead of firing the list's keys.
# Keys then reach the prompt in the order they were read, after the key that opened it, and
# Enter or Esc typed with them acts on the prompt after the letters. Keys typed in place (30 j
# in the list, letters in a box) are never held: the focus does not move. A marker that cannot
# come back (its widget removed on the way) is given up on after MAX_WAIT seconds. This uses
# no private name, but it is built on Textual 8.2.8's dispatch (App.on_event, App._on_key) as
# read in its source: it runs only with the verified versions (versions.py); otherwise
# Textual's own path runs unchanged.

from __future__ import annotations

import bisect
import itertools
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App, ScreenError
from textual.dom import DOMNode, NoScreen
from textual.message_pump import MessagePump
from textual.timer import Timer
from textual.widget import Widget

from newsreader.ui.textual_compat.versions import verified

MAX_WAIT = 0.3  # seconds to wait for a marker before handing the held keys on anyway

RoutedEvent = events.Key | events.Paste


class KeysDelivered(events.Event, bubble=True):
    """The marker: bubbles up to the App behind the keys sent before it to a widget."""

    def __init__(self, token: int) -> None:
        super().__init__()
        self.token = token


class BurstEnd(events.Event, bubble=False):
    """Posted to the App by `swallow_burst`: behind every key read with the refused key."""


def types(target: MessagePump, event: RoutedEvent) -> bool:
    """True when `target` uses `event` itself (an Input types a letter, takes a paste) rather
    than leaving it to the bindings."""
    if isinstance(event, events.Paste):
        return True
    return isinstance(target, Widget) and target.check_consume_key(event.key, event.character)


def types_text(target: MessagePump) -> bool:
    """True for a text box (an Input): it types the letters it is sent."""
    return isinstance(target, Widget) and target.check_consume_key("a", "a")


def fresh(event: RoutedEvent) -> RoutedEvent:
    """A new, not yet handed on event with the same key (or pasted text)."""
    if isinstance(event, events.Paste):
        return events.Paste(event.text)
    return events.Key(event.key, event.character)


class KeyRouter:
    """The App's key dispatch with the three rules above; `take` is called from App.on_event.

    `forward(event)` is Textual's own App.on_event: priority bindings, then the focused widget.
    """

    def __init__(self, app: App[Any], forward: Callable[[events.Event], Awaitable[None]]):
        self.app = app
        self.forward = forward
        self._numbers = itertools.count()  # read order, and the markers' tokens
        # Each key handed on: its read number and the widget (or screen) it went to.
        self._routes: weakref.WeakKeyDictionary[events.Event, tuple[int, MessagePump]] = (
            weakref.WeakKeyDictionary())
        self._sent_to: dict[int, MessagePump] = {}  # every widget given keys since the last hold
        self._last: MessagePump | None = None  # the one the last key went to
        self._held: list[tuple[int, RoutedEvent]] = []  # in read order
        self._waiting: set[int] = set()  # markers not back yet
        self._laps = 0  # rounds of markers still to send before the held keys go
        self._lap_targets: list[MessagePump] = []
        # A key that the widget it went to does not type (Enter, Esc, ↓: a binding's, which
        # may move the focus) has been handed out since the last hold.
        self._untyped = False
        self._untyped_in_box = False  # ... and it went to a text box: keys after it wait too
        self._give_up: Timer | None = None
        self._handling: int | None = None  # the read number of the key Textual handles now
        # swallow_burst: keys read in (after, before) are dropped, and every key read until
        # BurstEnd comes back.
        self._swallowed: tuple[int, int] | None = None
        self._swallowing = False
        self._paused = False  # pause() .. resume(): every key read waits

    @property
    def holding(self) -> bool:
        return bool(self._held or self._waiting or self._paused)

    def pause(self) -> None:
        """Hold every key from now on until resume(): a prompt that has taken an Enter but
        acts on it only when a worker is done (search: the results of the query) — the keys
        typed after that Enter are for what it will open, not for the prompt."""
        self._paused = True

    def resume(self) -> None:
        """Hand the keys held since pause() on, once the messages already queued are handled.
        (Not after the next frame: a frame is drawn only when something changed, and the keys
        would wait for one. A prompt that closed has already put its screen off the stack, so
        they go to the focus of the screen under it.)"""
        if self._paused:
            self._paused = False
            self.app.call_later(self._release)

    def _target(self) -> MessagePump:
        """Where Textual hands a key read now."""
        return self.app.focused or self.app.screen

    async def take(self, event: events.Event) -> bool:
        """True when the router has taken `event`: the App must not handle it now."""
        if isinstance(event, KeysDelivered):
            await self._delivered(event.token)
            return True
        if isinstance(event, BurstEnd):
            self._swallowing = False
            return True
        if not isinstance(event, RoutedEvent) or not verified():
            return False
        try:
            self.app.screen  # noqa: B018  # (a property that raises)
        except ScreenError:  # no screen yet, or no more (quitting): Textual's own path
            return False
        if not event.is_forwarded:  # read from the terminal (or posted by a test)
            if not self._swallowing:
                await self._dispatch(next(self._numbers), event)
            return True
        route = self._routes.pop(event, None)
        if route is None:
            return False
        number, sent_to = route
        if self._swallowed and self._swallowed[0] < number < self._swallowed[1]:
            return True
        if sent_to is self._target():
            self._handling = number  # for swallow_burst, called by the binding's action
            return False  # Textual's own: the bindings of the focused widget and up
        # The focus moved while this key was on its way: it is read again, in its place.
        self._hold(number, fresh(event))
        self._hold_until_delivered()
        return True

    async def _dispatch(self, number: int, event: RoutedEvent, *, draining: bool = False) -> None:
        if self.holding and not draining:
            self._hold(number, event)
            return
        target = self._target()
        if self._sent_to and target is not self._last:  # keys sent before may come back
            self._hold(number, event)
            self._hold_until_delivered()
            return
        # "/a Esc /b": the second "/" is typed only if Esc left the box in place (Enter in a
        # box moves the focus by a posted message); "/a Enter ↓ Enter": the ↓ and the second
        # Enter go where the first Enter leaves the focus, not to the box's bindings.
        if self._untyped and (types(target, event) or self._untyped_in_box):
            self._hold(number, event)
            self._hold_until_delivered(laps=2)
            return
        await self.forward(event)
        if event.is_forwarded:
            target = self._target()
            self._routes[event] = (number, target)
            self._sent_to[id(target)] = target
            self._last = target
            if not types(target, event):
                self._untyped = True
                self._untyped_in_box = self._untyped_in_box or types_text(target)

    def handled(self) -> None:
        """Textual has handled the event `take` left to it (its bindings have run)."""
        self._handling = None

    def swallow_burst(self) -> None:
        """The key being handled opens no prompt (refused: the demo's fixed sources): the keys
        read with it, meant for that prompt, are dropped rather than fired as list keys."""
        if self._handling is None:
            return
        self._swallowed = (self._handling, next(self._numbers))
        self._held = [(n, e) for n, e in self._held if n < self._handling]
        self._swallowing = True  # the keys still queued at the App: until BurstEnd is back
        self.app.post_message(BurstEnd())

    def _hold(self, number: int, event: RoutedEvent) -> None:
        bisect.insort(self._held, (number, event), key=lambda held: held[0])

    def _hold_until_delivered(self, laps: int = 1) -> None:
        """Send markers behind the keys handed out so far; release the held keys once back
        (after `laps` rounds: a second one comes back after what their bindings posted)."""
        if self._waiting:
            return  # nothing has been handed out since the markers went
        self._lap_targets = list(self._sent_to.values())
        self._sent_to.clear()
        self._untyped = self._untyped_in_box = False
        self._laps = laps
        self._send_lap()

    def _send_lap(self) -> None:
        self._laps -= 1
        targets = [target for target in self._lap_targets if self._still_shown(target)]
        screen = self.app.screen
        if not screen.is_mounted and screen not in targets:
            targets.append(screen)  # its marker is read after its Mount: the focus is set
        for target in targets:
            token = next(self._numbers)
            if target.post_message(KeysDelivered(token)):
                self._waiting.add(token)
        if not self._waiting:
            self._laps = 0
            self.app.call_later(self._release)
        elif self._give_up is None:
            self._give_up = self.app.set_timer(MAX_WAIT, self._gave_up, name="keys-delivered")

    def _still_shown(self, target: MessagePump) -> bool:
        """False for a widget of a dismissed screen: its keys are gone with it, and so would
        be its marker (a screen being removed stops passing messages up)."""
        if not isinstance(target, DOMNode) or not target.is_attached:
            return False
        try:
            return target.screen in self.app.screen_stack
        except NoScreen:  # it is being taken down
            return False

    async def _delivered(self, token: int) -> None:
        if token not in self._waiting:
            return  # given up on already
        self._waiting.discard(token)
        if self._waiting:
            return
        if self._laps:
            self._send_lap()  # behind what the keys' bindings posted (Input.Submitted...)
            return
        await self._release()

    async def _gave_up(self) -> None:
        self._give_up = None
        self._waiting.clear()
        self._laps = 0
        await self._release()

    async def _release(self) -> None:
        """Hand the held keys on in order, each as if read now, until the focus moves again."""
        if self._waiting:
            return
        if self._give_up is not None:
            self._give_up.stop()
            self._give_up = None
        self._last = self._target()
        while self._held and not self._waiting and not self._paused:
            number, event = self._held.pop(0)
            await self._dispatch(number, event, draining=True)
