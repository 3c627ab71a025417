"""Keeps the device registry in step with what Amazon lists.

A device renamed, or given new firmware, in the Alexa app shows so once a
poll reads it; one gone from the account for STALE_DEVICE_GRACE leaves the
registry (not at once: Amazon's list misses a device now and then).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from ..amazon.models import AccountSnapshot, Device
from ..const import DOMAIN, LOGGER, STALE_DEVICE_GRACE

# What the device registry shows of a device, as Amazon names it.
_REGISTRY_FIELDS = {
    "name": "name",
    "model": "model",
    "manufacturer": "manufacturer",
    "software_version": "sw_version",
}


class DeviceRegistrySync:
    """One account's devices in the device registry."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, removed: Callable[[str], None]
    ) -> None:
        """Follow `entry`'s devices; `removed` hears of each one taken out."""
        self._hass = hass
        self._entry = entry
        self._removed = removed
        self._missing_since: dict[str, datetime] = {}
        # The devices listed when the registry was last compared with the
        # account: while they stay the same and none is missing, the
        # registry has nothing stale and need not be read again.
        self._listed_at_last_check: set[str] | None = None

    def polled(
        self, before: AccountSnapshot | None, now: AccountSnapshot, at: datetime
    ) -> None:
        """Take in a poll's snapshot, `before` being the one it follows."""
        self._remove_stale_devices(now, at)
        if before is not None:
            self._rename_devices(before, now)

    def _remove_stale_devices(self, snapshot: AccountSnapshot, now: datetime) -> None:
        """Remove devices the account has not listed for STALE_DEVICE_GRACE."""
        present = snapshot.devices
        if not self._missing_since and set(present) == self._listed_at_last_check:
            return
        self._listed_at_last_check = set(present)
        registry = dr.async_get(self._hass)
        entry_id = self._entry.entry_id
        for device in dr.async_entries_for_config_entry(registry, entry_id):
            key = next(
                (value for domain, value in device.identifiers if domain == DOMAIN),
                None,
            )
            # The entry's id keys the account's own device, never stale.
            if key in (None, entry_id) or key in present:
                self._missing_since.pop(key or "", None)
                continue
            missing_since = self._missing_since.setdefault(key, now)
            if now - missing_since >= STALE_DEVICE_GRACE:
                LOGGER.info("Removing %s: gone from the Amazon account", device.name)
                registry.async_remove_device(device.id)
                del self._missing_since[key]
                self._removed(key)

    def _rename_devices(self, before: AccountSnapshot, now: AccountSnapshot) -> None:
        """Show a new name, model or firmware in the device registry once read."""
        registry = dr.async_get(self._hass)
        for key, device in now.devices.items():
            old: Device | None = before.devices.get(key)
            if old is None or old == device:
                continue
            changes: dict[str, Any] = {
                registry_field: getattr(device, field)
                for field, registry_field in _REGISTRY_FIELDS.items()
                if getattr(device, field) != getattr(old, field)
            }
            if changes and (
                entry := registry.async_get_device_by_identifier(
                    (DOMAIN, key), self._entry.entry_id
                )
            ):
                registry.async_update_device(entry.id, **changes)
