"""The automation blueprints load in Home Assistant and call our actions."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
import shutil

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.alexa_care.const import DOMAIN, DeletionScope
from custom_components.alexa_care.voice.actions import DELETE_VOICE_HISTORY_SCHEMA
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / DOMAIN
ECHO = "0123456789abcdef0123456789abcdef"
CONNECTIVITY = "binary_sensor.kuche_verbindung"


@pytest.fixture
def expected_lingering_timers() -> bool:
    """A time-triggered automation keeps its daily timer until Home Assistant stops."""
    return True


@pytest.fixture(autouse=True)
def blueprint_folder(hass: HomeAssistant, tmp_path: Path) -> None:
    """Put our blueprints where Home Assistant looks for them."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / DOMAIN)


async def _automation(hass: HomeAssistant, name: str, inputs: dict) -> None:  # type: ignore[type-arg]
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": name,
                "alias": name,
                "use_blueprint": {"path": f"{DOMAIN}/{name}.yaml", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get(f"automation.{name}") is not None


def test_every_blueprint_is_tested() -> None:
    """A new blueprint needs a test here."""
    assert sorted(path.stem for path in BLUEPRINTS.glob("*.yaml")) == [
        "nightly_power_cycle",
        "nightly_voice_history_deletion",
        "restart_unavailable_echo",
    ]


def _echo_with_connectivity(hass: HomeAssistant) -> str:
    """An Echo in the registries, with a Connectivity sensor of another name."""
    entry = MockConfigEntry(domain=DOMAIN)
    entry.add_to_hass(hass)
    echo = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "G090XGL63VS1GK34")}
    )
    er.async_get(hass).async_get_or_create(
        "binary_sensor",
        DOMAIN,
        "G090XGL63VS1GK34-connectivity",
        config_entry=entry,
        device_id=echo.id,
        suggested_object_id="kuche_verbindung",
    )
    return echo.id


def _connectivity(hass: HomeAssistant, state: str) -> None:
    hass.states.async_set(CONNECTIVITY, state, {"device_class": "connectivity"})


async def test_restart_then_power_cycle(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Offline for the chosen minutes: restart; still offline: power cycle."""
    restarts = async_mock_service(hass, DOMAIN, "restart")
    power_cycles = async_mock_service(hass, DOMAIN, "power_cycle")
    echo = _echo_with_connectivity(hass)
    _connectivity(hass, "on")
    await _automation(
        hass,
        "restart_unavailable_echo",
        {"echo": echo, "minutes": 15, "escalate": True},
    )

    _connectivity(hass, "off")
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=14))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert restarts == []
    freezer.tick(timedelta(minutes=1, seconds=1))
    async_fire_time_changed(hass)
    # The run now waits up to 10 minutes for the Echo: let it get there,
    # without waiting for the run itself.
    for _ in range(20):
        await asyncio.sleep(0)
    assert [call.data for call in restarts] == [{"device_id": echo}]
    assert power_cycles == []

    freezer.tick(timedelta(minutes=10, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [call.data for call in power_cycles] == [{"device_id": echo}]


async def test_restart_brings_it_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Back online after the restart: no power cycle."""
    restarts = async_mock_service(hass, DOMAIN, "restart")
    power_cycles = async_mock_service(hass, DOMAIN, "power_cycle")
    echo = _echo_with_connectivity(hass)
    _connectivity(hass, "on")
    await _automation(hass, "restart_unavailable_echo", {"echo": echo})
    _connectivity(hass, "off")
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=15, seconds=1))
    async_fire_time_changed(hass)
    for _ in range(20):
        await asyncio.sleep(0)
    assert len(restarts) == 1
    _connectivity(hass, "on")
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=10, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert power_cycles == []


async def test_nightly_power_cycle(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """At the chosen time, the Echo is power-cycled for the chosen seconds."""
    freezer.move_to(dt_util.start_of_local_day() + timedelta(hours=3, minutes=59))
    power_cycles = async_mock_service(hass, DOMAIN, "power_cycle")
    await _automation(
        hass,
        "nightly_power_cycle",
        {"echo": ECHO, "at": "04:00:00", "off_seconds": 30},
    )
    freezer.tick(timedelta(minutes=1, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [call.data for call in power_cycles] == [
        {"device_id": ECHO, "off_seconds": 30}
    ]


async def test_nightly_voice_history_deletion(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Before midnight, the Echo is asked to delete today's history, confirmed."""
    freezer.move_to(dt_util.start_of_local_day() + timedelta(hours=23, minutes=49))
    # Our own schema: the blueprint's data must be what the action accepts.
    deletions = async_mock_service(
        hass, DOMAIN, "delete_voice_history", schema=DELETE_VOICE_HISTORY_SCHEMA
    )
    await _automation(hass, "nightly_voice_history_deletion", {"echo": ECHO})
    freezer.tick(timedelta(minutes=1, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [call.data for call in deletions] == [
        {"device_id": ECHO, "scope": DeletionScope.TODAY, "confirm": True}
    ]
