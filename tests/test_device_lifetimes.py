"""Devices over time: an answer of Amazon's that leaves one out, a first sight."""

from __future__ import annotations

import copy

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .common import BEDROOM, KITCHEN, next_poll
from .fake_amazon import FakeAmazon
from .repair_issues import (
    come_back,
    go_offline,
    keeps_dropping,
    offline_issue,
    our_issues,
)

pytestmark = pytest.mark.usefixtures("repairs")


async def _left_out_once(
    hass: HomeAssistant,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    name: str,
    serial: str,
) -> None:
    """One poll's answer leaves the Echo out (Amazon's lists flicker).

    The next poll's answer lists it again, as it was.
    """
    endpoint = copy.deepcopy(fake_amazon.endpoint(name))
    records = copy.deepcopy(
        [d for d in fake_amazon.devices if d["serialNumber"] == serial]
    )
    fake_amazon.remove(name)
    await next_poll(hass, freezer)
    fake_amazon.endpoints.append(endpoint)
    fake_amazon.devices.extend(records)
    await next_poll(hass, freezer)


async def test_an_ignored_offline_issue_stays_ignored_through_a_flicker_of_the_list(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Ignored "until the device has been back online once": it never was."""
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    ir.async_ignore_issue(hass, DOMAIN, issue_id, ignore=True)

    await _left_out_once(hass, fake_amazon, freezer, "Kitchen Echo", KITCHEN)

    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.dismissed_version is not None
    assert hass.states.get("sensor.kitchen_echo_suggested_fix").state == (
        "nothing_to_do"
    )


async def test_keeps_dropping_survives_a_flicker_of_the_list(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Three drops, then one answer without the Echo: "goes away after a quiet day"."""
    for _ in range(3):
        await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
        await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    issue_id = keeps_dropping(init_integration, KITCHEN)
    assert issue_id in our_issues(hass)

    await _left_out_once(hass, fake_amazon, freezer, "Kitchen Echo", KITCHEN)

    assert issue_id in our_issues(hass)


async def test_offline_when_first_seen_is_no_drop_toward_keeps_dropping(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Offline since before setup, then two drops of its own: two, not three."""
    await come_back(hass, fake_amazon, freezer, "Bedroom Echo Show")
    for _ in range(2):
        await go_offline(hass, fake_amazon, freezer, "Bedroom Echo Show")
        await come_back(hass, fake_amazon, freezer, "Bedroom Echo Show")

    assert hass.states.get("sensor.bedroom_echo_show_drop_offs_today").state == "2"
    assert keeps_dropping(init_integration, BEDROOM) not in our_issues(hass)
