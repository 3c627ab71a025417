"""Devices followed over time: flaps, renames, removal and return."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
import copy
from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.alexa_care.const import (
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    PUSH_RECONCILE_INTERVAL,
    STALE_DEVICE_GRACE,
)
from custom_components.alexa_care.util.log_repeats import REPEAT_FILTER
from homeassistant.const import (
    CONF_SCAN_INTERVAL,
    EVENT_STATE_CHANGED,
    EVENT_STATE_REPORTED,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util

from .common import (
    ACCESS_TOKEN,
    BEDROOM,
    KITCHEN,
    call,
    device_id,
    iso,
    next_poll,
    run_while_time_passes,
    set_up,
    settle,
    start_home_assistant,
    stop_home_assistant,
    until,
)
from .fake_amazon import FakeAmazon
from .fake_push import FakePush
from .log_lines import lines_above_debug, repeated_within_an_hour
from .repair_issues import (
    come_back,
    go_offline,
    issue_events,
    keeps_dropping,
    offline_issue,
    our_issues,
    unavailable,
)
from .resets import link
from .scenes import Household, serial


class _Watch:
    """Issue events, unchanged state writes and log lines above DEBUG."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.unchanged: list[str] = []
        self._registry = er.async_get(hass)
        self._watching = ExitStack()
        self.issue_events = self._watching.enter_context(issue_events(hass))
        self._logged = self._watching.enter_context(lines_above_debug())
        self._watching.callback(
            hass.bus.async_listen(EVENT_STATE_CHANGED, self._changed)
        )
        self._watching.callback(
            hass.bus.async_listen(
                EVENT_STATE_REPORTED, self._reported, event_filter=self._is_ours
            )
        )

    def _ours(self, entity_id: str) -> bool:
        entry = self._registry.async_get(entity_id)
        return entry is not None and entry.platform == DOMAIN

    @callback
    def _changed(self, event: Event) -> None:
        if not self._ours(event.data["entity_id"]):
            return
        old, new = event.data["old_state"], event.data["new_state"]
        if (
            old is not None
            and new is not None
            and old.state == new.state
            and old.attributes == new.attributes
        ):
            self.unchanged.append(new.entity_id)

    @callback
    def _is_ours(self, data: dict) -> bool:
        return self._ours(data["entity_id"])

    @callback
    def _reported(self, event: Event) -> None:
        self.unchanged.append(event.data["entity_id"])

    def close(self) -> None:
        self._watching.close()

    def repeated_within_an_hour(self) -> list[str]:
        return repeated_within_an_hour(self._logged.lines)


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, step: timedelta
) -> None:
    freezer.tick(step)
    async_fire_time_changed(hass)
    await settle(hass)


def _sizes(household: Household) -> dict[str, int]:
    runtime = household.entry.runtime_data
    availability = runtime.availability
    health = runtime.health
    coordinator = runtime.coordinator
    return {
        "availability outages": len(availability._outages),
        "availability open": len(availability._open),
        "health devices": len(health._devices),
        "health listeners": sum(map(len, health._listeners._by_device.values())),
        "health update listeners": len(health._update_listeners),
        "sample listeners": sum(
            map(len, coordinator._sample_listeners._by_device.values())
        ),
        "issue listeners": sum(map(len, runtime.issue_listeners._by_device.values())),
        "device infos": len(runtime.device_infos),
        "missing since": len(coordinator._registry._missing_since),
        "repeat filter": len(REPEAT_FILTER._shown),
        "coordinator listeners": len(coordinator._listeners),
    }


async def test_an_echo_flapping_every_minute_for_a_day_and_more(
    hass: HomeAssistant, household: Household, freezer: FrozenDateTimeFactory
) -> None:
    """Offline a minute, online the next, for 26 hours, pushed each time."""
    freezer.move_to("2026-11-22T09:00:00+00:00")  # 01:00 in US/Pacific
    await household.set_up(4, pushing=True)
    await _tick(hass, freezer, timedelta(minutes=5))
    before = _sizes(household)
    watch = _Watch(hass)
    drops: list[datetime] = []
    try:
        end = dt_util.utcnow() + timedelta(hours=26)
        while dt_util.utcnow() < end:
            drops.append(dt_util.utcnow())
            await household.push(0, online=False)
            await _tick(hass, freezer, timedelta(minutes=1))
            await household.push(0, online=True)
            await _tick(hass, freezer, timedelta(minutes=1))
        after = _sizes(household)
    finally:
        watch.close()

    key = serial(0)
    keeps = household.keeps_dropping(0)
    assert household.issues() == {keeps}
    # Raised once, never withdrawn in between.
    assert [e for e in watch.issue_events if e[1] == keeps and e[0] != "update"] == [
        ("create", keeps)
    ]
    now = dt_util.utcnow()
    midnight = dt_util.as_utc(dt_util.start_of_local_day(dt_util.as_local(now)))
    today = sum(1 for t in drops if t >= midnight)
    assert household.health.drop_offs(key) == today
    assert hass.states.get("sensor.echo_0_drop_offs_today").state == str(today)
    last_day = sum(1 for t in drops if now - t < timedelta(hours=24))
    issue = ir.async_get(hass).async_get_issue(DOMAIN, keeps)
    assert issue.translation_placeholders["drops"] == str(last_day)
    assert (
        len(household.entry.runtime_data.availability._outages[key].drops) == last_day
    )
    assert watch.unchanged == []
    before.pop("availability open")
    after.pop("availability open")
    assert after == before
    assert watch.repeated_within_an_hour() == []


def _rename(fake_amazon: FakeAmazon, old: str, new: str) -> None:
    """Renamed in the Alexa app: the endpoint and the Echo record."""
    fake_amazon.endpoint(old)["friendlyNameObject"]["value"]["text"] = new
    for record in fake_amazon.devices:
        if record.get("accountName") == old:
            record["accountName"] = new


async def test_rename_follows_into_open_issues(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Offline and keeps-dropping issues, the device page: the new name."""
    registry = ir.async_get(hass)
    for _ in range(3):
        await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
        await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    offline = await offline_issue(hass, init_integration, fake_amazon, freezer)
    keeps = keeps_dropping(init_integration, KITCHEN)
    assert registry.async_get_issue(DOMAIN, keeps) is not None

    _rename(fake_amazon, "Kitchen Echo", "Pantry Echo")
    await next_poll(hass, freezer)

    assert (
        registry.async_get_issue(DOMAIN, offline).translation_placeholders["device"]
        == "Pantry Echo"
    )
    assert (
        registry.async_get_issue(DOMAIN, keeps).translation_placeholders["device"]
        == "Pantry Echo"
    )
    device = dr.async_get(hass).async_get(device_id(hass, init_integration, KITCHEN))
    assert device.name == "Pantry Echo"


async def test_an_ignored_issue_stays_ignored_through_rename_reload_restart(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Ignored: renamed, reloaded, restarted, it stays ignored, with the new name."""
    registry = ir.async_get(hass)
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    ir.async_ignore_issue(hass, DOMAIN, issue_id, ignore=True)
    fix = "sensor.kitchen_echo_suggested_fix"
    await settle(hass)
    assert hass.states.get(fix).state == "nothing_to_do"

    _rename(fake_amazon, "Kitchen Echo", "Pantry Echo")
    await next_poll(hass, freezer)
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue.dismissed_version is not None
    assert issue.translation_placeholders["device"] == "Pantry Echo"

    await hass.config_entries.async_reload(init_integration.entry_id)
    await settle(hass)
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue.dismissed_version is not None
    assert issue.active

    _rename(fake_amazon, "Pantry Echo", "Hall Echo")
    await stop_home_assistant(hass, init_integration, crash=False)
    await start_home_assistant(hass, init_integration)
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue.dismissed_version is not None
    assert issue.active
    assert issue.translation_placeholders["device"] == "Hall Echo"
    assert hass.states.get(fix).state == "nothing_to_do"
    device = dr.async_get(hass).async_get(device_id(hass, init_integration, KITCHEN))
    assert device.name == "Hall Echo"
    assert hass.states.get(fix).attributes["friendly_name"] == "Hall Echo Suggested fix"


def _take_away(fake_amazon: FakeAmazon, name: str) -> Callable[[], None]:
    """Remove a device from the account; returns what adds it back, same serial."""
    endpoint = copy.deepcopy(fake_amazon.endpoint(name))
    records = copy.deepcopy(
        [d for d in fake_amazon.devices if d.get("accountName") == name]
    )
    fake_amazon.remove(name)

    def back() -> None:
        fake_amazon.endpoints.append(copy.deepcopy(endpoint))
        fake_amazon.devices.extend(copy.deepcopy(records))

    return back


def _kitchen_entities(hass: HomeAssistant) -> list[str]:
    registry = er.async_get(hass)
    return sorted(
        entry.entity_id
        for entry in registry.entities.values()
        if entry.platform == DOMAIN and entry.unique_id.startswith(f"{KITCHEN}-")
    )


@pytest.mark.usefixtures("repairs")
async def test_removed_for_good_then_set_up_again(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Gone past the hour (its device removed), then back with the same serial."""
    entities = _kitchen_entities(hass)
    assert entities
    for _ in range(3):
        await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
        await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    ir.async_ignore_issue(hass, DOMAIN, issue_id, ignore=True)

    back = _take_away(fake_amazon, "Kitchen Echo")
    await next_poll(hass, freezer)
    await next_poll(hass, freezer, STALE_DEVICE_GRACE)
    await next_poll(hass, freezer)
    assert (
        dr.async_get(hass).async_get_device_by_identifier(
            (DOMAIN, KITCHEN), init_integration.entry_id
        )
        is None
    )
    assert _kitchen_entities(hass) == []
    assert our_issues(hass) == {unavailable(init_integration, BEDROOM)}

    back()
    fake_amazon.set_online("Kitchen Echo", online=True, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer)
    await next_poll(hass, freezer)
    assert (
        dr.async_get(hass).async_get_device_by_identifier(
            (DOMAIN, KITCHEN), init_integration.entry_id
        )
        is not None
    )
    assert _kitchen_entities(hass) == entities
    for entity_id in entities:
        state = hass.states.get(entity_id)
        if er.async_get(hass).async_get(entity_id).disabled_by is None:
            assert state is not None, entity_id
            assert state.state != "unavailable" or "voice" in entity_id, entity_id
    assert hass.states.get("sensor.kitchen_echo_drop_offs_today").state == "0"
    assert hass.states.get("binary_sensor.kitchen_echo_connectivity").state == "on"
    assert hass.states.get("sensor.kitchen_echo_suggested_fix").state == "nothing_to_do"
    assert our_issues(hass) == {unavailable(init_integration, BEDROOM)}
    # One more drop is one drop: the old life's drops are gone.
    await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
    await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    assert hass.states.get("sensor.kitchen_echo_drop_offs_today").state == "1"
    assert keeps_dropping(init_integration, KITCHEN) not in our_issues(hass)


@pytest.mark.usefixtures("repairs")
@pytest.mark.parametrize("push", [False, True], ids=["polling", "pushing"])
async def test_deregistered_then_set_up_again(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
    push: bool,
) -> None:
    """The deregister action, then the same Echo set up on the account again."""
    back_records = copy.deepcopy(
        [d for d in fake_amazon.devices if d["serialNumber"] == KITCHEN]
    )
    back_endpoint = copy.deepcopy(fake_amazon.endpoint("Kitchen Echo"))
    if push:
        fake_push.serving = True
        fake_push.access_token = ACCESS_TOKEN
    await set_up(hass, mock_config_entry)
    if push:
        await until(hass, lambda: mock_config_entry.runtime_data.push.status.connected)
    entities = _kitchen_entities(hass)
    interval = PUSH_RECONCILE_INTERVAL if push else DEFAULT_SCAN_INTERVAL
    for _ in range(3):
        fake_amazon.set_online("Kitchen Echo", online=False, at=iso(dt_util.utcnow()))
        await next_poll(hass, freezer, interval)
        fake_amazon.set_online("Kitchen Echo", online=True, at=iso(dt_util.utcnow()))
        await next_poll(hass, freezer, interval)
    keeps = keeps_dropping(mock_config_entry, KITCHEN)
    assert keeps in our_issues(hass)
    ir.async_ignore_issue(hass, DOMAIN, keeps, ignore=True)
    await link(hass, "kitchen_echo", "Kitchen Plug")

    target = device_id(hass, mock_config_entry, KITCHEN)
    await run_while_time_passes(
        hass, freezer, call(hass, "deregister", {"device_id": target, "confirm": True})
    )
    assert _kitchen_entities(hass) == []
    assert keeps not in our_issues(hass)
    await next_poll(hass, freezer, interval)

    # Set up again: Amazon lists it once more, under the same serial.
    fake_amazon.devices.extend(back_records)
    fake_amazon.endpoints.append(back_endpoint)
    await next_poll(hass, freezer, interval)
    await next_poll(hass, freezer, interval)

    assert _kitchen_entities(hass) == entities
    assert hass.states.get("binary_sensor.kitchen_echo_connectivity").state == "on"
    assert hass.states.get("sensor.kitchen_echo_drop_offs_today").state == "0"
    assert hass.states.get("select.kitchen_echo_powered_by").state == "none"
    assert hass.states.get("sensor.kitchen_echo_suggested_fix").state == "nothing_to_do"
    assert keeps not in our_issues(hass)
    devices = [
        d
        for d in dr.async_entries_for_config_entry(
            dr.async_get(hass), mock_config_entry.entry_id
        )
        if (DOMAIN, KITCHEN) in d.identifiers
    ]
    assert len(devices) == 1
    # A drop is one drop of the new life.
    fake_amazon.set_online("Kitchen Echo", online=False, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer, interval)
    fake_amazon.set_online("Kitchen Echo", online=True, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer, interval)
    assert hass.states.get("sensor.kitchen_echo_drop_offs_today").state == "1"
    assert keeps not in our_issues(hass)


@pytest.mark.usefixtures("repairs")
async def test_an_echo_offline_all_along_does_not_keep_dropping(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unplugged since before setup; Amazon's list leaves it out twice in a day."""
    for _ in range(2):
        back = _take_away(fake_amazon, "Bedroom Echo Show")
        await next_poll(hass, freezer)
        back()  # still offline, as all along
        await next_poll(hass, freezer)

    assert hass.states.get("sensor.bedroom_echo_show_drop_offs_today").state == "0"
    assert keeps_dropping(init_integration, BEDROOM) not in our_issues(hass)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_an_echo_flapping_between_polls_a_minute_apart(
    hass: HomeAssistant, household: Household, freezer: FrozenDateTimeFactory
) -> None:
    """No push channel, polls every minute: each poll sees the other state."""
    freezer.move_to("2026-11-22T09:00:00+00:00")  # 01:00 in US/Pacific
    await household.set_up(4)
    hass.config_entries.async_update_entry(
        household.entry, options={CONF_SCAN_INTERVAL: 60}
    )
    await hass.config_entries.async_reload(household.entry.entry_id)
    await settle(hass)
    await _tick(hass, freezer, timedelta(minutes=1))
    before = _sizes(household)
    watch = _Watch(hass)
    flaps = 0
    try:
        end = dt_util.utcnow() + timedelta(hours=6)
        while dt_util.utcnow() < end:
            household.set_online([0], online=False)
            await _tick(hass, freezer, timedelta(minutes=1))
            household.set_online([0], online=True)
            await _tick(hass, freezer, timedelta(minutes=1))
            flaps += 1
        after = _sizes(household)
    finally:
        watch.close()

    keeps = household.keeps_dropping(0)
    assert household.issues() == {keeps}
    assert [e for e in watch.issue_events if e[1] == keeps and e[0] != "update"] == [
        ("create", keeps)
    ]
    assert hass.states.get("sensor.echo_0_drop_offs_today").state == str(flaps)
    # From Amazon's stamp to the poll that sees it back (docs/devices.md).
    assert hass.states.get("sensor.echo_0_offline_time_today").state == f"{2 * flaps}.0"
    assert watch.unchanged == []
    before.pop("availability open")
    after.pop("availability open")
    assert after == before
    assert watch.repeated_within_an_hour() == []


@pytest.mark.usefixtures("repairs", "entity_registry_enabled_by_default")
async def test_eight_hours_of_the_fixture_home_log_quietly(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Hours of polls: an Echo offline all along, one flapping, a plug gone."""
    watch = _Watch(hass)
    try:
        await set_up(hass, mock_config_entry)
        fake_amazon.remove("Desk Lamp Plug")
        end = dt_util.utcnow() + timedelta(hours=8)
        while dt_util.utcnow() < end:
            await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
            await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    finally:
        watch.close()
    # Home Assistant itself writes a select again when its options change
    # (entity registry capabilities): not ours.
    assert [e for e in watch.unchanged if not e.startswith("select.")] == []
    assert watch.repeated_within_an_hour() == []
