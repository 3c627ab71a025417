"""Tests of the binary sensors: connectivity, microphones, the push channel.

What Amazon pushes is tested in test_push.py.
"""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .common import next_poll
from .fake_amazon import TIMEOUT, FakeAmazon

KITCHEN = "binary_sensor.kitchen_echo_connectivity"
BEDROOM = "binary_sensor.bedroom_echo_show_connectivity"
PLUG = "binary_sensor.kitchen_plug_connectivity"


@pytest.fixture
def platforms() -> list[str]:
    """Only the binary sensor platform."""
    return [Platform.BINARY_SENSOR]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Echos and plugs have a connectivity sensor, Echos their microphones.

    Groups and lights have none. The account has its push channel's.
    """
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_connectivity_follows_amazon(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Connectivity reads what Amazon reports, poll after poll."""
    assert hass.states.get(KITCHEN).state == STATE_ON
    assert hass.states.get(BEDROOM).state == STATE_OFF
    assert hass.states.get(PLUG).state == STATE_ON

    fake_amazon.set_online("Kitchen Echo", online=False, at="2026-11-22T03:00:00Z")
    fake_amazon.set_online("Bedroom Echo Show", online=True, at="2026-11-22T03:00:00Z")
    fake_amazon.set_online("Kitchen Plug", online=False, at="2026-11-22T03:00:00Z")
    await next_poll(hass, freezer)

    assert hass.states.get(KITCHEN).state == STATE_OFF
    assert hass.states.get(BEDROOM).state == STATE_ON
    assert hass.states.get(PLUG).state == STATE_OFF


async def test_failed_poll_keeps_last_known_connectivity(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon unreachable does not make an Echo offline, nor unknown."""
    fake_amazon.fail_next(TIMEOUT)
    await next_poll(hass, freezer)
    assert init_integration.runtime_data.coordinator.last_update_success is False
    assert hass.states.get(KITCHEN).state == STATE_ON
    assert hass.states.get(BEDROOM).state == STATE_OFF


async def test_device_gone_from_account_is_unavailable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A device the account no longer lists is unknown: unavailable."""
    fake_amazon.remove("Kitchen Echo")
    fake_amazon.remove("Kitchen Plug")
    await next_poll(hass, freezer)
    assert hass.states.get(KITCHEN).state == STATE_UNAVAILABLE
    assert hass.states.get(PLUG).state == STATE_UNAVAILABLE
    assert hass.states.get(BEDROOM).state == STATE_OFF
