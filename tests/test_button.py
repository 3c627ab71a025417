"""Tests of the restart buttons."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.alexa_care.const import EVENT_ACTION
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er

from .fake_amazon import SERVER_ERROR, FakeAmazon

KITCHEN_RESTART = "button.kitchen_echo_restart"


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
    """Only Echos Amazon can reboot have a restart button."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)
    assert hass.states.get("button.bedroom_echo_show_restart") is None


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
