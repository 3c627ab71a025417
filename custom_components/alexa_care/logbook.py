"""Logbook lines for what the actions, buttons and repair flows did."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.translation import async_get_cached_translations

from .const import DOMAIN, EVENT_ACTION
from .util.events import logbook_key


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe alexa_care_action events, in Home Assistant's language."""

    @callback
    def describe(event: Event) -> dict[str, Any]:
        data = event.data
        action, outcome = data["action"], data["outcome"]
        # Loaded with the integration; a pair of a newer version reads raw.
        sentences = async_get_cached_translations(
            hass, hass.config.language, "common", DOMAIN
        )
        key = f"component.{DOMAIN}.common.{logbook_key(action, outcome)}"
        return {
            LOGBOOK_ENTRY_NAME: data["device_name"],
            LOGBOOK_ENTRY_MESSAGE: sentences.get(key, f"{action} {outcome}"),
        }

    async_describe_event(DOMAIN, EVENT_ACTION, describe)
