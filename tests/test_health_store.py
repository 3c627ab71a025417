"""Tests of what a restart of Home Assistant keeps of the devices' health."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.alexa_care.const import DOMAIN
from custom_components.alexa_care.monitoring.health_store import SAVE_DELAY
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .common import BEDROOM, KITCHEN, iso, next_poll, settle
from .fake_amazon import FakeAmazon
from .repair_issues import GRACE, keeps_dropping, local, our_issues, unavailable
from .scenes import Household, serial

# The fixtures' day is 2026-11-22 (US/Pacific, UTC-8); midnight after it.
MIDNIGHT = datetime.fromisoformat("2026-11-23T08:00:00+00:00")


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def _file(hass_storage: dict[str, Any], entry: MockConfigEntry) -> Any:  # noqa: ANN401
    return hass_storage.get(f"{DOMAIN}.{entry.entry_id}.health")


def _issues(hass: HomeAssistant) -> list[str]:
    return sorted(our_issues(hass))


async def _restart(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    back_at: datetime,
    meanwhile: Callable[[], None] = lambda: None,
) -> None:
    """Home Assistant stops now and is back at `back_at`; `meanwhile` runs between.

    Its repair issues are not: Home Assistant keeps only persistent ones
    across a restart, and ours are not.
    """
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    meanwhile()
    freezer.move_to(back_at)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_restart_on_a_day_of_25_hours_keeps_its_minutes(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Offline from midnight to 23:50 the day the clocks fall back: 1,490 minutes."""
    midnight = datetime.fromisoformat("2027-11-07T07:00:00+00:00")  # still PDT
    back_online = midnight + timedelta(hours=24, minutes=50)
    freezer.move_to(midnight - timedelta(minutes=10))
    async_fire_time_changed(hass)
    await settle(hass)
    fake_amazon.set_online("Kitchen Echo", online=False, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer)
    for moment in (midnight, back_online - timedelta(minutes=5)):
        freezer.move_to(moment)
        async_fire_time_changed(hass)
        await settle(hass)
    fake_amazon.set_online("Kitchen Echo", online=True, at=iso(back_online))
    await next_poll(hass, freezer)
    assert _state(hass, "sensor.kitchen_echo_offline_time_today") == "1490.0"

    await _restart(hass, init_integration, freezer, back_online + timedelta(minutes=5))

    assert _state(hass, "sensor.kitchen_echo_offline_time_today") == "1490.0"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_restart_across_midnight_reconciles_from_amazons_stamps(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Down from 23:30 to 00:30: today's counts start at 0 and hold what Amazon says.

    The Kitchen Echo, offline since 23:00, came back while Home Assistant was
    down: when is unknown, so its time counts up to 23:30, yesterday. The
    Kitchen Plug dropped at 00:10 by Amazon's stamp: a drop-off today and 20
    minutes. The Bedroom Echo Show, offline all along: 30 minutes today.
    """
    freezer.move_to(MIDNIGHT - timedelta(hours=1))
    fake_amazon.set_online("Kitchen Echo", online=False, at=iso(dt_util.utcnow()))
    for _ in range(6):
        await next_poll(hass, freezer)  # 23:05 … 23:30
    assert _state(hass, "sensor.kitchen_echo_drop_offs_today") == "1"
    assert _state(hass, "sensor.kitchen_echo_offline_time_today") == "30.0"

    back_at = MIDNIGHT + timedelta(minutes=30)
    fake_amazon.set_online(
        "Kitchen Echo", online=True, at=iso(MIDNIGHT - timedelta(minutes=15))
    )
    fake_amazon.set_online(
        "Kitchen Plug", online=False, at=iso(MIDNIGHT + timedelta(minutes=10))
    )
    await _restart(hass, init_integration, freezer, back_at)

    assert {
        entity_id: _state(hass, f"sensor.{entity_id}")
        for entity_id in (
            "kitchen_echo_drop_offs_today",
            "kitchen_echo_offline_time_today",
            "kitchen_plug_drop_offs_today",
            "kitchen_plug_offline_time_today",
            "bedroom_echo_show_drop_offs_today",
            "bedroom_echo_show_offline_time_today",
        )
    } == {
        "kitchen_echo_drop_offs_today": "0",
        "kitchen_echo_offline_time_today": "0.0",
        "kitchen_plug_drop_offs_today": "1",
        "kitchen_plug_offline_time_today": "20.0",
        "bedroom_echo_show_drop_offs_today": "0",
        "bedroom_echo_show_offline_time_today": "30.0",
    }


async def test_restart_in_the_middle_of_an_outage_keeps_its_grace_period(
    hass: HomeAssistant, household: Household
) -> None:
    """One outage notice, a grace period after it began; counted once, minutes on.

    Amazon gives no stamps here: after the restart only the stored outage
    knows when it began.
    """
    await household.set_up(4)
    household.set_all_online(online=False)
    household.forget_amazon_times()
    await household.poll()
    began = dt_util.utcnow()
    await household.poll()

    await _restart(
        hass, household.entry, household.freezer, began + timedelta(minutes=8)
    )
    counts = household.health.household
    assert (counts.outages_today, counts.outage_minutes_today) == (1, 8.0)
    await household.poll()
    assert _issues(hass) == []

    await household.poll()  # a grace period (and 3 minutes) after it began
    assert _issues(hass) == [household.outage]
    issue = ir.async_get(hass).async_get_issue(DOMAIN, household.outage)
    assert issue.translation_placeholders["since"] == local(began)

    household.set_all_online(online=True)
    await household.poll()
    assert _issues(hass) == []
    assert (counts.outages_today, counts.outage_minutes_today) == (1, 23.0)
    echos = household.entry.runtime_data.coordinator.data.echos
    assert [household.health.drop_offs(key) for key in echos] == [0] * 4


async def test_restart_in_an_outage_that_grew_push_by_push_keeps_it(
    hass: HomeAssistant, household: Household
) -> None:
    """Its Echos still offline dropped two minutes apart: only the file knows.

    Amazon's stamps are too far apart for the first poll after the restart
    to see an outage in them. The notice comes a grace period after the
    first drop, from the recheck while polls rest.
    """
    await household.set_up(5, pushing=True)
    began = dt_util.utcnow()
    for number, after in ((0, 0), (1, 10), (2, 20), (3, 70), (4, 125)):
        household.freezer.move_to(began + timedelta(seconds=after))
        await household.push(number, online=False)
    for number in (0, 1):
        await household.push(number, online=True)

    await _restart(
        hass, household.entry, household.freezer, began + timedelta(minutes=5)
    )
    await household.until_pushing()
    for _ in range(9):
        await household.poll(timedelta(minutes=1))
    assert _issues(hass) == []

    await household.poll(timedelta(minutes=1))
    assert _issues(hass) == [household.outage]
    counts = household.health.household
    assert (counts.outages_today, counts.outage_minutes_today) == (1, 15.0)
    echos = household.entry.runtime_data.coordinator.data.echos
    assert [household.health.drop_offs(key) for key in echos] == [0] * 5


@pytest.mark.parametrize("written_by", ["this version", "the version before"])
async def test_restart_in_an_outage_with_echos_unplugged_for_weeks(
    hass: HomeAssistant,
    household: Household,
    hass_storage: dict[str, Any],
    written_by: str,
) -> None:
    """The outage is judged against the devices online when it began, as before it.

    Eight Echos and three plugs, three Echos unplugged for weeks. The plugs
    are back first: five Echos offline are most of the eight devices that
    were online. The version before kept no such devices: they are made up
    from those online as of its file and those in the outage.
    """
    await household.set_up(8, plugs=3)
    weeks_ago = dt_util.utcnow() - timedelta(weeks=3)
    for number in (5, 6, 7):
        at = weeks_ago + timedelta(days=number)
        household.set_online([number], online=False, at=at)
    await household.poll()
    unplugged = [household.unavailable(number) for number in (5, 6, 7)]
    began = dt_util.utcnow() + timedelta(minutes=1)
    household.set_online(range(5), online=False, at=began)
    household.set_plugs_online(range(3), online=False, at=began)
    await household.poll()
    household.set_plugs_online(range(3), online=True, at=began + timedelta(minutes=3))
    await household.poll()  # 9 minutes after it began

    def older_file() -> None:
        if written_by == "the version before":
            file = _file(hass_storage, household.entry)
            del file["data"]["outage"]["baseline"]
            file["minor_version"] = 1

    await _restart(
        hass,
        household.entry,
        household.freezer,
        began + timedelta(minutes=12),
        older_file,
    )
    outage = household.entry.runtime_data.availability.household
    stored = outage.stored()
    assert stored is not None
    assert len(stored["devices"]) == 5
    assert len(stored["baseline"]) == 8
    await household.poll()  # 17 minutes after it began
    assert _issues(hass) == sorted([*unplugged, household.outage])
    issue = ir.async_get(hass).async_get_issue(DOMAIN, household.outage)
    assert issue.translation_placeholders["since"] == local(began)

    household.set_online(range(5), online=True)
    await household.poll()
    assert _issues(hass) == sorted(unplugged)
    assert [household.health.drop_offs(serial(n)) for n in range(5)] == [0] * 5


async def test_a_hung_echo_keeps_its_issues_across_restarts(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Neither lost nor doubled: its drops before a restart still count, once."""
    kitchen = unavailable(init_integration, KITCHEN)
    dropping = keeps_dropping(init_integration, KITCHEN)
    bedroom = unavailable(init_integration, BEDROOM)
    for online in (False, True, False, True, False):
        fake_amazon.set_online("Kitchen Echo", online=online, at=iso(dt_util.utcnow()))
        await next_poll(hass, freezer)
    await next_poll(hass, freezer, GRACE)
    expected = sorted([kitchen, dropping, bedroom])
    assert _issues(hass) == expected

    for _ in range(3):
        await _restart(
            hass, init_integration, freezer, dt_util.utcnow() + timedelta(minutes=10)
        )
        assert _issues(hass) == expected
        issue = ir.async_get(hass).async_get_issue(DOMAIN, dropping)
        assert issue.translation_placeholders["drops"] == "3"
    health = init_integration.runtime_data.health
    assert health.drop_offs(KITCHEN) == 3

    fake_amazon.set_online("Kitchen Echo", online=True, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer)
    assert _issues(hass) == sorted([dropping, bedroom])


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_device_back_and_off_again_while_home_assistant_was_down(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon's stamp says it dropped again meanwhile: a new outage, a new grace period.

    Its time offline counts up to when Home Assistant last looked, then from
    Amazon's stamp of the second drop on.
    """
    dropped_at = dt_util.utcnow()
    fake_amazon.set_online("Kitchen Echo", online=False, at=iso(dropped_at))
    await next_poll(hass, freezer)
    fake_amazon.set_online(
        "Kitchen Echo", online=True, at=iso(dropped_at + timedelta(minutes=8))
    )
    again = dropped_at + timedelta(minutes=12)
    fake_amazon.set_online("Kitchen Echo", online=False, at=iso(again))
    await _restart(hass, init_integration, freezer, dropped_at + timedelta(minutes=14))
    kitchen = unavailable(init_integration, KITCHEN)

    await next_poll(hass, freezer)  # 17 minutes after the first drop
    assert kitchen not in _issues(hass)
    await next_poll(hass, freezer, timedelta(minutes=10))
    issue = ir.async_get(hass).async_get_issue(DOMAIN, kitchen)
    assert issue.translation_placeholders["since"] == local(again)
    assert _state(hass, "sensor.kitchen_echo_drop_offs_today") == "2"
    # 5 minutes, then 17 from the second drop to the last poll.
    assert _state(hass, "sensor.kitchen_echo_offline_time_today") == "22.0"


async def test_an_outage_over_while_home_assistant_was_down(
    hass: HomeAssistant, household: Household
) -> None:
    """Its minutes count up to when Home Assistant last looked, not to its return."""
    await household.set_up(4)
    began = dt_util.utcnow() + timedelta(minutes=4)
    household.set_all_online(online=False, at=began)
    await household.poll()
    await household.poll()  # 6 minutes after it began
    household.set_all_online(online=True, at=began + timedelta(minutes=10))

    await _restart(
        hass, household.entry, household.freezer, began + timedelta(minutes=40)
    )
    counts = household.health.household
    assert (counts.outages_today, counts.outage_minutes_today) == (1, 6.0)
    minutes = [household.health.offline_minutes(serial(n)) for n in range(4)]
    assert minutes == [0.0] * 4
    assert _issues(hass) == []


async def test_written_only_when_something_changed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Polls that change nothing write nothing; a drop is written a little later."""

    async def delay_passes() -> None:
        freezer.tick(SAVE_DELAY)
        async_fire_time_changed(hass)
        await settle(hass)

    await next_poll(hass, freezer)
    await delay_passes()
    written = _file(hass_storage, init_integration)
    assert written["data"]["devices"][BEDROOM]["online"] is False
    for _ in range(3):
        await next_poll(hass, freezer)
    await delay_passes()
    assert _file(hass_storage, init_integration) is written

    fake_amazon.set_online("Kitchen Echo", online=False, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer)
    assert _file(hass_storage, init_integration) is written
    await delay_passes()
    written = _file(hass_storage, init_integration)
    assert written["data"]["devices"][KITCHEN]["drop_offs"] == 1

    # Stopping writes until when the devices offline were seen so.
    await next_poll(hass, freezer)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await settle(hass)
    assert _file(hass_storage, init_integration)["data"]["as_of"] == (
        dt_util.utcnow().isoformat()
    )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_restart_with_the_clock_behind_keeps_the_days_counts(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Back before its clock was set: the file is newer than the clock, not void.

    A board without a clock of its own starts from the last time it saved,
    behind the moment the counts were written.
    """
    fake_amazon.set_online("Kitchen Echo", online=False, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer)
    fake_amazon.set_online("Kitchen Echo", online=True, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer)
    drops = "sensor.kitchen_echo_drop_offs_today"
    assert hass.states.get(drops).state == "1"

    await _restart(
        hass, init_integration, freezer, dt_util.utcnow() - timedelta(hours=2)
    )
    assert hass.states.get(drops).state == "1"
