"""The reset buttons of an Echo: restart (if Amazon can reboot it), power cycle."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import override

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .amazon.models import Device, Echo
from .const import DEFAULT_OFF_SECONDS
from .data import AlexaCareConfigEntry, AlexaCareData
from .entity import (
    AlexaCareEntity,
    AlexaCareEntityDescription,
    async_add_described_entities,
)
from .resets.procedures import ResetOutcome

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AlexaCareButtonEntityDescription[DeviceT: Device](
    ButtonEntityDescription, AlexaCareEntityDescription[DeviceT]
):
    """Describes a button of a device: the reset it performs."""

    press_fn: Callable[[AlexaCareData, DeviceT], Awaitable[ResetOutcome]]
    # Cutting power is for administrators, as the power_cycle action is.
    admin_only: bool = False


def _restart(runtime: AlexaCareData, echo: Echo) -> Awaitable[ResetOutcome]:
    # The same code as the action, cooldown included.
    resets = runtime.resets
    return resets.async_restart(resets.validate_restart(echo))


def _power_cycle(runtime: AlexaCareData, echo: Echo) -> Awaitable[ResetOutcome]:
    # The action's checks: an Echo without a "Powered by" plug is refused.
    resets = runtime.resets
    plug = resets.validate_power_cycle(echo, confirm=False)
    return resets.async_power_cycle(echo, plug, timedelta(seconds=DEFAULT_OFF_SECONDS))


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
    AlexaCareButtonEntityDescription(
        key="power_cycle",
        translation_key="power_cycle",
        entity_category=EntityCategory.CONFIG,
        device_kind=Echo,
        press_fn=_power_cycle,
        admin_only=True,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons of every device, now and later."""
    async_add_described_entities(entry, async_add_entities, BUTTONS, AlexaCareButton)


class AlexaCareButton(AlexaCareEntity[Echo], ButtonEntity):
    """A button that resets a device, as the matching action does."""

    entity_description: AlexaCareButtonEntityDescription[Echo]

    @override
    async def async_press(self) -> None:
        if self.entity_description.admin_only:
            await self._async_check_admin()
        # The reset fires the logbook's event itself.
        await self.entity_description.press_fn(self.runtime, self.device)

    async def _async_check_admin(self) -> None:
        # A press without a user (an automation) runs as the system does.
        if self._context is None or (user_id := self._context.user_id) is None:
            return
        user = await self.hass.auth.async_get_user(user_id)
        if user is None or not user.is_admin:
            raise Unauthorized(context=self._context)
