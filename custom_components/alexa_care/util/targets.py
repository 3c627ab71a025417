"""Which Alexa Care device an action or a flow is about."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, service

from ..amazon.models import Device
from ..const import DOMAIN
from ..data import AlexaCareConfigEntry
from .errors import refused
from .record import Record


class Target(Record):
    """A device an action was called for, and the entry it belongs to."""

    device_id: str
    entry: AlexaCareConfigEntry
    device: Device


def resolve_target(hass: HomeAssistant, device_id: str) -> Target:
    """Find the Alexa Care device behind a device id, or refuse.

    Home Assistant's helper refuses an unknown device, another integration's,
    and one whose entry is not loaded, in its own translated words.
    """
    device_entry, config_entry = service.async_get_device_and_config_entry(
        hass, DOMAIN, device_id, include_child_devices=False
    )
    entry: AlexaCareConfigEntry = config_entry
    name = device_entry.name_by_user or device_entry.name or device_id
    if device_entry.entry_type is dr.DeviceEntryType.SERVICE:
        raise refused("account_device", device=name)
    key = next(value for domain, value in device_entry.identifiers if domain == DOMAIN)
    device = entry.runtime_data.coordinator.data.devices.get(key)
    if device is None:
        raise refused("device_not_on_account", device=name)
    return Target(device_id=device_id, entry=entry, device=device)


def target_of(
    hass: HomeAssistant, entry: AlexaCareConfigEntry, device: Device
) -> Target | None:
    """The target of a device a flow already knows, if it is in the registry."""
    registry_device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, device.key), entry.entry_id
    )
    if registry_device is None:
        return None
    return Target(device_id=registry_device.id, entry=entry, device=device)
