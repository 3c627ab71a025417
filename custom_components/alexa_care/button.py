"""Restart buttons of the Echos that Amazon can reboot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
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
from .reset import ResetOutcome

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AlexaCareButtonEntityDescription[DeviceT: Device](
    ButtonEntityDescription, AlexaCareEntityDescription[DeviceT]
):
    """Describes a button of a device: the reset it performs."""

    press_fn: Callable[[AlexaCareData, DeviceT], Awaitable[ResetOutcome]]


def _restart(runtime: AlexaCareData, echo: Echo) -> Awaitable[ResetOutcome]:
    # The same code as the action, cooldown included.
    resets = runtime.resets
    return resets.async_restart(resets.validate_restart(echo))


BUTTONS: tuple[AlexaCareButtonEntityDescription[Echo], ...] = (
    AlexaCareButtonEntityDescription(
        key="restart",
        translation_key="restart",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        device_kind=Echo,
        exists_fn=lambda echo: echo.can_restart,
        press_fn=_restart,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons of every device, now and later."""
    async_add_described_entities(entry, async_add_entities, BUTTONS, AlexaCareButton)


class AlexaCareButton(AlexaCareEntity, ButtonEntity):
    """A button that resets a device, as the matching action does."""

    entity_description: AlexaCareButtonEntityDescription[Echo]

    @override
    async def async_press(self) -> None:
        # The reset fires the logbook's event itself.
        await self.entity_description.press_fn(self.runtime, self.device)
