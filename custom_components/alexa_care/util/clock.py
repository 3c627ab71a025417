"""Waiting on Home Assistant's clock."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_call_later


async def async_wait(
    hass: HomeAssistant,
    delay: timedelta,
    ends_early: set[asyncio.Future[None]] | None = None,
) -> None:
    """Wait on Home Assistant's clock, which tests can move.

    The wait is listed in `ends_early` while it lasts: its owner may end it
    early by setting the future's result.
    """
    done: asyncio.Future[None] = hass.loop.create_future()
    if ends_early is not None:
        ends_early.add(done)

    @callback
    def _done(_now: datetime) -> None:
        if not done.done():
            done.set_result(None)

    cancel = async_call_later(hass, delay, _done)
    try:
        await done
    finally:
        cancel()
        if ends_early is not None:
            ends_early.discard(done)
