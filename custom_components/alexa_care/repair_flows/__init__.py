"""The fix flows of the devices' repair issues.

repairs.py imports this package on the first flow opened, not at setup.
"""

from __future__ import annotations

from ..monitoring.issues import IssueKind
from .device import DeviceKeepsDroppingRepairFlow, DeviceRepairFlow
from .offline import DeviceUnavailableRepairFlow

FLOW_OF_KIND: dict[IssueKind, type[DeviceRepairFlow]] = {
    IssueKind.DEVICE_UNAVAILABLE: DeviceUnavailableRepairFlow,
    IssueKind.DEVICE_KEEPS_DROPPING: DeviceKeepsDroppingRepairFlow,
}
