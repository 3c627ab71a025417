"""Keeps Amazon's push channel open and applies what it pushes.

A pushed change reaches the entities within seconds, through the same
snapshot the polls fill, so repairs and health count it as a polled one.
While the channel is open the account's poll rests (a reconciliation every
PUSH_RECONCILE_INTERVAL) and the voice history is read only when Amazon
announces a voice request; once it drops, both poll as usual at once, and
a poll re-reads the account whenever the channel comes back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
import dataclasses
from datetime import datetime
import logging

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.httpx_client import get_async_client
from homeassistant.util import dt as dt_util
from homeassistant.util.ssl import SSL_ALPN_HTTP11_HTTP2

from .amazon.models import (
    AccountSnapshot,
    DoNotDisturbPushed,
    EchoConnectionPushed,
    LibraryMismatchError,
    MicrophonesPushed,
    PlugPushed,
    PushedChange,
    VoiceRequestPushed,
)
from .amazon.push import PushChannel
from .const import DOMAIN, LOGGER
from .coordinator import AlexaCareCoordinator
from .voice_history import VoiceHistoryCoordinator


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


@dataclasses.dataclass
class PushStatus:
    """What diagnostics and the Push channel sensor show."""

    connected: bool = False
    connected_since: datetime | None = None
    last_event_at: datetime | None = None
    reconnects: int = 0
    # Why the channel stays closed until the entry reloads, if it does.
    stopped: str | None = None
    events: Counter[str] = dataclasses.field(default_factory=Counter)
    unreadable: Counter[str] = dataclasses.field(default_factory=Counter)


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

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> Callable[[], None]:
        """Call `update` when the channel opens or closes."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    @callback
    def pushed(self, change: PushedChange) -> None:
        """Apply what Amazon pushed."""
        now = dt_util.utcnow()
        self.status.last_event_at = now
        self.status.events[type(change).__name__] += 1
        if isinstance(change, MicrophonesPushed):
            self._coordinator.account.remember_microphones(change)
        if isinstance(change, VoiceRequestPushed):
            # Debounced: a burst of requests is read at once and once more
            # after the cooldown, for those the first read may have missed.
            self._hass.async_create_task(
                self._voice_history.async_request_refresh(),
                f"{DOMAIN} voice history after a voice request",
            )
            return
        if (snapshot := self._coordinator.data) is not None:
            self._coordinator.async_set_pushed_data(
                pushed_snapshot(snapshot, change, now)
            )

    @callback
    def unreadable(self, event: str) -> None:
        """Log an event we could not read, by its kind only.

        Its payload may name a customer or a device. A warning the first
        time for each kind: Amazon may send the same shape at every press.
        """
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
        status.connected = connected
        status.connected_since = dt_util.utcnow() if connected else None
        reopened = connected and self._opened_before
        self._opened_before |= connected
        status.reconnects += reopened
        # Not while closing (unload, stop): nothing is left to rest or resume.
        if self._channel is not None:
            for coordinator in (self._coordinator, self._voice_history):
                coordinator.set_push_connected(connected=connected)
                if reopened or not connected:
                    # Dropped: poll as usual from now on. Back: what Amazon
                    # pushed meanwhile is lost. Either way, read it now.
                    self._hass.async_create_task(
                        coordinator.async_request_refresh(),
                        f"{DOMAIN} catching up as the push channel changed",
                    )
        for update in list(self._listeners):
            update()

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
