"""The devices a reset or a deregistration is busy with, and what refuses others.

Apart from the cooldowns: with a cooldown of 0, two power cycles of one Echo
would otherwise run at once (off, off, on, on), and a deregistration waits
up to a minute for Amazon to let the device go, during which neither a
second deregistration nor a reset may start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..amazon.models import Device
from ..util.errors import refused

# The refusal each kind of work gives a device it holds.
RESETTING = "reset_in_progress"
DEREGISTERING = "deregister_in_progress"


class BusyDevices:
    """Device key → the refusal of whatever holds it, while something does."""

    def __init__(self) -> None:
        """Start with every device free."""
        self._held: dict[str, str] = {}

    def check_free(self, device: Device) -> None:
        """Refuse to touch a device something is busy with."""
        if (refusal := self._held.get(device.key)) is not None:
            raise refused(refusal, device=device.name)

    def hold(self, refusal: str, *devices: Device) -> None:
        """Hold free devices (check_free first) for the work `refusal` names."""
        self._held.update((device.key, refusal) for device in devices)

    def free(self, *devices: Device) -> None:
        """The work is over, or never started."""
        for device in devices:
            self._held.pop(device.key, None)

    @contextmanager
    def deregistering(self, device: Device) -> Iterator[None]:
        """Hold the device while it is deregistered."""
        self.check_free(device)
        self.hold(DEREGISTERING, device)
        try:
            yield
        finally:
            self.free(device)
