"""Do not disturb of the Echos, and the power of the smart plugs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
    async_add_described_entities,
)
from .helpers import amazon_action

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AlexaCareSwitchEntityDescription[DeviceT: Device](
    SwitchEntityDescription, AlexaCareEntityDescription[DeviceT]
):
    """Describes a switch of a device: its state, and how Amazon switches it."""

    # The device's field that holds the state.
    state_field: str
    set_fn: Callable[[AmazonAccount, DeviceT, bool], Awaitable[None]]


SWITCHES: tuple[AlexaCareSwitchEntityDescription[Any], ...] = (
    AlexaCareSwitchEntityDescription[Echo](
        key="do_not_disturb",
        translation_key="do_not_disturb",
        device_kind=Echo,
        state_field="do_not_disturb",
        set_fn=lambda account, echo, on: account.async_set_do_not_disturb(
            echo, enable=on
        ),
    ),
    AlexaCareSwitchEntityDescription[SmartPlug](
        key="power",
        translation_key="power",
        device_class=SwitchDeviceClass.OUTLET,
        device_kind=SmartPlug,
        state_field="power_on",
        set_fn=lambda account, plug, on: account.async_set_plug_power(plug, turn_on=on),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches of every device, now and later."""
    async_add_described_entities(entry, async_add_entities, SWITCHES, AlexaCareSwitch)


class AlexaCareSwitch(AlexaCareEntity, SwitchEntity):
    """A switch of a device, switched through Amazon."""

    entity_description: AlexaCareSwitchEntityDescription[Any]

    @override
    def _value(self) -> object:
        return self.is_on

    @property
    @override
    def is_on(self) -> bool | None:
        state: bool | None = getattr(self.device, self.entity_description.state_field)
        return state

    @amazon_action
    async def _async_turn(self, *, turn_on: bool) -> None:
        await self.entity_description.set_fn(
            self.coordinator.account, self.device, turn_on
        )
        # Shown at once; the next poll, at its usual time, reads Amazon's
        # state back.
        self.coordinator.async_set_pushed_data(
            self.coordinator.data.with_changes(
                self.device, **{self.entity_description.state_field: turn_on}
            )
        )

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_turn(turn_on=True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._async_turn(turn_on=False)
