"""Notices a push channel that stays open but has gone silent.

Amazon's stream can stop carrying events without closing (its keep-alive
pings still answered), and nothing else would tell: the states freeze. Two
rules watch for it:

- A poll that finds a field the channel carries changed (an Echo's
  connection or do not disturb, a plug's power, and a plug's reachability
  once the channel has carried one) without the channel having pushed it
  is evidence of a stall. The poll is compared with what Home Assistant
  showed (the poll before, every pushed change applied), so a pushed change
  is never taken for a missed one. No evidence either: a change while the
  channel was not open all along since the poll before (it reconnected), a
  poll that reads the value the channel last pushed (the poll before read
  late), or a field the channel told about since the poll before or tells
  about within PUSH_LATENCY after the poll (pushed late, or Amazon's push
  and poll disagreeing for a moment).
- Silence longer than the household's usual gap between events brings the
  reconciling polls closer, down to every QUIET_RECONCILE_INTERVAL, so that
  the first rule looks more often while the channel may be dead. The usual
  gap is twice the gap that 9 in 10 of the last GAPS_KEPT gaps stayed under,
  within USUAL_GAP_FLOOR and USUAL_GAP_CEILING (the ceiling until
  GAPS_TO_LEARN gaps have been seen).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
import math

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from ..amazon.models import (
    AccountSnapshot,
    Device,
    DoNotDisturbPushed,
    Echo,
    EchoConnectionPushed,
    PlugPushed,
    PushedChange,
)
from ..const import PUSH_RECONCILE_INTERVAL

# Amazon pushes a change within seconds; a poll may see it first.
PUSH_LATENCY = timedelta(seconds=30)
# A channel that first opened this soon after a poll covers what changed
# since it: at setup, the first poll comes just before the channel opens.
# (A reopened channel covers only what changed once it was open again.)
OPEN_AFTER_POLL = timedelta(minutes=1)
QUIET_RECONCILE_INTERVAL = timedelta(minutes=5)
USUAL_GAP_FLOOR = timedelta(minutes=30)
USUAL_GAP_CEILING = timedelta(hours=6)
GAPS_KEPT = 200
GAPS_TO_LEARN = 20
# Events this close together (a part with several, a household dropping at
# once) are one arrival, not a gap.
BURST = timedelta(seconds=1)

type Field = tuple[str, str]


def told(change: PushedChange) -> Iterable[tuple[Field, bool]]:
    """What a pushed change tells of the fields a poll reads too."""
    match change:
        case EchoConnectionPushed(serial_number=serial, online=online):
            yield (serial, "online"), online
        case DoNotDisturbPushed(serial_number=serial, enabled=enabled):
            yield (serial, "do_not_disturb"), enabled
        case PlugPushed(endpoint_id=key):
            if change.power_on is not None:
                yield (key, "power_on"), change.power_on
            if change.online is not None:
                yield (key, "online"), change.online


class PushWatch:
    """Judges the push channel by what the polls find, and by its silence."""

    def __init__(
        self, hass: HomeAssistant, stalled: Callable[[Counter[str]], None]
    ) -> None:
        """Call `stalled` with the missed changes, by field, once confirmed."""
        self._hass = hass
        self._stalled = stalled
        self._open_since: datetime | None = None
        # Since when every change should have been pushed.
        self._covered_from: datetime | None = None
        self._opened_before = False
        self._last_arrival: datetime | None = None
        self._gaps: deque[float] = deque(maxlen=GAPS_KEPT)
        # What the channel last told of each field, and when.
        self._told: dict[Field, tuple[bool, datetime]] = {}
        # Public code does not tell whether Amazon pushes a plug's
        # reachability: it counts once the channel has carried one.
        self._carries_plug_online = False
        # When the last successful poll started: what it read was in sync.
        self._synced_at: datetime | None = None
        # A poll's suspects, and the poll before it.
        self._suspects: set[Field] = set()
        self._since: datetime | None = None
        self._confirming: CALLBACK_TYPE | None = None

    @callback
    def opened(self, now: datetime) -> None:
        """The stream opened: a gap across the closed time is no household's."""
        self._open_since = self._covered_from = now
        self._last_arrival = None
        synced = self._synced_at
        if not self._opened_before and synced and now - synced <= OPEN_AFTER_POLL:
            self._covered_from = synced
        self._opened_before = True

    @callback
    def closed(self) -> None:
        """The stream closed: a change now may simply not be pushed."""
        self._open_since = self._covered_from = None
        self.cancel()

    @callback
    def cancel(self) -> None:
        """Drop a pending confirmation."""
        if self._confirming is not None:
            self._confirming()
            self._confirming = None

    @callback
    def arrived(self, now: datetime, change: PushedChange | None) -> None:
        """The channel carried an event (None: one we could not read)."""
        if self._last_arrival is not None and now - self._last_arrival >= BURST:
            self._gaps.append((now - self._last_arrival).total_seconds())
        self._last_arrival = now
        for field, value in told(change) if change is not None else ():
            self._told[field] = (value, now)
            self._carries_plug_online |= isinstance(change, PlugPushed) and (
                field[1] == "online"
            )

    @property
    def usual_gap(self) -> timedelta:
        """How long the household usually goes without an event."""
        if len(self._gaps) < GAPS_TO_LEARN:
            return USUAL_GAP_CEILING
        ranked = sorted(self._gaps)
        ninetieth = ranked[math.ceil(0.9 * len(ranked)) - 1]
        usual = timedelta(seconds=2 * ninetieth)
        return min(max(usual, USUAL_GAP_FLOOR), USUAL_GAP_CEILING)

    def silence(self, now: datetime) -> timedelta:
        """How long the open channel has carried nothing (zero while closed)."""
        if self._open_since is None:
            return timedelta(0)
        return now - max(self._open_since, self._last_arrival or self._open_since)

    def quiet(self, now: datetime) -> bool:
        """Whether the channel has been silent for longer than usual."""
        return self._open_since is not None and self.silence(now) > self.usual_gap

    def reconcile_interval(self, now: datetime) -> timedelta:
        """When the next reconciling poll should come.

        When the silence would become longer than usual, and every
        QUIET_RECONCILE_INTERVAL once it is; never later than usual.
        """
        until_quiet = self.usual_gap - self.silence(now)
        return min(max(until_quiet, QUIET_RECONCILE_INTERVAL), PUSH_RECONCILE_INTERVAL)

    @callback
    def polled(
        self, before: AccountSnapshot | None, polled: AccountSnapshot, started: datetime
    ) -> None:
        """Judge a successful poll that started at `started`."""
        since, self._synced_at = self._synced_at, started
        self._told = {
            field: told
            for field, told in self._told.items()
            if field[0] in polled.devices
        }
        if (
            before is None
            or since is None
            or self._confirming is not None
            or self._covered_from is None
            or self._covered_from > since
        ):
            return
        suspects = {
            (key, name)
            for key, device in polled.devices.items()
            if (shown := before.devices.get(key)) is not None
            for name in self._fields(device)
            if self._missed(
                (key, name),
                shown=getattr(shown, name),
                polled=getattr(device, name),
            )
        }
        if suspects:
            self._suspects, self._since = suspects, since
            self._confirming = async_call_later(self._hass, PUSH_LATENCY, self._confirm)

    def _fields(self, device: Device) -> tuple[str, ...]:
        if isinstance(device, Echo):
            return ("online", "do_not_disturb")
        return ("power_on", "online") if self._carries_plug_online else ("power_on",)

    def _missed(self, field: Field, *, shown: bool | None, polled: bool | None) -> bool:
        """Whether the poll's value is one the channel should have pushed."""
        if shown is None or polled is None or shown == polled:
            return False
        # Told this value already: the poll before read it late. (Told since
        # the poll before, it is no evidence either: see _confirm.)
        told = self._told.get(field)
        return told is None or told[0] != polled

    @callback
    def _confirm(self, _now: datetime) -> None:
        self._confirming = None
        # (A drop meanwhile cancelled it: closed.)
        if (since := self._since) is None:
            return
        # Whatever the channel told of a field since the poll before (the
        # change itself, pushed late, or Amazon's push and poll disagreeing
        # for a moment) shows it carries that field.
        missed = Counter(
            name
            for key, name in self._suspects
            if (told := self._told.get((key, name))) is None or told[1] < since
        )
        if missed:
            self._stalled(missed)
