"""Fix flows of Alexa Care's repair issues: which flow an issue gets."""

from __future__ import annotations

from homeassistant.components.repairs import RepairsFlow
from homeassistant.core import HomeAssistant

from .monitoring.issues import IssueKind, issue_of_data
from .repair_flows.device import DeviceKeepsDroppingRepairFlow
from .repair_flows.offline import DeviceUnavailableRepairFlow
from .resets.plug_left_off import PlugLeftOffRepairFlow


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the fix flow of one of our issues, chosen by the kind in its data."""
    issue = issue_of_data(data)
    if issue is not None and (key := issue.device_key) is not None:
        match issue.kind:
            case IssueKind.DEVICE_UNAVAILABLE:
                return DeviceUnavailableRepairFlow(issue_id, issue.entry_id, key)
            case IssueKind.DEVICE_KEEPS_DROPPING:
                return DeviceKeepsDroppingRepairFlow(issue_id, issue.entry_id, key)
            case IssueKind.PLUG_LEFT_OFF:
                return PlugLeftOffRepairFlow(issue.entry_id, key)
    # Only fixable issues reach here, and each of ours has its flow.
    raise ValueError(f"No fix flow for repair issue {issue_id}")
