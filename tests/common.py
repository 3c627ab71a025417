"""Helpers shared by the tests."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
import copy
from datetime import timedelta
import logging
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.alexa_care.const import DEFAULT_SCAN_INTERVAL, DOMAIN
from custom_components.alexa_care.network_identity import READ_PACE
from devtools.hass_log import is_report
from homeassistant.core import HomeAssistant

from .fake_amazon import FakeAmazon

# Home Assistant runs an admin action as a task it tracks: one that waits on
# the clock would wait for the very test that moves the clock.
_ADMIN_ACTIONS = f"admin service {DOMAIN}."
# A poll runs as a background task, which async_block_till_done leaves alone.
_POLLS = " - refresh"


def _pending(hass: HomeAssistant) -> list[asyncio.Task[object]]:
    current = asyncio.current_task()
    return [
        task
        for task in (*hass._tasks, *hass._background_tasks)
        if task is not current
        and not task.done()
        and (task in hass._tasks or task.get_name().endswith(_POLLS))
        and not task.get_name().startswith(_ADMIN_ACTIONS)
    ]


async def settle(hass: HomeAssistant) -> None:
    """Wait for pending work and polls, but not for the actions in flight.

    Like hass.async_block_till_done, which waits for no poll; the actions in
    flight are left to the test, which moves the clock or awaits their call.
    """
    await asyncio.sleep(0)
    while pending := _pending(hass):
        await asyncio.wait(pending)
        await asyncio.sleep(0)


async def next_poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    interval: timedelta = DEFAULT_SCAN_INTERVAL,
) -> None:
    """Move time to the next poll and let it finish."""
    freezer.tick(interval)
    async_fire_time_changed(hass)
    await settle(hass)


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
    await settle(hass)
    while not task.done() and waited < limit:
        freezer.tick(step)
        waited += step
        async_fire_time_changed(hass)
        await settle(hass)
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
    await settle(hass)
    return time.perf_counter() - started


def deprecation_reports(records: Iterable[logging.LogRecord]) -> list[str]:
    """The warnings in which Home Assistant reports our use of something deprecated."""
    return [
        message
        for record in records
        if record.levelno >= logging.WARNING
        and DOMAIN in (message := record.getMessage())
        and is_report(message)
    ]


async def read_network_identities(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, echos: int = 2
) -> None:
    """Let the Echos' Wi-Fi details be read, one per READ_PACE, as set-up starts."""
    for _ in range(echos):
        freezer.tick(READ_PACE)
        async_fire_time_changed(hass)
        await settle(hass)


def add_plug(fake_amazon: FakeAmazon, name: str, number: int) -> str:
    """Add a smart plug like the Desk Lamp Plug under another name; return its key."""
    plug = copy.deepcopy(fake_amazon.endpoint("Desk Lamp Plug"))
    key = f"amzn1.alexa.endpoint.FAKE{number:028d}"
    plug["endpointId"] = key
    plug["friendlyNameObject"]["value"]["text"] = name
    plug["legacyAppliance"]["applianceId"] = f"SKILL_FAKE_{number:04d}"
    fake_amazon.endpoints.append(plug)
    return key
