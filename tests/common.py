"""Helpers shared by the tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
import copy
from datetime import timedelta
import json
import logging
from pathlib import Path
import re
import string
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
from custom_components.alexa_care.issues import IssueKind, IssueRef
from custom_components.alexa_care.network_identity import READ_PACE
from devtools.amazon_emulator import push_payloads
from devtools.hass_log import is_report
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir, restore_state as rs
from homeassistant.util import dt as dt_util

from .fake_amazon import ADDED_ECHO_MODEL, CUSTOMER_ID, FakeAmazon
from .fake_push import FakePush

# The access token the push channel's fake checks, once a test sets it.
ACCESS_TOKEN = "Atna|FAKE-REFRESHED-ACCESS-TOKEN"
# Home Assistant runs an admin action as a task it tracks: one that waits on
# the clock would wait for the very test that moves the clock.
_ADMIN_ACTIONS = f"admin service {DOMAIN}."
# A poll runs as a background task, which async_block_till_done leaves alone.
_POLLS = " - refresh"
# A button press is a tracked task too: a power cycle waits on the clock.
_PRESSES = "ButtonEntity._async_press_action"


def throttled_issue_id(entry_id: str) -> str:
    """The id of the issue shown while Amazon throttles an account."""
    return IssueRef(kind=IssueKind.THROTTLED, entry_id=entry_id).issue_id


def _is_press(task: asyncio.Task[object]) -> bool:
    return getattr(task.get_coro(), "__qualname__", "") == _PRESSES


def _pending(hass: HomeAssistant) -> list[asyncio.Task[object]]:
    current = asyncio.current_task()
    return [
        task
        for task in (*hass._tasks, *hass._background_tasks)
        if task is not current
        and not task.done()
        and (task in hass._tasks or task.get_name().endswith(_POLLS))
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


async def next_poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    interval: timedelta = DEFAULT_SCAN_INTERVAL,
) -> None:
    """Move time to the next poll and let it finish."""
    freezer.tick(interval)
    async_fire_time_changed(hass)
    await settle(hass)


async def until_pushed(hass: HomeAssistant, condition: Callable[[], bool]) -> None:
    """Let the push channel's stream run (its tasks are not Home Assistant's)."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0)
        await settle(hass)
    raise AssertionError("what was pushed did not arrive")


async def push_connection(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    number: int,
    *,
    online: bool,
) -> None:
    """Amazon pushes that the added Echo "Echo {number}" is on or off line."""
    name, serial = f"Echo {number}", f"G0FAKE{number:010d}"
    fake_amazon.set_online(
        name, online=online, at=dt_util.utcnow().isoformat().replace("+00:00", "Z")
    )
    fake_push.push(
        push_payloads.connection_change(
            serial, ADDED_ECHO_MODEL.device_type, CUSTOMER_ID, online=online
        )
    )
    coordinator = entry.runtime_data.coordinator
    await until_pushed(hass, lambda: coordinator.data.echos[serial].online is online)


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


# What hassfest checks in a custom integration's files.
INTEGRATION = Path(__file__).parent.parent / "custom_components" / DOMAIN
# Lower case letters, digits, "-" and "_"; neither first nor last, never two in a row.
TRANSLATION_KEY = re.compile(r"[a-z0-9](?:[a-z0-9]|[-_](?=[a-z0-9]))*")
SLUG = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
HTML = re.compile(r"<[a-z].*?>", re.IGNORECASE)


def load_integration_file(name: str) -> Any:  # noqa: ANN401
    """One of the integration's JSON files, as Home Assistant reads it."""
    return json.loads((INTEGRATION / name).read_text())


def invalid_keys(tree: object, path: str, rule: re.Pattern[str]) -> list[str]:
    """The keys of an object that break a naming rule."""
    if not isinstance(tree, dict):
        return [f"{path}: not an object"]
    return [f"{path}.{key}: not a valid key" for key in tree if not rule.fullmatch(key)]


def unexpected_keys(tree: dict[str, Any], path: str, allowed: set[str]) -> list[str]:
    """The keys of an object hassfest's schema does not allow there."""
    return [f"{path}.{key}: not allowed here" for key in tree.keys() - allowed]


def issue_translation_problems(issues: Iterable[ir.IssueEntry]) -> list[str]:
    """Issues of ours whose translation would not show them as hassfest demands.

    A fixable issue shows its fix flow, never a description; an issue that is
    not fixable shows its description. The placeholders shown must be given.
    """
    texts = load_integration_file("translations/en.json")["issues"]
    problems = []
    for issue in issues:
        name = f"{issue.issue_id} ({issue.translation_key})"
        if (text := texts.get(issue.translation_key)) is None:
            problems.append(f"{name}: not in en.json")
            continue
        shown = ["title"] if issue.is_fixable else ["title", "description"]
        if issue.is_fixable and ("fix_flow" not in text or "description" in text):
            problems.append(f"{name}: fixable: en.json needs fix_flow, no description")
        if not issue.is_fixable and "description" not in text:
            problems.append(f"{name}: not fixable, but en.json has no description")
        given = set(issue.translation_placeholders or {})
        problems += [
            f"{name}: {{{field}}} of its {key} not given"
            for key in shown
            for _, field, _, _ in string.Formatter().parse(text.get(key, ""))
            if field and field not in given
        ]
    return problems


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
