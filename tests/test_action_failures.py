"""Tests of what the resets and the deregistration say when Amazon fails them.

A login Amazon no longer accepts and Amazon's throttling are said in the
user's language, as for every other action, and the first one asks to sign
in again; Amazon's other failures keep their own words.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .common import KITCHEN, call, device_id, run_while_time_passes
from .fake_amazon import EXPIRED_LOGIN, SERVER_ERROR, THROTTLED, FakeAmazon
from .resets import link


def _reauth_flows(hass: HomeAssistant) -> list[str]:
    return [
        flow["context"]["source"]
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


async def _call_on_the_kitchen_echo(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    service: str,
) -> HomeAssistantError:
    await link(hass, "kitchen_echo", "Kitchen Plug")
    data: dict[str, Any] = {"device_id": device_id(hass, entry, KITCHEN)}
    if service == "deregister":
        data["confirm"] = True
    with pytest.raises(HomeAssistantError) as raised:
        await run_while_time_passes(hass, freezer, call(hass, service, data))
    await hass.async_block_till_done()
    return raised.value


@pytest.mark.parametrize("service", ["restart", "power_cycle", "deregister"])
async def test_an_expired_login_asks_to_sign_in_again(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    service: str,
) -> None:
    """Not "Unauthorized" in Amazon's English: sign in again, and the flow is there."""
    fake_amazon.fail_next(EXPIRED_LOGIN)
    err = await _call_on_the_kitchen_echo(hass, init_integration, freezer, service)
    assert err.translation_key == "action_invalid_auth"
    assert err.translation_placeholders["device"] == "Kitchen Echo"
    assert _reauth_flows(hass) == [SOURCE_REAUTH]


@pytest.mark.parametrize("service", ["restart", "power_cycle", "deregister"])
async def test_throttling_says_to_try_again_later(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    service: str,
) -> None:
    """Throttled: no sign-in asked for, and the words are the user's language's."""
    fake_amazon.fail_next(THROTTLED, 3)
    err = await _call_on_the_kitchen_echo(hass, init_integration, freezer, service)
    assert err.translation_key == "action_throttled"
    assert _reauth_flows(hass) == []


async def test_other_failures_keep_amazons_words(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A server error is the restart's own failure, with what Amazon said."""
    fake_amazon.fail_next(SERVER_ERROR, 3)
    err = await _call_on_the_kitchen_echo(hass, init_integration, freezer, "restart")
    assert err.translation_key == "restart_failed"
    assert _reauth_flows(hass) == []
