"""Do not disturb of the Echos, and the power of the smart plugs."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import Any, override

from homeassistant.components.switch import (
    SwitchDeviceClass,
    SwitchEntity,
    SwitchEntityDescription,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Device, Echo, SmartPlug
from .coordinator import AlexaCareConfigEntry, AlexaCareCoordinator
from .entity import (
    AlexaCareEchoEntity,
    AlexaCareEntity,
    AlexaCarePlugEntity,
    async_add_entities_for_devices,
)
from .helpers import amazon_action

PARALLEL_UPDATES = 1

DO_NOT_DISTURB = SwitchEntityDescription(
    key="do_not_disturb", translation_key="do_not_disturb"
)
PLUG_POWER = SwitchEntityDescription(
    key="power", translation_key="power", device_class=SwitchDeviceClass.OUTLET
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches of every Echo and plug, now and later."""

    def entities_for(
        coordinator: AlexaCareCoordinator, device: Device
    ) -> Iterable[Entity]:
        if isinstance(device, Echo):
            return [EchoDoNotDisturbSwitch(coordinator, device, DO_NOT_DISTURB)]
        if isinstance(device, SmartPlug):
            return [PlugPowerSwitch(coordinator, device, PLUG_POWER)]
        return []

    async_add_entities_for_devices(entry, async_add_entities, entities_for)


class _OptimisticSwitch[DeviceT: Device](AlexaCareEntity[DeviceT], SwitchEntity):
    """Shows what it was just told until the next poll reads the state back."""

    _optimistic_state: bool | None = None

    @abstractmethod
    def _polled_state(self) -> bool | None:
        """The state the last poll read."""

    @abstractmethod
    async def _async_switch(self, *, turn_on: bool) -> None:
        """Ask Amazon to switch."""

    @property
    @override
    def is_on(self) -> bool | None:
        if self._optimistic_state is not None:
            return self._optimistic_state
        return self._polled_state()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        self._optimistic_state = None
        super()._handle_coordinator_update()

    @amazon_action
    async def _async_turn(self, *, turn_on: bool) -> None:
        await self._async_switch(turn_on=turn_on)
        self._optimistic_state = turn_on
        self.async_write_ha_state()

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_turn(turn_on=True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._async_turn(turn_on=False)


class EchoDoNotDisturbSwitch(_OptimisticSwitch[Echo], AlexaCareEchoEntity):
    """Do not disturb of an Echo."""

    @override
    def _polled_state(self) -> bool | None:
        return self.device.do_not_disturb

    @override
    async def _async_switch(self, *, turn_on: bool) -> None:
        await self.coordinator.account.async_set_do_not_disturb(
            self.device, enable=turn_on
        )


class PlugPowerSwitch(_OptimisticSwitch[SmartPlug], AlexaCarePlugEntity):
    """Power of a smart plug, switched through Amazon."""

    @override
    def _polled_state(self) -> bool | None:
        return self.device.power_on

    @override
    async def _async_switch(self, *, turn_on: bool) -> None:
        account = self.coordinator.account
        await account.async_set_plug_power(self.device, turn_on=turn_on)
