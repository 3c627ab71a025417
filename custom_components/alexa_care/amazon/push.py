"""Amazon's push channel: the library's HTTP/2 stream, read for our events.

aioamazondevices opens the stream, refreshes its token, checks its site,
keeps it alive with pings and reconnects with a growing delay (5 s doubling
to 10 minutes, reset by a healthy ping); it parses each part into an event.
But it hands on only the events its own entities use: an Echo's connection
and the microphone button reach nobody, and 16.3.2 drops smart-home changes
before any signal. So its stream client is subclassed here, the one place
that knows those private parts (CLIENT_PARTS and the STREAM_ ones below,
checked when a channel is made; the README lists them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, Protocol, override

import aioamazondevices
from aioamazondevices.api import AmazonEchoApi
from aioamazondevices.implementation.http2 import AmazonHTTP2Client
from aioamazondevices.structures import AmazonPushMessage
from aioamazondevices.utils import http2_extract_json_from_part
import httpx

from . import graphql
from .models import (
    DoNotDisturbPushed,
    EchoConnectionPushed,
    LibraryMismatchError,
    MicrophonesPushed,
    PushedChange,
    VoiceRequestPushed,
)

# The library's private parts the channel relies on (the README lists them).
CLIENT_PARTS = ("_http_wrapper", "_session_state_data")
STREAM_METHODS = (
    "_handle_part",
    "_stream_and_process",
    "start_processing",
    "stop_processing",
)
STREAM_ATTRIBUTES = ("_connected_event", "on_push_event")
# The route of a smart-home change (aioamazondevices 17 calls it FDAL_UPDATE).
SMART_HOME_ROUTE = "EventBus:AlexaMobile::FDAL"
_SMART_HOME_MARK = SMART_HOME_ROUTE.encode()
# No public code reads PUSH_MICROPHONE_STATE; this is the one shape we read.
MICROPHONE_FIELD = "microphoneEnabled"
_CONNECTION_STATES = {"ONLINE": True, "OFFLINE": False}


class PushListener(Protocol):
    """Who the channel tells what Amazon pushed, and how the channel fares."""

    def pushed(self, change: PushedChange) -> None:
        """Amazon pushed a change we read."""

    def connection_changed(self, *, connected: bool) -> None:
        """The stream opened, or closed (the library then reconnects)."""

    def unreadable(self, event: str) -> None:
        """Amazon pushed an event of a kind we read, in a shape we cannot."""

    async def async_login_refused(self) -> None:
        """Amazon refused the stream's token: the library has given up."""


def _serial(payload: Mapping[str, Any]) -> str | None:
    doppler = payload.get("dopplerId")
    serial = doppler.get("deviceSerialNumber") if isinstance(doppler, dict) else None
    return serial if isinstance(serial, str) and serial else None


def _connection(serial: str, payload: Mapping[str, Any]) -> PushedChange | None:
    online = _CONNECTION_STATES.get(payload.get("dopplerConnectionState", ""))
    return (
        None
        if online is None
        else EchoConnectionPushed(serial_number=serial, online=online)
    )


def _dnd(serial: str, payload: Mapping[str, Any]) -> PushedChange | None:
    enabled = payload.get("enabled")
    if not isinstance(enabled, bool):
        return None
    return DoNotDisturbPushed(serial_number=serial, enabled=enabled)


def _microphones(serial: str, payload: Mapping[str, Any]) -> PushedChange | None:
    on = payload.get(MICROPHONE_FIELD)
    return (
        MicrophonesPushed(serial_number=serial, on=on) if isinstance(on, bool) else None
    )


def _voice_request(serial: str, _payload: Mapping[str, Any]) -> PushedChange | None:
    return VoiceRequestPushed(serial_number=serial)


# The events we read, by the library's names. Its others (volume, media,
# lists) we do not use, and letting its handler fetch what they announce
# would cost requests.
_ECHO_EVENTS: dict[str, Callable[[str, Mapping[str, Any]], PushedChange | None]] = {
    AmazonPushMessage.ConnectionStatus: _connection,
    AmazonPushMessage.DoNotDisturbChange: _dnd,
    AmazonPushMessage.MicrophoneStatus: _microphones,
    # Amazon's cue that someone spoke to an Echo (the library reads the
    # voice history on it, too).
    AmazonPushMessage.EqualizerStateChange: _voice_request,
}


def _plug_changes(part: bytes) -> tuple[list[PushedChange], int]:
    """The smart-home changes in one part, and how many could not be read."""
    chunk = http2_extract_json_from_part(part) or {}
    try:
        updates = chunk["directive"]["payload"]["renderingUpdates"]
    except KeyError, TypeError:
        return [], 1
    changes: list[PushedChange] = []
    malformed = 0
    for update in updates if isinstance(updates, list) else ():
        if not isinstance(update, dict) or update.get("route") != SMART_HOME_ROUTE:
            continue
        metadata = update.get("resourceMetadata")
        payload = metadata.get("payload") if isinstance(metadata, dict) else None
        entity = payload.get("entity") if isinstance(payload, dict) else None
        endpoint_id = entity.get("id") if isinstance(entity, dict) else None
        state = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(endpoint_id, str) or not isinstance(state, dict):
            malformed += 1
        elif change := graphql.pushed_plug(endpoint_id, state):
            changes.append(change)
    return changes, malformed


class _DirectiveStream(AmazonHTTP2Client):
    """The library's stream client, handing on the events we read."""

    def __init__(
        self,
        client: AmazonEchoApi,
        httpx_client: httpx.AsyncClient,
        listener: PushListener,
    ) -> None:
        super().__init__(
            http_wrapper=client._http_wrapper,  # noqa: SLF001
            session_state_data=client._session_state_data,  # noqa: SLF001
            httpx_client=httpx_client,
            on_reauth_required=listener.async_login_refused,
        )
        self._listener = listener

    def hand_on_events(self) -> None:
        """Have the library's parsed events come to us (once, before starting)."""
        self.on_push_event.append(self._event)
        self.on_push_event.freeze()

    @override
    async def _stream_and_process(self) -> None:
        # The library sets its event once Amazon answered the stream's request.
        opened = asyncio.ensure_future(self._connected_event.wait())
        opened.add_done_callback(self._opened)
        try:
            await super()._stream_and_process()
        finally:
            opened.cancel()
            self._listener.connection_changed(connected=False)

    def _opened(self, wait: asyncio.Future[Any]) -> None:
        if not wait.cancelled():
            self._listener.connection_changed(connected=True)

    @override
    async def _handle_part(self, part: bytes) -> None:
        if _SMART_HOME_MARK not in part:
            await super()._handle_part(part)
            return
        changes, malformed = _plug_changes(part)
        for change in changes:
            self._listener.pushed(change)
        if malformed:
            self._listener.unreadable("smart home")

    async def _event(self, event_type: str, payload: dict[str, Any]) -> None:
        if (parse := _ECHO_EVENTS.get(event_type)) is None:
            return
        serial = _serial(payload)
        if serial and (change := parse(serial, payload)):
            self._listener.pushed(change)
        else:
            self._listener.unreadable(event_type)


class PushChannel:
    """Amazon's push channel for one account: opened, read, and closed."""

    def __init__(
        self,
        client: AmazonEchoApi,
        httpx_client: httpx.AsyncClient,
        listener: PushListener,
    ) -> None:
        """Prepare the channel; nothing is sent until it starts.

        Raises LibraryMismatchError if the library lacks a part it needs.
        """
        version = aioamazondevices.__version__
        if missing := [
            *(part for part in CLIENT_PARTS if not hasattr(client, part)),
            *(
                f"AmazonHTTP2Client.{part}"
                for part in STREAM_METHODS
                if not hasattr(AmazonHTTP2Client, part)
            ),
        ]:
            raise LibraryMismatchError(version, missing)
        try:
            self._stream = _DirectiveStream(client, httpx_client, listener)
        except TypeError as err:
            raise LibraryMismatchError(version, ["AmazonHTTP2Client()"]) from err
        if missing := [
            f"AmazonHTTP2Client.{part}"
            for part in STREAM_ATTRIBUTES
            if not hasattr(self._stream, part)
        ]:
            raise LibraryMismatchError(version, missing)
        self._stream.hand_on_events()

    async def async_start(self) -> None:
        """Open the channel; it reconnects by itself until stopped."""
        await self._stream.start_processing()

    async def async_stop(self) -> None:
        """Close the channel and wait until it is closed."""
        await self._stream.stop_processing()
