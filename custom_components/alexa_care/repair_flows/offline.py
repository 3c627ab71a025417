"""The fix flow of an offline device's issue: suggest a soft reset, and perform it.

It offers, as a menu, only what the device supports: restart it,
power-cycle it through its plug (linking one first if needed), follow the
factory-reset steps of its model, or ignore the issue until the device has
been back online once. Its texts speak only of what it offers: what a
restart or a power cycle does is said next to that choice. Resets run
through the same code as the actions, cooldown included, and the flow waits
for the device to come back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from functools import wraps
from typing import Any, Concatenate

import probatio

from homeassistant.components.repairs import RepairsFlowResult
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.selector import SelectSelector, SelectSelectorConfig

from ..amazon.models import Device
from ..const import DEFAULT_OFF_SECONDS, DOMAIN
from ..data import AlexaCareConfigEntry
from ..monitoring.suggested_fix import factory_reset_step, offline_menu
from ..resets.power_links import async_plug_choices, plug_labels
from ..resets.procedures import OUTCOME_BACK_ONLINE, ResetOutcome
from ..util.markdown import escape_markdown
from .device import DeviceRepairFlow

CONF_PLUG = "plug"

type ResetStart = Callable[[], Coroutine[Any, Any, ResetOutcome]]
type _Input = dict[str, Any] | None
type _Result = Coroutine[Any, Any, RepairsFlowResult]


def _device_step[FlowT: DeviceUnavailableRepairFlow, **P](
    resumes: str | None = None, progress: str = "wait_power_cycle"
) -> Callable[
    [Callable[Concatenate[FlowT, Device, AlexaCareConfigEntry, P], _Result]],
    Callable[Concatenate[FlowT, P], _Result],
]:
    """A step given the device and its entry; the flow ends if either is gone.

    `resumes`: the step id of the reset the step starts, whose progress
    comes back to it (with `progress` shown) and then to the outcome.
    """

    def decorate(
        step: Callable[Concatenate[FlowT, Device, AlexaCareConfigEntry, P], _Result],
    ) -> Callable[Concatenate[FlowT, P], _Result]:
        @wraps(step)
        async def run(
            self: FlowT, /, *args: P.args, **kwargs: P.kwargs
        ) -> RepairsFlowResult:
            if resumes is not None and self._task is not None:
                return await self._async_reset_step(resumes, progress=progress)
            if (device := self._device()) is None or (entry := self._entry()) is None:
                return self._gone()
            return await step(self, device, entry, *args, **kwargs)

        return run

    return decorate


def _outcome_read(task: asyncio.Task[ResetOutcome]) -> None:
    if not task.cancelled():
        task.exception()


class DeviceUnavailableRepairFlow(DeviceRepairFlow):
    """An offline device: suggest a soft reset, and perform it.

    When a router's tracker has the Echo's MAC address, the first step says
    which case it is: still on the network (it has probably hung: the power
    cycle comes first), or off it (power and Wi-Fi first). A restart that
    fails or does not bring the Echo back leads on to the power cycle or the
    guided steps: Amazon delivers a restart through the Echo's own
    connection, which is down while Amazon reports it offline.
    """

    def __init__(self, issue_id: str, entry_id: str, device_key: str) -> None:
        """Remember which device the issue is about."""
        super().__init__(issue_id, entry_id, device_key)
        self._task: asyncio.Task[ResetOutcome] | None = None
        # What the progress dialog follows: the reset, and not itself.
        self._progress: asyncio.Task[object] | None = None
        self._restarting = False
        # The power cycle that follows this flow's restart is not refused
        # for the restart's cooldown.
        self._after_restart = False
        self._restart_error = "-"
        # The plug chosen in link_plug, while its choice is being confirmed.
        self._chosen_plug: str | None = None

    def _placeholders(self, device: Device) -> dict[str, str]:
        entry = self._entry()
        known = entry and entry.runtime_data.network_identities.get(device.key)
        return {
            **super()._placeholders(device),
            "ssid": escape_markdown((known and known.ssid) or "-"),
        }

    @_device_step()
    async def async_step_init(
        self, device: Device, entry: AlexaCareConfigEntry, user_input: _Input = None
    ) -> RepairsFlowResult:
        """Offer what this device supports, in the order its case calls for."""
        options, presence = offline_menu(entry, device)
        return self.async_show_menu(
            step_id=presence or "init",
            menu_options=options,
            description_placeholders=self._placeholders(device),
        )

    # Home Assistant wants a handler named after each menu it is shown, though
    # it calls only the chosen option's: these menus start over.
    async_step_on_network = async_step_init
    async_step_off_network = async_step_init
    async_step_restart_not_back = async_step_init
    async_step_restart_not_sent = async_step_init

    def _after_failed_restart(
        self, step_id: str, device: Device, error: str | None = None
    ) -> RepairsFlowResult:
        """The restart did not help: offer the power cycle, or the guided steps."""
        self._task = None
        self._restarting = False
        self._after_restart = True
        if error is not None:
            self._restart_error = escape_markdown(error)
        entry = self._entry()
        # The offline menu without the restart that just failed.
        options = [
            option
            for option in (
                offline_menu(entry, device)[0]
                if entry
                else [factory_reset_step(device), "ignore"]
            )
            if option != "restart"
        ]
        placeholders = {**self._placeholders(device), "error": self._restart_error}
        return self.async_show_menu(
            step_id=step_id,
            menu_options=options,
            description_placeholders=placeholders,
        )

    async def _async_reset_step(
        self,
        step_id: str,
        start: ResetStart | None = None,
        progress: str = "wait_power_cycle",
    ) -> RepairsFlowResult:
        """Start a reset once, show progress until it ends, then the outcome."""
        if self._task is None and start is not None:
            try:
                # In the background: a reset can wait minutes for the device.
                self._task = self.hass.async_create_background_task(
                    start(), f"{DOMAIN} reset of {self._device_key}"
                )
            except ServiceValidationError as err:
                return self._refused(err)
            # Home Assistant cancels the progress task of a flow whose dialog
            # is closed: the reset must go on (a plug it switched off is
            # switched on), so the dialog follows it through a task of its own.
            self._progress = self.hass.async_create_background_task(
                asyncio.wait((self._task,)), f"{DOMAIN} reset of {self._device_key}"
            )
            # A closed dialog reads no outcome: the logbook has it.
            self._task.add_done_callback(_outcome_read)
        if self._task is not None and not self._task.done():
            device = self._device()
            return self.async_show_progress(
                step_id=step_id,
                progress_action=progress,
                progress_task=self._progress,
                description_placeholders=self._placeholders(device) if device else {},
            )
        return self.async_show_progress_done(next_step_id="outcome")

    @_device_step(resumes="restart", progress="wait_online")
    async def async_step_restart(
        self, device: Device, entry: AlexaCareConfigEntry, user_input: _Input = None
    ) -> RepairsFlowResult:
        """Reboot the Echo, then wait for it to come back."""
        resets = entry.runtime_data.resets

        def start() -> Coroutine[Any, Any, ResetOutcome]:
            echo = resets.validate_restart(device)
            self._restarting = True
            return resets.async_restart(echo, wait_online=True)

        return await self._async_reset_step("restart", start, "wait_online")

    def _power_cycle_start(
        self, entry: AlexaCareConfigEntry, device: Device
    ) -> ResetStart:
        resets = entry.runtime_data.resets
        after_restart = self._after_restart

        def start() -> Coroutine[Any, Any, ResetOutcome]:
            plug = resets.validate_power_cycle(
                device, confirm=False, after_restart=after_restart
            )
            off_time = timedelta(seconds=DEFAULT_OFF_SECONDS)
            return resets.async_power_cycle(device, plug, off_time)

        return start

    @_device_step(resumes="power_cycle")
    async def async_step_power_cycle(
        self, device: Device, entry: AlexaCareConfigEntry, user_input: _Input = None
    ) -> RepairsFlowResult:
        """Power-cycle the Echo through its plug, linking one first if needed."""
        if entry.runtime_data.power_links.plug_of(device.key) is None:
            return await self.async_step_link_plug()
        start = self._power_cycle_start(entry, device)
        return await self._async_reset_step("power_cycle", start)

    def _others_on_plug(self, entry: AlexaCareConfigEntry, device: Device) -> str:
        """The other Echos the chosen plug powers, by name; empty if none."""
        runtime = entry.runtime_data
        plug_key = self._chosen_plug
        if plug_key is None or plug_key not in runtime.coordinator.data.plugs:
            return ""
        others = runtime.power_links.other_echos(
            runtime.coordinator.data, plug_key, device.key
        )
        return ", ".join(others)

    @_device_step(resumes="link_plug")
    async def async_step_link_plug(
        self, device: Device, entry: AlexaCareConfigEntry, user_input: _Input = None
    ) -> RepairsFlowResult:
        """Ask which plug powers the Echo; none is chosen before the user does."""
        snapshot = entry.runtime_data.coordinator.data
        errors: dict[str, str] = {}
        if user_input is not None:
            self._chosen_plug = user_input.get(CONF_PLUG)
            if self._chosen_plug not in snapshot.plugs:
                errors[CONF_PLUG] = "choose_plug"
            elif self._others_on_plug(entry, device):
                return await self.async_step_shared_plug()
            else:
                return await self._async_link_and_power_cycle(
                    "link_plug", device, entry
                )
        choices = await async_plug_choices(
            self.hass, snapshot, entry.runtime_data.power_links, device.key
        )
        return self.async_show_form(
            step_id="link_plug",
            # Optional: a required choice would have the frontend pick the first.
            data_schema=probatio.Schema(
                {
                    probatio.Optional(CONF_PLUG): SelectSelector(
                        SelectSelectorConfig(options=choices)
                    )
                }
            ),
            errors=errors,
            description_placeholders=self._placeholders(device),
        )

    @_device_step()
    async def async_step_shared_plug(
        self, device: Device, entry: AlexaCareConfigEntry, user_input: _Input = None
    ) -> RepairsFlowResult:
        """The plug powers another Echo: ask once more before cutting its power."""
        if not (others := self._others_on_plug(entry, device)):
            return await self.async_step_link_plug()
        labels = plug_labels(entry.runtime_data.coordinator.data)
        return self.async_show_menu(
            step_id="shared_plug",
            menu_options=["link_shared_plug", "link_plug"],
            description_placeholders={
                **self._placeholders(device),
                # Names from Amazon, in a text rendered as markdown.
                "plug": escape_markdown(labels[str(self._chosen_plug)]),
                "echos": escape_markdown(others),
            },
        )

    @_device_step(resumes="link_shared_plug")
    async def async_step_link_shared_plug(
        self, device: Device, entry: AlexaCareConfigEntry, user_input: _Input = None
    ) -> RepairsFlowResult:
        """Confirmed: the plug powers this Echo too."""
        return await self._async_link_and_power_cycle("link_shared_plug", device, entry)

    async def _async_link_and_power_cycle(
        self, step_id: str, device: Device, entry: AlexaCareConfigEntry
    ) -> RepairsFlowResult:
        """Remember the chosen plug as the Echo's, then power-cycle through it."""
        runtime = entry.runtime_data
        plug_key = self._chosen_plug
        if plug_key is None or plug_key not in runtime.coordinator.data.plugs:
            return await self.async_step_link_plug()  # it left meanwhile
        await runtime.power_links.async_link(device.key, plug_key)
        # The Echo's "Powered by" select shows the new link.
        runtime.coordinator.async_update_listeners()
        start = self._power_cycle_start(entry, device)
        return await self._async_reset_step(step_id, start)

    def _reset_failed(self, err: HomeAssistantError) -> RepairsFlowResult:
        """Amazon did not take this flow's restart: go on; any other failure ends it."""
        if (
            self._restarting
            and err.translation_key == "restart_failed"
            and (device := self._device()) is not None
        ):
            placeholders = err.translation_placeholders or {}
            return self._after_failed_restart(
                "restart_not_sent", device, placeholders.get("error", str(err))
            )
        return self._refused(err)

    async def async_step_outcome(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Say whether the device came back."""
        if self._task is None:  # reached only after a reset
            return self._gone()
        try:
            outcome = self._task.result()
        except HomeAssistantError as err:
            return self._reset_failed(err)
        placeholders = self._placeholders(outcome.device)
        if outcome.outcome != OUTCOME_BACK_ONLINE:
            if outcome.action == "restart":
                return self._after_failed_restart("restart_not_back", outcome.device)
            return self.async_abort(
                reason="not_back_online", description_placeholders=placeholders
            )
        if user_input is None:
            return self.async_show_form(
                step_id="outcome", description_placeholders=placeholders
            )
        return self.async_create_entry(data={})
