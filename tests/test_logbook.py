"""Tests of the logbook lines of the actions."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DOMAIN, EVENT_ACTION
from custom_components.alexa_care.logbook import async_describe_events
from homeassistant.components.logbook import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant


async def test_action_events_read_as_sentences(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The logbook shows the device and what happened to it."""
    described = {}

    def describe_event(domain: str, event_type: str, describe) -> None:  # noqa: ANN001
        described[(domain, event_type)] = describe

    async_describe_events(hass, describe_event)
    describe = described[(DOMAIN, EVENT_ACTION)]
    event = Event(
        EVENT_ACTION,
        {
            "device_id": "abc",
            "device_name": "Kitchen Echo",
            "action": "power_cycle",
            "outcome": "back_online",
        },
    )
    assert describe(event) == {
        LOGBOOK_ENTRY_NAME: "Kitchen Echo",
        LOGBOOK_ENTRY_MESSAGE: "power cycle done, back online",
    }
