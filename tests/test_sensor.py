"""Tests of the sensors of the devices and of the account."""

from __future__ import annotations

from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .common import next_poll
from .fake_amazon import FakeAmazon

LAST_SEEN = "sensor.kitchen_echo_last_seen_online"


@pytest.fixture
def platforms() -> list[str]:
    """Only the sensor platform."""
    return [Platform.SENSOR]


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every sensor of the fake account, disabled ones included.

    Echos: software version, last seen online, last voice request; devices
    with reachability: drop-offs and offline time today; the account: the
    devices offline.
    """
    for entry in er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    ):
        entity_registry.async_update_entity(entry.entity_id, disabled_by=None)
    with patch("custom_components.alexa_care.PLATFORMS", [Platform.SENSOR]):
        await hass.config_entries.async_reload(init_integration.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_last_seen_online(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Online: seen at Amazon's last sample. Offline: seen when it went offline."""
    assert hass.states.get(LAST_SEEN).state == "2026-11-22T02:40:00+00:00"

    fake_amazon.set_online("Kitchen Echo", online=True, at="2026-11-22T02:45:00Z")
    await next_poll(hass, freezer)
    assert hass.states.get(LAST_SEEN).state == "2026-11-22T02:45:00+00:00"

    fake_amazon.set_online("Kitchen Echo", online=False, at="2026-11-22T02:50:00Z")
    fake_amazon.set_online("Kitchen Echo", online=False, at="2026-11-22T02:55:00Z")
    await next_poll(hass, freezer)
    assert hass.states.get(LAST_SEEN).state == "2026-11-22T02:50:00+00:00"
