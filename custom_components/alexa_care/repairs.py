"""Fix flows of Alexa Care's repair issues: which flow an issue gets."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from homeassistant.components.repairs import RepairsFlow
from homeassistant.core import HomeAssistant
from homeassistant.helpers.importlib import async_import_module

from .monitoring.issues import IssueKind, issue_of_data
from .resets.plug_left_off import PlugLeftOffRepairFlow

if TYPE_CHECKING:
    from .repair_flows.device import DeviceRepairFlow

# Home Assistant loads this module with the integration; the devices' fix
# flows are imported when one is first opened, off the event loop, so that a
# home that never opens one does not keep them in memory.
DEVICE_FLOWS = f"{__package__}.repair_flows"


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the fix flow of one of our issues, chosen by the kind in its data."""
    issue = issue_of_data(data)
    if issue is not None and (key := issue.device_key) is not None:
        if issue.kind is IssueKind.PLUG_LEFT_OFF:
            return PlugLeftOffRepairFlow(issue.entry_id, key)
        flows = await async_import_module(hass, DEVICE_FLOWS)
        flow_of_kind = cast(
            "dict[IssueKind, type[DeviceRepairFlow]]", flows.FLOW_OF_KIND
        )
        if (flow := flow_of_kind.get(issue.kind)) is not None:
            return flow(issue_id, issue.entry_id, key)
    # Only fixable issues reach here, and each of ours has its flow.
    raise ValueError(f"No fix flow for repair issue {issue_id}")
