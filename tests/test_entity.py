"""Tests of what every entity shares: adding, writing state, the device registry."""

from __future__ import annotations

import copy

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.amazon.device_list import DEVICE_LIST_REFRESH
from custom_components.alexa_care.const import DOMAIN, STALE_DEVICE_GRACE
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .common import call, next_poll
from .fake_amazon import SERVER_ERROR, FakeAmazon

KITCHEN_CONNECTIVITY = "binary_sensor.kitchen_echo_connectivity"
KITCHEN_PLUG_POWER = "switch.kitchen_plug_power"
DESK_LAMP_CONNECTIVITY = "binary_sensor.desk_lamp_plug_connectivity"
# The account's count of devices offline changes with any device.
DEVICES_OFFLINE = "sensor.devices_offline"


async def test_entity_added_when_its_data_appears(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A plug first seen without reachability gets connectivity when Amazon has it."""
    assert hass.states.get(DESK_LAMP_CONNECTIVITY) is None
    reachability = copy.deepcopy(
        fake_amazon.endpoint("Kitchen Plug")["features"][0]["properties"][0]
    )
    assert reachability["name"] == "reachability"
    fake_amazon.endpoint("Desk Lamp Plug")["features"].append(
        {"name": "connectivity", "properties": [reachability]}
    )
    fake_amazon.set_online("Desk Lamp Plug", online=False, at="2026-11-22T19:00:00Z")

    await next_poll(hass, freezer)

    assert hass.states.get(DESK_LAMP_CONNECTIVITY).state == STATE_OFF


async def test_unchanged_poll_writes_no_state(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A poll that changed nothing leaves every state as it was written."""
    before = {state.entity_id: state.last_reported for state in hass.states.async_all()}

    await next_poll(hass, freezer)

    after = {state.entity_id: state.last_reported for state in hass.states.async_all()}
    assert after == before

    # One device changed: only its entities are written.
    fake_amazon.set_online("Kitchen Echo", online=False, at="2026-11-22T20:04:00Z")
    await next_poll(hass, freezer)

    written = {
        state.entity_id
        for state in hass.states.async_all()
        if state.last_reported != before[state.entity_id]
    }
    assert KITCHEN_CONNECTIVITY in written
    assert KITCHEN_PLUG_POWER not in written
    assert all(
        entity_id.startswith(("binary_sensor.kitchen_echo", "sensor.kitchen_echo"))
        for entity_id in written - {DEVICES_OFFLINE}
    )


async def test_pushed_change_writes_nothing_while_polls_fail(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unavailable stays unavailable: a push under it is no new state to write."""
    fake_amazon.fail_next(SERVER_ERROR, 10)
    await next_poll(hass, freezer)
    assert hass.states.get(DEVICES_OFFLINE).state == STATE_UNAVAILABLE
    before = {s.entity_id: (s.state, s.last_reported) for s in hass.states.async_all()}

    freezer.tick(1)  # a state written again is reported at a later moment
    coordinator = init_integration.runtime_data.coordinator
    echo = coordinator.data.echos["G090XG1234567KIT"]
    coordinator.async_set_pushed_data(coordinator.data.with_changes(echo, online=False))
    await hass.async_block_till_done()

    written_unchanged = {
        s.entity_id
        for s in hass.states.async_all()
        if before[s.entity_id][0] == s.state
        and before[s.entity_id][1] != s.last_reported
    }
    assert written_unchanged == set()


async def test_new_name_and_firmware_reach_the_device_registry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Renamed in the Alexa app: at the next poll; updated: within the hour."""
    endpoint = fake_amazon.endpoint("Kitchen Echo")
    endpoint["softwareVersion"] = {"value": {"text": "9999999999"}}
    endpoint["friendlyNameObject"] = {"value": {"text": "Pantry Echo"}}

    await next_poll(hass, freezer)

    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, "G090XG1234567KIT"), init_integration.entry_id
    )
    assert device is not None
    assert device.name == "Pantry Echo"
    # Firmware is read with the device list, not with every poll.
    assert device.sw_version != "9999999999"

    await next_poll(hass, freezer, DEVICE_LIST_REFRESH)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, "G090XG1234567KIT"), init_integration.entry_id
    )
    assert device is not None
    assert device.sw_version == "9999999999"
    # Entity ids stay: automations keep working after a rename.
    assert hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_ON


async def test_account_has_a_service_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The account's entities are on a page of its own, named after the masked login.

    It is no Echo or plug: no poll removes it, and no device action takes it.
    """
    account = device_registry.async_get_device_by_identifier(
        (DOMAIN, init_integration.entry_id), init_integration.entry_id
    )
    assert account is not None
    assert account.entry_type is dr.DeviceEntryType.SERVICE
    assert account.name == "o***r@example.com"
    on_its_page = {
        entity.entity_id
        for entity in er.async_entries_for_device(
            entity_registry, account.id, include_disabled_entities=True
        )
    }
    assert on_its_page == {
        DEVICES_OFFLINE,
        "sensor.household_outages_today",
        "sensor.household_outage_minutes_today",
        "binary_sensor.push_channel",
    }

    await next_poll(hass, freezer, STALE_DEVICE_GRACE)
    await next_poll(hass, freezer, STALE_DEVICE_GRACE)
    assert device_registry.async_get(account.id) is not None

    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "restart", {"device_id": account.id})
    assert refused.value.translation_key == "account_device"
