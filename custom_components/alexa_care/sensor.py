"""Sensors of the Echos: software version, last seen online, last voice request."""

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
from .voice_history import VoiceHistoryCoordinator

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
            *(
                EchoSensor(coordinator, device, description)
                for description in ECHO_SENSORS
            ),
            LastVoiceRequestSensor(
                coordinator, device, entry.runtime_data.voice_history
            ),
        ]

    async_add_entities_for_devices(entry, async_add_entities, entities_for)


class EchoSensor(AlexaCareEchoEntity, SensorEntity):
    """A sensor of an Echo."""

    entity_description: EchoSensorEntityDescription

    @property
    @override
    def native_value(self) -> str | datetime | None:
        return self.entity_description.value_fn(self.device)


LAST_VOICE_REQUEST = SensorEntityDescription(
    key="last_voice_request",
    translation_key="last_voice_request",
    device_class=SensorDeviceClass.TIMESTAMP,
)


class LastVoiceRequestSensor(AlexaCareEchoEntity, SensorEntity):
    """When someone last asked an Echo something, from the voice history.

    What was said is not a state or an attribute: it belongs to the
    get_voice_history action's response, which nothing records.
    """

    def __init__(
        self,
        coordinator: AlexaCareCoordinator,
        echo: Echo,
        voice_history: VoiceHistoryCoordinator,
    ) -> None:
        """Attach the sensor to its Echo and to the voice history."""
        super().__init__(coordinator, echo, LAST_VOICE_REQUEST)
        self.voice_history = voice_history

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        # Listening also makes the voice history coordinator poll.
        self.async_on_remove(
            self.voice_history.async_add_listener(self._handle_coordinator_update)
        )

    @property
    @override
    def available(self) -> bool:
        return super().available and self.voice_history.data is not None

    @property
    @override
    def native_value(self) -> datetime | None:
        return self.voice_history.data.last_request(self._key)
