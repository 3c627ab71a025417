"""The alexa_care_action event: what an action, button or flow did to a device."""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from .amazon.models import Device
from .const import EVENT_ACTION

OUTCOME_FAILED = "failed"


def fire_action_event(
    hass: HomeAssistant, device_id: str, device: Device, action: str, outcome: str
) -> None:
    """Tell the logbook and automations what an action did."""
    hass.bus.async_fire(
        EVENT_ACTION,
        {
            "device_id": device_id,
            "device_name": device.name,
            "action": action,
            "outcome": outcome,
        },
    )
