"""Sensors of the Echos: software, last seen online, Wi-Fi network, last request."""

from __future__ import annotations

from collections.abc import Callable
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
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .amazon.models import Device, Echo
from .data import AlexaCareConfigEntry, AlexaCareData
from .entity import (
    AlexaCareEntity,
    AlexaCareEntityDescription,
    async_add_described_entities,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AlexaCareSensorEntityDescription[DeviceT: Device](
    SensorEntityDescription, AlexaCareEntityDescription[DeviceT]
):
    """Describes a sensor of a device."""

    value_fn: Callable[[AlexaCareData, DeviceT], str | datetime | None]
    # Read from the voice history, which has its own, slower schedule.
    from_voice_history: bool = False


SENSORS: tuple[AlexaCareSensorEntityDescription[Echo], ...] = (
    AlexaCareSensorEntityDescription(
        key="software_version",
        translation_key="software_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        # The device page shows the version already.
        entity_registry_enabled_default=False,
        device_kind=Echo,
        value_fn=lambda _, echo: echo.software_version,
    ),
    AlexaCareSensorEntityDescription(
        key="last_seen_online",
        translation_key="last_seen_online",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        # While an Echo is online Amazon stamps every sample anew, so this
        # changes at every poll: a recorder row per Echo per poll for what
        # Connectivity's last change and the offline issue already say.
        entity_registry_enabled_default=False,
        device_kind=Echo,
        value_fn=lambda _, echo: echo.last_seen_online,
    ),
    AlexaCareSensorEntityDescription(
        key="wifi_network",
        translation_key="wifi_network",
        entity_category=EntityCategory.DIAGNOSTIC,
        # The network's name identifies a home; shown only when asked for.
        entity_registry_enabled_default=False,
        device_kind=Echo,
        value_fn=lambda runtime, echo: (
            known.ssid if (known := runtime.network_identities.get(echo.key)) else None
        ),
    ),
    # When someone last asked an Echo something. What was said is not a state
    # or an attribute: it belongs to the get_voice_history action's response,
    # which nothing records.
    AlexaCareSensorEntityDescription(
        key="last_voice_request",
        translation_key="last_voice_request",
        device_class=SensorDeviceClass.TIMESTAMP,
        device_kind=Echo,
        value_fn=lambda runtime, echo: (
            history.last_request(echo.key)
            if (history := runtime.voice_history.data)
            else None
        ),
        from_voice_history=True,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every device, now and later."""
    async_add_described_entities(entry, async_add_entities, SENSORS, AlexaCareSensor)


class AlexaCareSensor(AlexaCareEntity, SensorEntity):
    """A sensor of a device."""

    entity_description: AlexaCareSensorEntityDescription[Echo]

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        if self.entity_description.from_voice_history:
            # Listening also makes the voice history coordinator poll.
            self.async_on_remove(
                self.runtime.voice_history.async_add_listener(
                    self._handle_coordinator_update
                )
            )

    @property
    @override
    def available(self) -> bool:
        if self.entity_description.from_voice_history:
            # Unavailable until a read has succeeded; a failed read later
            # keeps the last value.
            return super().available and self.runtime.voice_history.data is not None
        return super().available

    @override
    def _value(self) -> object:
        return self.native_value

    @property
    @override
    def native_value(self) -> str | datetime | None:
        return self.entity_description.value_fn(self.runtime, self.device)
