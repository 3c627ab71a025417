"""The Echo list (devices-v2) and when it is read.

devices-v2 carries what GraphQL's endpoints lack (the device type and the
capabilities), but it changes rarely: it is read once an hour, and at once
when the endpoints show a device that was added or removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from http import HTTPMethod
from typing import Any

from aioamazondevices.const import devices as library_devices

from .library import LibraryRequests, reading_answer

URI_DEVICES = "api/devices-v2/device"
# The Echo list (capabilities included) changes rarely; a device Amazon shows
# that we do not know triggers a read at once anyway.
DEVICE_LIST_REFRESH = timedelta(hours=1)


class EchoList:
    """The devices-v2 records of the account's Echos, by serial number."""

    def __init__(self, requests: LibraryRequests) -> None:
        """Nothing is read until the first poll."""
        self._requests = requests
        self._records: dict[str, dict[str, Any]] | None = None
        self._read_at: datetime | None = None
        # The endpoints' serial numbers when the list was last read.
        self._serials_at_last_read: set[str] = set()

    @property
    def records(self) -> Mapping[str, Mapping[str, Any]]:
        """The records as last read."""
        return self._records or {}

    def _is_due(self, endpoint_serials: set[str], now: datetime) -> bool:
        return (
            self._records is None
            or self._read_at is None
            or now - self._read_at >= DEVICE_LIST_REFRESH
            # A device added to or removed from the account shows up in the
            # endpoints first.
            or endpoint_serials != self._serials_at_last_read
        )

    async def async_update(
        self, endpoint_serials: set[str], *, force: bool = False
    ) -> None:
        """Read the list again if it is due (or `force`d)."""
        now = datetime.now(UTC)
        if force or self._is_due(endpoint_serials, now):
            await self.async_read()
            self._read_at = now
            self._serials_at_last_read = endpoint_serials

    async def async_read(self) -> None:
        """Read the list now."""
        answer = await self._requests.json(
            HTTPMethod.GET, self._requests.url(URI_DEVICES)
        )
        with reading_answer():
            self._records = {
                device["serialNumber"]: device
                for device in answer["devices"]
                if device
                # Speaker groups and stereo pairs have nothing to reset; devices
                # without microphones (an air quality monitor) are not Echos.
                if device.get("deviceFamily") != library_devices.SPEAKER_GROUP_FAMILY
                and device.get("deviceType")
                not in library_devices.DEVICE_TYPES_TO_IGNORE
                and "MICROPHONE" in (device.get("capabilities") or ())
            }
