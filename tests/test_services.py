"""Tests of the restart, power_cycle and deregister actions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import probatio
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.alexa_care.const import DOMAIN, EVENT_ACTION
from devtools.amazon_emulator.failures import Fault
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import DOMAIN as HA, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from .common import (
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
from .fake_amazon import HTML_PAGE, SERVER_ERROR, TIMEOUT, FakeAmazon
from .resets import link, plug_switches, reset_store, start_kitchen_power_cycle

# An Echo Dot added to the account: Amazon does not let it be deregistered.
ADDED_ECHO = "G0FAKE0000000000"
KITCHEN_REBOOT = f"/v1/alexa/device/reboot/A4ZXE0RM7LQ7A/{KITCHEN}"
# What a call names as its device_id, found once the entry is set up.
type Target = Callable[[HomeAssistant, MockConfigEntry], Awaitable[object]]


# refusals


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


# restart


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


# power_cycle


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
) -> None:
    """A power cycle cut short by Home Assistant stopping leaves no plug off."""
    cycle = await start_kitchen_power_cycle(
        hass, init_integration, fake_amazon, off_seconds=300
    )

    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await settle(hass)

    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]
    cycle.cancel()


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


# deregister


@pytest.mark.parametrize(
    ("key", "request_path"),
    [
        (KITCHEN, f"/api/devices/device/{KITCHEN}"),
        (
            KITCHEN_PLUG,
            "/api/phoenix/appliance/AAA_SonarCloudService_00FF0FAKEPLUG0KITCHEN",
        ),
    ],
    ids=["echo", "plug"],
)
async def test_deregister(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    key: str,
    request_path: str,
) -> None:
    """Deregistered, checked gone from the account, removed from Home Assistant."""
    events = async_capture_events(hass, EVENT_ACTION)
    target = device_id(hass, init_integration, key)
    response = await run_while_time_passes(
        hass, freezer, call(hass, "deregister", {"device_id": target, "confirm": True})
    )
    assert ("DELETE", request_path) in [(m, p) for m, p, _ in fake_amazon.requests]
    (result,) = response["results"]
    assert result["outcome"] == "deregistered"
    assert "voice recordings and transcripts in the cloud" in result["not_deleted"]
    assert dr.async_get(hass).async_get(target) is None
    assert events[-1].data["outcome"] == "deregistered"


def _keeps_listing_it(fake_amazon: FakeAmazon) -> None:
    fake_amazon.keeps_deleted_devices = True


def _refuses(fake_amazon: FakeAmazon) -> None:
    fake_amazon.fail_next(SERVER_ERROR, 3)


def _times_out(fake_amazon: FakeAmazon) -> None:
    fake_amazon.fail_next(TIMEOUT)


@pytest.mark.parametrize(
    ("amazon", "translation_key", "error"),
    [
        pytest.param(
            _keeps_listing_it, "deregister_not_verified", "", id="still listed"
        ),
        # Refused, and not carried out: the error says why.
        pytest.param(
            _refuses, "deregister_not_verified", "Internal Server Error", id="refused"
        ),
        pytest.param(_times_out, "deregister_failed", "", id="timeout"),
    ],
)
async def test_a_deregistration_amazon_does_not_confirm_keeps_the_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    amazon: Callable[[FakeAmazon], None],
    translation_key: str,
    error: str,
) -> None:
    """Amazon still listing the device, refusing, or silent: kept, and said so."""
    target = device_id(hass, init_integration, KITCHEN)
    amazon(fake_amazon)
    with pytest.raises(HomeAssistantError) as failed:
        await run_while_time_passes(
            hass,
            freezer,
            call(hass, "deregister", {"device_id": target, "confirm": True}),
        )
    assert failed.value.translation_key == translation_key
    assert error in failed.value.translation_placeholders.get("error", "")
    assert dr.async_get(hass).async_get(target) is not None


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
