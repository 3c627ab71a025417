"""Restart buttons of the Echos that Amazon can reboot."""

from __future__ import annotations

from collections.abc import Iterable
from typing import override

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Device, Echo
from .coordinator import AlexaCareConfigEntry, AlexaCareCoordinator
from .entity import AlexaCareEchoEntity, async_add_entities_for_devices
from .services import fire_action_event

PARALLEL_UPDATES = 1

RESTART = ButtonEntityDescription(
    key="restart",
    translation_key="restart",
    device_class=ButtonDeviceClass.RESTART,
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a restart button to every Echo Amazon can reboot."""

    def entities_for(
        coordinator: AlexaCareCoordinator, device: Device
    ) -> Iterable[Entity]:
        if isinstance(device, Echo) and device.can_restart:
            return [EchoRestartButton(coordinator, device, RESTART)]
        return []

    async_add_entities_for_devices(entry, async_add_entities, entities_for)


class EchoRestartButton(AlexaCareEchoEntity, ButtonEntity):
    """Reboots the Echo through Amazon (a soft reset)."""

    @override
    async def async_press(self) -> None:
        """Restart through the same code as the action, cooldown included."""
        resets = self.coordinator.config_entry.runtime_data.resets
        outcome = await resets.async_restart(resets.validate_restart(self.device))
        if self.device_entry is not None:
            fire_action_event(
                self.hass,
                self.device_entry.id,
                outcome.device,
                outcome.action,
                outcome.outcome,
            )
