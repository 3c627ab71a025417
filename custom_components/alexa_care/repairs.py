"""Fix flows of Alexa Care's repair issues: which flow an issue gets."""

from __future__ import annotations

from homeassistant.components.repairs import RepairsFlow
from homeassistant.core import HomeAssistant

from .const import ISSUE_KEEPS_DROPPING
from .device_repair import DeviceKeepsDroppingRepairFlow
from .offline_repair import DeviceUnavailableRepairFlow
from .plug_left_off import ISSUE_PLUG_LEFT_OFF, PlugLeftOffRepairFlow


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None]
) -> RepairsFlow:
    """Create the fix flow of one of our issues."""
    entry_id, device_key = str(data["entry_id"]), str(data["device_key"])
    if issue_id.startswith(ISSUE_PLUG_LEFT_OFF):
        return PlugLeftOffRepairFlow(entry_id, device_key)
    if issue_id.startswith(ISSUE_KEEPS_DROPPING):
        return DeviceKeepsDroppingRepairFlow(issue_id, entry_id, device_key)
    return DeviceUnavailableRepairFlow(issue_id, entry_id, device_key)
