"""Helpers shared by the tests."""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import timedelta
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.alexa_care.const import DEFAULT_SCAN_INTERVAL
from homeassistant.core import HomeAssistant

from .fake_amazon import FakeAmazon


async def next_poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    interval: timedelta = DEFAULT_SCAN_INTERVAL,
) -> None:
    """Move time to the next poll and let it finish."""
    freezer.tick(interval)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def run_while_time_passes[T](
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    awaitable: Coroutine[Any, Any, T],
    step: timedelta = timedelta(seconds=5),
    limit: timedelta = timedelta(minutes=10),
) -> T:
    """Run something that waits on Home Assistant's clock, moving the clock."""
    task = hass.async_create_background_task(awaitable, "test")
    waited = timedelta(0)
    await hass.async_block_till_done()
    while not task.done() and waited < limit:
        freezer.tick(step)
        waited += step
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    return await task


async def setup_with_echos(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    count: int,
) -> float:
    """Set up an account of `count` Echos; return the seconds setup took.

    The seconds are real only where the clock runs (tests_live): the unit
    tests' frozen clock stops `time.perf_counter` as well.
    """
    fake_amazon.devices.clear()
    fake_amazon.endpoints.clear()
    fake_amazon.dnd.clear()
    fake_amazon.add_echos(count)
    entry.add_to_hass(hass)
    started = time.perf_counter()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return time.perf_counter() - started
