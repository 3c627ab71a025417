"""Tests of the restart action.

The reboot and the fresh access token it carries, the cooldown that follows
(kept across a restart of Home Assistant), and Amazon failing a reboot.
"""

from __future__ import annotations

from datetime import timedelta
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.alexa_care.const import EVENT_ACTION
from devtools.amazon_emulator.failures import Fault
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .common import ADDED_ECHO, KITCHEN, call, device_id, settle
from .fake_amazon import HTML_PAGE, SERVER_ERROR, FakeAmazon
from .resets import reset_store

KITCHEN_REBOOT = f"/v1/alexa/device/reboot/A4ZXE0RM7LQ7A/{KITCHEN}"


async def test_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """Restart reboots the Echo, answers per device, and fires an event."""
    events = async_capture_events(hass, EVENT_ACTION)
    kitchen = device_id(hass, init_integration, KITCHEN)

    response = await call(hass, "restart", {"device_id": kitchen})

    assert response == {
        "results": [
            {
                "device_id": kitchen,
                "device": "Kitchen Echo",
                "action": "restart",
                "outcome": "restart_requested",
            }
        ]
    }
    assert fake_amazon.requests[-1][:2] == ("POST", KITCHEN_REBOOT)
    assert [event.data for event in events] == [
        {
            "device_id": kitchen,
            "device_name": "Kitchen Echo",
            "action": "restart",
            "outcome": "restart_requested",
        }
    ]


async def test_restart_cooldown(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A restarted Echo is refused again until the cooldown has passed."""
    kitchen = device_id(hass, init_integration, KITCHEN)
    await call(hass, "restart", {"device_id": kitchen})

    await _refused_until_cooldown_ends(hass, fake_amazon, freezer, kitchen)


async def test_a_clock_set_back_stretches_no_cooldown_past_its_length(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Set back three hours after a restart: refused for a cooldown, not 3 h 10.

    How much time really passed is unknown: the cooldown runs from now.
    """
    kitchen = device_id(hass, init_integration, KITCHEN)
    await call(hass, "restart", {"device_id": kitchen})
    freezer.tick(timedelta(hours=-3))
    with pytest.raises(ServiceValidationError):
        await call(hass, "restart", {"device_id": kitchen})

    freezer.tick(timedelta(minutes=10))
    await call(hass, "restart", {"device_id": kitchen})


async def _refused_until_cooldown_ends(
    hass: HomeAssistant,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    echo_id: str,
) -> None:
    """Nine minutes after a restart: refused, nothing sent; ten: restarted."""
    freezer.tick(timedelta(minutes=9))
    sent = len(fake_amazon.requests)
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "restart", {"device_id": echo_id})
    assert refused.value.translation_key == "cooldown"
    # The system language's date and time, to the minute after the cooldown.
    assert re.fullmatch(
        r"\d{1,2}/\d{1,2}/\d{4}, \d{1,2}:\d\d [AP]M",
        refused.value.translation_placeholders["time"],
    )
    assert len(fake_amazon.requests) == sent

    freezer.tick(timedelta(minutes=1))
    await call(hass, "restart", {"device_id": echo_id})


async def test_the_cooldown_survives_a_restart_of_home_assistant(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """An automation firing at every start cannot reboot an Echo in a loop."""
    kitchen = device_id(hass, init_integration, KITCHEN)
    await call(hass, "restart", {"device_id": kitchen})
    stored = hass_storage[reset_store(init_integration)]["data"]
    assert list(stored["last_resets"]) == [KITCHEN]

    # A new run reads the cooldowns from storage, not from memory.
    await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.config_entries.async_setup(init_integration.entry_id)
    await settle(hass)
    await _refused_until_cooldown_ends(hass, fake_amazon, freezer, kitchen)


@pytest.mark.parametrize(
    ("failure", "tries"),
    # The library tries a 5xx three times; a page is an answer.
    [
        pytest.param(SERVER_ERROR, 3, id="server error"),
        pytest.param(HTML_PAGE, 1, id="page"),
    ],
)
async def test_a_failed_restart_is_said_and_starts_no_cooldown(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    failure: Fault,
    tries: int,
) -> None:
    """Amazon failing, or answering 200 with a web page (a sign-in page).

    Nothing was restarted: the event says so, and no cooldown holds.
    """
    events = async_capture_events(hass, EVENT_ACTION)
    kitchen = device_id(hass, init_integration, KITCHEN)
    fake_amazon.fail_next(failure, tries, path=KITCHEN_REBOOT)
    with pytest.raises(HomeAssistantError) as failed:
        await call(hass, "restart", {"device_id": kitchen})
    assert failed.value.translation_key == "restart_failed"
    assert events[-1].data["outcome"] == "failed"

    response = await call(hass, "restart", {"device_id": kitchen})
    assert response["results"][0]["outcome"] == "restart_requested"


async def _an_echo_amazon_cannot_reach(
    hass: HomeAssistant, entry: MockConfigEntry, fake_amazon: FakeAmazon
) -> str:
    """An Echo added to the account, whose reboots time out; its device id."""
    fake_amazon.add_echos(1)
    await entry.runtime_data.coordinator.async_refresh()
    await settle(hass)
    fake_amazon.failing_path = ADDED_ECHO
    return device_id(hass, entry, ADDED_ECHO)


async def test_a_restart_partly_done_says_which_were_done(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """With several Echos, the error names the ones done and the one that failed."""
    echo_0 = await _an_echo_amazon_cannot_reach(hass, init_integration, fake_amazon)
    kitchen = device_id(hass, init_integration, KITCHEN)
    # The first reboot goes through, the second meets a timeout.
    with pytest.raises(HomeAssistantError) as failed:
        await call(hass, "restart", {"device_id": [kitchen, echo_0]})
    assert failed.value.translation_key == "partly_done"
    assert failed.value.translation_placeholders["done"] == "Kitchen Echo"
    assert failed.value.translation_placeholders["device"] == "Echo 0"


async def test_devices_left_alone_after_a_failure_are_not_held(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """A device after the one that failed was not reset: no cooldown, not busy."""
    echo_0 = await _an_echo_amazon_cannot_reach(hass, init_integration, fake_amazon)
    kitchen = device_id(hass, init_integration, KITCHEN)
    with pytest.raises(HomeAssistantError) as failed:
        await call(hass, "restart", {"device_id": [echo_0, kitchen]})
    assert failed.value.translation_key == "restart_failed"

    fake_amazon.failing_path = None
    response = await call(hass, "restart", {"device_id": kitchen})
    assert response["results"][0]["outcome"] == "restart_requested"


async def test_restart_renews_the_access_token(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """The reboot carries a fresh token: the stored one expires after an hour."""
    aioclient_mock.mock_calls.clear()
    await call(
        hass, "restart", {"device_id": device_id(hass, init_integration, KITCHEN)}
    )
    assert [str(url) for _, url, _, _ in aioclient_mock.mock_calls] == [
        "https://api.amazon.com/auth/token",
        f"https://alexa.amazon.com/v1/alexa/device/reboot/A4ZXE0RM7LQ7A/{KITCHEN}",
    ]
