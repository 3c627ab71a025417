"""Logbook lines for what the actions did."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_ACTION

# The logbook shows events in English only; these read as sentences.
ACTIONS = {
    "restart": "restart",
    "power_cycle": "power cycle",
    "deregister": "deregistration",
}
OUTCOMES = {
    "restart_requested": "requested from Amazon",
    "back_online": "done, back online",
    "not_back_online": "done, but not back online yet",
    "power_cycled": "done",
    "deregistered": "done, the device left the Amazon account",
    "failed": "failed",
}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe alexa_care_action events."""

    @callback
    def describe(event: Event) -> dict[str, Any]:
        data = event.data
        action = ACTIONS.get(data["action"], data["action"])
        outcome = OUTCOMES.get(data["outcome"], data["outcome"])
        return {
            LOGBOOK_ENTRY_NAME: data["device_name"],
            LOGBOOK_ENTRY_MESSAGE: f"{action} {outcome}",
        }

    async_describe_event(DOMAIN, EVENT_ACTION, describe)
