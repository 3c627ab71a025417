"""The parts of aioamazondevices Alexa Care relies on beyond its public calls.

A release of the library may rename any of these without notice. Checked once
before the first request, a missing one stops the setup with an error that
names the installed version, instead of every poll failing later with an
error that blames Amazon's answer. docs/architecture.md lists the same
parts.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter

import aioamazondevices
from aioamazondevices.api import AmazonEchoApi
from aioamazondevices.const import devices as library_devices, http as library_http
from aioamazondevices.structures import AmazonDevice, AmazonSequenceType

from . import endpoint_queries
from .models import LibraryMismatchError

# Reached on the library's client: its HTTP wrapper carries our few extra
# requests, its sequence handler builds the text command's node, and the DND
# signal and sync are how the poll reads every Echo's do not disturb at once.
CLIENT_PARTS = (
    "_http_wrapper.session_request",
    "_http_wrapper.response_to_json",
    "_http_wrapper.refresh_data",
    "_sequence_handler._build_operation_node",
    "login.login_mode_interactive",
    "login.login_mode_stored_data",
    "on_dnd_event",
    "sync_dnd_state",
    "set_do_not_disturb",
)
# Constants we send as the library sends them.
HTTP_CONSTANTS = (
    "ARRAY_WRAPPER",
    "CSRF_A2Z",
    "REFRESH_ACCESS_TOKEN",
    "REQUEST_AGENT",
    "URI_BEHAVIORS_PREVIEW",
    "URI_HISTORY_DATA",
    "URI_HISTORY_FRONTEND",
)
DEVICE_CONSTANTS = ("DEVICE_TYPES_TO_IGNORE", "SPEAKER_GROUP_FAMILY")
# The fields library.library_device fills in the library's device object.
DEVICE_FIELDS = frozenset(
    {
        "account_name",
        "serial_number",
        "device_type",
        "capabilities",
        "device_cluster_members",
        "online",
        "model",
        "manufacturer",
        "software_version",
    }
)


def _has(owner: object, path: str) -> bool:
    try:
        attrgetter(path)(owner)
    except AttributeError:
        return False
    return True


def missing_parts(client: AmazonEchoApi) -> list[str]:
    """What the installed library lacks of what we rely on."""
    fields = {field.name for field in dataclasses.fields(AmazonDevice)}
    return [
        *(path for path in CLIENT_PARTS if not _has(client, path)),
        *(
            f"const.http.{name}"
            for name in HTTP_CONSTANTS
            if not _has(library_http, name)
        ),
        *(
            f"const.devices.{name}"
            for name in DEVICE_CONSTANTS
            if not _has(library_devices, name)
        ),
        *(f"AmazonDevice.{name}" for name in sorted(DEVICE_FIELDS - fields)),
        # The fallback poll sends the library's own queries (endpoint_queries).
        *(
            ()
            if endpoint_queries.OPERATION_DEVICES
            else ("const.queries.QUERY_DEVICE_DATA",)
        ),
        *(
            ()
            if endpoint_queries.OPERATION_STATE
            else ("const.queries.QUERY_DEVICE_FEATURES or QUERY_SENSOR_STATE",)
        ),
        *(
            ()
            if _has(AmazonSequenceType, "TextCommand")
            else ("AmazonSequenceType.TextCommand",)
        ),
    ]


def check_library(client: AmazonEchoApi) -> None:
    """Raise LibraryMismatchError if the library lacks a part we rely on."""
    if missing := missing_parts(client):
        raise LibraryMismatchError(aioamazondevices.__version__, missing)
