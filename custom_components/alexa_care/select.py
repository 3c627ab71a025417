"""The "Powered by" select of each Echo: which smart plug feeds it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.select import SelectEntity, SelectEntityDescription
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
from .resets.power_links import NO_PLUG, plug_labels

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AlexaCareSelectEntityDescription[DeviceT: Device](
    SelectEntityDescription, AlexaCareEntityDescription[DeviceT]
):
    """Describes a select of a device: its choices, and what choosing does."""

    options_fn: Callable[[AlexaCareData], list[str]]
    current_fn: Callable[[AlexaCareData, DeviceT], str | None]
    select_fn: Callable[[AlexaCareData, DeviceT, str], Awaitable[None]]


def _plugs(runtime: AlexaCareData) -> list[str]:
    return [NO_PLUG, *plug_labels(runtime.coordinator.data).values()]


def _powered_by(runtime: AlexaCareData, echo: Echo) -> str | None:
    plug_key = runtime.power_links.plug_of(echo.key)
    if plug_key is None:
        return NO_PLUG
    # None when the plug has left the account.
    return plug_labels(runtime.coordinator.data).get(plug_key)


async def _link(runtime: AlexaCareData, echo: Echo, option: str) -> None:
    # Options are labels; what is stored is the plug's key.
    labels = plug_labels(runtime.coordinator.data)
    plug_key = next((key for key, label in labels.items() if label == option), None)
    await runtime.power_links.async_link(echo.key, plug_key)


SELECTS: tuple[AlexaCareSelectEntityDescription[Echo], ...] = (
    AlexaCareSelectEntityDescription(
        key="powered_by",
        translation_key="powered_by",
        entity_category=EntityCategory.CONFIG,
        device_kind=Echo,
        options_fn=_plugs,
        current_fn=_powered_by,
        select_fn=_link,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the selects of every device, now and later."""
    async_add_described_entities(entry, async_add_entities, SELECTS, AlexaCareSelect)


class AlexaCareSelect(AlexaCareEntity[Echo], SelectEntity):
    """A select of a device."""

    entity_description: AlexaCareSelectEntityDescription[Echo]

    @override
    def _value(self) -> object:
        return (self.current_option, tuple(self.options))

    @property
    @override
    def options(self) -> list[str]:
        return self.entity_description.options_fn(self.runtime)

    @property
    @override
    def current_option(self) -> str | None:
        return self.entity_description.current_fn(self.runtime, self.device)

    @override
    async def async_select_option(self, option: str) -> None:
        await self.entity_description.select_fn(self.runtime, self.device, option)
        self.async_write_ha_state()
