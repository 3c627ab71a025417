"""Reading the parts of Amazon's push stream into our changes.

Every part is an AVS directive whose `renderingUpdates[]` carry the events,
each with `route`, `resourceId` and `resourceMetadata` (a JSON string
holding `{command, payload, timeStamp}`, the payload itself a JSON string).
Read here rather than by the library: it logs a part it cannot parse in
full at WARNING, each time, and one odd update raises out of its handler
(which reconnects the stream) and costs the updates beside it. Here each
update is read on its own, and what cannot be read is only named by kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from email.parser import BytesParser
from email.policy import default
import json
from typing import Any

from aioamazondevices.structures import AmazonPushMessage

from . import graphql
from .models import (
    DoNotDisturbPushed,
    EchoConnectionPushed,
    MicrophonesPushed,
    PushedChange,
    VoiceRequestPushed,
)

# The route of a smart-home change (aioamazondevices 17 calls it FDAL_UPDATE).
SMART_HOME_ROUTE = "EventBus:AlexaMobile::FDAL"
# No public code reads PUSH_MICROPHONE_STATE; this is the one shape we read.
MICROPHONE_FIELD = "microphoneEnabled"
_CONNECTION_STATES = {"ONLINE": True, "OFFLINE": False}
# The kinds of unreadable parts the listener counts, besides the event names.
SMART_HOME = "smart home"
UNREADABLE_PART = "directive"
# What reading Amazon's JSON may raise (json's errors are ValueErrors; a
# hostile nesting depth raises RecursionError).
UNREADABLE = (
    KeyError,
    TypeError,
    AttributeError,
    ValueError,
    IndexError,
    RecursionError,
)


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


def _decoded(value: object) -> object:
    """A field Amazon sends as a JSON string inside the JSON, decoded."""
    return json.loads(value) if isinstance(value, str) else value


def _directive(part: bytes) -> object:
    """The JSON of one multipart section (its headers, a blank line, the body)."""
    message = BytesParser(policy=default).parsebytes(part + b"\r\n")
    body = message.get_payload(decode=True)
    if message.get_content_type() != "application/json" or not isinstance(body, bytes):
        raise ValueError("not a JSON part")
    return json.loads(body)


def _kind(update: object) -> str | None:
    """The kind of an update we read (as the listener counts it), or None."""
    if not isinstance(update, dict):
        return UNREADABLE_PART
    if update.get("route") == SMART_HOME_ROUTE:
        return SMART_HOME
    resource = update.get("resourceId")
    return resource if isinstance(resource, str) and resource in _ECHO_EVENTS else None


def _change(kind: str, update: Mapping[str, Any]) -> PushedChange | None:
    """The change one update carries; None if it carries nothing we read.

    Raises ValueError (or what reading it raised) if it cannot be read.
    """
    metadata = _decoded(update.get("resourceMetadata"))
    payload = _decoded(metadata.get("payload")) if isinstance(metadata, dict) else None
    if not isinstance(payload, dict):
        raise ValueError("no payload")  # noqa: TRY004 # counted, never shown
    if kind == SMART_HOME:
        entity = _decoded(payload.get("entity"))
        endpoint_id = entity.get("id") if isinstance(entity, dict) else None
        state = _decoded(payload.get("data"))
        if not isinstance(endpoint_id, str) or not isinstance(state, dict):
            raise ValueError("no endpoint or state")
        return graphql.pushed_plug(endpoint_id, state)
    serial = _serial(payload)
    if serial and (change := _ECHO_EVENTS[kind](serial, payload)):
        return change
    raise ValueError("no device or value")


def read_part(part: bytes) -> tuple[list[PushedChange], list[str]]:
    """The changes in one part, and the kinds of the updates we could not read.

    Each update on its own: one Amazon sent in a shape we cannot read is
    skipped, the others in the same part are applied.
    """
    try:
        chunk = _directive(part)
        updates = chunk["directive"]["payload"]["renderingUpdates"]  # type: ignore[index]
    except UNREADABLE:
        return [], [UNREADABLE_PART]
    if not isinstance(updates, list):
        return [], [UNREADABLE_PART]
    changes: list[PushedChange] = []
    unreadable: list[str] = []
    for update in updates:
        if (kind := _kind(update)) is None:
            continue
        try:
            if kind == UNREADABLE_PART:
                raise ValueError("not an object")
            change = _change(kind, update)
        except UNREADABLE:
            # Features that are no list, a sample time that does not parse:
            # Amazon's payload read deeper is as hostile as the rest.
            unreadable.append(kind)
            continue
        if change is not None:
            changes.append(change)
    return changes, unreadable
