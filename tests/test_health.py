"""Tests of today's drop-offs and offline time, and of the devices offline."""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.alexa_care.const import DOMAIN
from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorStateClass
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
    restore_state,
)
from homeassistant.util import dt as dt_util

from .common import BEDROOM, KITCHEN, KITCHEN_PLUG, next_poll, settle, states_written
from .fake_amazon import FakeAmazon

KITCHEN_DROPS = "sensor.kitchen_echo_drop_offs_today"
KITCHEN_OFFLINE = "sensor.kitchen_echo_offline_time_today"
# Offline in the fixtures from the start.
BEDROOM_DROPS = "sensor.bedroom_echo_show_drop_offs_today"
BEDROOM_OFFLINE = "sensor.bedroom_echo_show_offline_time_today"
PLUG_DROPS = "sensor.kitchen_plug_drop_offs_today"
DEVICES_OFFLINE = "sensor.devices_offline"
# The fixtures' day is 2026-11-22 (US/Pacific, UTC-8); midnight after it.
MIDNIGHT = datetime.fromisoformat("2026-11-23T08:00:00+00:00")


def _now() -> str:
    return dt_util.utcnow().isoformat()


def _key(hass: HomeAssistant, name: str) -> str:
    coordinator = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.coordinator
    return next(
        key for key, device in coordinator.data.devices.items() if device.name == name
    )


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _drop_off(
    hass: HomeAssistant, fake_amazon: FakeAmazon, freezer: FrozenDateTimeFactory
) -> None:
    """One poll sees the kitchen Echo offline, the next sees it online again."""
    fake_amazon.set_online("Kitchen Echo", online=False, at=_now())
    await next_poll(hass, freezer)
    fake_amazon.set_online("Kitchen Echo", online=True, at=_now())
    await next_poll(hass, freezer)


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_sensors_are_daily_totals(hass: HomeAssistant) -> None:
    """Both counts are totals the statistics keep; offline time in minutes."""
    drops = hass.states.get(KITCHEN_DROPS)
    offline = hass.states.get(KITCHEN_OFFLINE)
    assert drops is not None
    assert offline is not None
    assert drops.attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL_INCREASING
    assert offline.attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL_INCREASING
    assert offline.attributes[ATTR_UNIT_OF_MEASUREMENT] == "min"
    assert (drops.state, offline.state) == ("0", "0.0")
    # A plug with reachability has them too.
    assert _state(hass, PLUG_DROPS) == "0"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_flicker_within_grace_period_counts(
    hass: HomeAssistant, fake_amazon: FakeAmazon, freezer: FrozenDateTimeFactory
) -> None:
    """Offline for one poll, far shorter than the grace period: a drop-off."""
    await _drop_off(hass, fake_amazon, freezer)

    assert _state(hass, KITCHEN_DROPS) == "1"
    # From when Amazon lost it to the poll that saw it back.
    assert _state(hass, KITCHEN_OFFLINE) == "10.0"
    # Too short for a repair issue, not too short to count.
    assert not [
        issue
        for (domain, issue) in ir.async_get(hass).issues
        if domain == DOMAIN and issue.endswith(_key(hass, "Kitchen Echo"))
    ]

    await _drop_off(hass, fake_amazon, freezer)
    assert _state(hass, KITCHEN_DROPS) == "2"
    assert _state(hass, KITCHEN_OFFLINE) == "20.0"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_offline_time_grows_while_nothing_else_changes(
    hass: HomeAssistant, fake_amazon: FakeAmazon, freezer: FrozenDateTimeFactory
) -> None:
    """Polls that bring nothing new still add to the offline time."""
    fake_amazon.set_online("Kitchen Echo", online=False, at=_now())
    await next_poll(hass, freezer)
    assert _state(hass, KITCHEN_OFFLINE) == "5.0"
    await next_poll(hass, freezer)
    await next_poll(hass, freezer)
    assert _state(hass, KITCHEN_OFFLINE) == "15.0"
    # Still one drop-off: it never came back.
    assert _state(hass, KITCHEN_DROPS) == "1"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_a_clock_set_back_never_counts_backwards(
    hass: HomeAssistant, fake_amazon: FakeAmazon, freezer: FrozenDateTimeFactory
) -> None:
    """NTP sets the clock back half an hour while an Echo is offline."""
    dropped = dt_util.utcnow()
    fake_amazon.set_online("Kitchen Echo", online=False, at=_now())
    await next_poll(hass, freezer)
    assert _state(hass, KITCHEN_OFFLINE) == "5.0"
    coordinator = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.coordinator
    freezer.move_to(dropped - timedelta(minutes=30))
    # Polled at once: the poll scheduled before waits for the clock.
    await coordinator.async_refresh()
    await settle(hass)
    # Neither backwards nor lost: it counts on from the corrected clock.
    assert _state(hass, KITCHEN_OFFLINE) == "5.0"
    freezer.tick(timedelta(minutes=5))
    fake_amazon.set_online("Kitchen Echo", online=True, at=_now())
    await coordinator.async_refresh()
    await settle(hass)
    assert _state(hass, KITCHEN_OFFLINE) == "10.0"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_a_clock_set_back_across_midnight_keeps_the_day(
    hass: HomeAssistant, fake_amazon: FakeAmazon, freezer: FrozenDateTimeFactory
) -> None:
    """NTP sets the clock back over midnight: yesterday is not counted whole.

    A day earlier than the one counted started a new day, from yesterday's
    midnight: 1,435 minutes offline for an Echo offline for 15.
    """
    coordinator = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.coordinator
    freezer.move_to(MIDNIGHT - timedelta(minutes=15))
    async_fire_time_changed(hass)
    await settle(hass)
    fake_amazon.set_online("Kitchen Echo", online=False, at=_now())
    await next_poll(hass, freezer)  # 23:50
    freezer.move_to(MIDNIGHT)
    async_fire_time_changed(hass)
    await settle(hass)
    freezer.move_to(MIDNIGHT + timedelta(minutes=5))
    await coordinator.async_refresh()
    await settle(hass)
    assert _state(hass, KITCHEN_OFFLINE) == "5.0"

    written = states_written(hass, KITCHEN_OFFLINE)
    freezer.move_to(MIDNIGHT - timedelta(minutes=5))  # back to 23:55
    await coordinator.async_refresh()
    await settle(hass)
    assert all(float(value) <= 15 for value in written), written


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_a_time_zone_moved_west_keeps_the_days_counts(
    hass: HomeAssistant, fake_amazon: FakeAmazon, freezer: FrozenDateTimeFactory
) -> None:
    """Berlin to California: the day goes back, not on; its counts stay."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to("2026-11-22T23:20:00+00:00")  # 00:20 on the 23rd in Berlin
    async_fire_time_changed(hass)
    await settle(hass)
    coordinator = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.coordinator
    await coordinator.async_refresh()
    await settle(hass)
    fake_amazon.set_online("Kitchen Echo", online=False, at=_now())
    await next_poll(hass, freezer)
    assert (_state(hass, KITCHEN_DROPS), _state(hass, KITCHEN_OFFLINE)) == ("1", "5.0")

    await hass.config.async_set_time_zone("US/Pacific")
    await next_poll(hass, freezer)
    assert (_state(hass, KITCHEN_DROPS), _state(hass, KITCHEN_OFFLINE)) == ("1", "10.0")


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_offline_at_setup_is_no_drop_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Offline when first seen: what happened before is unknown; time counts on."""
    assert _state(hass, BEDROOM_DROPS) == "0"
    assert _state(hass, BEDROOM_OFFLINE) == "0.0"
    await next_poll(hass, freezer)
    assert _state(hass, BEDROOM_OFFLINE) == "5.0"
    assert _state(hass, BEDROOM_DROPS) == "0"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_reset_at_local_midnight(
    hass: HomeAssistant, fake_amazon: FakeAmazon, freezer: FrozenDateTimeFactory
) -> None:
    """At midnight in Home Assistant's time zone (not UTC), both start from 0."""
    await _drop_off(hass, fake_amazon, freezer)
    # Midnight in UTC is 16:00 in US/Pacific: nothing resets.
    freezer.move_to("2026-11-23T00:00:00+00:00")
    async_fire_time_changed(hass)
    await settle(hass)
    assert _state(hass, KITCHEN_DROPS) == "1"

    freezer.move_to(MIDNIGHT)
    async_fire_time_changed(hass)
    await settle(hass)
    assert _state(hass, KITCHEN_DROPS) == "0"
    assert _state(hass, KITCHEN_OFFLINE) == "0.0"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_offline_time_split_at_midnight(
    hass: HomeAssistant, fake_amazon: FakeAmazon, freezer: FrozenDateTimeFactory
) -> None:
    """An outage across midnight: yesterday's minutes, then today's from 0."""
    freezer.move_to(MIDNIGHT - timedelta(minutes=12))
    fake_amazon.set_online("Kitchen Echo", online=False, at=_now())
    await next_poll(hass, freezer)  # 23:53, offline since 23:48
    assert _state(hass, KITCHEN_DROPS) == "1"
    assert _state(hass, KITCHEN_OFFLINE) == "5.0"
    written = states_written(hass, KITCHEN_OFFLINE)
    freezer.move_to(MIDNIGHT - timedelta(seconds=1))
    async_fire_time_changed(hass)
    await settle(hass)
    # The day's 12 minutes are written within the day, for the statistics.
    assert written == ["12.0"]
    freezer.move_to(MIDNIGHT)
    async_fire_time_changed(hass)
    await settle(hass)
    assert written == ["12.0", "0.0"]
    await next_poll(hass, freezer)
    assert _state(hass, KITCHEN_OFFLINE) == "5.0"
    # The outage was counted yesterday.
    assert _state(hass, KITCHEN_DROPS) == "0"
    fake_amazon.set_online("Kitchen Echo", online=True, at=_now())
    await next_poll(hass, freezer)
    assert _state(hass, KITCHEN_OFFLINE) == "10.0"
    assert _state(hass, KITCHEN_DROPS) == "0"


@pytest.mark.parametrize(
    ("midnight", "next_midnight", "minutes"),
    [
        # US/Pacific springs forward on 14 March 2027: a day of 23 hours.
        ("2027-03-14T08:00:00+00:00", "2027-03-15T07:00:00+00:00", "1380.0"),
        # And falls back on 7 November 2027: a day of 25 hours.
        ("2027-11-07T07:00:00+00:00", "2027-11-08T08:00:00+00:00", "1500.0"),
    ],
    ids=["spring_forward", "fall_back"],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_a_day_of_daylight_saving_change_counts_its_own_length(
    hass: HomeAssistant,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    midnight: str,
    next_midnight: str,
    minutes: str,
) -> None:
    """Offline all day: the day's minutes are its length, reset at local midnight."""
    start, end = datetime.fromisoformat(midnight), datetime.fromisoformat(next_midnight)
    freezer.move_to(start - timedelta(minutes=10))
    async_fire_time_changed(hass)
    await settle(hass)
    fake_amazon.set_online("Kitchen Echo", online=False, at=_now())
    await next_poll(hass, freezer)
    freezer.move_to(start)
    async_fire_time_changed(hass)
    await settle(hass)
    assert _state(hass, KITCHEN_OFFLINE) == "0.0"
    written = states_written(hass, KITCHEN_OFFLINE)
    freezer.move_to(end - timedelta(seconds=1))
    async_fire_time_changed(hass)
    await settle(hass)
    # The day's final minutes, by the timer a second before midnight and
    # by the poll due then: 23 hours of them, or 25.
    assert set(written) == {minutes}
    freezer.move_to(end)
    async_fire_time_changed(hass)
    await settle(hass)
    assert _state(hass, KITCHEN_OFFLINE) == "0.0"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_midnight_between_polls_is_caught_up_at_next_poll(
    hass: HomeAssistant, fake_amazon: FakeAmazon, freezer: FrozenDateTimeFactory
) -> None:
    """Past midnight without the timer (a suspended machine): the poll resets."""
    await _drop_off(hass, fake_amazon, freezer)
    freezer.move_to(MIDNIGHT + timedelta(minutes=1))
    coordinator = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.coordinator
    await coordinator.async_refresh()
    await settle(hass)
    assert _state(hass, KITCHEN_DROPS) == "0"


@pytest.mark.usefixtures("init_integration")
async def test_enabled_by_default(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    """Drop-offs and devices offline are on; offline time is there to enable."""
    assert hass.states.get(KITCHEN_DROPS) is not None
    assert hass.states.get(DEVICES_OFFLINE) is not None
    offline = entity_registry.async_get(KITCHEN_OFFLINE)
    assert offline is not None
    assert offline.disabled_by is er.RegistryEntryDisabler.INTEGRATION


def _health_file(
    entry: MockConfigEntry, day: str, as_of: str, devices: dict[str, Any]
) -> dict[str, Any]:
    """A file of the health store, as a previous run wrote it."""
    key = f"{DOMAIN}.{entry.entry_id}.health"
    counts = {"online": True, "offline_since": None, "held": None}
    return {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {
            "day": day,
            "as_of": as_of,
            "devices": {key: counts | record for key, record in devices.items()},
            "online": [],
            "household": {"outages": 0, "outage_seconds": 0, "since": None},
            "availability": {},
            "outage": None,
        },
    }


@pytest.mark.parametrize(
    ("day", "as_of", "drops", "offline"),
    [
        # 10:00 today in US/Pacific.
        ("2026-11-22", "2026-11-22T18:00:00+00:00", "2", "42.5"),
        # 23:00 yesterday in US/Pacific, though already today in UTC.
        ("2026-11-21", "2026-11-22T07:00:00+00:00", "0", "0.0"),
    ],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_restart_keeps_todays_counts(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    day: str,
    as_of: str,
    drops: str,
    offline: str,
) -> None:
    """Counts from earlier today come back; those of yesterday do not."""
    kitchen = {"drop_offs": 2, "offline_seconds": 42.5 * 60}
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}.health"] = _health_file(
        mock_config_entry, day, as_of, {KITCHEN: kitchen}
    )
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await settle(hass)
    assert _state(hass, KITCHEN_DROPS) == drops
    assert _state(hass, KITCHEN_OFFLINE) == offline

    await _drop_off(hass, fake_amazon, freezer)
    assert _state(hass, KITCHEN_DROPS) == str(int(drops) + 1)
    assert _state(hass, KITCHEN_OFFLINE) == str(float(offline) + 10)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_restored_counts_are_kept_within_the_day(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    hass_storage: dict[str, Any],
) -> None:
    """A stored count is outside input: below zero, huge or NaN, it is bounded."""
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}.health"] = _health_file(
        mock_config_entry,
        "2026-11-22",
        "2026-11-22T20:00:00+00:00",
        {
            KITCHEN: {"drop_offs": -7, "offline_seconds": 1e300},
            KITCHEN_PLUG: {"drop_offs": float("nan"), "offline_seconds": 0},
            BEDROOM: {
                "drop_offs": 1e300,
                "offline_seconds": 0,
                "online": False,
                "offline_since": "2026-11-22T20:00:00+00:00",
            },
        },
    )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await settle(hass)
    assert _state(hass, KITCHEN_DROPS) == "0"
    assert _state(hass, PLUG_DROPS) == "0"
    # Noon in US/Pacific: no more than the day so far.
    assert _state(hass, KITCHEN_OFFLINE) == "720.0"
    assert _state(hass, BEDROOM_DROPS) == str(12 * 60 * 60)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_reload_does_not_count_twice(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A reload restores what the entities showed, once."""
    await _drop_off(hass, fake_amazon, freezer)
    await hass.config_entries.async_reload(init_integration.entry_id)
    await settle(hass)
    assert _state(hass, KITCHEN_DROPS) == "1"
    assert _state(hass, KITCHEN_OFFLINE) == "10.0"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_devices_offline(
    hass: HomeAssistant, fake_amazon: FakeAmazon, freezer: FrozenDateTimeFactory
) -> None:
    """How many devices Amazon reports offline now; a measurement."""
    state = hass.states.get(DEVICES_OFFLINE)
    assert state is not None
    assert state.attributes[ATTR_STATE_CLASS] == SensorStateClass.MEASUREMENT
    assert state.state == "1"
    fake_amazon.set_online("Kitchen Echo", online=False, at=_now())
    await next_poll(hass, freezer)
    assert _state(hass, DEVICES_OFFLINE) == "2"
    fake_amazon.set_online("Kitchen Echo", online=True, at=_now())
    fake_amazon.set_online("Bedroom Echo Show", online=True, at=_now())
    await next_poll(hass, freezer)
    assert _state(hass, DEVICES_OFFLINE) == "0"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_device_gone_from_the_account_is_forgotten(
    hass: HomeAssistant, fake_amazon: FakeAmazon, freezer: FrozenDateTimeFactory
) -> None:
    """Left out of one answer, it keeps its counts; gone for good, it has none.

    Amazon's lists flicker: the device registry waits an hour before it
    lets a device go, and the counts go with it.
    """
    await _drop_off(hass, fake_amazon, freezer)
    health = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.health
    key = _key(hass, "Kitchen Echo")
    assert health.drop_offs(key) == 1
    fake_amazon.remove("Kitchen Echo")
    await next_poll(hass, freezer)
    assert health.drop_offs(key) == 1
    registry = dr.async_get(hass)
    assert registry.async_get_devices(identifiers={(DOMAIN, key)})
    # The registry lets it go after an hour of polls without it.
    for _ in range(13):
        await next_poll(hass, freezer)
    assert not registry.async_get_devices(identifiers={(DOMAIN, key)})
    assert health.drop_offs(key) == 0
    assert health.offline_minutes(key) == 0


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_device_gone_from_the_account_saves_its_state_without_error(
    hass: HomeAssistant,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Home Assistant saves the counts of an unavailable device too.

    It does every 15 minutes, while the device waits out the hour before it
    is removed: the sensor must not look up a device the poll no longer has.
    """
    fake_amazon.remove("Kitchen Echo")
    await next_poll(hass, freezer)
    assert _state(hass, KITCHEN_DROPS) == "unavailable"

    await restore_state.async_get(hass).async_dump_states()

    assert [r.message for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.usefixtures("init_integration")
async def test_renamed_entity_does_not_count_twice(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Renamed and back: the entity is added again and finds its old state."""
    await _drop_off(hass, fake_amazon, freezer)
    entity_registry.async_update_entity(KITCHEN_DROPS, new_entity_id="sensor.kitchen")
    await settle(hass)
    assert _state(hass, "sensor.kitchen") == "1"
    entity_registry.async_update_entity("sensor.kitchen", new_entity_id=KITCHEN_DROPS)
    await settle(hass)
    assert _state(hass, KITCHEN_DROPS) == "1"
    await _drop_off(hass, fake_amazon, freezer)
    assert _state(hass, KITCHEN_DROPS) == "2"
