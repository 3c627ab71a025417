"""Helpers shared by the tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
import copy
from datetime import datetime, timedelta
import logging
import time
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_load_restore_state_from_storage,
)

from custom_components.alexa_care import PLATFORMS
from custom_components.alexa_care.const import DEFAULT_SCAN_INTERVAL, DOMAIN
from custom_components.alexa_care.home_network.identity import READ_PACE
from devtools.hass_log import is_report
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import (
    Event,
    EventStateChangedData,
    HomeAssistant,
    ServiceResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    issue_registry as ir,
    restore_state as rs,
)

from .fake_amazon import FakeAmazon

# The fake account's devices (tests/fixtures), by the keys Amazon gives them.
KITCHEN = "G090XG1234567KIT"  # an Echo Dot Amazon can reboot
BEDROOM = "G0B1Q90987654BED"  # an Echo Show 8, offline since before setup
KITCHEN_PLUG = "amzn1.alexa.endpoint.FAKE0000000000000000000000000003"
DESK_PLUG = "amzn1.alexa.endpoint.FAKE0000000000000000000000000004"
# An Echo Dot added to the account (`FakeAmazon.add_echos`): Amazon does not
# let it be deregistered.
ADDED_ECHO = "G0FAKE0000000000"
# The access token the push channel's fake checks, once a test sets it.
ACCESS_TOKEN = "Atna|FAKE-REFRESHED-ACCESS-TOKEN"
# Home Assistant runs an admin action as a task it tracks: one that waits on
# the clock would wait for the very test that moves the clock.
_ADMIN_ACTIONS = f"admin service {DOMAIN}."
# A poll runs as a background task, which async_block_till_done leaves alone.
_POLLS = " - refresh"
# A button press is a tracked task too: a power cycle waits on the clock.
_PRESSES = "ButtonEntity._async_press_action"
# Ours in the background (a read a push asked for, the channel's restart)
# are waited for; a fix flow's reset waits on the clock, as an action does.
_OURS = f"{DOMAIN} "
_FIX_FLOW_RESETS = f"{DOMAIN} reset of "


def _is_press(task: asyncio.Task[object]) -> bool:
    return getattr(task.get_coro(), "__qualname__", "") == _PRESSES


def _background_work(name: str) -> bool:
    return name.endswith(_POLLS) or (
        name.startswith(_OURS) and not name.startswith(_FIX_FLOW_RESETS)
    )


def _pending(hass: HomeAssistant) -> list[asyncio.Task[object]]:
    current = asyncio.current_task()
    return [
        task
        for task in (*hass._tasks, *hass._background_tasks)
        if task is not current
        and not task.done()
        and (task in hass._tasks or _background_work(task.get_name()))
        and not task.get_name().startswith(_ADMIN_ACTIONS)
        and not _is_press(task)
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


async def until(
    hass: HomeAssistant,
    condition: Callable[[], bool],
    freezer: FrozenDateTimeFactory | None = None,
) -> None:
    """Let the library's stream run (its tasks are not Home Assistant's).

    With `freezer`, the clock moves a second a turn: the library's own waits
    end too.
    """
    for _ in range(500):
        if condition():
            return
        if freezer is not None:
            freezer.tick(timedelta(seconds=1))
            async_fire_time_changed(hass, fire_all=True)
        await asyncio.sleep(0)
        await settle(hass)
    pytest.fail("the push channel did not get there")


async def tick_with_the_stream(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, step: timedelta
) -> None:
    """Move the clock a step, letting the library's stream tasks run as well."""
    freezer.tick(step)
    async_fire_time_changed(hass)
    for _ in range(5):
        await asyncio.sleep(0)
    await settle(hass)


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
    awaitable: Coroutine[Any, Any, T] | asyncio.Task[T],
    step: timedelta = timedelta(seconds=5),
    limit: timedelta = timedelta(minutes=10),
) -> T:
    """Run something that waits on Home Assistant's clock, moving the clock.

    `awaitable` may be a task the test started earlier, to see it half done.
    """
    task = (
        awaitable
        if isinstance(awaitable, asyncio.Task)
        else hass.async_create_background_task(awaitable, "test")
    )
    waited = timedelta(0)
    await settle(hass)
    while not task.done() and waited < limit:
        freezer.tick(step)
        waited += step
        async_fire_time_changed(hass)
        await settle(hass)
    return await task


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
    """Add the entry and set it up, as Home Assistant does at start; True if done."""
    entry.add_to_hass(hass)
    done = await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    return done


async def setup_with_echos(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    count: int,
    plugs: int = 0,
) -> float:
    """Set up an account of `count` Echos and `plugs` plugs; the seconds setup took.

    The seconds are real only where the clock runs (tests_live): the unit
    tests' frozen clock stops `time.perf_counter` as well.
    """
    fake_amazon.devices.clear()
    fake_amazon.endpoints.clear()
    fake_amazon.dnd.clear()
    fake_amazon.add_echos(count)
    fake_amazon.add_plugs(plugs)
    started = time.perf_counter()
    await set_up(hass, entry)
    return time.perf_counter() - started


def device_id(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """The Home Assistant device id of an Echo or plug."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, key), entry.entry_id
    )
    assert device is not None
    return device.id


def another_integrations_device(
    hass: HomeAssistant, domain: str, identifier: str
) -> str:
    """The id of a device no action of ours may take: another integration's."""
    other_entry = MockConfigEntry(domain=domain)
    other_entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=other_entry.entry_id, identifiers={(domain, identifier)}
    )
    return device.id


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any]
) -> ServiceResponse:
    """Call one of our actions and return its response."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


async def refused_before_sending(
    hass: HomeAssistant, fake_amazon: FakeAmazon, service: str, data: dict[str, Any]
) -> ServiceValidationError:
    """Call one of our actions, which must refuse before anything reaches Amazon."""
    sent = len(fake_amazon.requests)
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, service, data)
    assert len(fake_amazon.requests) == sent
    return refused.value


def states_written(hass: HomeAssistant, entity_id: str) -> list[str]:
    """The states written for the entity from now on, in order (filled as they come)."""
    written: list[str] = []

    @callback
    def keep(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == entity_id and (new := event.data["new_state"]):
            written.append(new.state)

    hass.bus.async_listen(EVENT_STATE_CHANGED, keep)
    return written


def iso(moment: datetime) -> str:
    """A moment as Amazon writes it."""
    return moment.isoformat().replace("+00:00", "Z")


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


async def stop_home_assistant(
    hass: HomeAssistant, entry: MockConfigEntry, *, crash: bool
) -> None:
    """Home Assistant stops, or dies; `start_home_assistant` starts it again.

    Stopping unloads the entry and saves the states Home Assistant restores.
    A crash runs nothing of Alexa Care's unload (a plug a power cycle holds
    off stays off, issues stay as they were) and saves nothing: the next
    start restores the states of Home Assistant's last periodic dump. Only
    the entities go, as they go with the process.
    """
    if crash:

        async def dies(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
            return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)

        with patch("custom_components.alexa_care.async_unload_entry", dies):
            await hass.config_entries.async_unload(entry.entry_id)
    else:
        await hass.config_entries.async_unload(entry.entry_id)
        await rs.async_get(hass).async_dump_states()
    await settle(hass)


async def start_home_assistant(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Home Assistant starts: what it restores and its issues as stored, then setup.

    Issues that are not persistent are not restored by Home Assistant: the
    integration raises them again if they still hold.
    """
    await async_mock_load_restore_state_from_storage(hass)
    await ir.async_get(hass).async_load()
    await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
