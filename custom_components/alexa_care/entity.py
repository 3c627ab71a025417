"""Base entity of the devices on the Amazon account, and adding new ones."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Mapping
from typing import override

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import AccountSnapshot, Device, Echo, SmartPlug
from .const import DOMAIN
from .coordinator import AlexaCareConfigEntry, AlexaCareCoordinator


class AlexaCareEntity[DeviceT: Device](CoordinatorEntity[AlexaCareCoordinator]):
    """An entity of one device (an Echo or a plug), found by its key."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: AlexaCareCoordinator,
        device: DeviceT,
        description: EntityDescription,
    ) -> None:
        """Attach the entity to its device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._key = device.key
        # Keys are serial numbers or Amazon endpoint ids, never the email.
        self._attr_unique_id = f"{device.key}-{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, device.key)},
            name=device.name,
            manufacturer=device.manufacturer,
            model=device.model,
            serial_number=device.serial_number,
            sw_version=device.software_version,
        )

    @abstractmethod
    def _devices(self, snapshot: AccountSnapshot) -> Mapping[str, DeviceT]:
        """The devices of this entity's kind in a snapshot."""

    @property
    def device(self) -> DeviceT:
        """The device as the last successful poll saw it."""
        return self._devices(self.coordinator.data)[self._key]

    @property
    def known(self) -> bool:
        """Whether the last successful poll listed the device."""
        return self._key in self._devices(self.coordinator.data)

    @property
    @override
    def available(self) -> bool:
        """Available while polls succeed and the account lists the device."""
        return super().available and self.known


class AlexaCareEchoEntity(AlexaCareEntity[Echo]):
    """An entity of an Echo."""

    @override
    def _devices(self, snapshot: AccountSnapshot) -> Mapping[str, Echo]:
        return snapshot.echos


class AlexaCarePlugEntity(AlexaCareEntity[SmartPlug]):
    """An entity of a smart plug."""

    @override
    def _devices(self, snapshot: AccountSnapshot) -> Mapping[str, SmartPlug]:
        return snapshot.plugs


@callback
def async_add_entities_for_devices(
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entities_for: Callable[[AlexaCareCoordinator, Device], Iterable[Entity]],
) -> None:
    """Add a platform's entities for every device, now and when new ones appear."""
    coordinator = entry.runtime_data.coordinator
    registry = dr.async_get(coordinator.hass)
    added: set[str] = set()

    @callback
    def add_new_devices() -> None:
        devices = coordinator.data.devices
        # A device removed from the registry after it left the account may
        # come back one day: it then needs its entities again.
        added.intersection_update(
            key
            for key in added
            if key in devices
            or registry.async_get_device_by_identifier((DOMAIN, key), entry.entry_id)
        )
        new_devices = [device for key, device in devices.items() if key not in added]
        added.update(device.key for device in new_devices)
        if entities := [
            entity
            for device in new_devices
            for entity in entities_for(coordinator, device)
        ]:
            async_add_entities(entities)

    add_new_devices()
    entry.async_on_unload(coordinator.async_add_listener(add_new_devices))
