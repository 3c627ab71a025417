"""Tests of the household outage: most devices offline at once, one issue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.alexa_care.const import DOMAIN
from custom_components.alexa_care.issues import IssueKind, IssueRef
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .common import next_poll, push_connection, settle, setup_with_echos, until_pushed
from .fake_amazon import FakeAmazon
from .fake_push import FakePush
from .test_repairs import iso, keeps_dropping, unavailable

GRACE = timedelta(minutes=15)


def outage(entry: MockConfigEntry) -> str:
    """The id of the entry's outage issue."""
    return IssueRef(
        kind=IssueKind.MOST_DEVICES_OFFLINE, entry_id=entry.entry_id
    ).issue_id


def serial(number: int) -> str:
    """The serial of the added Echo called "Echo {number}"."""
    return f"G0FAKE{number:010d}"


def local(moment: datetime) -> str:
    """A time as the issues show it on an English (US) system."""
    return dt_util.as_local(moment).strftime("%-m/%-d/%Y, %-I:%M %p")


def set_online(
    fake: FakeAmazon, numbers: Iterable[int], *, online: bool, at: datetime
) -> None:
    """The Echos change state, as Amazon saw it at `at`."""
    for number in numbers:
        fake.set_online(f"Echo {number}", online=online, at=iso(at))


def our_issues(registry: ir.IssueRegistry) -> set[str]:
    """The ids of the open issues of Alexa Care."""
    return {issue for domain, issue in registry.issues if domain == DOMAIN}


@pytest.mark.parametrize(
    ("echos", "offline"),
    [(4, 3), (10, 10)],
)
async def test_most_devices_offline_raise_one_issue(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
    echos: int,
    offline: int,
) -> None:
    """One issue, after the grace period, with how many and since when."""
    await setup_with_echos(hass, mock_config_entry, fake_amazon, echos)
    dropped_at = dt_util.utcnow() + timedelta(minutes=2)
    # Amazon lost them over 50 seconds, before the poll that sees them all.
    for number in range(offline):
        at = dropped_at + timedelta(seconds=50 * number / offline)
        set_online(fake_amazon, [number], online=False, at=at)
    await next_poll(hass, freezer)
    assert our_issues(issue_registry) == set()  # still within the grace period

    await next_poll(hass, freezer, GRACE)
    assert our_issues(issue_registry) == {outage(mock_config_entry)}
    issue = issue_registry.async_get_issue(DOMAIN, outage(mock_config_entry))
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
    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert our_issues(issue_registry) == set()


async def test_two_devices_are_too_few_for_an_outage(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Below three devices, each gets its own issue as usual."""
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 2)
    set_online(fake_amazon, [0, 1], online=False, at=dt_util.utcnow())
    await next_poll(hass, freezer)
    await next_poll(hass, freezer, GRACE)
    assert our_issues(issue_registry) == {
        unavailable(mock_config_entry, serial(0)),
        unavailable(mock_config_entry, serial(1)),
    }


async def test_drops_minutes_apart_are_no_outage(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Seen in one poll, but Amazon lost them two minutes apart: one by one."""
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 4)
    for number in range(3):
        at = dt_util.utcnow() + timedelta(minutes=2 * number)
        set_online(fake_amazon, [number], online=False, at=at)
    await next_poll(hass, freezer)
    await next_poll(hass, freezer, GRACE)
    assert our_issues(issue_registry) == {
        unavailable(mock_config_entry, serial(number)) for number in range(3)
    }


async def test_without_amazon_times_the_poll_decides(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No last-seen time from Amazon: first seen offline in one poll is enough."""
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 4)
    fake_amazon.set_all_online(online=False, at=iso(dt_util.utcnow()))
    for endpoint in fake_amazon.endpoints:
        for feature in endpoint["features"]:
            for prop in feature["properties"]:
                prop.pop("timeOfLastChange", None)
    await next_poll(hass, freezer)
    seen_at = dt_util.utcnow()
    await next_poll(hass, freezer, GRACE)
    assert our_issues(issue_registry) == {outage(mock_config_entry)}
    issue = issue_registry.async_get_issue(DOMAIN, outage(mock_config_entry))
    assert issue.translation_placeholders["since"] == local(seen_at)


async def test_outage_ends_and_a_device_left_offline_gets_its_own_grace(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The others back: the outage issue goes; the last one waits a grace period."""
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 4)
    dropped_at = dt_util.utcnow()
    fake_amazon.set_all_online(online=False, at=iso(dropped_at))
    await next_poll(hass, freezer)
    await next_poll(hass, freezer, timedelta(minutes=30))
    assert our_issues(issue_registry) == {outage(mock_config_entry)}

    # Three come back; fewer than three offline is no outage.
    set_online(fake_amazon, [0, 1, 2], online=True, at=dt_util.utcnow())
    await next_poll(hass, freezer)
    assert our_issues(issue_registry) == set()
    # Offline for 40 minutes, but only 10 since the others returned.
    await next_poll(hass, freezer, GRACE - timedelta(minutes=5))
    assert our_issues(issue_registry) == set()

    await next_poll(hass, freezer)
    left_offline = unavailable(mock_config_entry, serial(3))
    assert our_issues(issue_registry) == {left_offline}
    issue = issue_registry.async_get_issue(DOMAIN, left_offline)
    # The issue tells when it really dropped.
    assert issue.translation_placeholders["since"] == local(dropped_at)

    set_online(fake_amazon, [3], online=True, at=dt_util.utcnow())
    await next_poll(hass, freezer)
    assert our_issues(issue_registry) == set()


async def test_outage_shrinks_while_most_are_still_offline(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Some back, most still out: the one issue stays, with the new count."""
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 5)
    fake_amazon.set_all_online(online=False, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer)
    await next_poll(hass, freezer, GRACE)
    set_online(fake_amazon, [0, 1], online=True, at=dt_util.utcnow())
    await next_poll(hass, freezer)
    assert our_issues(issue_registry) == {outage(mock_config_entry)}
    issue = issue_registry.async_get_issue(DOMAIN, outage(mock_config_entry))
    assert issue.translation_placeholders["count"] == "3"

    set_online(fake_amazon, [2, 3, 4], online=True, at=dt_util.utcnow())
    await next_poll(hass, freezer)
    assert our_issues(issue_registry) == set()


async def test_blip_shorter_than_the_grace_period_raises_nothing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The whole house drops for a minute: no issue at all."""
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 4)
    # A minute before the next poll, which sees them all offline.
    dropped_at = dt_util.utcnow() + timedelta(minutes=4)
    fake_amazon.set_all_online(online=False, at=iso(dropped_at))
    await next_poll(hass, freezer)
    assert our_issues(issue_registry) == set()
    fake_amazon.set_all_online(online=True, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer)
    await next_poll(hass, freezer, GRACE)
    assert our_issues(issue_registry) == set()


async def test_drops_with_the_household_do_not_count_as_dropping_off(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Three household drops, then three of its own: only these count."""
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 4)
    dropping = keeps_dropping(mock_config_entry, serial(0))
    for online in (False, True) * 3:
        fake_amazon.set_all_online(online=online, at=iso(dt_util.utcnow()))
        await next_poll(hass, freezer)
    for _ in range(2):
        set_online(fake_amazon, [0], online=False, at=dt_util.utcnow())
        await next_poll(hass, freezer)
        set_online(fake_amazon, [0], online=True, at=dt_util.utcnow())
        await next_poll(hass, freezer)
    assert issue_registry.async_get_issue(DOMAIN, dropping) is None

    set_online(fake_amazon, [0], online=False, at=dt_util.utcnow())
    await next_poll(hass, freezer)
    issue = issue_registry.async_get_issue(DOMAIN, dropping)
    assert issue.translation_placeholders["drops"] == "3"


def household_counts(hass: HomeAssistant) -> tuple[str, str]:
    """The account's household outages today, and their minutes."""
    return (
        hass.states.get("sensor.household_outages_today").state,
        hass.states.get("sensor.household_outage_minutes_today").state,
    )


def device_counts(entry: MockConfigEntry, count: int) -> list[tuple[int, float]]:
    """Each Echo's drop-offs and offline minutes today."""
    health = entry.runtime_data.health
    return [
        (health.drop_offs(serial(n)), health.offline_minutes(serial(n)))
        for n in range(count)
    ]


async def test_a_nightly_flap_is_the_households_not_the_devices(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every device off for 4 minutes: one household outage, no device's drop-off."""
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 4)
    assert household_counts(hass) == ("0", "0.0")
    dropped_at = dt_util.utcnow() + timedelta(minutes=1)
    for number in range(4):
        at = dropped_at + timedelta(seconds=10 * number)
        set_online(fake_amazon, [number], online=False, at=at)
    await next_poll(hass, freezer)  # 4 minutes after the first drop
    set_online(fake_amazon, range(4), online=True, at=dt_util.utcnow())
    await next_poll(hass, freezer)

    assert device_counts(mock_config_entry, 4) == [(0, 0.0)] * 4
    # From the first drop to the poll that saw them back.
    assert household_counts(hass) == ("1", "9.0")
    household = mock_config_entry.runtime_data.health.household
    assert (household.outages_today, household.outage_minutes_today) == (1, 9.0)
    assert our_issues(issue_registry) == set()

    # One Echo on its own, while the household is fine, counts as ever.
    set_online(fake_amazon, [2], online=False, at=dt_util.utcnow())
    await next_poll(hass, freezer)
    set_online(fake_amazon, [2], online=True, at=dt_util.utcnow())
    await next_poll(hass, freezer)
    assert device_counts(mock_config_entry, 4)[2] == (1, 10.0)
    assert household_counts(hass) == ("1", "9.0")


async def test_pushed_drops_are_held_until_the_outage_is_known(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Drops pushed one at a time: the first ones are the household's too.

    Three flaps in a day make no Echo "keep dropping off", though the first
    drop of each reached Alexa Care before the outage was recognised.
    """
    fake_push.serving = True
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 5)
    await until_pushed(
        hass, lambda: mock_config_entry.runtime_data.push.status.connected
    )

    async def push(numbers: Iterable[int], *, online: bool) -> None:
        for number in numbers:
            await push_connection(
                hass, mock_config_entry, fake_amazon, fake_push, number, online=online
            )
            freezer.tick(timedelta(seconds=10))

    for night in range(3):
        await push(range(4), online=False)
        for _ in range(3):
            await next_poll(hass, freezer, timedelta(minutes=1))
        await push(range(4), online=True)
        assert device_counts(mock_config_entry, 5) == [(0, 0.0)] * 5, night
        await next_poll(hass, freezer, timedelta(hours=1))
    assert our_issues(issue_registry) == set()
    # Each from its first drop to the second Echo back: 3 min 50 s.
    assert household_counts(hass) == ("3", "11.5")

    # One Echo on its own: counted once its minute has passed.
    await push([4], online=False)
    assert device_counts(mock_config_entry, 5)[4] == (0, 0.0)
    await next_poll(hass, freezer, timedelta(minutes=1))
    assert device_counts(mock_config_entry, 5)[4] == (1, 1.2)
    await push([4], online=True)
    assert device_counts(mock_config_entry, 5)[4] == (1, 1.2)
    assert household_counts(hass) == ("3", "11.5")


async def test_an_outage_across_midnight_counts_on_the_day_it_began(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Its minutes are split at midnight; it counts once, the day before."""
    midnight = datetime.fromisoformat("2026-11-23T08:00:00+00:00")  # US/Pacific
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 4)
    freezer.move_to(midnight - timedelta(minutes=15))
    fake_amazon.set_all_online(online=False, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer)  # 23:50
    freezer.move_to(midnight - timedelta(seconds=1))
    async_fire_time_changed(hass)
    await settle(hass)
    assert household_counts(hass) == ("1", "15.0")

    freezer.move_to(midnight)
    async_fire_time_changed(hass)
    await settle(hass)
    assert household_counts(hass) == ("0", "0.0")
    await next_poll(hass, freezer, timedelta(minutes=20))
    fake_amazon.set_all_online(online=True, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer)
    assert household_counts(hass) == ("0", "25.0")
    assert device_counts(mock_config_entry, 4) == [(0, 0.0)] * 4
