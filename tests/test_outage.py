"""Tests of the household outage: most devices offline at once, one issue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DOMAIN
from custom_components.alexa_care.issues import IssueKind, IssueRef
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .common import next_poll, setup_with_echos
from .fake_amazon import FakeAmazon
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
