"""Keeps Amazon's push channel open and applies what it pushes.

A pushed change reaches the entities within seconds, through the same
snapshot the polls fill, so repairs and health count it as a polled one.
While the channel is open the account's poll rests (a reconciliation every
PUSH_RECONCILE_INTERVAL) and the voice history is read only when Amazon
announces a voice request; once it drops, both poll as usual at once, and
a poll re-reads the account whenever the channel comes back. A channel that
stays open but goes silent is noticed by the polls (push_watch.py): it is
restarted, and both poll as usual until it pushes again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Coroutine
import dataclasses
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.httpx_client import get_async_client
from homeassistant.util import dt as dt_util
from homeassistant.util.ssl import SSL_ALPN_HTTP11_HTTP2

from ..amazon.models import (
    AccountSnapshot,
    DoNotDisturbPushed,
    EchoConnectionPushed,
    LibraryMismatchError,
    MicrophonesPushed,
    PlugPushed,
    PushedChange,
    VoiceRequestPushed,
)
from ..amazon.push import PushChannel
from ..const import DOMAIN, LOGGER
from ..coordinator import AlexaCareCoordinator
from ..util.record import Record
from ..voice.history import VoiceHistoryCoordinator
from .push_watch import USUAL_GAP_CEILING, PushWatch

# A channel still missing changes after a restart is restarted again, at
# most this often (it may be Amazon's side that is stuck).
STALL_RESTART_SPACING = timedelta(minutes=30)
# The same news is logged above debug level at most this often.
LOG_SPACING = timedelta(hours=1)


def pushed_snapshot(
    snapshot: AccountSnapshot, change: PushedChange, now: datetime
) -> AccountSnapshot:
    """The snapshot with a pushed change applied (unchanged if it names no device)."""
    match change:
        case EchoConnectionPushed(serial_number=serial) if serial in snapshot.echos:
            # Seen online until now, whichever way it changed.
            return snapshot.with_changes(
                snapshot.echos[serial], online=change.online, last_seen_online=now
            )
        case DoNotDisturbPushed(serial_number=serial) if serial in snapshot.echos:
            return snapshot.with_changes(
                snapshot.echos[serial], do_not_disturb=change.enabled
            )
        case MicrophonesPushed(serial_number=serial) if serial in snapshot.echos:
            return snapshot.with_changes(
                snapshot.echos[serial], microphones_on=change.on
            )
        case PlugPushed(endpoint_id=key) if key in snapshot.plugs:
            plug = snapshot.plugs[key]
            return snapshot.with_changes(
                plug,
                power_on=plug.power_on if change.power_on is None else change.power_on,
                online=plug.online if change.online is None else change.online,
            )
    return snapshot


class PushStatus(Record, frozen=False):
    """What diagnostics and the Push channel sensor show."""

    connected: bool = False
    connected_since: datetime | None = None
    last_event_at: datetime | None = None
    reconnects: int = 0
    # Why the channel stays closed until the entry reloads, if it does.
    stopped: str | None = None
    events: Counter[str] = dataclasses.field(default_factory=Counter)
    unreadable: Counter[str] = dataclasses.field(default_factory=Counter)
    # Presumed stalled: a poll found changes the channel did not push. Until
    # it pushes again, whether open or not.
    stalled: bool = False
    stalled_since: datetime | None = None
    stalls: int = 0
    stall_restarts: int = 0
    # The changes polls found that the channel had not pushed, by field.
    missed: Counter[str] = dataclasses.field(default_factory=Counter)
    # Silent for longer than the household usually goes without an event.
    quiet: bool = False
    usual_gap: timedelta = USUAL_GAP_CEILING

    @property
    def state(self) -> str:
        """In a word: open, quiet, stalled or closed."""
        if self.stalled:
            return "stalled"
        if not self.connected:
            return "closed"
        return "quiet" if self.quiet else "open"


class PushUpdates:
    """Amazon's push channel for one config entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: AlexaCareCoordinator,
        voice_history: VoiceHistoryCoordinator,
    ) -> None:
        """Prepare; the channel opens with async_start."""
        self._hass = hass
        self._coordinator = coordinator
        self._voice_history = voice_history
        self.status = PushStatus()
        self._listeners: list[CALLBACK_TYPE] = []
        self._channel: PushChannel | None = None
        self._opened_before = False
        self._watch = PushWatch(hass, self._stalled)
        self._restarted_at: datetime | None = None
        self._logged: dict[str, datetime] = {}
        coordinator.poll_watch = self._polled
        if coordinator.data is not None:
            # Setup's first poll, moments ago: the channel covers from it.
            self._watch.polled(None, coordinator.data, dt_util.utcnow())

    async def async_start(self) -> None:
        """Open the channel (in the background: it reconnects by itself)."""
        # Home Assistant's shared HTTP/2 client, which it closes when it
        # stops; one of our own would outlive every reload until then.
        client = get_async_client(self._hass, alpn_protocols=SSL_ALPN_HTTP11_HTTP2)
        try:
            channel = self._coordinator.account.push_channel(client, self)
        except LibraryMismatchError as err:
            # Polling works without it: no reason to fail the setup.
            LOGGER.warning("No push channel, polling as usual: %s", err)
            self.status.stopped = str(err)
            return
        self._channel = channel
        await channel.async_start()

    async def async_stop(self, *_: object) -> None:
        """Close the channel (on unload, and when Home Assistant stops)."""
        if (channel := self._channel) is not None:
            # First: closing is no drop to catch up on.
            self._channel = None
            await channel.async_stop()
        self.connection_changed(connected=False)
        self._watch.cancel()

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> Callable[[], None]:
        """Call `update` when the channel opens or closes."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    @callback
    def pushed(self, change: PushedChange) -> None:
        """Apply what Amazon pushed."""
        now = dt_util.utcnow()
        self._arrived(now, change)
        self.status.events[type(change).__name__] += 1
        if isinstance(change, MicrophonesPushed):
            self._coordinator.account.remember_microphones(change)
        if isinstance(change, VoiceRequestPushed):
            # Debounced: a burst of requests is read at once and once more
            # after the cooldown, for those the first read may have missed.
            self._in_background(
                self._voice_history.async_request_refresh(),
                "voice history after a voice request",
            )
            return
        if (snapshot := self._coordinator.data) is not None:
            # A drop's moment on our clock, for Amazon's stamp in the next poll.
            self._coordinator.account.clock.pushed(change, snapshot, now)
            self._coordinator.async_set_pushed_data(
                pushed_snapshot(snapshot, change, now)
            )

    @callback
    def unreadable(self, event: str) -> None:
        """Log an event we could not read, by its kind only.

        Its payload may name a customer or a device. A warning the first
        time for each kind: Amazon may send the same shape at every press.
        """
        # Unreadable or not, it came: the channel carries events.
        self._arrived(dt_util.utcnow(), None)
        unreadable = self.status.unreadable
        unreadable[event] += 1
        LOGGER.log(
            logging.WARNING if unreadable[event] == 1 else logging.DEBUG,
            "Ignored a %s event from Amazon that Alexa Care cannot read",
            event,
        )

    @callback
    def connection_changed(self, *, connected: bool) -> None:
        """Rest the polls while the channel is open, catch up when it changes."""
        status = self.status
        if connected == status.connected:
            return
        now = dt_util.utcnow()
        status.connected = connected
        status.connected_since = now if connected else None
        if connected:
            self._watch.opened(now)
        else:
            self._watch.closed()
        reopened = connected and self._opened_before
        self._opened_before |= connected
        status.reconnects += reopened
        # Not while closing (unload, stop): nothing is left to rest or resume.
        # Nor while stalled: the polls already run as usual, until it pushes.
        if self._channel is not None and not status.stalled:
            for coordinator in (self._coordinator, self._voice_history):
                coordinator.set_push_connected(connected=connected)
                if reopened or not connected:
                    # Dropped: poll as usual from now on. Back: what Amazon
                    # pushed meanwhile is lost. Either way, read it now.
                    self._catch_up(coordinator, "the push channel changed")
        self._update_listeners()

    def _update_listeners(self) -> None:
        for update in list(self._listeners):
            update()

    def _catch_up(
        self, coordinator: AlexaCareCoordinator | VoiceHistoryCoordinator, why: str
    ) -> None:
        self._in_background(
            coordinator.async_request_refresh(), f"catching up as {why}"
        )

    def _in_background(self, work: Coroutine[Any, Any, None], what: str) -> None:
        # The entry's: cancelled when it unloads, so that no request goes
        # to Amazon (and no line of the library's is logged) after that.
        self._coordinator.config_entry.async_create_background_task(
            self._hass, work, f"{DOMAIN} {what}"
        )

    def _log(self, level: int, message: str, *args: object) -> None:
        """Log the same news above debug level at most once per LOG_SPACING."""
        now = dt_util.utcnow()
        if (last := self._logged.get(message)) and now - last < LOG_SPACING:
            level = logging.DEBUG
        else:
            self._logged[message] = now
        LOGGER.log(level, message, *args)

    @callback
    def _arrived(self, now: datetime, change: PushedChange | None) -> None:
        """The channel carried an event: it works, and is not silent."""
        status = self.status
        status.last_event_at = now
        self._watch.arrived(now, change)
        was = status.state
        status.quiet = False
        if status.stalled:
            status.stalled = False
            status.stalled_since = None
            self._log(logging.INFO, "Amazon's push channel carries events again")
            # Resting again, from now: the next reconciling poll in full.
            self._coordinator.reconcile_interval = self._watch.reconcile_interval(now)
            for coordinator in (self._coordinator, self._voice_history):
                coordinator.set_push_connected(connected=status.connected)
        if status.state != was:
            self._update_listeners()

    @callback
    def _polled(
        self, before: AccountSnapshot | None, polled: AccountSnapshot, started: datetime
    ) -> None:
        """Judge the channel by a poll, and say when the next one reconciles."""
        now = dt_util.utcnow()
        self._watch.polled(before, polled, started)
        self._coordinator.reconcile_interval = self._watch.reconcile_interval(now)
        status = self.status
        status.usual_gap = self._watch.usual_gap
        if (quiet := self._watch.quiet(now)) != status.quiet:
            status.quiet = quiet
            self._update_listeners()

    @callback
    def _stalled(self, missed: Counter[str]) -> None:
        """Polls found changes the open channel did not push: restart it."""
        status = self.status
        now = dt_util.utcnow()
        status.missed.update(missed)
        if not status.stalled:
            status.stalled = True
            status.stalled_since = now
            status.stalls += 1
            self._log(
                logging.WARNING,
                "Amazon's push channel is open but silent: a poll found %d "
                "change(s) it did not push. Restarting it, and polling as usual "
                "until it carries events again",
                missed.total(),
            )
            for coordinator in (self._coordinator, self._voice_history):
                coordinator.set_push_connected(connected=False)
                # What it missed since the poll, voice requests included.
                self._catch_up(coordinator, "the push channel stalled")
            self._update_listeners()
        if self._restarted_at is None or now - self._restarted_at >= (
            STALL_RESTART_SPACING
        ):
            self._restarted_at = now
            status.stall_restarts += 1
            self._in_background(self._async_restart(), "restarting the push channel")

    async def _async_restart(self) -> None:
        if (channel := self._channel) is None:
            return
        await channel.async_stop()
        # Unless the entry unloaded meanwhile.
        if self._channel is channel:
            await channel.async_start()

    async def async_login_refused(self) -> None:
        """Poll as usual: the library has given the channel up.

        The poll finds out whether the login itself expired (and starts
        reauthentication if so).
        """
        LOGGER.warning(
            "Amazon refused the push channel's login; polling as usual until "
            "Alexa Care is reloaded"
        )
        self.status.stopped = "login refused"
        self.connection_changed(connected=False)
        await self._coordinator.async_request_refresh()
