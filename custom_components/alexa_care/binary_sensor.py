"""Binary sensors of the Echo devices."""

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

from .api import Echo
from .coordinator import AlexaCareConfigEntry
from .entity import AlexaCareEchoEntity

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AlexaCareBinarySensorEntityDescription(BinarySensorEntityDescription):
    """Describes a binary sensor of an Echo."""

    is_on_fn: Callable[[Echo], bool]
    exists_fn: Callable[[Echo], bool] = lambda _: True


ECHO_BINARY_SENSORS: tuple[AlexaCareBinarySensorEntityDescription, ...] = (
    AlexaCareBinarySensorEntityDescription(
        key="connectivity",
        translation_key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        is_on_fn=lambda echo: echo.online,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of every Echo on the account."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        AlexaCareBinarySensor(coordinator, serial_number, description)
        for serial_number, echo in coordinator.data.echos.items()
        for description in ECHO_BINARY_SENSORS
        if description.exists_fn(echo)
    )


class AlexaCareBinarySensor(AlexaCareEchoEntity, BinarySensorEntity):
    """A binary sensor of an Echo."""

    entity_description: AlexaCareBinarySensorEntityDescription

    @property
    @override
    def is_on(self) -> bool:
        """Read the state from the last poll."""
        return self.entity_description.is_on_fn(self.echo)
