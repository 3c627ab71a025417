"""A plug a power cycle left off: switched on at setup, or a repair issue.

A power cycle that did not finish (Home Assistant crashed or was killed)
leaves its plug recorded in the reset store. At setup the plug is switched on
at once; if Amazon refuses, an issue says which plug is off, and its fix flow
switches it on.
"""

from __future__ import annotations

from typing import Any

import probatio

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN, LOGGER
from .data import AlexaCareConfigEntry

ISSUE_PLUG_LEFT_OFF = "plug_left_off"


def _issue_id(entry_id: str, plug_key: str) -> str:
    return f"{ISSUE_PLUG_LEFT_OFF}_{entry_id}_{plug_key}"


async def async_switch_on_at_setup(
    hass: HomeAssistant, entry: AlexaCareConfigEntry
) -> None:
    """Switch on every plug an unfinished power cycle left off."""
    resets, store = entry.runtime_data.resets, entry.runtime_data.reset_store
    left_off = store.switched_off
    for left in left_off.values():
        LOGGER.warning(
            "%s was left off by a power cycle that did not finish; switching it on",
            left["name"],
        )
    refused_on = await resets.async_switch_on_left_off()
    for key, left in left_off.items():
        if key not in refused_on:
            ir.async_delete_issue(hass, DOMAIN, _issue_id(entry.entry_id, key))
            continue
        ir.async_create_issue(
            hass,
            DOMAIN,
            _issue_id(entry.entry_id, key),
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_PLUG_LEFT_OFF,
            translation_placeholders={
                "plug": left["name"],
                "error": str(refused_on[key]),
            },
            data={"entry_id": entry.entry_id, "device_key": key},
        )


class PlugLeftOffRepairFlow(RepairsFlow):
    """Switch on the plug an unfinished power cycle left off."""

    def __init__(self, entry_id: str, plug_key: str) -> None:
        """Remember which plug the issue is about."""
        self._entry_id = entry_id
        self._plug_key = plug_key

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Start with the confirmation: init receives the issue, not an answer."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Offer to switch the plug on now."""
        entry: AlexaCareConfigEntry | None = self.hass.config_entries.async_get_entry(
            self._entry_id
        )
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="entry_not_loaded")
        store = entry.runtime_data.reset_store
        if (left := store.switched_off.get(self._plug_key)) is None:
            # Switched on meanwhile, by a reload or a later setup.
            return self.async_create_entry(data={})
        placeholders = {"plug": left["name"]}
        if user_input is None:
            return self.async_show_form(
                step_id="confirm",
                data_schema=probatio.Schema({}),
                description_placeholders=placeholders,
            )
        resets = entry.runtime_data.resets
        if err := (await resets.async_switch_on_left_off(self._plug_key)).get(
            self._plug_key
        ):
            return self.async_abort(
                reason="still_off",
                description_placeholders={**placeholders, "error": str(err)},
            )
        return self.async_create_entry(data={})
