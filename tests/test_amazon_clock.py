"""Amazon's last-seen stamps, read on Home Assistant's clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DEFAULT_GRACE, DOMAIN
from devtools.amazon_emulator import push_payloads
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .common import setup_with_echos, until
from .fake_amazon import ADDED_ECHO_MODEL, CUSTOMER_ID, FakeAmazon
from .fake_push import FakePush

# Amazon's clock is three minutes behind ours.
AMAZON_BEHIND = timedelta(minutes=3)


def amazon_stamp(moment: datetime) -> str:
    """A moment as Amazon's slow clock stamps it."""
    return (moment - AMAZON_BEHIND).isoformat().replace("+00:00", "Z")


async def pushed_drop(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    echo: int,
) -> None:
    """Echo `echo` drops: Amazon stamps it by its slow clock and pushes it."""
    coordinator = entry.runtime_data.coordinator
    serial = f"G0FAKE000000000{echo}"
    fake_amazon.set_online(
        f"Echo {echo}", online=False, at=amazon_stamp(dt_util.utcnow())
    )
    fake_push.push(
        push_payloads.connection_change(
            serial, ADDED_ECHO_MODEL.device_type, CUSTOMER_ID, online=False
        )
    )
    await until(hass, lambda: coordinator.data.echos[serial].online is False)


def offline_issues(registry: ir.IssueRegistry) -> list[str]:
    return [
        issue.translation_placeholders["device"]
        for issue in registry.issues.values()
        if issue.domain == DOMAIN
        and issue.translation_key == "device_unavailable"
        and issue.translation_placeholders
    ]


async def test_a_slow_amazon_clock_does_not_shorten_the_grace_period(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A drop only a poll finds is dated by what pushed drops taught.

    Amazon pushes an Echo's drop at once and stamps it three minutes early;
    the poll after tells the two clocks apart. A later drop that no push
    announces (the channel missed it) then gets its issue a whole grace
    period after it happened, not three minutes sooner.
    """
    fake_push.serving = True
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 3)
    coordinator = mock_config_entry.runtime_data.coordinator
    await until(hass, lambda: mock_config_entry.runtime_data.push.status.connected)

    await pushed_drop(hass, mock_config_entry, fake_amazon, fake_push, 0)
    await coordinator.async_refresh()
    assert coordinator.account.clock.offset == -AMAZON_BEHIND

    # Echo 1 drops later; the channel says nothing, a poll finds it.
    freezer.tick(timedelta(minutes=10))
    dropped_at = dt_util.utcnow()
    fake_amazon.set_online("Echo 1", online=False, at=amazon_stamp(dropped_at))
    await coordinator.async_refresh()
    assert coordinator.data.echos["G0FAKE0000000001"].last_seen_online == dropped_at
    freezer.tick(DEFAULT_GRACE - timedelta(seconds=1))
    await coordinator.async_refresh()
    assert "Echo 1" not in offline_issues(issue_registry)
    freezer.tick(timedelta(seconds=1))
    await coordinator.async_refresh()
    assert "Echo 1" in offline_issues(issue_registry)


async def test_what_was_learnt_holds_over_later_drops(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Each later pushed drop confirms the offset, and its stamp reads true.

    The polls read the stamps with the offset taken off: a pair compares the
    stamp Amazon sent, not the one read, or the second pair would measure
    no offset at all and the median would fall back to none.
    """
    fake_push.serving = True
    await setup_with_echos(hass, mock_config_entry, fake_amazon, 4)
    coordinator = mock_config_entry.runtime_data.coordinator
    await until(hass, lambda: mock_config_entry.runtime_data.push.status.connected)

    dropped_at: dict[str, datetime] = {}
    for echo in range(4):
        freezer.tick(timedelta(minutes=20))
        dropped_at[f"G0FAKE000000000{echo}"] = dt_util.utcnow()
        await pushed_drop(hass, mock_config_entry, fake_amazon, fake_push, echo)
        await coordinator.async_refresh()
        assert coordinator.account.clock.offset == -AMAZON_BEHIND
        # Every drop so far as our clock saw it, the one this poll taught by too.
        assert {
            serial: coordinator.data.echos[serial].last_seen_online
            for serial in dropped_at
        } == dropped_at
