"""Tests of the binary sensors of the Echo devices."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

from aioamazondevices.exceptions import CannotConnect
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.alexa_care.const import DEFAULT_SCAN_INTERVAL, DOMAIN

KITCHEN = "binary_sensor.kitchen_echo_connectivity"
BEDROOM = "binary_sensor.bedroom_echo_show_connectivity"


async def _next_poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    freezer.tick(DEFAULT_SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.fixture
def platforms() -> list[str]:
    """Only the binary sensor platform."""
    return [Platform.BINARY_SENSOR]


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every Echo has a connectivity sensor; groups and monitors have none."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_echo_devices(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Each Echo is a device with its name, model, maker, serial and software."""
    devices = dr.async_entries_for_config_entry(
        device_registry, init_integration.entry_id
    )
    assert sorted(
        (d.name, d.model, d.manufacturer, d.serial_number, d.sw_version)
        for d in devices
    ) == [
        (
            "Bedroom Echo Show",
            "Echo Show 8",
            "Amazon",
            "G0B1Q90987654BED",
            "29884356868",
        ),
        ("Kitchen Echo", "Echo Dot", "Amazon", "G090XG1234567KIT", "8960323972"),
    ]
    assert sorted(d.identifiers for d in devices) == [
        {(DOMAIN, "G090XG1234567KIT")},
        {(DOMAIN, "G0B1Q90987654BED")},
    ]


async def test_offline_echo_reads_off_and_stays_available(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_amazon: MagicMock,
    raw_devices: list[dict[str, Any]],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Connectivity follows what Amazon reports, poll after poll."""
    assert hass.states.get(KITCHEN).state == STATE_ON
    assert hass.states.get(BEDROOM).state == STATE_OFF

    raw_devices[0]["online"] = False
    raw_devices[1]["online"] = True
    await _next_poll(hass, freezer)

    assert hass.states.get(KITCHEN).state == STATE_OFF
    assert hass.states.get(BEDROOM).state == STATE_ON


async def test_failed_poll_makes_unavailable_until_next_good_poll(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_amazon: MagicMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A failed poll means we do not know: unavailable, then back."""
    good_poll = mock_amazon.get_devices_data.side_effect
    mock_amazon.get_devices_data.side_effect = CannotConnect("Connection error")
    await _next_poll(hass, freezer)
    assert hass.states.get(KITCHEN).state == STATE_UNAVAILABLE
    assert hass.states.get(BEDROOM).state == STATE_UNAVAILABLE

    mock_amazon.get_devices_data.side_effect = good_poll
    await _next_poll(hass, freezer)
    assert hass.states.get(KITCHEN).state == STATE_ON
    assert hass.states.get(BEDROOM).state == STATE_OFF


async def test_echo_gone_from_account_is_unavailable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    raw_devices: list[dict[str, Any]],
    freezer: FrozenDateTimeFactory,
) -> None:
    """An Echo the account no longer lists cannot be read."""
    del raw_devices[0]
    await _next_poll(hass, freezer)
    assert hass.states.get(KITCHEN).state == STATE_UNAVAILABLE
    assert hass.states.get(BEDROOM).state == STATE_OFF
