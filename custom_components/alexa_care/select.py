"""The "Powered by" select of each Echo: which smart plug feeds it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import override

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import AccountSnapshot, Device, Echo
from .coordinator import AlexaCareConfigEntry, AlexaCareCoordinator
from .entity import AlexaCareEchoEntity, async_add_entities_for_devices
from .power_links import PowerLinks

PARALLEL_UPDATES = 0

OPTION_NONE = "none"

POWERED_BY = SelectEntityDescription(
    key="powered_by",
    translation_key="powered_by",
    entity_category=EntityCategory.CONFIG,
)


def plug_options(snapshot: AccountSnapshot) -> dict[str, str]:
    """Option shown → plug key; plugs that share a name get their key's end."""
    names = [plug.name for plug in snapshot.plugs.values()]
    return {
        plug.name if names.count(plug.name) == 1 else f"{plug.name} ({key[-4:]})": key
        for key, plug in snapshot.plugs.items()
    }


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add "Powered by" to every Echo, now and later."""
    power_links = entry.runtime_data.power_links

    def entities_for(
        coordinator: AlexaCareCoordinator, device: Device
    ) -> Iterable[Entity]:
        if isinstance(device, Echo):
            return [PoweredBySelect(coordinator, device, POWERED_BY, power_links)]
        return []

    async_add_entities_for_devices(entry, async_add_entities, entities_for)


class PoweredBySelect(AlexaCareEchoEntity, SelectEntity):
    """The plug a power cycle of this Echo switches."""

    def __init__(
        self,
        coordinator: AlexaCareCoordinator,
        echo: Echo,
        description: SelectEntityDescription,
        power_links: PowerLinks,
    ) -> None:
        """Keep the links the selection is stored in."""
        super().__init__(coordinator, echo, description)
        self._power_links = power_links

    @property
    @override
    def options(self) -> list[str]:
        return [OPTION_NONE, *plug_options(self.coordinator.data)]

    @property
    @override
    def current_option(self) -> str | None:
        plug_key = self._power_links.plug_of(self._key)
        if plug_key is None:
            return OPTION_NONE
        return next(
            (
                option
                for option, key in plug_options(self.coordinator.data).items()
                if key == plug_key
            ),
            None,  # the plug has left the account
        )

    @override
    async def async_select_option(self, option: str) -> None:
        plug_key = plug_options(self.coordinator.data).get(option)
        await self._power_links.async_link(self._key, plug_key)
        self.async_write_ha_state()
