"""Binary sensors: connectivity, the Echos' microphones, the push channel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .amazon.models import CAPABILITY_MICROPHONE, Device, Echo
from .data import AlexaCareConfigEntry
from .entity import (
    AlexaCareEntity,
    AlexaCareEntityDescription,
    account_device_info,
    async_add_described_entities,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AlexaCareBinarySensorEntityDescription[DeviceT: Device](
    BinarySensorEntityDescription, AlexaCareEntityDescription[DeviceT]
):
    """Describes a binary sensor of a device."""

    is_on_fn: Callable[[DeviceT], bool | None]


BINARY_SENSORS: tuple[AlexaCareBinarySensorEntityDescription[Any], ...] = (
    AlexaCareBinarySensorEntityDescription(
        key="connectivity",
        translation_key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        device_kind=Device,
        # Amazon does not report reachability for some plugs of other brands.
        exists_fn=lambda device: device.online is not None,
        is_on_fn=lambda device: device.online,
        # A failed poll says nothing about the device: it keeps what Amazon
        # last reported, unavailable only while the account does not list it.
        available_fn=lambda _runtime: True,
    ),
    AlexaCareBinarySensorEntityDescription[Echo](
        key="microphones",
        translation_key="microphones",
        device_kind=Echo,
        exists_fn=lambda echo: CAPABILITY_MICROPHONE in echo.capabilities,
        # Unknown until Amazon pushes the first press of the button: it has
        # no way to read the state before.
        is_on_fn=lambda echo: echo.microphones_on,
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
    async_add_entities([PushChannelSensor(entry)])


class AlexaCareBinarySensor[DeviceT: Device](
    AlexaCareEntity[DeviceT], BinarySensorEntity
):
    """A binary sensor of a device."""

    entity_description: AlexaCareBinarySensorEntityDescription[DeviceT]

    @override
    def _value(self) -> object:
        return self.is_on

    @property
    @override
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.device)


class PushChannelSensor(BinarySensorEntity):
    """Whether Amazon's push channel works: on the account's device page.

    Off while closed, and while presumed stalled (open, but missing changes
    a poll found); its status says which, or that it has been quiet for
    longer than usual.
    """

    _attr_has_entity_name = True
    _attr_translation_key = "push_channel"
    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_entity_registry_enabled_default = False
    _attr_should_poll = False

    def __init__(self, entry: AlexaCareConfigEntry) -> None:
        """The entry's id names it: the account's own id is a customer id."""
        self._push = entry.runtime_data.push
        self._attr_unique_id = f"{entry.entry_id}-push_channel"
        self._attr_device_info = account_device_info(entry)
        # Not named after the device (the masked login) as has_entity_name would.
        self.entity_id = "binary_sensor.push_channel"

    @property
    @override
    def is_on(self) -> bool:
        status = self._push.status
        return status.connected and not status.stalled

    @property
    @override
    def extra_state_attributes(self) -> dict[str, str]:
        return {"status": self._push.status.state}

    @override
    async def async_added_to_hass(self) -> None:
        self.async_on_remove(self._push.async_add_listener(self.async_write_ha_state))
