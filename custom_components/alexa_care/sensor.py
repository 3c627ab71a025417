"""Diagnostic sensors of the Echos: software version, last seen online."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Device, Echo
from .coordinator import AlexaCareConfigEntry, AlexaCareCoordinator
from .entity import AlexaCareEchoEntity, async_add_entities_for_devices

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class EchoSensorEntityDescription(SensorEntityDescription):
    """Describes a sensor of an Echo."""

    value_fn: Callable[[Echo], str | datetime | None]


ECHO_SENSORS: tuple[EchoSensorEntityDescription, ...] = (
    EchoSensorEntityDescription(
        key="software_version",
        translation_key="software_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        # The device page shows the version already.
        entity_registry_enabled_default=False,
        value_fn=lambda echo: echo.software_version,
    ),
    EchoSensorEntityDescription(
        key="last_seen_online",
        translation_key="last_seen_online",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda echo: echo.last_seen_online,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every Echo, now and later."""

    def entities_for(
        coordinator: AlexaCareCoordinator, device: Device
    ) -> Iterable[Entity]:
        if not isinstance(device, Echo):
            return []
        return [
            EchoSensor(coordinator, device, description) for description in ECHO_SENSORS
        ]

    async_add_entities_for_devices(entry, async_add_entities, entities_for)


class EchoSensor(AlexaCareEchoEntity, SensorEntity):
    """A sensor of an Echo."""

    entity_description: EchoSensorEntityDescription

    @property
    @override
    def native_value(self) -> str | datetime | None:
        return self.entity_description.value_fn(self.device)
