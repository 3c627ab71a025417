"""What every device's repair issue can offer: the shared fix flow.

Follow the factory-reset steps of the device's model, give it away
(deregister it), or ignore the issue until the device has been back online
once. The offline issue's flow (offline_repair.py) adds the resets.
"""

from __future__ import annotations

from typing import Any

import probatio

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.selector import BooleanSelector

from ..amazon.models import Device
from ..const import DOMAIN
from ..data import AlexaCareConfigEntry, async_loaded_entry
from ..monitoring.suggested_fix import factory_reset_step
from ..resets.deregister import async_deregister, validate_deregister
from ..util.markdown import escape_markdown
from ..util.targets import target_of

CONF_DEREGISTER = "deregister"

GIVE_AWAY_SCHEMA = probatio.Schema(
    {probatio.Required(CONF_DEREGISTER, default=False): BooleanSelector()}
)


class DeviceRepairFlow(RepairsFlow):
    """What can be done about one device of one Alexa Care entry."""

    def __init__(self, issue_id: str, entry_id: str, device_key: str) -> None:
        """Remember which device the issue is about."""
        self._issue_id = issue_id
        self._entry_id = entry_id
        self._device_key = device_key

    # Context

    def _entry(self) -> AlexaCareConfigEntry | None:
        return async_loaded_entry(self.hass, self._entry_id)

    def _device(self) -> Device | None:
        if (entry := self._entry()) is None:
            return None
        return entry.runtime_data.coordinator.data.devices.get(self._device_key)

    def _placeholders(self, device: Device) -> dict[str, str]:
        issue = ir.async_get(self.hass).async_get_issue(DOMAIN, self._issue_id)
        # The issue's own (since when, how many drops), then the device's now.
        return {
            **((issue and issue.translation_placeholders) or {}),
            "device": escape_markdown(device.name),
            "model": escape_markdown(device.model or "-"),
        }

    def _gone(self) -> RepairsFlowResult:
        return self.async_abort(reason="device_gone")

    def _menu_options(self, device: Device) -> list[str]:
        return [factory_reset_step(device), "ignore"]

    # Steps

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Offer what this device supports."""
        if (device := self._device()) is None:
            return self._gone()
        return self.async_show_menu(
            step_id="init",
            menu_options=self._menu_options(device),
            description_placeholders=self._placeholders(device),
        )

    async def async_step_ignore(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Dismiss the issue; it comes back only after the device recovers."""
        try:
            ir.async_ignore_issue(self.hass, DOMAIN, self._issue_id, ignore=True)
        except KeyError:  # the device came back while the flow was open
            return self._gone()
        return self.async_abort(reason="ignored")

    async def _async_factory_reset(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> RepairsFlowResult:
        if (device := self._device()) is None:
            return self._gone()
        if user_input is None:
            return self.async_show_form(
                step_id=step_id, description_placeholders=self._placeholders(device)
            )
        return await self.async_step_give_away()

    async def async_step_factory_reset_echo(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Factory reset with the Microphone-off and Volume-down buttons."""
        return await self._async_factory_reset("factory_reset_echo", user_input)

    async def async_step_factory_reset_action_button(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Factory reset with the Action button (Echo Dot, Echo Show)."""
        return await self._async_factory_reset(
            "factory_reset_action_button", user_input
        )

    async def async_step_factory_reset_amazon_plug(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Factory reset of the Amazon Smart Plug."""
        return await self._async_factory_reset("factory_reset_amazon_plug", user_input)

    async def async_step_factory_reset_other_plug(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Factory reset of another brand's plug: its maker's steps."""
        return await self._async_factory_reset("factory_reset_other_plug", user_input)

    async def async_step_give_away(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """After a factory reset: deregister the device if it leaves the home."""
        if (device := self._device()) is None or (entry := self._entry()) is None:
            return self._gone()
        if user_input is None:
            return self.async_show_form(
                step_id="give_away",
                data_schema=GIVE_AWAY_SCHEMA,
                description_placeholders=self._placeholders(device),
            )
        if not user_input[CONF_DEREGISTER]:
            # Still offline: the issue stays until the device is back.
            return self.async_abort(reason="factory_reset_guided")
        if (target := target_of(self.hass, entry, device)) is None:
            return self._gone()
        try:
            validate_deregister(target)
            await async_deregister(self.hass, target)
        except HomeAssistantError as err:
            return self._refused(err)
        return self.async_create_entry(data={})

    def _refused(self, err: HomeAssistantError) -> RepairsFlowResult:
        """End the flow with the translated reason of a refusal or failure."""
        # Names, and Amazon's words in "error": shown as markdown.
        placeholders = {
            key: escape_markdown(value)
            for key, value in (err.translation_placeholders or {}).items()
        }
        placeholders.setdefault("error", escape_markdown(str(err)))
        return self.async_abort(
            reason=err.translation_key or "reset_failed",
            description_placeholders=placeholders,
        )


class DeviceKeepsDroppingRepairFlow(DeviceRepairFlow):
    """A device that keeps dropping off: Wi-Fi first, then a factory reset."""
