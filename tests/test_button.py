"""Tests of the reset buttons: restart and power cycle."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.alexa_care.const import EVENT_ACTION
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    Unauthorized,
)
from homeassistant.helpers import entity_registry as er

from .common import run_while_time_passes
from .fake_amazon import SERVER_ERROR, FakeAmazon
from .resets import link, plug_switches

KITCHEN_RESTART = "button.kitchen_echo_restart"
KITCHEN_POWER_CYCLE = "button.kitchen_echo_power_cycle"
WITH_POWERED_BY = pytest.mark.parametrize(
    "platforms", [[Platform.BUTTON, Platform.SELECT]]
)


@pytest.fixture
def platforms() -> list[str]:
    """Only the button platform."""
    return [Platform.BUTTON]


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Only Echos Amazon can reboot have a restart button; every Echo a power cycle."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)
    assert hass.states.get("button.bedroom_echo_show_restart") is None
    assert hass.states.get("button.bedroom_echo_show_power_cycle") is not None
    assert hass.states.get("button.kitchen_plug_power_cycle") is None


async def test_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """Pressing restart asks Amazon to reboot that Echo."""
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: KITCHEN_RESTART}, blocking=True
    )
    assert fake_amazon.requests[-1] == (
        "POST",
        "/v1/alexa/device/reboot/A4ZXE0RM7LQ7A/G090XG1234567KIT",
        {"deviceSerialNumber": "G090XG1234567KIT", "deviceType": "A4ZXE0RM7LQ7A"},
    )


async def test_restart_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """A reboot Amazon refuses raises a translated error; the logbook shows it."""
    events = async_capture_events(hass, EVENT_ACTION)
    fake_amazon.fail_next(SERVER_ERROR, 3)
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            {ATTR_ENTITY_ID: KITCHEN_RESTART},
            blocking=True,
        )
    assert raised.value.translation_key == "restart_failed"
    assert raised.value.translation_placeholders["device"] == "Kitchen Echo"
    assert [(e.data["action"], e.data["outcome"]) for e in events] == [
        ("restart", "failed")
    ]


async def test_restart_button_obeys_the_cooldown(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """The button is a reset like the action: a second press is refused."""
    events = async_capture_events(hass, EVENT_ACTION)
    press = {ATTR_ENTITY_ID: KITCHEN_RESTART}
    await hass.services.async_call(BUTTON_DOMAIN, SERVICE_PRESS, press, blocking=True)
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            BUTTON_DOMAIN, SERVICE_PRESS, press, blocking=True
        )
    assert refused.value.translation_key == "cooldown"
    reboots = [p for _, p, _ in fake_amazon.requests if "/reboot/" in p]
    assert len(reboots) == 1
    assert [event.data["outcome"] for event in events] == ["restart_requested"]


async def press(
    hass: HomeAssistant, entity_id: str, context: Context | None = None
) -> None:
    """Press a button as the device page does."""
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id},
        blocking=True,
        context=context,
    )


@WITH_POWERED_BY
async def test_power_cycle_button(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Beside Restart: the plug in "Powered by" goes off and on, and it is logged."""
    events = async_capture_events(hass, EVENT_ACTION)
    with pytest.raises(ServiceValidationError) as refused:
        await press(hass, KITCHEN_POWER_CYCLE)
    assert refused.value.translation_key == "no_linked_plug"
    assert plug_switches(fake_amazon) == []

    await link(hass, "kitchen_echo", "Kitchen Plug")
    await run_while_time_passes(hass, freezer, press(hass, KITCHEN_POWER_CYCLE))
    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]
    assert [(e.data["action"], e.data["outcome"]) for e in events] == [
        ("power_cycle", "back_online")
    ]


@WITH_POWERED_BY
async def test_power_cycle_button_is_for_administrators(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    household_member: MockUser,
) -> None:
    """Cutting power is an administrator's action, from the page as from the action."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    with pytest.raises(Unauthorized):
        await press(hass, KITCHEN_POWER_CYCLE, Context(user_id=household_member.id))
    assert plug_switches(fake_amazon) == []
