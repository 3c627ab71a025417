"""Connectivity of the Echos and smart plugs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .amazon.models import Device
from .data import AlexaCareConfigEntry
from .entity import (
    AlexaCareEntity,
    AlexaCareEntityDescription,
    async_add_described_entities,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AlexaCareBinarySensorEntityDescription[DeviceT: Device](
    BinarySensorEntityDescription, AlexaCareEntityDescription[DeviceT]
):
    """Describes a binary sensor of a device."""

    is_on_fn: Callable[[DeviceT], bool | None]
    # Keeps what Amazon last reported through failed polls.
    keeps_last_report: bool = False


BINARY_SENSORS: tuple[AlexaCareBinarySensorEntityDescription[Device], ...] = (
    AlexaCareBinarySensorEntityDescription(
        key="connectivity",
        translation_key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        device_kind=Device,
        # Amazon does not report reachability for some plugs of other brands.
        exists_fn=lambda device: device.online is not None,
        is_on_fn=lambda device: device.online,
        # A failed poll says nothing about the device: it is unavailable only
        # while the account does not list it.
        keeps_last_report=True,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of every device, now and later."""
    async_add_described_entities(
        entry, async_add_entities, BINARY_SENSORS, AlexaCareBinarySensor
    )


class AlexaCareBinarySensor(AlexaCareEntity, BinarySensorEntity):
    """A binary sensor of a device."""

    entity_description: AlexaCareBinarySensorEntityDescription[Device]

    @property
    @override
    def available(self) -> bool:
        if self.entity_description.keeps_last_report:
            return self.known
        return super().available

    @override
    def _value(self) -> object:
        return self.is_on

    @property
    @override
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.device)
