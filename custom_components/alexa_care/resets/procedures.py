"""Resets, shared by the actions and the repair flows: restart, power cycle.

Every refusal is raised before anything is sent to Amazon; a reset of a
device is refused while another one runs, and again until its cooldown has
passed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import timedelta
from typing import NoReturn

from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from ..amazon.models import AlexaCareError, AmazonNoAnswerError, Device, Echo, SmartPlug
from ..const import (
    BACK_ONLINE_CHECK,
    BACK_ONLINE_TIMEOUT,
    LOGGER,
    PLUG_RETRY_DELAY,
    POWER_ON_ATTEMPTS,
)
from ..coordinator import AlexaCareCoordinator
from ..util.clock import async_wait
from ..util.errors import device_failure, failed, refused
from ..util.events import ActionEvent, registry_device_id
from ..util.local_time import local_moment
from ..util.record import Record
from .busy import RESETTING, BusyDevices
from .power_links import PowerLinks
from .power_restore import async_switch_on_or_log
from .store import ResetStore

OUTCOME_RESTART_REQUESTED = "restart_requested"
OUTCOME_BACK_ONLINE = "back_online"
OUTCOME_NOT_BACK_ONLINE = "not_back_online"
OUTCOME_POWER_CYCLED = "power_cycled"


class ResetOutcome(Record):
    """What a reset did."""

    device: Device
    action: str
    outcome: str
    plug: SmartPlug | None = None


def _plug_failed(
    key: str, device: Device, plug: SmartPlug, err: AlexaCareError
) -> HomeAssistantError:
    return failed(key, device=device.name, plug=plug.name, error=str(err))


class Resets:
    """Performs the resets of one config entry, within their cooldowns."""

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: AlexaCareCoordinator,
        power_links: PowerLinks,
        store: ResetStore,
        cooldown: timedelta,
    ) -> None:
        """Start with no reset done."""
        self._hass = hass
        self._coordinator = coordinator
        self._power_links = power_links
        self._store = store
        self._cooldown = cooldown
        # Shared with the deregistrations of the entry's devices.
        self.busy = BusyDevices()
        # Set when the entry unloads: a reset must not go on with a
        # coordinator that is shut down (and report an Echo back online).
        self._unloaded = False
        self._waits: set[asyncio.Future[None]] = set()

    def _check_cooldown(self, device: Device) -> None:
        if (last := self._store.cooldowns.last_reset(device.key)) is None:
            return
        if last > (now := dt_util.utcnow()):
            # The clock was set back: how much time passed is unknown, and
            # the cooldown would last as long again. It runs from now.
            self._store.cooldowns.set_back(device.key, now)
            self._store.save_soon()
            last = now
        until = last + self._cooldown
        if now < until:
            raise refused(
                "cooldown",
                device=device.name,
                # To the minute, as the system language writes it: the
                # minute after `until`, so that "after" holds.
                time=local_moment(self._hass, until + timedelta(seconds=59)),
            )

    def _reserve(self, *devices: Device, cooldown_over: Device | None = None) -> None:
        """Mark the devices busy, so a second call is refused.

        `cooldown_over`: a device whose cooldown does not count this time.
        Their cooldowns start with their own reset (`_start_cooldowns`): an
        action that reserves several devices may never reach the later ones.
        """
        for device in devices:
            self.busy.check_free(device)
            if device is not cooldown_over:
                self._check_cooldown(device)
        self.busy.hold(RESETTING, *devices)

    def _start_cooldowns(self, *devices: Device) -> None:
        """Start the cooldowns: a request that cannot be undone is next.

        Written with what the reset writes before it: a crash while the
        request is sent must not let an automation that fires at startup
        reset the device again at once.
        """
        self._store.cooldowns.reserve(
            (device.key for device in devices), dt_util.utcnow()
        )

    def release(self, *devices: Device) -> None:
        """Undo a reservation: nothing was done to these devices."""
        self._finish(*devices)
        given_back = self._store.cooldowns.give_back(*(d.key for d in devices))
        # Unloaded, the file is the next entry's, or deleted with the entry.
        if given_back and not self._unloaded:
            self._store.save_soon()

    def _finish(self, *devices: Device) -> None:
        """The reset is over: the cooldown alone holds the devices now."""
        self.busy.free(*devices)

    def validate_restart(self, device: Device) -> Echo:
        """Refuse what cannot be restarted, or not yet."""
        if not isinstance(device, Echo):
            raise refused("not_an_echo", device=device.name)
        if not device.can_restart:
            raise refused("cannot_restart", device=device.name)
        self._reserve(device)
        return device

    def validate_power_cycle(
        self, device: Device, *, confirm: bool, after_restart: bool = False
    ) -> SmartPlug:
        """Refuse what cannot be power-cycled; return the plug to switch.

        `after_restart`: a repair flow goes on from its own restart, which did
        not bring the Echo back; that restart's cooldown does not hold it.
        """
        if isinstance(device, SmartPlug):
            plug = device
            # A plug no Echo is linked to may power anything: the router, or
            # the machine Home Assistant runs on.
            if not self._power_links.echos_of(plug.key) and not confirm:
                raise refused("plug_not_linked", device=device.name)
        else:
            plug_key = self._power_links.plug_of(device.key)
            if plug_key is None:
                raise refused("no_linked_plug", device=device.name)
            if (linked := self._coordinator.data.plugs.get(plug_key)) is None:
                raise refused("linked_plug_gone", device=device.name)
            plug = linked
        self._reserve(device, plug, cooldown_over=device if after_restart else None)
        return plug

    async def _reported(
        self, device: Device, action: str, work: Awaitable[ResetOutcome]
    ) -> ResetOutcome:
        """The reset and its event, whether an action, a button or a flow started it."""
        entry_id = self._coordinator.config_entry.entry_id
        device_id = registry_device_id(self._hass, entry_id, device)
        event = ActionEvent(device_id=device_id, device=device, action=action)
        return await event.async_reported(self._hass, work, lambda done: done.outcome)

    async def async_restart(
        self, echo: Echo, *, wait_online: bool = False
    ) -> ResetOutcome:
        """Ask Amazon to reboot the Echo; then, if asked, wait for it."""
        work = self._async_restart(echo, wait_online=wait_online)
        return await self._reported(echo, "restart", work)

    async def _async_restart(self, echo: Echo, *, wait_online: bool) -> ResetOutcome:
        self._check_loaded(echo)
        self._start_cooldowns(echo)
        await self._store.async_save()
        try:
            await self._coordinator.account.async_restart(echo)
        except AlexaCareError as err:
            self.release(echo)
            raise self._failure(err, "restart_failed", device=echo.name) from err
        self._store.cooldowns.keep(echo.key)
        try:
            outcome = OUTCOME_RESTART_REQUESTED
            if wait_online:
                back = await self.async_wait_online(echo)
                outcome = OUTCOME_BACK_ONLINE if back else OUTCOME_NOT_BACK_ONLINE
        finally:
            self._finish(echo)
        return ResetOutcome(device=echo, action="restart", outcome=outcome)

    async def async_power_cycle(
        self, device: Device, plug: SmartPlug, off_time: timedelta
    ) -> ResetOutcome:
        """Switch the plug off, wait, switch it on; then look for the Echo."""
        work = self._async_power_cycle(device, plug, off_time)
        return await self._reported(device, "power_cycle", work)

    async def _async_power_cycle(
        self, device: Device, plug: SmartPlug, off_time: timedelta
    ) -> ResetOutcome:
        self._check_loaded(device)
        account = self._coordinator.account
        self._start_cooldowns(device, plug)
        # On disk before the risky request, with the cooldowns: should Home
        # Assistant die while the plug is off, the next start switches it on.
        await self._store.async_switched_off(plug, dt_util.utcnow() + off_time)
        try:
            await account.async_set_plug_power(plug, turn_on=False)
        except AmazonNoAnswerError as err:
            await self._async_off_unanswered(device, plug, err)
        except AlexaCareError as err:
            await self._store.async_switched_on(plug.key)
            self.release(device, plug)
            raise self._failure(
                err, "power_cycle_not_started", device=device.name, plug=plug.name
            ) from err
        self._store.cooldowns.keep(device.key, plug.key)
        try:
            if self._unloaded:
                # Amazon carried out "off" after the unload or the stop had
                # switched the plugs on: nothing else will switch this one on.
                await self._async_power_on_once(plug)
            await self._async_wait(device, off_time)
            await self._async_power_on(device, plug)
            outcome = OUTCOME_POWER_CYCLED
            if isinstance(device, Echo):
                back = await self.async_wait_online(device)
                outcome = OUTCOME_BACK_ONLINE if back else OUTCOME_NOT_BACK_ONLINE
            else:
                await self._coordinator.async_request_refresh()
        finally:
            self._finish(device, plug)
        return ResetOutcome(
            device=device, action="power_cycle", outcome=outcome, plug=plug
        )

    async def _async_off_unanswered(
        self, device: Device, plug: SmartPlug, err: AmazonNoAnswerError
    ) -> NoReturn:
        """No answer to "off": Amazon may have switched the plug off all the same."""
        # The cooldown stays: the device may have lost power.
        self._store.cooldowns.keep(device.key, plug.key)
        try:
            await self._async_power_on(device, plug)
        finally:
            self._finish(device, plug)
        raise _plug_failed("power_cycle_off_unanswered", device, plug, err) from err

    def _failure(
        self, err: AlexaCareError, key: str, **placeholders: str
    ) -> HomeAssistantError:
        """Amazon did not take a reset's first request: nothing was done."""
        entry = self._coordinator.config_entry
        return device_failure(self._hass, entry, err, key, **placeholders)

    def _check_loaded(self, device: Device) -> None:
        if self._unloaded:
            raise failed("reset_interrupted", device=device.name)

    async def _async_wait(self, device: Device, delay: timedelta) -> None:
        """Wait on the clock, unless the entry unloads meanwhile."""
        self._check_loaded(device)
        await async_wait(self._hass, delay, self._waits)
        self._check_loaded(device)

    async def async_unload(self) -> None:
        """The entry unloads: stop the resets, and switch their plugs on first.

        A reload hands nothing over: the new entry finds no plug left off.
        """
        await self._async_stop("while Alexa Care unloaded")

    async def async_restore_power(self, _event: Event | None = None) -> None:
        """Home Assistant stops mid power cycle: switch the plugs on now.

        The power cycles will not live to do it; a plug left off may power
        an Echo, the router, or the machine Home Assistant runs on.
        """
        await self._async_stop("before Home Assistant stopped")

    async def _async_stop(self, when: str) -> None:
        """End the resets under way, then switch on the plugs they left off.

        A power cycle ends there: it neither switches its plug on again when
        its off time is over nor polls for its Echo.
        """
        self._unloaded = True
        for waiting in self._waits:
            if not waiting.done():
                waiting.set_result(None)
        await async_switch_on_or_log(self._coordinator, self._store, when)

    async def _async_power_on_once(self, plug: SmartPlug) -> None:
        try:
            await self._coordinator.account.async_set_plug_power(plug, turn_on=True)
        except AlexaCareError as err:
            LOGGER.error(
                "%s was switched off for a power cycle after Alexa Care unloaded "
                "(or Home Assistant stopped), "
                "and could not be switched on again: %s",
                plug.name,
                err,
            )

    async def _async_power_on(self, device: Device, plug: SmartPlug) -> None:
        """Switch the plug back on, trying again before giving up."""
        for attempt in range(1, POWER_ON_ATTEMPTS + 1):
            try:
                await self._coordinator.account.async_set_plug_power(plug, turn_on=True)
            except AlexaCareError as err:
                if attempt == POWER_ON_ATTEMPTS:
                    raise _plug_failed("plug_left_off", device, plug, err) from err
                await self._async_wait(device, PLUG_RETRY_DELAY)
            else:
                await self._store.async_switched_on(plug.key)
                return

    async def async_wait_online(self, echo: Echo) -> bool:
        """Poll until Amazon reports the Echo online, up to a timeout."""
        deadline = dt_util.utcnow() + BACK_ONLINE_TIMEOUT
        while dt_util.utcnow() < deadline:
            await self._async_wait(echo, BACK_ONLINE_CHECK)
            coordinator = self._coordinator
            # Throttled by Amazon: no extra polls, the scheduled ones will do.
            if not coordinator.backing_off:
                await coordinator.async_refresh()
            current = self._coordinator.data.echos.get(echo.key)
            if self._coordinator.last_update_success and current and current.online:
                return True
        return False
