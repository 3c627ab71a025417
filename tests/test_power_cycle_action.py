"""Tests of the power_cycle action: an Echo or a plug switched off and on.

The cycle carried out, cut short by Home Assistant stopping or the entry
unloading, an Echo not back, and Amazon refusing or not answering the plug.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.alexa_care.amazon.models import SmartPlug
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .common import (
    BEDROOM,
    DESK_PLUG,
    KITCHEN,
    KITCHEN_PLUG,
    call,
    device_id,
    run_while_time_passes,
    settle,
)
from .fake_amazon import SERVER_ERROR, FakeAmazon
from .resets import link, plug_switches, reset_store, start_kitchen_power_cycle


async def test_power_cycle_an_echo_through_its_plug(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Off, wait, on, then the Echo is seen online again."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    kitchen = device_id(hass, init_integration, KITCHEN)

    response = await run_while_time_passes(
        hass,
        freezer,
        call(hass, "power_cycle", {"device_id": kitchen, "off_seconds": 30}),
    )

    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]
    assert response == {
        "results": [
            {
                "device_id": kitchen,
                "device": "Kitchen Echo",
                "action": "power_cycle",
                "outcome": "back_online",
                "plug": "Kitchen Plug",
            }
        ]
    }
    assert hass.states.get("switch.kitchen_plug_power").state == "on"


async def test_stopping_home_assistant_switches_the_plug_back_on(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A power cycle cut short by Home Assistant stopping leaves no plug off.

    And it ends there: it does not switch the plug on again once its off
    time is over, nor poll for the Echo, while Home Assistant shuts down.
    """
    cycle = await start_kitchen_power_cycle(
        hass, init_integration, fake_amazon, off_seconds=300
    )

    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await settle(hass)

    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]
    assert cycle.done()
    with pytest.raises(HomeAssistantError) as interrupted:
        cycle.result()
    assert interrupted.value.translation_key == "reset_interrupted"
    for _ in range(60):
        freezer.tick(timedelta(seconds=5))
        async_fire_time_changed(hass)
        await settle(hass)
    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]


async def test_an_entry_removed_mid_cycle_leaves_no_file_behind(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Deleting the entry deletes its files: the cycle it ended writes none again."""
    cycle = await start_kitchen_power_cycle(
        hass, init_integration, fake_amazon, off_seconds=300
    )
    await hass.config_entries.async_remove(init_integration.entry_id)
    await settle(hass)
    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]

    with pytest.raises(HomeAssistantError):
        await run_while_time_passes(hass, freezer, cycle)
    # Past any delayed write.
    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await settle(hass)
    assert reset_store(init_integration) not in hass_storage


async def test_an_off_answered_after_a_reload_leaves_no_plug_off(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon is slow with "off"; the entry reloads meanwhile (options saved).

    The reload switched the plug on before Amazon carried out the "off".
    """
    await link(hass, "kitchen_echo", "Kitchen Plug")
    account = init_integration.runtime_data.coordinator.account
    switch = account.async_set_plug_power
    answer = asyncio.Event()

    async def slow_off(plug: SmartPlug, *, turn_on: bool) -> None:
        if not turn_on:
            await answer.wait()
        await switch(plug, turn_on=turn_on)

    with patch.object(account, "async_set_plug_power", slow_off):
        kitchen = device_id(hass, init_integration, KITCHEN)
        cycle = hass.async_create_background_task(
            call(hass, "power_cycle", {"device_id": kitchen}), "cycle"
        )
        await settle(hass)
        await hass.config_entries.async_reload(init_integration.entry_id)
        await settle(hass)
        assert plug_switches(fake_amazon) == ["turnOn"]

        answer.set()
        with pytest.raises(HomeAssistantError):
            await run_while_time_passes(hass, freezer, cycle)

    assert plug_switches(fake_amazon) == ["turnOn", "turnOff", "turnOn"]


@pytest.mark.parametrize("reload", [True, False])
async def test_unloading_mid_cycle_switches_the_plug_on_first(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    reload: bool,
) -> None:
    """A reload or unload ends the cycle: plug on before it is done, no late outcome."""
    cycle = await start_kitchen_power_cycle(
        hass, init_integration, fake_amazon, off_seconds=300
    )

    if reload:
        await hass.config_entries.async_reload(init_integration.entry_id)
    else:
        await hass.config_entries.async_unload(init_integration.entry_id)
    # Switched on by the unload itself, not by the cycle later.
    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]
    stored = hass_storage[reset_store(init_integration)]["data"]
    assert stored["switched_off"] == {}

    with pytest.raises(HomeAssistantError) as interrupted:
        await run_while_time_passes(hass, freezer, cycle)
    assert interrupted.value.translation_key == "reset_interrupted"
    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]
    if reload:
        # The new entry is free to reset the Echo after its cooldown.
        freezer.tick(timedelta(minutes=10))
        await run_while_time_passes(
            hass,
            freezer,
            call(
                hass,
                "power_cycle",
                {"device_id": device_id(hass, init_integration, KITCHEN)},
            ),
        )
        assert plug_switches(fake_amazon) == ["turnOff", "turnOn"] * 2


async def test_power_cycle_echo_not_back_online(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An Echo that stays offline is reported as such, after the timeout."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    fake_amazon.set_online("Kitchen Echo", online=False, at="2026-11-22T03:00:00Z")
    response = await run_while_time_passes(
        hass,
        freezer,
        call(
            hass,
            "power_cycle",
            {"device_id": device_id(hass, init_integration, KITCHEN)},
        ),
    )
    assert response["results"][0]["outcome"] == "not_back_online"


async def test_power_cycle_a_plug(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A plug no Echo is linked to needs confirm; one linked to an Echo does not."""
    desk = device_id(hass, init_integration, DESK_PLUG)
    response = await run_while_time_passes(
        hass, freezer, call(hass, "power_cycle", {"device_id": desk, "confirm": True})
    )
    assert response["results"][0]["outcome"] == "power_cycled"

    await link(hass, "kitchen_echo", "Kitchen Plug")
    response = await run_while_time_passes(
        hass,
        freezer,
        call(
            hass,
            "power_cycle",
            {"device_id": device_id(hass, init_integration, KITCHEN_PLUG)},
        ),
    )
    assert response["results"][0]["outcome"] == "power_cycled"
    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"] * 2


async def test_power_cycle_plug_failures(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Off refused: nothing done. On refused: tried again, then reported left off."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    kitchen = device_id(hass, init_integration, KITCHEN)

    fake_amazon.fail_next(SERVER_ERROR, 3)
    with pytest.raises(HomeAssistantError) as failed:
        await call(hass, "power_cycle", {"device_id": kitchen})
    assert failed.value.translation_key == "power_cycle_not_started"
    # Amazon refused it each time the library tried.
    assert plug_switches(fake_amazon) == ["turnOff"] * 3

    # The plug goes off, then the first "on" times out and the second works.
    fake_amazon.failing_operations["turnOn"] = 1
    response = await run_while_time_passes(
        hass, freezer, call(hass, "power_cycle", {"device_id": kitchen})
    )
    assert response["results"][0]["outcome"] == "back_online"
    assert plug_switches(fake_amazon)[3:] == ["turnOff", "turnOn", "turnOn"]

    # Amazon never switches it back on: the error says the plug is left off.
    fake_amazon.failing_operations["turnOn"] = 3
    freezer.tick(timedelta(minutes=10))  # past the cooldown
    with pytest.raises(HomeAssistantError) as failed:
        await run_while_time_passes(
            hass, freezer, call(hass, "power_cycle", {"device_id": kitchen})
        )
    assert failed.value.translation_key == "plug_left_off"
    assert failed.value.translation_placeholders["plug"] == "Kitchen Plug"


@pytest.mark.parametrize(
    ("on_failures", "key"),
    [(0, "power_cycle_off_unanswered"), (3, "plug_left_off")],
)
async def test_an_unanswered_turn_off_still_switches_the_plug_on(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    on_failures: int,
    key: str,
) -> None:
    """A timeout may hide an "off" Amazon carried out: switch on, and say so."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    kitchen = device_id(hass, init_integration, KITCHEN)
    fake_amazon.failing_operations["turnOff"] = 1
    fake_amazon.failing_operations["turnOn"] = on_failures
    with pytest.raises(HomeAssistantError) as failed:
        await run_while_time_passes(
            hass, freezer, call(hass, "power_cycle", {"device_id": kitchen})
        )
    assert failed.value.translation_key == key
    assert failed.value.translation_placeholders["plug"] == "Kitchen Plug"
    assert plug_switches(fake_amazon) == ["turnOff"] + ["turnOn"] * max(1, on_failures)
    # Left off, it stays recorded for the next start to switch on.
    stored = hass_storage[reset_store(init_integration)]["data"]
    assert bool(stored["switched_off"]) == (on_failures == 3)
    # Amazon may have cut the power: the cooldown holds.
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "power_cycle", {"device_id": kitchen})
    assert refused.value.translation_key == "cooldown"


async def test_a_plug_request_never_answered_is_bounded(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An "on" Amazon never answers is given up within minutes, not 15."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    kitchen = device_id(hass, init_integration, KITCHEN)
    fake_amazon.hanging_operations["turnOn"] = 3
    started = dt_util.utcnow()
    with pytest.raises(HomeAssistantError) as failed:
        await run_while_time_passes(
            hass,
            freezer,
            call(hass, "power_cycle", {"device_id": kitchen, "off_seconds": 20}),
            limit=timedelta(minutes=15),
        )
    assert failed.value.translation_key == "plug_left_off"
    assert plug_switches(fake_amazon) == ["turnOff", "turnOn", "turnOn", "turnOn"]
    # 20 s off, three tries of 30 s, two pauses of 5 s between them.
    assert dt_util.utcnow() - started <= timedelta(minutes=2, seconds=10)


async def test_a_plug_amazon_refused_to_switch_off_has_no_cooldown(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A plug is the device and its own plug: nothing was done, nothing holds it."""
    desk = device_id(hass, init_integration, DESK_PLUG)
    fake_amazon.fail_next(SERVER_ERROR, 3)
    with pytest.raises(HomeAssistantError) as failed:
        await call(hass, "power_cycle", {"device_id": desk, "confirm": True})
    assert failed.value.translation_key == "power_cycle_not_started"

    response = await run_while_time_passes(
        hass, freezer, call(hass, "power_cycle", {"device_id": desk, "confirm": True})
    )
    assert response["results"][0]["outcome"] == "power_cycled"


async def test_a_device_the_call_never_reached_has_no_cooldown_after_a_reload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Only a device something was sent for keeps a cooldown on disk."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    await link(hass, "bedroom_echo_show", "Desk Lamp Plug")
    kitchen = device_id(hass, init_integration, KITCHEN)
    bedroom = device_id(hass, init_integration, BEDROOM)
    cycle = hass.async_create_background_task(
        call(hass, "power_cycle", {"device_id": [kitchen, bedroom]}), "cycle"
    )
    await settle(hass)
    assert plug_switches(fake_amazon) == ["turnOff"]

    # Saving the options reloads the entry in the middle of the first cycle.
    await hass.config_entries.async_reload(init_integration.entry_id)
    with pytest.raises(HomeAssistantError) as interrupted:
        await run_while_time_passes(hass, freezer, cycle)
    assert interrupted.value.translation_key == "reset_interrupted"

    response = await run_while_time_passes(
        hass, freezer, call(hass, "power_cycle", {"device_id": bedroom})
    )
    # Carried out, not refused (the Bedroom Echo Show stays offline here).
    assert response["results"][0]["outcome"] == "not_back_online"
