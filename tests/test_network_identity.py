"""Tests of the Echos' network identities: read once, paced, kept on disk."""

from __future__ import annotations

import copy
from datetime import timedelta
from itertools import pairwise
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.alexa_care.const import DOMAIN
from custom_components.alexa_care.home_network.identity import (
    READ_PACE,
    REREAD_OFFLINE_AFTER,
    RETRY_AFTER,
)
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util

from .common import (
    BEDROOM,
    KITCHEN,
    next_poll,
    read_network_identities,
    settle,
    setup_with_echos,
)
from .fake_amazon import (
    GRAPHQL_THROTTLED,
    SERVER_ERROR,
    THROTTLED,
    WIFI_DETAILS,
    FakeAmazon,
)

KITCHEN_MAC = "68:54:fd:3a:1b:2c"
SSID = "Carter-Home"
KITCHEN_WIFI = "sensor.kitchen_echo_wi_fi_network"
GRAPHQL = "/nexus/v1/graphql"
HISTORY_READ = ("POST", "/alexa-privacy/apd/rah/alexa-history-records-v2")
STEADY_POLL = [("POST", GRAPHQL), ("GET", "/api/dnd/device-status-list")]


def _record(fake: FakeAmazon, serial: str) -> dict[str, Any]:
    return next(d for d in fake.devices if d["serialNumber"] == serial)


def _iso(minutes_ago: int = 0) -> str:
    moment = dt_util.utcnow() - timedelta(minutes=minutes_ago)
    return moment.isoformat().replace("+00:00", "Z")


async def _pass(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, time: timedelta
) -> None:
    """Let time pass in steps shorter than the pace."""
    step = timedelta(seconds=5)
    for _ in range(int(time / step)):
        freezer.tick(step)
        async_fire_time_changed(hass)
        await settle(hass)


async def test_each_echo_read_once_in_the_background(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Nothing at set-up; then one Echo per pace; never again while nothing changes."""
    assert fake_amazon.wifi_reads() == []
    await read_network_identities(hass, freezer)
    assert sorted(fake_amazon.wifi_reads()) == sorted([BEDROOM, KITCHEN])

    identities = init_integration.runtime_data.network_identities
    kitchen = identities.get(KITCHEN)
    assert kitchen is not None
    assert kitchen.ssid == SSID
    assert kitchen.mac_address == KITCHEN_MAC

    # The MAC address is the device's network connection: the device page
    # shows it, and Home Assistant ties it to what routers see.
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, KITCHEN), init_integration.entry_id
    )
    assert device is not None
    assert (dr.CONNECTION_NETWORK_MAC, KITCHEN_MAC) in device.connections

    # Polls go on costing two requests, and nothing is read again.
    for _ in range(3):
        before = len(fake_amazon.requests)
        await next_poll(hass, freezer)
        sent = [(m, p) for m, p, _ in fake_amazon.requests[before:]]
        assert [r for r in sent if r != HISTORY_READ] == STEADY_POLL
    await _pass(hass, freezer, timedelta(hours=2))
    assert len(fake_amazon.wifi_reads()) == 2


async def test_never_more_than_one_read_per_pace(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Fifty Echos: one request every 30 seconds at most, each Echo once."""
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 50)
    await _pass(hass, freezer, timedelta(minutes=12))

    times = [moment for moment, _ in fake_amazon.wifi_asked]
    assert 20 <= len(times) <= 24
    assert all(later - earlier >= READ_PACE for earlier, later in pairwise(times))
    assert len(set(fake_amazon.wifi_reads())) == len(times)


async def test_no_wifi_details_remembered(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 400 means "no Wi-Fi" (a wired Echo): kept, and not asked again."""
    _record(fake_amazon, BEDROOM)["macAddress"] = None
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await settle(hass)
    await read_network_identities(hass, freezer)

    bedroom = mock_config_entry.runtime_data.network_identities.get(BEDROOM)
    assert bedroom is not None
    assert bedroom.wifi is None
    assert bedroom.mac_address is None

    # Not even offline for days: Amazon has nothing to tell about it.
    fake_amazon.set_online("Bedroom Echo Show", online=False, at=_iso())
    await next_poll(hass, freezer)
    await _pass(hass, freezer, REREAD_OFFLINE_AFTER + timedelta(minutes=5))
    assert fake_amazon.wifi_reads().count(BEDROOM) == 1


async def test_read_again_when_offline_a_day_later(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An Echo offline a day after its read may have joined another network."""
    fake_amazon.set_online("Bedroom Echo Show", online=True, at=_iso())
    await next_poll(hass, freezer)
    await read_network_identities(hass, freezer)
    fake_amazon.set_online("Kitchen Echo", online=False, at=_iso())
    _record(fake_amazon, KITCHEN)["essid"] = "Carter-Home-5G"
    await next_poll(hass, freezer)
    await _pass(hass, freezer, REREAD_OFFLINE_AFTER - timedelta(minutes=10))
    assert fake_amazon.wifi_reads().count(KITCHEN) == 1

    await _pass(hass, freezer, timedelta(minutes=15))
    assert fake_amazon.wifi_reads().count(KITCHEN) == 2
    identities = init_integration.runtime_data.network_identities
    assert identities.get(KITCHEN).ssid == "Carter-Home-5G"  # type: ignore[union-attr]
    # The Bedroom Echo stayed online: not read again.
    assert fake_amazon.wifi_reads().count(BEDROOM) == 1


async def test_read_again_when_re_added(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Gone from the account and back: it may be another household's now."""
    await read_network_identities(hass, freezer)
    record = copy.deepcopy(_record(fake_amazon, KITCHEN))
    endpoint = copy.deepcopy(fake_amazon.endpoint("Kitchen Echo"))
    fake_amazon.remove("Kitchen Echo")
    await next_poll(hass, freezer)
    identities = init_integration.runtime_data.network_identities
    assert identities.get(KITCHEN) is None

    fake_amazon.devices.append(record)
    fake_amazon.endpoints.append(endpoint)
    await next_poll(hass, freezer)
    await _pass(hass, freezer, READ_PACE * 2)
    assert fake_amazon.wifi_reads().count(KITCHEN) == 2
    assert identities.get(KITCHEN) is not None


async def test_kept_on_disk_across_a_reload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A reload (or a restart) does not ask Amazon again."""
    _record(fake_amazon, BEDROOM)["macAddress"] = None
    await read_network_identities(hass, freezer)
    stored = hass_storage[f"{DOMAIN}.{init_integration.entry_id}.network_identity"]
    assert stored["data"][BEDROOM]["has_wifi"] is False
    assert stored["data"][KITCHEN]["ssid"] == SSID

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await settle(hass)
    await _pass(hass, freezer, timedelta(minutes=10))
    assert len(fake_amazon.wifi_reads()) == 2
    identities = init_integration.runtime_data.network_identities
    assert identities.get(KITCHEN).mac_address == KITCHEN_MAC  # type: ignore[union-attr]
    assert identities.get(BEDROOM).wifi is None  # type: ignore[union-attr]


async def test_wifi_network_sensor(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    """A diagnostic sensor, off until the user turns it on: the network's name."""
    entry = entity_registry.async_get(KITCHEN_WIFI)
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert entry.entity_category == "diagnostic"
    assert hass.states.get(KITCHEN_WIFI) is None

    entity_registry.async_update_entity(KITCHEN_WIFI, disabled_by=None)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await settle(hass)
    assert hass.states.get(KITCHEN_WIFI).state == STATE_UNKNOWN  # type: ignore[union-attr]
    await read_network_identities(hass, freezer)
    assert hass.states.get(KITCHEN_WIFI).state == SSID  # type: ignore[union-attr]


async def test_not_while_throttled(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While the polls back off, no Wi-Fi details are asked for."""
    coordinator = init_integration.runtime_data.coordinator
    fake_amazon.fail_next(GRAPHQL_THROTTLED, path=GRAPHQL)
    await coordinator.async_refresh()
    assert coordinator.backing_off
    await _pass(hass, freezer, timedelta(minutes=9))
    assert fake_amazon.wifi_reads() == []

    # The poll when the gate opens works: reads resume.
    await _pass(hass, freezer, timedelta(minutes=2))
    assert not coordinator.backing_off
    await read_network_identities(hass, freezer)
    assert len(fake_amazon.wifi_reads()) == 2


async def test_own_request_throttled(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A throttled read closes the account's gate: no read until it opens."""
    fake_amazon.fail_next(THROTTLED, path=WIFI_DETAILS)
    await read_network_identities(hass, freezer, 1)
    # One request: the gate holds the library's two retries of a 429.
    assert len(fake_amazon.wifi_reads()) == 1
    await _pass(hass, freezer, timedelta(minutes=9))
    assert len(fake_amazon.wifi_reads()) == 1
    await _pass(hass, freezer, timedelta(minutes=2))
    assert fake_amazon.wifi_reads()[1:] == [BEDROOM]


async def test_failed_read_tried_again_later(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A failed read lets the other Echos go first, and is tried again later."""
    fake_amazon.fail_next(SERVER_ERROR, 3, path=WIFI_DETAILS)
    await read_network_identities(hass, freezer, 2)
    identities = init_integration.runtime_data.network_identities
    assert list(identities.identities) == [BEDROOM]
    await _pass(hass, freezer, RETRY_AFTER - timedelta(minutes=2))
    assert list(identities.identities) == [BEDROOM]
    await _pass(hass, freezer, timedelta(minutes=3))
    assert sorted(identities.identities) == sorted([BEDROOM, KITCHEN])


async def test_mac_address_shared_by_two_echos(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Amazon giving two Echos one MAC address does not stop the reads."""
    _record(fake_amazon, BEDROOM)["macAddress"] = _record(fake_amazon, KITCHEN)[
        "macAddress"
    ]
    await read_network_identities(hass, freezer)
    connected = [
        device
        for device in dr.async_entries_for_config_entry(
            device_registry, init_integration.entry_id
        )
        if (dr.CONNECTION_NETWORK_MAC, KITCHEN_MAC) in device.connections
    ]
    assert len(connected) == 1
    assert "its MAC address is another Echo's" in caplog.text


async def test_never_logged(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Neither the network's name nor a MAC address reaches a log line."""
    caplog.set_level(logging.DEBUG)
    fake_amazon.fail_next(SERVER_ERROR, 3, path=WIFI_DETAILS)
    await read_network_identities(hass, freezer, 2)
    await _pass(hass, freezer, RETRY_AFTER + timedelta(minutes=1))
    assert len(init_integration.runtime_data.network_identities.identities) == 2
    # Ours and the library's (not the test harness's, which logs the storage).
    text = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("custom_components.alexa_care", "aioamazondevices"))
    ).lower()
    assert "could not read the network of kitchen echo" in text
    for secret in (SSID, KITCHEN_MAC, "6854FD3A1B2C", "F0F0A4C0FFEE"):
        assert secret.lower() not in text


async def test_unreadable_record_read_again(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A record without a time it was read is as good as none."""
    stored = {"ssid": SSID, "mac_address": "6854FD3A1B2C", "has_wifi": True}
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}.network_identity"] = {
        "version": 1,
        "key": f"{DOMAIN}.{mock_config_entry.entry_id}.network_identity",
        "data": {
            KITCHEN: {**stored, "read_at": "yesterday"},
            BEDROOM: {**stored, "read_at": dt_util.utcnow().isoformat()},
        },
    }
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await settle(hass)
    await read_network_identities(hass, freezer)
    assert fake_amazon.wifi_reads() == [KITCHEN]


@pytest.mark.parametrize(
    "answer", ["Carter-Home", 42, True], ids=["string", "number", "true"]
)
async def test_odd_answer_is_unreadable_and_the_reads_go_on(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    answer: object,
) -> None:
    """An answer that is no JSON object fails that Echo's read, not the reader."""
    fake_amazon.odd_wifi_answers[KITCHEN] = answer
    await read_network_identities(hass, freezer, 2)
    identities = init_integration.runtime_data.network_identities
    assert sorted(fake_amazon.wifi_reads()) == sorted([BEDROOM, KITCHEN])
    assert list(identities.identities) == [BEDROOM]

    # Tried again later, and read once Amazon answers as it should.
    del fake_amazon.odd_wifi_answers[KITCHEN]
    await _pass(hass, freezer, RETRY_AFTER + timedelta(minutes=1))
    assert sorted(identities.identities) == sorted([BEDROOM, KITCHEN])
