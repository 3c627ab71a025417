"""Tests of the check of what Alexa Care relies on in aioamazondevices."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from aioamazondevices.structures import AmazonDevice
import pytest

from custom_components.alexa_care.amazon import endpoint_queries
from custom_components.alexa_care.amazon.library import (
    library_device,
    new_library_client,
)
from custom_components.alexa_care.amazon.models import Echo
from custom_components.alexa_care.amazon.touchpoints import DEVICE_FIELDS, missing_parts
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession


async def test_the_installed_library_has_every_part(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """Both supported versions (16.3.2 and the newest) pass the check."""
    client = new_library_client(
        async_get_clientsession(hass), "olivia@example.com", "", tmp_path
    )
    assert missing_parts(client) == []


def test_the_checked_device_fields_are_those_we_fill() -> None:
    """library_device fills exactly the fields the check looks for."""
    echo = Echo(
        key="G090XG1234567KIT",
        name="Kitchen Echo",
        model="Echo Dot",
        manufacturer="Amazon",
        serial_number="G090XG1234567KIT",
        software_version="8960323972",
        online=True,
        last_seen_online=datetime(2026, 11, 22, tzinfo=UTC),
        device_type="A32DOYMUN6DTXA",
        capabilities=frozenset({"ALEXA_DEVICE_REBOOT"}),
        do_not_disturb=False,
    )
    device = library_device(echo)
    filled = {
        field.name
        for field in dataclasses.fields(AmazonDevice)
        if getattr(device, field.name) not in (None, False, "", [], {})
    }
    assert filled == DEVICE_FIELDS


async def test_a_library_without_its_queries_is_named(
    hass: HomeAssistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fallback poll's queries are read from the library: checked too."""
    monkeypatch.delattr("aioamazondevices.const.queries.QUERY_DEVICE_DATA")
    assert endpoint_queries._library_query("QUERY_DEVICE_DATA") == ""
    # What the module holds when the library lacked its queries at import.
    monkeypatch.setattr(endpoint_queries, "OPERATION_DEVICES", "")
    monkeypatch.setattr(endpoint_queries, "OPERATION_STATE", "")
    client = new_library_client(
        async_get_clientsession(hass), "olivia@example.com", "", tmp_path
    )

    assert missing_parts(client) == [
        "const.queries.QUERY_DEVICE_DATA",
        "const.queries.QUERY_DEVICE_FEATURES or QUERY_SENSOR_STATE",
    ]
