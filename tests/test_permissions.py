"""Tests of who may call which action."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.alexa_care.const import DOMAIN
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized

from .common import KITCHEN, KITCHEN_PLUG, device_id
from .fake_amazon import FakeAmazon


def _calls(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, dict[str, Any]]:
    """A call of each admin action that would reach Amazon."""
    kitchen = device_id(hass, entry, KITCHEN)
    return {
        "power_cycle": {
            "device_id": device_id(hass, entry, KITCHEN_PLUG),
            "confirm": True,
        },
        "deregister": {"device_id": kitchen, "confirm": True},
        "get_voice_history": {"config_entry_id": entry.entry_id},
        "delete_voice_history": {
            "device_id": kitchen,
            "scope": "all",
            "confirm": True,
        },
    }


@pytest.mark.parametrize(
    "action",
    ["power_cycle", "deregister", "get_voice_history", "delete_voice_history"],
)
async def test_admin_actions_refuse_other_users(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    household_member: MockUser,
    action: str,
) -> None:
    """A user without admin rights is refused before anything reaches Amazon."""
    data = _calls(hass, init_integration)[action]
    requests_before = len(fake_amazon.requests)

    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            action,
            data,
            blocking=True,
            return_response=True,
            context=Context(user_id=household_member.id),
        )

    assert len(fake_amazon.requests) == requests_before


async def test_admins_may_read_the_voice_history(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_admin_user: MockUser,
) -> None:
    """An administrator's call is carried out."""
    response = await hass.services.async_call(
        DOMAIN,
        "get_voice_history",
        {"config_entry_id": init_integration.entry_id},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )

    assert response is not None
    assert response["count"] > 0


async def test_restart_is_open_to_every_user(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    hass_read_only_user: MockUser,
) -> None:
    """Restart mirrors the Restart button, which every user may press."""
    response = await hass.services.async_call(
        DOMAIN,
        "restart",
        {"device_id": device_id(hass, init_integration, KITCHEN)},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_read_only_user.id),
    )

    assert response is not None
    assert response["results"][0]["outcome"] == "restart_requested"
