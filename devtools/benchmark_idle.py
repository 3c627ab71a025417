"""An idle hour with the push channel open: the states an integration writes.

Inside Home Assistant (see devtools/benchmark.py), after the push
measurements, with the channel still open and the emulator left alone.
An hour of real time per run would be too long, so the hour is run on the
coordinator's own schedule instead: its next scheduled refresh (the timer
Home Assistant itself would fire) is fired at once, the delay it still had
is added to the simulated time, and so on while the simulated time stays
within the hour. After each refresh the coordinator schedules the next one
with the interval then in effect, as it does in a real hour. Every
`state_changed` event of the entry's entities meanwhile is counted.

The wall clock does not move: nothing that waits for a time of day or for
wall-clock time to pass is fired. For Alexa Care those are the midnight
reset of the daily counts, the hourly Echo list (read with a poll: it writes
a state only if a device changed), and the Wi-Fi details read once per Echo
(shown by sensors that are disabled by default). Core's integration has
only its coordinator's schedule.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

type Json = dict[str, Any]

HOUR_SECONDS = 3600.0
# What the push measurements changed (and undid) reaches the states first.
SETTLE_SECONDS = 2.0
# A refresh of 500 Echos takes a few seconds; far less than this.
REFRESH_TIMEOUT_SECONDS = 120.0
# DataUpdateCoordinator's scheduled refresh (name-mangled, hence the suffix).
REFRESH_CALLBACK = "__wrap_handle_refresh_interval"


def _refresh_timer(
    hass: HomeAssistant, coordinator: DataUpdateCoordinator[Any]
) -> asyncio.TimerHandle | None:
    """The coordinator's next scheduled refresh, as the event loop holds it."""
    # The event loop's own queue of timers, as pytest-homeassistant's
    # async_fire_time_changed reads it.
    for handle in hass.loop._scheduled:  # type: ignore[attr-defined]  # noqa: SLF001
        method = handle._callback  # noqa: SLF001
        if (
            not handle.cancelled()
            and getattr(method, "__self__", None) is coordinator
            and method.__name__.endswith(REFRESH_CALLBACK)
        ):
            timer: asyncio.TimerHandle = handle
            return timer
    return None


async def _next_timer(
    hass: HomeAssistant,
    coordinator: DataUpdateCoordinator[Any],
    fired: asyncio.TimerHandle,
) -> asyncio.TimerHandle | None:
    """The refresh after `fired`, once that one has finished."""
    deadline = time.monotonic() + REFRESH_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        handle = _refresh_timer(hass, coordinator)
        if handle is not None and handle is not fired:
            await hass.async_block_till_done()
            return handle
        await asyncio.sleep(0.01)
    return None


async def measure_idle_hour(
    hass: HomeAssistant,
    entry: ConfigEntry,
    coordinator: DataUpdateCoordinator[Any],
) -> Json:
    """State writes of the entry's entities in one simulated idle hour."""
    entity_ids = {
        entity.entity_id
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
    }
    await asyncio.sleep(SETTLE_SECONDS)
    await hass.async_block_till_done()
    writes: Counter[str] = Counter()

    @callback
    def count(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] in entity_ids:
            writes[event.data["entity_id"]] += 1

    remove = hass.bus.async_listen(EVENT_STATE_CHANGED, count)
    simulated = 0.0
    intervals: list[float] = []
    started = time.perf_counter()
    try:
        handle = _refresh_timer(hass, coordinator)
        while handle is not None:
            delay = max(0.0, handle.when() - hass.loop.time())
            if simulated + delay > HOUR_SECONDS:
                break
            simulated += delay
            intervals.append(delay)
            handle._run()  # noqa: SLF001 # what the event loop does when it is due
            handle.cancel()
            handle = await _next_timer(hass, coordinator, handle)
        await hass.async_block_till_done()
    finally:
        remove()
    by_domain: Counter[str] = Counter()
    for entity_id, count_ in writes.items():
        by_domain[entity_id.partition(".")[0]] += count_
    return {
        "refreshes": len(intervals),
        "seconds_to_each_refresh": intervals,
        "simulated_s": simulated,
        "real_s": time.perf_counter() - started,
        "state_writes": sum(writes.values()),
        "state_writes_by_domain": dict(by_domain.most_common()),
        "entities_written": len(writes),
    }
