"""What the account's devices are, and when that is read again.

Two things change rarely: devices-v2's Echo records (the device type and the
capabilities, which GraphQL's endpoints lack) and the endpoints' descriptions
(model, serial number, firmware, category). Both are read together once an
hour, and at once when a poll shows a device that was added or removed; the
polls in between ask only for the endpoints' names and states.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from functools import partial
from http import HTTPMethod
from typing import Any

from aioamazondevices.const import devices as library_devices

from .endpoint_queries import COMBINED, Endpoint, EndpointQueries
from .graphql import Description, describe, echo, field, smart_plug, text_or_none
from .library import LibraryRequests, read_or_leave_out, reading_answer
from .models import LOGGER, AccountSnapshot, Echo

URI_DEVICES = "api/devices-v2/device"
# The Echo list (capabilities included) changes rarely; a device Amazon shows
# that we do not know triggers a read at once anyway.
DEVICE_LIST_REFRESH = timedelta(hours=1)
# What graphql.echo reads of a devices-v2 record.
RECORD_FIELDS = (
    "serialNumber",
    "accountName",
    "deviceTypeFriendlyName",
    "softwareVersion",
    "online",
    "deviceType",
)


class DeviceList:
    """The account's Echo records and endpoint descriptions, kept fresh."""

    def __init__(
        self, requests: LibraryRequests, endpoint_queries: EndpointQueries
    ) -> None:
        """Nothing is read until the first poll."""
        self._requests = requests
        self._endpoint_queries = endpoint_queries
        self._records: dict[str, dict[str, Any]] | None = None
        self._read_at: datetime | None = None
        # What each endpoint is, by endpoint id, as last read.
        self._descriptions: dict[str, Description] = {}
        self._descriptions_by_serial: dict[str, Description] = {}

    @property
    def records(self) -> Mapping[str, Mapping[str, Any]]:
        """The devices-v2 records of the account's Echos, by serial number."""
        return self._records or {}

    @property
    def descriptions(self) -> Mapping[str, Description]:
        """What each endpoint is, by endpoint id."""
        return self._descriptions

    @property
    def descriptions_by_serial(self) -> Mapping[str, Description]:
        """What each endpoint with a serial number is, by serial number."""
        return self._descriptions_by_serial

    def snapshot(
        self,
        states: Mapping[str, Endpoint],
        *,
        do_not_disturb: Mapping[str, bool],
        microphones_on: Mapping[str, bool],
        amazon_ahead: timedelta,
    ) -> AccountSnapshot:
        """The account's devices in the states a poll read, stamps on our clock.

        `amazon_ahead`: how far Amazon's clock runs ahead of ours.
        """
        descriptions, by_serial = self._descriptions, self._descriptions_by_serial
        echos: dict[str, Echo] = {}
        for serial, record in self.records.items():
            description = by_serial.get(serial)
            endpoint = (
                (description, states.get(description.endpoint_id))
                if description
                else None
            )
            read = partial(
                echo,
                record,
                endpoint,
                do_not_disturb=do_not_disturb.get(serial),
                microphones_on=microphones_on.get(serial),
                amazon_ahead=amazon_ahead,
            )
            # One Echo's record of another shape costs that Echo alone.
            found = read_or_leave_out(read, "an Echo")
            if found is not None:
                echos[serial] = found
        return AccountSnapshot(
            echos=echos,
            plugs={
                plug.key: plug
                for endpoint_id, state in states.items()
                if (description := descriptions.get(endpoint_id))
                and (plug := smart_plug(description, state, amazon_ahead=amazon_ahead))
                is not None
                # A device has one key: a plug may not take an Echo's.
                and _not_taken(plug.key, echos)
            },
        )

    def _is_due(self, now: datetime) -> bool:
        return (
            self._records is None
            or self._read_at is None
            or now - self._read_at >= DEVICE_LIST_REFRESH
        )

    async def async_read_states(self, *, force: bool = False) -> dict[str, Endpoint]:
        """Every endpoint's name and state, by endpoint id; each one described.

        One GraphQL request (two when our queries are refused), which asks for
        the descriptions too when the list is due (or `force`d); the Echo list
        is then read besides. A device added or removed costs one GraphQL
        request more, that once.
        """
        now = datetime.now(UTC)
        if force or self._is_due(now):
            states = _by_id(await self._endpoint_queries.async_read())
        else:
            states = _by_id(await self._endpoint_queries.async_read_states())
            if states.keys() == self._descriptions.keys():
                return states
            if self._endpoint_queries.in_use == COMBINED:
                # A device was added or removed: read what the account holds.
                states = _by_id(await self._endpoint_queries.async_read())
            # Otherwise the library's queries read the descriptions already.
        await self.async_read_records()
        with reading_answer():
            descriptions = [describe(endpoint) for endpoint in states.values()]
        self._descriptions = {d.endpoint_id: d for d in descriptions}
        self._descriptions_by_serial = {
            d.serial_number: d for d in descriptions if d.serial_number
        }
        self._read_at = now
        return states

    async def async_read_records(self) -> None:
        """Read the Echo list now."""
        answer = await self._requests.json(
            HTTPMethod.GET, self._requests.url(URI_DEVICES)
        )
        with reading_answer():
            capability_sets: dict[frozenset[str], frozenset[str]] = {}
            self._records = {
                device["serialNumber"]: _kept(device, capability_sets)
                for device in answer["devices"]
                if isinstance(device, Mapping)
                and _named(
                    device.get("serialNumber"), "an Echo without a serial number"
                )
                # Speaker groups and stereo pairs have nothing to reset; devices
                # without microphones (an air quality monitor) are not Echos.
                if device.get("deviceFamily") != library_devices.SPEAKER_GROUP_FAMILY
                and device.get("deviceType")
                not in library_devices.DEVICE_TYPES_TO_IGNORE
                and "MICROPHONE" in (device.get("capabilities") or ())
            }


def _kept(
    device: Mapping[str, Any], capability_sets: dict[frozenset[str], frozenset[str]]
) -> dict[str, Any]:
    """The fields of a record that make an Echo (graphql.echo), nothing else.

    A record is kept for an hour, and holds much besides (its network, its
    groups, its apps); Echos of one model have the same capabilities, so
    they share one set.
    """
    kept = {field: device[field] for field in RECORD_FIELDS if field in device}
    kept["capabilities"] = device["capabilities"]
    # Not a set of names: kept as it came, for graphql.echo to refuse.
    with suppress(TypeError):
        capabilities = frozenset(device["capabilities"])
        kept["capabilities"] = capability_sets.setdefault(capabilities, capabilities)
    return kept


def _named(key: object, what: str) -> bool:
    """Whether a device's key is a name; one of another kind is left out.

    A key that is no string would not match the same device's key read
    elsewhere (as a string): a device added at every poll, or never shown.
    """
    if text_or_none(key) is not None:
        return True
    LOGGER.warning("Amazon listed %s; it is left out", what)
    return False


def _not_taken(key: str, echos: Mapping[str, Echo]) -> bool:
    if key not in echos:
        return True
    LOGGER.warning("Amazon listed a plug under an Echo's serial number; it is left out")
    return False


def _by_id(endpoints: list[Endpoint]) -> dict[str, Endpoint]:
    with reading_answer():
        return {
            endpoint["endpointId"]: endpoint
            for endpoint in endpoints
            # GraphQL puts null where it could not fill an item.
            if _named(field(endpoint, "endpointId"), "a device without an endpoint id")
        }
