"""Tests of what the restart, power_cycle and deregister actions refuse.

Each refusal comes before anything is sent to Amazon: a target that is no
device of a loaded account, what a device cannot do, an off time too short,
and a second reset of a device already being reset.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DOMAIN
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import DOMAIN as HA, HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .common import (
    ADDED_ECHO,
    BEDROOM,
    DESK_PLUG,
    KITCHEN,
    KITCHEN_PLUG,
    another_integrations_device,
    call,
    device_id,
    refused_before_sending,
    run_while_time_passes,
    set_up,
    settle,
)
from .fake_amazon import FakeAmazon
from .resets import link, plug_switches, start_kitchen_power_cycle

# What a call names as its device_id, found once the entry is set up.
type Target = Callable[[HomeAssistant, MockConfigEntry], Awaitable[object]]


async def _no_device(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    return None


async def _no_devices(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    return []


async def _unknown(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    return "not-a-device"


async def _another_integrations(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    return another_integrations_device(hass, "demo", "lamp")


async def _the_account(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    return device_id(hass, entry, entry.entry_id)


async def _of_an_unloaded_entry(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    kitchen = device_id(hass, entry, KITCHEN)
    await hass.config_entries.async_unload(entry.entry_id)
    return kitchen


@pytest.mark.parametrize("service", ["restart", "power_cycle", "deregister"])
@pytest.mark.parametrize(
    ("target", "translation_domain", "translation_key"),
    [
        pytest.param(_no_device, DOMAIN, "no_device_id", id="null"),
        pytest.param(_no_devices, DOMAIN, "no_device_id", id="empty"),
        pytest.param(_unknown, HA, "service_device_not_found", id="unknown"),
        pytest.param(
            _another_integrations, HA, "service_device_wrong_domain", id="not ours"
        ),
        pytest.param(_the_account, DOMAIN, "account_device", id="the account"),
        pytest.param(
            _of_an_unloaded_entry,
            HA,
            "service_config_entry_not_loaded",
            id="not loaded",
        ),
    ],
)
async def test_a_target_that_is_no_device_of_a_loaded_account_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    service: str,
    target: Target,
    translation_domain: str,
    translation_key: str,
) -> None:
    """Said as such, nothing sent; the actions stay registered after an unload.

    An empty target is refused, not a call that does nothing. What Home
    Assistant's own helper refuses, it says in its own words.
    """
    data = {"device_id": await target(hass, init_integration)}
    if service != "restart":
        data["confirm"] = True
    refusal = await refused_before_sending(hass, fake_amazon, service, data)
    assert (refusal.translation_domain, refusal.translation_key) == (
        translation_domain,
        translation_key,
    )


@pytest.mark.parametrize(
    ("service", "keys", "data", "translation_key"),
    [
        pytest.param(
            "restart", [KITCHEN, BEDROOM], {}, "cannot_restart", id="restart no reboot"
        ),
        pytest.param(
            "restart", [KITCHEN, KITCHEN_PLUG], {}, "not_an_echo", id="restart a plug"
        ),
        pytest.param(
            "power_cycle", [KITCHEN], {}, "no_linked_plug", id="no plug linked"
        ),
        pytest.param(
            "power_cycle", [DESK_PLUG], {}, "plug_not_linked", id="unlinked plug"
        ),
        pytest.param(
            "deregister", [KITCHEN], {}, "confirmation_required", id="not confirmed"
        ),
        pytest.param(
            "deregister",
            [ADDED_ECHO],
            {"confirm": True},
            "cannot_deregister",
            id="Amazon keeps it",
        ),
    ],
)
async def test_what_a_device_cannot_do_is_refused(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    service: str,
    keys: list[str],
    data: dict[str, Any],
    translation_key: str,
) -> None:
    """Refused before anything is sent, not even for a device named before it.

    An unlinked plug needs confirmation; a plug linked to an Echo does not.
    """
    fake_amazon.add_echos(1)
    await set_up(hass, mock_config_entry)
    data = {"device_id": [device_id(hass, mock_config_entry, k) for k in keys], **data}
    refusal = await refused_before_sending(hass, fake_amazon, service, data)
    assert refusal.translation_key == translation_key


async def test_an_off_time_below_the_shortest_is_invalid(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The action's own schema refuses it, before the plug is looked at."""
    desk = device_id(hass, init_integration, DESK_PLUG)
    with pytest.raises(probatio.Invalid):
        await call(hass, "power_cycle", {"device_id": desk, "off_seconds": 1})


async def _with_cooldown(
    hass: HomeAssistant, entry: MockConfigEntry, minutes: int
) -> None:
    hass.config_entries.async_update_entry(entry, options={"cooldown": minutes})
    await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)


@pytest.mark.parametrize(("cooldown", "after"), [(0, None), (10, "cooldown")])
async def test_a_reset_in_progress_refuses_a_second_one(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    cooldown: int,
    after: str | None,
) -> None:
    """While a power cycle runs, no second reset of its Echo or plug starts.

    Busy is not the cooldown: with a cooldown of 0 the second call is still
    refused while the first runs, and accepted once it is over.
    """
    await _with_cooldown(hass, init_integration, cooldown)
    kitchen = device_id(hass, init_integration, KITCHEN)
    plug = device_id(hass, init_integration, KITCHEN_PLUG)
    cycle = await start_kitchen_power_cycle(
        hass, init_integration, fake_amazon, off_seconds=30
    )
    sent = len(fake_amazon.requests)

    for service, data in (
        ("power_cycle", {"device_id": kitchen}),
        ("power_cycle", {"device_id": plug}),
        ("restart", {"device_id": kitchen}),
        ("deregister", {"device_id": kitchen, "confirm": True}),
        ("deregister", {"device_id": plug, "confirm": True}),
    ):
        with pytest.raises(ServiceValidationError) as refused:
            await call(hass, service, data)
        assert refused.value.translation_key == "reset_in_progress", service
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            {ATTR_ENTITY_ID: "button.kitchen_echo_restart"},
            blocking=True,
        )
    assert refused.value.translation_key == "reset_in_progress"
    assert len(fake_amazon.requests) == sent

    response = await run_while_time_passes(hass, freezer, cycle)
    assert response["results"][0]["outcome"] == "back_online"
    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]

    second = call(hass, "power_cycle", {"device_id": kitchen})
    if after is None:
        await run_while_time_passes(hass, freezer, second)
        assert plug_switches(fake_amazon) == ["turnOff", "turnOn"] * 2
    else:
        with pytest.raises(ServiceValidationError) as refused:
            await second
        assert refused.value.translation_key == after


async def test_one_call_cannot_cycle_a_plug_twice(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An Echo and its own plug in one call: refused whole, nothing reserved."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    kitchen = device_id(hass, init_integration, KITCHEN)
    plug = device_id(hass, init_integration, KITCHEN_PLUG)
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "power_cycle", {"device_id": [kitchen, plug]})
    assert refused.value.translation_key == "reset_in_progress"
    assert plug_switches(fake_amazon) == []

    response = await run_while_time_passes(
        hass, freezer, call(hass, "power_cycle", {"device_id": kitchen})
    )
    assert response["results"][0]["outcome"] == "back_online"
