"""Base entity of the devices on the Amazon account."""

from __future__ import annotations

from typing import override

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Echo
from .const import DOMAIN
from .coordinator import AlexaCareCoordinator


class AlexaCareEchoEntity(CoordinatorEntity[AlexaCareCoordinator]):
    """An entity of one Echo, identified by its serial number."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: AlexaCareCoordinator,
        serial_number: str,
        description: EntityDescription,
    ) -> None:
        """Attach the entity to the Echo's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._serial_number = serial_number
        # The serial number is stable and never holds the account's email.
        self._attr_unique_id = f"{serial_number}-{description.key}"
        echo = coordinator.data.echos[serial_number]
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, serial_number)},
            name=echo.name,
            manufacturer=echo.manufacturer or "Amazon",
            model=echo.model,
            serial_number=serial_number,
            sw_version=echo.software_version,
        )

    @property
    def echo(self) -> Echo:
        """The Echo as the last poll saw it."""
        return self.coordinator.data.echos[self._serial_number]

    @property
    @override
    def available(self) -> bool:
        """Available while polls succeed and the account still has the Echo."""
        return super().available and self._serial_number in self.coordinator.data.echos
