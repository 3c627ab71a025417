"""Helpers shared by the tests."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.alexa_care.const import DEFAULT_SCAN_INTERVAL


async def next_poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    interval: timedelta = DEFAULT_SCAN_INTERVAL,
) -> None:
    """Move time to the next poll and let it finish."""
    freezer.tick(interval)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
