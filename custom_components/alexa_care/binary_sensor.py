"""Connectivity of the Echos and smart plugs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Device, Echo, SmartPlug
from .coordinator import AlexaCareConfigEntry, AlexaCareCoordinator
from .entity import (
    AlexaCareEchoEntity,
    AlexaCareEntity,
    AlexaCarePlugEntity,
    async_add_entities_for_devices,
)

PARALLEL_UPDATES = 0

CONNECTIVITY = BinarySensorEntityDescription(
    key="connectivity",
    translation_key="connectivity",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a connectivity sensor to every Echo and plug, now and later."""

    def entities_for(
        coordinator: AlexaCareCoordinator, device: Device
    ) -> Iterable[Entity]:
        if device.online is None:
            # Amazon does not report reachability for some plugs of other brands.
            return []
        if isinstance(device, Echo):
            return [EchoConnectivity(coordinator, device, CONNECTIVITY)]
        if isinstance(device, SmartPlug):
            return [PlugConnectivity(coordinator, device, CONNECTIVITY)]
        return []

    async_add_entities_for_devices(entry, async_add_entities, entities_for)


class _Connectivity[DeviceT: Device](AlexaCareEntity[DeviceT], BinarySensorEntity):
    """Online as Amazon reports it.

    A failed poll does not make the device offline, nor unknown: the sensor
    keeps what Amazon last reported, and is unavailable only while the
    account does not list the device.
    """

    @property
    @override
    def available(self) -> bool:
        return self.known

    @property
    @override
    def is_on(self) -> bool | None:
        return self.device.online


class EchoConnectivity(_Connectivity[Echo], AlexaCareEchoEntity):
    """Whether an Echo is online."""


class PlugConnectivity(_Connectivity[SmartPlug], AlexaCarePlugEntity):
    """Whether a smart plug is online."""
