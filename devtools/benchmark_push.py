"""The benchmark's push measurements, inside Home Assistant (see benchmark.py).

With the integration's push channel open to the emulator: how long a change
at the emulator takes to show in Home Assistant's state machine (do not
disturb, which both integrations receive by push; an Echo going offline).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
import time
from typing import Any
from urllib.parse import quote

from aiohttp import ClientSession

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event

type Json = dict[str, Any]

CHANNEL_OPEN_SECONDS = 15.0
# Longer than any push takes, far shorter than a poll interval.
EVENT_TIMEOUT_SECONDS = 10.0


class EmulatorControl:
    """The emulator's control API, for the push measurements."""

    def __init__(self, session: ClientSession, control_port: int) -> None:
        """Reach the control API on 127.0.0.1:`control_port`."""
        self._session = session
        self._url = f"http://127.0.0.1:{control_port}"

    async def call(self, method: str, path: str, body: object = None) -> Json:
        """One control request; its JSON answer."""
        async with self._session.request(
            method, f"{self._url}{path}", json=body
        ) as response:
            response.raise_for_status()
            answer: Json = await response.json()
        return answer


async def _wait_for_channel(control: EmulatorControl) -> bool:
    deadline = time.monotonic() + CHANNEL_OPEN_SECONDS
    while (await control.call("GET", "/push"))["open_streams"] < 1:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


def _echo_entity(
    hass: HomeAssistant, entry: ConfigEntry, domain: str, translation_key: str | None
) -> tuple[str, str] | None:
    """An entity of the first Echo that has one, and that Echo's name."""
    devices = dr.async_get(hass)
    for entity in sorted(
        er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id),
        key=lambda entity: entity.entity_id,
    ):
        if (
            entity.domain == domain
            and entity.disabled_by is None
            and (
                entity.translation_key == translation_key
                if translation_key
                else entity.original_device_class == "connectivity"
            )
            and entity.device_id
            and (device := devices.async_get(entity.device_id))
            and device.name
        ):
            return entity.entity_id, device.name
    return None


async def _seconds_to_state(
    hass: HomeAssistant, entity_id: str, state: str, change: Awaitable[object]
) -> float | None:
    """From `change` at the emulator to `state` in Home Assistant; None: not seen."""
    seen = asyncio.get_running_loop().create_future()

    @callback
    def changed(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and new.state == state and not seen.done():
            seen.set_result(time.perf_counter())

    remove = async_track_state_change_event(hass, entity_id, changed)
    try:
        start = time.perf_counter()
        await change
        return float(await asyncio.wait_for(seen, EVENT_TIMEOUT_SECONDS)) - start
    except TimeoutError:
        return None
    finally:
        remove()


async def measure_push(
    hass: HomeAssistant,
    entry: ConfigEntry,
    control: EmulatorControl,
) -> Json:
    """Event-to-state times, with the channel open."""
    result: Json = {"channel_open": await _wait_for_channel(control)}
    if not result["channel_open"]:
        return result
    # (domain, translation key, the state it shows, the control request and
    # its undo: the same emulator serves the other integration next).
    events = {
        "do_not_disturb": (
            "switch",
            "do_not_disturb",
            "on",
            ("PUT", "do-not-disturb", {"enabled": True}),
            ("PUT", "do-not-disturb", {"enabled": False}),
        ),
        "echo_offline": (
            "binary_sensor",
            None,
            "off",
            ("POST", "offline", None),
            ("POST", "online", None),
        ),
    }
    for event, (domain, key, state, change, undo) in events.items():
        if (found := _echo_entity(hass, entry, domain, key)) is None:
            result[f"{event}_s"] = None
            continue
        entity_id, echo = found
        result[f"{event}_entity"] = entity_id
        device = f"/devices/{quote(echo, safe='')}/"
        method, action, body = change
        result[f"{event}_s"] = await _seconds_to_state(
            hass, entity_id, state, control.call(method, device + action, body)
        )
        method, action, body = undo
        await control.call(method, device + action, body)
    return result
