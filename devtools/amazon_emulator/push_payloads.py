"""What Amazon's push channel sends: AVS directives carrying push events.

Side-effect free, shared by the emulator's HTTP/2 push server and the unit
tests' fake stream, so both send the same bytes.

The push channel is the Alexa Voice Service directive stream: a long GET on
`bob-dispatch-prod-{region}.amazon.com/v20160207/directives` answered with
`multipart/related`, one JSON part per directive. A push event is a
`RenderingUpdate` directive whose `renderingUpdates[]` name the event
(`resourceId`, and `route` for smart-home changes) and carry its payload in
`resourceMetadata`, both JSON encoded as strings, as the AVS service sends
them (aioamazondevices decodes such strings recursively).

Payload fields, as far as public code shows them:
- every PUSH_* event: `dopplerId {deviceSerialNumber, deviceType}` and
  `destinationUserId`;
- PUSH_DOPPLER_CONNECTION_CHANGE: `dopplerConnectionState` ONLINE | OFFLINE
  (openHAB's amazonechocontrol);
- PUSH_DND_STATE_CHANGE: `enabled` (aioamazondevices);
- PUSH_EQUALIZER_STATE_CHANGE: sent after a voice request, which is why
  aioamazondevices reads the voice history on it;
- smart-home changes (route EventBus:AlexaMobile::FDAL): `entity.id` the
  endpoint id, `data` the changed features as in a GraphQL endpoint
  (aioamazondevices 17);
- PUSH_MICROPHONE_STATE: parsed by nobody in public code, so its fields are
  not known. The emulator sends `microphoneEnabled` (bool); Alexa Care reads
  only that and shows "unknown" for any other shape.
"""

from __future__ import annotations

from datetime import UTC, datetime
import json
from typing import Any
import uuid

type Json = dict[str, Any]

DIRECTIVES_PATH = "/v20160207/directives"
EVENTS_PATH = "/v20160207/events"
PING_PATH = "/ping"
PUSH_HOST_PREFIX = "bob-dispatch-prod-"
BOUNDARY = "------abcde123"
CONTENT_TYPE = f"multipart/related; boundary={BOUNDARY}; type=application/json"

CONNECTION_CHANGE = "PUSH_DOPPLER_CONNECTION_CHANGE"
DND_CHANGE = "PUSH_DND_STATE_CHANGE"
EQUALIZER_CHANGE = "PUSH_EQUALIZER_STATE_CHANGE"
MICROPHONE_STATE = "PUSH_MICROPHONE_STATE"
SMART_HOME_ROUTE = "EventBus:AlexaMobile::FDAL"
SMART_HOME_RESOURCE = "FDAL_UPDATE"


def is_push_host(host: str) -> bool:
    """Whether `host` is one of Amazon's push (AVS directive) hosts."""
    return host.casefold().startswith(PUSH_HOST_PREFIX)


def _doppler(serial: str, device_type: str, customer_id: str) -> Json:
    return {
        "destinationUserId": customer_id,
        "dopplerId": {"deviceSerialNumber": serial, "deviceType": device_type},
    }


def _directive(resource_id: str, payload: Json, *, route: str = "") -> Json:
    update: Json = {
        "route": route,
        "resourceId": resource_id,
        "resourceMetadata": json.dumps(
            {"command": resource_id, "payload": json.dumps(payload)}
        ),
    }
    return {
        "directive": {
            "header": {
                "namespace": "PushNotification",
                "name": "RenderingUpdate",
                "messageId": str(uuid.uuid4()),
            },
            "payload": {"renderingUpdates": [update]},
        }
    }


def connection_change(
    serial: str, device_type: str, customer_id: str, *, online: bool
) -> Json:
    """An Echo's connection to Amazon went up or down."""
    return _directive(
        CONNECTION_CHANGE,
        {
            **_doppler(serial, device_type, customer_id),
            "dopplerConnectionState": "ONLINE" if online else "OFFLINE",
        },
    )


def dnd_change(
    serial: str, device_type: str, customer_id: str, *, enabled: bool
) -> Json:
    """Do not disturb was switched on an Echo."""
    return _directive(
        DND_CHANGE, {**_doppler(serial, device_type, customer_id), "enabled": enabled}
    )


def microphone_state(
    serial: str, device_type: str, customer_id: str, *, enabled: bool
) -> Json:
    """The microphone button was pressed on an Echo."""
    return _directive(
        MICROPHONE_STATE,
        {**_doppler(serial, device_type, customer_id), "microphoneEnabled": enabled},
    )


def voice_request(serial: str, device_type: str, customer_id: str) -> Json:
    """The event Amazon sends after someone spoke to an Echo."""
    return _directive(
        EQUALIZER_CHANGE,
        {
            **_doppler(serial, device_type, customer_id),
            "bass": 0,
            "midrange": 0,
            "treble": 0,
        },
    )


def smart_home_power(endpoint_id: str, *, on: bool, at: datetime | None = None) -> Json:
    """A plug was switched, by voice or in the Alexa app."""
    sampled = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return _directive(
        SMART_HOME_RESOURCE,
        {
            "entity": {"id": endpoint_id, "type": "ENDPOINT"},
            "data": {
                "features": [
                    {
                        "name": "power",
                        "instance": None,
                        "properties": [
                            {
                                "name": "powerState",
                                "type": "RETRIEVABLE",
                                "powerStateValue": "ON" if on else "OFF",
                                "timeOfSample": sampled,
                            }
                        ],
                    }
                ]
            },
        },
        route=SMART_HOME_ROUTE,
    )


def part(directive: Json) -> bytes:
    """One directive as the stream sends it: its part, then the boundary.

    A client sees a part only when the boundary after it arrives.
    """
    return (
        "\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
        f"{json.dumps(directive)}\r\n--{BOUNDARY}"
    ).encode()


def stream_opening() -> bytes:
    """What the stream sends as it opens: the first boundary.

    The empty part before it makes aioamazondevices check its AVS site
    (a SynchronizeState event, answered 204 No Content).
    """
    return f"--{BOUNDARY}".encode()
