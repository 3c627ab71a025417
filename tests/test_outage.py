"""Tests of the household outage: most devices offline at once, one issue."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.alexa_care.const import DOMAIN, PUSH_RECONCILE_INTERVAL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .common import settle, states_written
from .repair_issues import GRACE, issue_events, local
from .scenes import Household, serial


def household_counts(hass: HomeAssistant) -> tuple[str, str]:
    """The account's household outages today, and their minutes."""
    return (
        hass.states.get("sensor.household_outages_today").state,
        hass.states.get("sensor.household_outage_minutes_today").state,
    )


def device_counts(household: Household, count: int) -> list[tuple[int, float]]:
    """Each Echo's drop-offs and offline minutes today."""
    health = household.health
    return [
        (health.drop_offs(serial(n)), health.offline_minutes(serial(n)))
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("echos", "offline"),
    [(4, 3), (10, 10)],
)
async def test_most_devices_offline_raise_one_issue(
    hass: HomeAssistant,
    household: Household,
    issue_registry: ir.IssueRegistry,
    echos: int,
    offline: int,
) -> None:
    """One issue, after the grace period, with how many and since when."""
    await household.set_up(echos)
    dropped_at = dt_util.utcnow() + timedelta(minutes=2)
    # Amazon lost them over 50 seconds, before the poll that sees them all.
    for number in range(offline):
        at = dropped_at + timedelta(seconds=50 * number / offline)
        household.set_online([number], online=False, at=at)
    await household.poll()
    assert household.issues() == set()  # still within the grace period

    await household.poll(GRACE)
    assert household.issues() == {household.outage}
    issue = issue_registry.async_get_issue(DOMAIN, household.outage)
    assert not issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_key == "most_devices_offline"
    assert issue.learn_more_url
    assert issue.translation_placeholders == {
        "count": str(offline),
        "total": str(echos),
        "since": local(dropped_at),
    }

    # Removing the entry withdraws it with the device issues.
    await hass.config_entries.async_remove(household.entry.entry_id)
    await hass.async_block_till_done()
    assert household.issues() == set()


async def test_two_devices_are_too_few_for_an_outage(household: Household) -> None:
    """Below three devices, each gets its own issue as usual."""
    await household.set_up(2)
    household.set_online([0, 1], online=False)
    await household.poll()
    await household.poll(GRACE)
    assert household.issues() == {household.unavailable(0), household.unavailable(1)}


async def test_drops_minutes_apart_are_no_outage(household: Household) -> None:
    """Seen in one poll, but Amazon lost them two minutes apart: one by one."""
    await household.set_up(4)
    for number in range(3):
        at = dt_util.utcnow() + timedelta(minutes=2 * number)
        household.set_online([number], online=False, at=at)
    await household.poll()
    await household.poll(GRACE)
    assert household.issues() == {household.unavailable(n) for n in range(3)}


async def test_without_amazon_times_the_poll_decides(
    issue_registry: ir.IssueRegistry, household: Household
) -> None:
    """No last-seen time from Amazon: first seen offline in one poll is enough."""
    await household.set_up(4)
    household.set_all_online(online=False)
    household.forget_amazon_times()
    await household.poll()
    seen_at = dt_util.utcnow()
    await household.poll(GRACE)
    assert household.issues() == {household.outage}
    issue = issue_registry.async_get_issue(DOMAIN, household.outage)
    assert issue.translation_placeholders["since"] == local(seen_at)


async def test_outage_ends_and_a_device_left_offline_gets_its_own_grace(
    issue_registry: ir.IssueRegistry, household: Household
) -> None:
    """The others back: the outage issue goes; the last one waits a grace period."""
    await household.set_up(4)
    dropped_at = dt_util.utcnow()
    household.set_all_online(online=False, at=dropped_at)
    await household.poll()
    await household.poll(timedelta(minutes=30))
    assert household.issues() == {household.outage}

    # Three come back; fewer than three offline is no outage.
    household.set_online([0, 1, 2], online=True)
    await household.poll()
    assert household.issues() == set()
    # Offline for 40 minutes, but only 10 since the others returned.
    await household.poll(GRACE - timedelta(minutes=5))
    assert household.issues() == set()

    await household.poll()
    left_offline = household.unavailable(3)
    assert household.issues() == {left_offline}
    issue = issue_registry.async_get_issue(DOMAIN, left_offline)
    # The issue tells when it really dropped.
    assert issue.translation_placeholders["since"] == local(dropped_at)

    household.set_online([3], online=True)
    await household.poll()
    assert household.issues() == set()


async def test_outage_shrinks_while_most_are_still_offline(
    issue_registry: ir.IssueRegistry, household: Household
) -> None:
    """Some back, most still out: the one issue stays, with the new count."""
    await household.set_up(5)
    household.set_all_online(online=False)
    await household.poll()
    await household.poll(GRACE)
    household.set_online([0, 1], online=True)
    await household.poll()
    assert household.issues() == {household.outage}
    issue = issue_registry.async_get_issue(DOMAIN, household.outage)
    assert issue.translation_placeholders["count"] == "3"

    household.set_online([2, 3, 4], online=True)
    await household.poll()
    assert household.issues() == set()


async def test_blip_shorter_than_the_grace_period_raises_nothing(
    household: Household,
) -> None:
    """The whole house drops for a minute: no issue at all."""
    await household.set_up(4)
    # A minute before the next poll, which sees them all offline.
    household.set_all_online(online=False, at=dt_util.utcnow() + timedelta(minutes=4))
    await household.poll()
    assert household.issues() == set()
    household.set_all_online(online=True)
    await household.poll()
    await household.poll(GRACE)
    assert household.issues() == set()


async def test_drops_with_the_household_do_not_count_as_dropping_off(
    issue_registry: ir.IssueRegistry, household: Household
) -> None:
    """Three household drops, then three of its own: only these count."""
    await household.set_up(4)
    dropping = household.keeps_dropping(0)
    for online in (False, True) * 3:
        household.set_all_online(online=online)
        await household.poll()
    for _ in range(2):
        household.set_online([0], online=False)
        await household.poll()
        household.set_online([0], online=True)
        await household.poll()
    assert issue_registry.async_get_issue(DOMAIN, dropping) is None

    household.set_online([0], online=False)
    await household.poll()
    issue = issue_registry.async_get_issue(DOMAIN, dropping)
    assert issue.translation_placeholders["drops"] == "3"


async def test_a_nightly_flap_is_the_households_not_the_devices(
    hass: HomeAssistant, household: Household
) -> None:
    """Every device off for 4 minutes: one household outage, no device's drop-off."""
    await household.set_up(4)
    assert household_counts(hass) == ("0", "0.0")
    dropped_at = dt_util.utcnow() + timedelta(minutes=1)
    for number in range(4):
        at = dropped_at + timedelta(seconds=10 * number)
        household.set_online([number], online=False, at=at)
    await household.poll()  # 4 minutes after the first drop
    household.set_online(range(4), online=True)
    await household.poll()

    assert device_counts(household, 4) == [(0, 0.0)] * 4
    # From the first drop to the poll that saw them back.
    assert household_counts(hass) == ("1", "9.0")
    counts = household.health.household
    assert (counts.outages_today, counts.outage_minutes_today) == (1, 9.0)
    assert household.issues() == set()

    # One Echo on its own, while the household is fine, counts as ever.
    household.set_online([2], online=False)
    await household.poll()
    household.set_online([2], online=True)
    await household.poll()
    assert device_counts(household, 4)[2] == (1, 10.0)
    assert household_counts(hass) == ("1", "9.0")


async def test_pushed_drops_are_held_until_the_outage_is_known(
    hass: HomeAssistant, household: Household
) -> None:
    """Drops pushed one at a time: the first ones are the household's too.

    Three flaps in a day make no Echo "keep dropping off", though the first
    drop of each reached Alexa Care before the outage was recognised.
    """
    await household.set_up(5, pushing=True)

    async def push(numbers: range | list[int], *, online: bool) -> None:
        for number in numbers:
            await household.push(number, online=online)
            household.freezer.tick(timedelta(seconds=10))

    for night in range(3):
        await push(range(4), online=False)
        for _ in range(3):
            await household.poll(timedelta(minutes=1))
        await push(range(4), online=True)
        assert device_counts(household, 5) == [(0, 0.0)] * 5, night
        await household.poll(timedelta(hours=1))
    assert household.issues() == set()
    # Each from its first drop to the second Echo back: 3 min 50 s.
    assert household_counts(hass) == ("3", "11.5")

    # One Echo on its own: counted once its minute has passed.
    await push([4], online=False)
    assert device_counts(household, 5)[4] == (0, 0.0)
    await household.poll(timedelta(minutes=1))
    assert device_counts(household, 5)[4] == (1, 1.2)
    await push([4], online=True)
    assert device_counts(household, 5)[4] == (1, 1.2)
    assert household_counts(hass) == ("3", "11.5")


async def test_an_outage_across_midnight_counts_on_the_day_it_began(
    hass: HomeAssistant, household: Household
) -> None:
    """Its minutes are split at midnight; it counts once, the day before."""
    midnight = datetime.fromisoformat("2026-11-23T08:00:00+00:00")  # US/Pacific
    await household.set_up(4)
    household.freezer.move_to(midnight - timedelta(minutes=15))
    household.set_all_online(online=False)
    await household.poll()  # 23:50
    household.freezer.move_to(midnight - timedelta(seconds=1))
    async_fire_time_changed(hass)
    await settle(hass)
    assert household_counts(hass) == ("1", "15.0")

    household.freezer.move_to(midnight)
    async_fire_time_changed(hass)
    await settle(hass)
    assert household_counts(hass) == ("0", "0.0")
    await household.poll(timedelta(minutes=20))
    household.set_all_online(online=True)
    await household.poll()
    assert household_counts(hass) == ("0", "25.0")
    assert device_counts(household, 4) == [(0, 0.0)] * 4


def told(hass: HomeAssistant, household: Household) -> tuple[str, str]:
    """How many devices the outage's notice says are offline, and of how many."""
    issue = ir.async_get(hass).async_get_issue(DOMAIN, household.outage)
    assert issue is not None
    placeholders = issue.translation_placeholders or {}
    return placeholders["count"], placeholders["total"]


async def test_devices_offline_for_weeks_are_not_counted_in_an_outage(
    hass: HomeAssistant, household: Household
) -> None:
    """A nightly flap is the household's, though three Echos are unplugged for weeks.

    Eight Echos and three plugs. Amazon pushes the five online Echos' drops,
    not the plugs': a flap over before the next poll shows five devices
    offline of eleven, and five of the eight that were online.
    """
    await household.set_up(8, plugs=3, pushing=True)
    for number in (5, 6, 7):  # unplugged a week apart
        await household.push(number, online=False)
        await household.poll(timedelta(weeks=1))
    unplugged = {household.unavailable(number) for number in (5, 6, 7)}
    assert household.issues() == unplugged

    async def internet(*, online: bool) -> None:
        """The home's internet goes down or is back: only the Echos' changes pushed."""
        household.set_plugs_online(range(3), online=online)
        for number in range(5):
            await household.push(number, online=online)
            household.freezer.tick(timedelta(seconds=10))

    async def minutes(count: int) -> None:
        for _ in range(count):
            await household.poll(timedelta(minutes=1))  # the recheck

    await internet(online=False)
    await minutes(4)
    await internet(online=True)
    assert device_counts(household, 8)[:5] == [(0, 0.0)] * 5
    # From the first drop to the first Echo back: 4 of 8 are not most.
    assert household_counts(hass) == ("1", "4.8")
    assert household.issues() == unplugged

    # Longer than the grace period: the household's one notice, no Echo's.
    await household.poll(timedelta(hours=1))
    await internet(online=False)
    await minutes(16)
    assert household.issues() == unplugged | {household.outage}
    assert told(hass, household) == ("5", "8")  # of those online, not of 11
    await household.poll(PUSH_RECONCILE_INTERVAL)  # the plugs seen offline
    assert household.issues() == unplugged | {household.outage}
    assert told(hass, household) == ("8", "8")
    await internet(online=True)
    assert household.issues() == unplugged
    assert device_counts(household, 8)[:5] == [(0, 0.0)] * 5
    assert household_counts(hass)[0] == "2"


async def _one_answer_without_devices(household: Household) -> None:
    """One poll's answers list no device at all; the next lists them all again."""
    amazon = household.amazon
    devices, endpoints = list(amazon.devices), list(amazon.endpoints)
    amazon.devices.clear()
    amazon.endpoints.clear()
    await household.poll()
    amazon.devices.extend(devices)
    amazon.endpoints.extend(endpoints)
    await household.poll()


async def test_an_answer_without_devices_does_not_end_an_outage(
    hass: HomeAssistant, household: Household
) -> None:
    """Amazon's lists flicker: the outage, its count and its ignored issue go on.

    Ended by one empty answer and begun again at the next, the outage was
    counted twice, its minutes too, and its ignored issue came back.
    """
    await household.set_up(6)
    household.set_all_online(online=False)
    await household.poll()
    await household.poll(GRACE)
    assert household.issues() == {household.outage}
    ir.async_ignore_issue(hass, DOMAIN, household.outage, ignore=True)

    with issue_events(hass) as events:
        await _one_answer_without_devices(household)
    assert events == []
    issue = ir.async_get(hass).async_get_issue(DOMAIN, household.outage)
    assert issue is not None
    assert issue.dismissed_version is not None

    household.set_all_online(online=True)
    await household.poll()
    assert household.issues() == set()
    assert household_counts(hass)[0] == "1"
    # Down from Amazon's stamp to the poll that saw them back: 35 minutes.
    assert float(household_counts(hass)[1]) <= 35


async def test_devices_gone_from_the_account_leave_the_outage(
    hass: HomeAssistant, household: Household
) -> None:
    """Deregistered in the Alexa app during an outage: gone with the registry.

    Kept through a flickering answer, but not for ever: else the outage
    would hold on the devices that left.
    """
    await household.set_up(4)
    household.set_all_online(online=False)
    await household.poll()
    await household.poll(GRACE)
    assert household.issues() == {household.outage}

    household.amazon.remove("Echo 0")
    household.amazon.remove("Echo 1")
    for _ in range(14):
        await household.poll()

    # Two left offline: too few for an outage, each has its own issue.
    assert household.outage not in household.issues()


async def test_household_minutes_never_count_backwards_when_the_clock_is_set_back(
    hass: HomeAssistant, household: Household
) -> None:
    """NTP sets the clock back during an outage: its minutes count on from there.

    A meter that goes back is a reset to Home Assistant's statistics.
    """
    await household.set_up(4)
    household.set_all_online(online=False)
    await household.poll()
    await household.poll()
    assert household_counts(hass)[1] == "10.0"
    written = states_written(hass, "sensor.household_outage_minutes_today")

    household.freezer.tick(timedelta(minutes=-5))
    await household.entry.runtime_data.coordinator.async_refresh()
    await settle(hass)

    assert all(float(value) >= 10 for value in written), written
