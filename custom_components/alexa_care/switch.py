"""Do not disturb of the Echos, and the power of the smart plugs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from copy import replace
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.switch import (
    SwitchDeviceClass,
    SwitchEntity,
    SwitchEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .amazon.client import AmazonAccount
from .amazon.models import Device, Echo, SmartPlug
from .data import AlexaCareConfigEntry
from .entity import (
    AlexaCareEntity,
    AlexaCareEntityDescription,
    amazon_action,
    async_add_described_entities,
)

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AlexaCareSwitchEntityDescription[DeviceT: Device](
    SwitchEntityDescription, AlexaCareEntityDescription[DeviceT]
):
    """Describes a switch of a device: its state, and how Amazon switches it."""

    is_on_fn: Callable[[DeviceT], bool | None]
    set_fn: Callable[[AmazonAccount, DeviceT, bool], Awaitable[None]]
    # The device as Amazon was told: shown until a poll reads it back.
    switched_fn: Callable[[DeviceT, bool], DeviceT]


SWITCHES: tuple[AlexaCareSwitchEntityDescription[Any], ...] = (
    AlexaCareSwitchEntityDescription[Echo](
        key="do_not_disturb",
        translation_key="do_not_disturb",
        device_kind=Echo,
        is_on_fn=lambda echo: echo.do_not_disturb,
        set_fn=lambda account, echo, on: account.async_set_do_not_disturb(
            echo, enable=on
        ),
        switched_fn=lambda echo, on: replace(echo, do_not_disturb=on),
    ),
    AlexaCareSwitchEntityDescription[SmartPlug](
        key="power",
        translation_key="power",
        device_class=SwitchDeviceClass.OUTLET,
        device_kind=SmartPlug,
        is_on_fn=lambda plug: plug.power_on,
        set_fn=lambda account, plug, on: account.async_set_plug_power(plug, turn_on=on),
        switched_fn=lambda plug, on: replace(plug, power_on=on),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches of every device, now and later."""
    async_add_described_entities(entry, async_add_entities, SWITCHES, AlexaCareSwitch)


class AlexaCareSwitch[DeviceT: Device](AlexaCareEntity[DeviceT], SwitchEntity):
    """A switch of a device, switched through Amazon."""

    entity_description: AlexaCareSwitchEntityDescription[DeviceT]

    @override
    def _value(self) -> object:
        return self.is_on

    @property
    @override
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.device)

    @amazon_action
    async def _async_turn(self, *, turn_on: bool) -> None:
        description = self.entity_description
        await description.set_fn(self.coordinator.account, self.device, turn_on)
        # Shown at once; the next poll, at its usual time, reads Amazon's
        # state back. The device as it is now: a push may have come meanwhile.
        switched = description.switched_fn(self.device, turn_on)
        self.coordinator.async_set_pushed_data(
            self.coordinator.data.with_changes(switched)
        )

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_turn(turn_on=True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._async_turn(turn_on=False)
