"""The alexa_care_action event: what an action, button or flow did to a device.

Fired by the code that does the work (resets/procedures.py, deregister.py,
voice/actions.py), so that every way of starting it shows in the logbook.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr

from ..amazon.models import Device
from ..const import DOMAIN, EVENT_ACTION
from .record import Record

OUTCOME_FAILED = "failed"

# Every action and the outcomes it can have: each pair has a logbook
# sentence in every language (translations, "common").
ACTION_OUTCOMES: dict[str, tuple[str, ...]] = {
    "restart": ("restart_requested", "back_online", "not_back_online", "failed"),
    "power_cycle": ("power_cycled", "back_online", "not_back_online", "failed"),
    "deregister": ("deregistered", "failed"),
    "delete_voice_history": ("deleted", "nothing_to_delete", "failed"),
}


def logbook_key(action: str, outcome: str) -> str:
    """The translation key ("common") of the logbook's sentence for a pair."""
    return f"logbook_{action}_{outcome}"


def fire_action_event(
    hass: HomeAssistant,
    device_id: str | None,
    device: Device,
    action: str,
    outcome: str,
) -> None:
    """Tell the logbook and automations what an action did."""
    hass.bus.async_fire(
        EVENT_ACTION,
        {
            ATTR_DEVICE_ID: device_id,
            "device_name": device.name,
            "action": action,
            "outcome": outcome,
        },
    )


def registry_device_id(
    hass: HomeAssistant, entry_id: str, device: Device
) -> str | None:
    """The device registry's id of one of the entry's devices, if it has one."""
    entry = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, device.key), entry_id
    )
    return entry.id if entry else None


class ActionEvent(Record):
    """The event one action on one device fires once it is over."""

    device_id: str | None
    device: Device
    action: str

    async def async_reported[ResultT](
        self,
        hass: HomeAssistant,
        work: Awaitable[ResultT],
        outcome_of: Callable[[ResultT], str],
    ) -> ResultT:
        """Do the work, then fire the event: its outcome, or that it failed."""
        try:
            result = await work
        except HomeAssistantError:
            fire_action_event(
                hass, self.device_id, self.device, self.action, OUTCOME_FAILED
            )
            raise
        outcome = outcome_of(result)
        fire_action_event(hass, self.device_id, self.device, self.action, outcome)
        return result
