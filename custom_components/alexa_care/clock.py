"""Waiting on Home Assistant's clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_call_later


async def async_wait(hass: HomeAssistant, delay: timedelta) -> None:
    """Wait on Home Assistant's clock, which tests can move."""
    done = hass.loop.create_future()

    @callback
    def _done(_now: datetime) -> None:
        if not done.done():
            done.set_result(None)

    cancel = async_call_later(hass, delay, _done)
    try:
        await done
    finally:
        cancel()
