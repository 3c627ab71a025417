"""A plug a power cycle left off: switched on at setup, or a repair issue.

A power cycle that did not finish (Home Assistant crashed or was killed)
leaves its plug recorded in the reset store. At setup the plug is switched on
at once; if Amazon refuses, an issue says which plug is off, and its fix flow
switches it on. A plug the account no longer lists cannot be switched by
Amazon: the issue says so, and its fix flow forgets the plug once someone
has seen to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import probatio

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from ..amazon.models import AlexaCareError
from ..const import DOMAIN, LOGGER
from ..data import AlexaCareConfigEntry, async_loaded_entry
from ..monitoring.issues import IssueKind, IssueRef, async_raise, async_withdraw
from ..util.markdown import escape_markdown
from .power_restore import PlugNotListedError, async_switch_on_left_off

if TYPE_CHECKING:
    from .store import LeftOff


def _issue(entry_id: str, plug_key: str) -> IssueRef:
    return IssueRef(
        kind=IssueKind.PLUG_LEFT_OFF, entry_id=entry_id, device_key=plug_key
    )


def _show_switched_on(entry: AlexaCareConfigEntry, plug_keys: Iterable[str]) -> None:
    """The plugs' switches show them on at once.

    Amazon's push of it went before the channel was open (at setup), and
    the next poll may be half an hour away.
    """
    coordinator = entry.runtime_data.coordinator
    data = coordinator.data
    for key in plug_keys:
        if (plug := data.plugs.get(key)) is not None:
            data = data.with_changes(plug, power_on=True)
    coordinator.async_set_pushed_data(data)


async def _async_reason(hass: HomeAssistant, err: AlexaCareError) -> str:
    """Why the plug is still off, for an issue or a flow: markdown-safe.

    Amazon's own errors are shown as it words them; that the account no
    longer lists the plug is ours to say, in the system's language.
    """
    if not isinstance(err, PlugNotListedError):
        return escape_markdown(str(err))
    texts = await async_get_translations(
        hass, hass.config.language, "exceptions", {DOMAIN}
    )
    key = f"component.{DOMAIN}.exceptions.plug_not_listed.message"
    return texts.get(key, str(err))


async def async_switch_on_at_setup(
    hass: HomeAssistant, entry: AlexaCareConfigEntry
) -> None:
    """Switch on every plug an unfinished power cycle left off."""
    runtime = entry.runtime_data
    left_off = runtime.reset_store.switched_off
    for left in left_off.values():
        LOGGER.warning(
            "%s was left off by a power cycle that did not finish; switching it on",
            left["name"],
        )
    refused_on = await async_switch_on_left_off(
        runtime.coordinator, runtime.reset_store
    )
    _show_switched_on(entry, left_off.keys() - refused_on.keys())
    for key, left in left_off.items():
        if key not in refused_on:
            async_withdraw(hass, _issue(entry.entry_id, key))
            continue
        async_raise(
            hass,
            _issue(entry.entry_id, key),
            placeholders={
                "plug": escape_markdown(left["name"]),
                "error": await _async_reason(hass, refused_on[key]),
            },
        )


class PlugLeftOffRepairFlow(RepairsFlow):
    """Switch on the plug an unfinished power cycle left off."""

    def __init__(self, entry_id: str, plug_key: str) -> None:
        """Remember which plug the issue is about."""
        self._entry_id = entry_id
        self._plug_key = plug_key

    def _left_off(self) -> tuple[AlexaCareConfigEntry, LeftOff] | RepairsFlowResult:
        """The loaded entry and the plug's record; else how the flow ends."""
        if (entry := async_loaded_entry(self.hass, self._entry_id)) is None:
            return self.async_abort(reason="entry_not_loaded")
        if (
            left := entry.runtime_data.reset_store.switched_off.get(self._plug_key)
        ) is None:
            # Switched on meanwhile, by a reload or a later setup.
            return self.async_create_entry(data={})
        return entry, left

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Start with the confirmation: init receives the issue, not an answer."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Offer to switch the plug on now."""
        if not isinstance(found := self._left_off(), tuple):
            return found
        entry, left = found
        placeholders = {"plug": escape_markdown(left["name"])}
        if self._plug_key not in entry.runtime_data.coordinator.data.plugs:
            return await self.async_step_forget()
        if user_input is None:
            return self.async_show_form(
                step_id="confirm",
                data_schema=probatio.Schema({}),
                description_placeholders=placeholders,
            )
        runtime = entry.runtime_data
        refused_on = await async_switch_on_left_off(
            runtime.coordinator, runtime.reset_store, self._plug_key
        )
        if err := refused_on.get(self._plug_key):
            if isinstance(err, PlugNotListedError):
                return await self.async_step_forget()
            return self.async_abort(
                reason="still_off",
                description_placeholders={
                    **placeholders,
                    "error": await _async_reason(self.hass, err),
                },
            )
        _show_switched_on(entry, [self._plug_key])
        return self.async_create_entry(data={})

    async def async_step_forget(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """The account no longer lists the plug: stop tracking it, once seen to.

        Amazon cannot switch a plug it does not list; only the person at the
        plug can. It stays recorded until then: one answer may have left it
        out, and the next start tries again.
        """
        if not isinstance(found := self._left_off(), tuple):
            return found
        entry, left = found
        if user_input is None:
            return self.async_show_form(
                step_id="forget",
                data_schema=probatio.Schema({}),
                description_placeholders={"plug": escape_markdown(left["name"])},
            )
        await entry.runtime_data.reset_store.async_forget(self._plug_key)
        return self.async_create_entry(data={})
