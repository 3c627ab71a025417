"""Listeners of one device's news, so that news of one device wakes only its entities.

A coordinator listener wakes every entity of the account: fine for a poll
that changed something, too much for what concerns one device (a Wi-Fi
network read, a new sample time, a count) on an account of hundreds.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from homeassistant.core import CALLBACK_TYPE, callback


class DeviceListeners:
    """Callbacks by device key."""

    def __init__(self) -> None:
        """Start with none."""
        self._by_device: dict[str, list[CALLBACK_TYPE]] = {}

    @callback
    def add(self, device_key: str, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` on news of the device; returns the remover."""
        self._by_device.setdefault(device_key, []).append(update)
        # A partial, not a closure: a few of these are kept for every device.
        return partial(self._remove, device_key, update)

    def _remove(self, device_key: str, update: CALLBACK_TYPE) -> None:
        updates = self._by_device[device_key]
        updates.remove(update)
        if not updates:
            del self._by_device[device_key]

    def devices(self) -> Iterable[str]:
        """The devices someone listens to."""
        return self._by_device.keys()

    @callback
    def notify(self, device_keys: Iterable[str] | None = None) -> None:
        """Wake the listeners of these devices (None: of every device)."""
        keys = list(self._by_device if device_keys is None else device_keys)
        for key in keys:
            for update in list(self._by_device.get(key, ())):
                update()
