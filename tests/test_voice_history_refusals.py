"""Tests of what the voice history actions refuse before anything is sent to Amazon."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .common import (
    KITCHEN,
    KITCHEN_PLUG,
    another_integrations_device,
    call,
    device_id,
    refused_before_sending,
)
from .fake_amazon import FakeAmazon
from .voice_history import another_account

# Stand-ins in a refusal's call, for what exists only once the entry is set up.
THIS_ACCOUNT = "the entry's id"
ANOTHER_ACCOUNT = "another loaded entry's id"
SPEAKER_GROUP = "a speaker group of another integration"


def _resolved(
    hass: HomeAssistant, entry: MockConfigEntry, data: dict[str, Any]
) -> dict[str, Any]:
    """A refusal's call with its stand-ins and device keys replaced by ids."""
    resolved = dict(data)
    if resolved.get("config_entry_id") == THIS_ACCOUNT:
        resolved["config_entry_id"] = entry.entry_id
    elif resolved.get("config_entry_id") == ANOTHER_ACCOUNT:
        resolved["config_entry_id"] = another_account(hass, entry).entry_id
    if resolved.get("device_id") == SPEAKER_GROUP:
        # Everywhere: no Alexa Care device, though another integration has it.
        group = another_integrations_device(hass, "alexa_devices", "G0911W0000000ALL")
        resolved["device_id"] = group
    elif resolved.get("device_id") in (KITCHEN, KITCHEN_PLUG):
        resolved["device_id"] = device_id(hass, entry, resolved["device_id"])
    return resolved


DELETE_ALL = {"scope": "all", "confirm": True}


@pytest.mark.parametrize(
    ("service", "data", "translation_key"),
    [
        pytest.param(
            "get_voice_history",
            {"config_entry_id": "nope"},
            "service_config_entry_not_found",
            id="read an unknown account",
        ),
        pytest.param(
            "get_voice_history",
            {"config_entry_id": THIS_ACCOUNT, "device_id": KITCHEN_PLUG},
            "no_voice_history",
            id="read a plug's",
        ),
        pytest.param(
            "get_voice_history",
            {
                "config_entry_id": THIS_ACCOUNT,
                "start": "2026-11-22 10:00",
                "end": "2026-11-22 09:00",
            },
            "start_after_end",
            id="read from after the end",
        ),
        # An Echo of one account does not filter the history of another.
        pytest.param(
            "get_voice_history",
            {"config_entry_id": ANOTHER_ACCOUNT, "device_id": KITCHEN},
            "other_account",
            id="read another account's Echo",
        ),
        pytest.param(
            "delete_voice_history",
            {"device_id": KITCHEN, "scope": "today"},
            "voice_confirmation_required",
            id="delete unconfirmed",
        ),
        pytest.param(
            "delete_voice_history",
            {"device_id": "not-a-device", **DELETE_ALL},
            "service_device_not_found",
            id="delete an unknown device's",
        ),
        pytest.param(
            "delete_voice_history",
            {"device_id": SPEAKER_GROUP, **DELETE_ALL},
            "service_device_wrong_domain",
            id="delete a speaker group's",
        ),
        pytest.param(
            "delete_voice_history",
            {"device_id": KITCHEN_PLUG, **DELETE_ALL},
            "no_voice_history",
            id="delete a plug's",
        ),
        # What is wrong with the target comes before the missing confirmation.
        pytest.param(
            "delete_voice_history",
            {"device_id": KITCHEN_PLUG, "scope": "all"},
            "no_voice_history",
            id="delete a plug's unconfirmed",
        ),
    ],
)
async def test_refusals(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    service: str,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    """Said as such before anything is sent to Amazon."""
    data = _resolved(hass, init_integration, data)
    refusal = await refused_before_sending(hass, fake_amazon, service, data)
    assert refusal.translation_key == translation_key


@pytest.mark.parametrize(
    ("service", "data", "translation_key"),
    [
        pytest.param(
            "get_voice_history",
            {"config_entry_id": THIS_ACCOUNT},
            "service_config_entry_not_loaded",
            id="read the account's",
        ),
        pytest.param(
            "get_voice_history",
            {"device_id": KITCHEN},
            "service_config_entry_not_loaded",
            id="read an Echo's",
        ),
        pytest.param(
            "delete_voice_history",
            {"device_id": KITCHEN, **DELETE_ALL},
            "service_config_entry_not_loaded",
            id="delete an Echo's",
        ),
    ],
)
async def test_an_account_not_loaded_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    service: str,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    """The actions stay registered, and say the account is not loaded."""
    data = _resolved(hass, init_integration, data)
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, service, data)
    assert refused.value.translation_key == translation_key
