"""Counts each device's drop-offs and offline time since local midnight.

Fed from the coordinator after every successful poll: a device Amazon saw
online and now sees offline dropped off, however short the outage (the
repair issues wait for a grace period; these counts do not). Offline time
grows while a device is offline and is split at midnight in Home
Assistant's time zone, when both counts start again from zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
import math

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from .amazon.models import AccountSnapshot
from .device_listeners import DeviceListeners

DROP_OFFS = "drop_offs"
OFFLINE_MINUTES = "offline_minutes"


@dataclass
class _Today:
    drop_offs: int = 0
    # Outages that ended today; the one still going is counted from
    # offline_since.
    offline: timedelta = timedelta(0)
    offline_since: datetime | None = None
    online: bool | None = None
    seen_online_at: datetime | None = None


class DeviceHealth:
    """Today's drop-offs and offline time of every device with reachability."""

    def __init__(self) -> None:
        """Start with nothing counted, as of now."""
        self._devices: dict[str, _Today] = {}
        self._as_of = dt_util.utcnow()
        self._day = _local_day(self._as_of)
        # Restored once per device and count: an entity added again (renamed)
        # finds a state that holds what this object counted already.
        self._restored: set[tuple[str, str]] = set()
        self._listeners = DeviceListeners()

    def update(self, snapshot: AccountSnapshot, now: datetime) -> None:
        """Take in a successful poll."""
        new_day = self._advance(now)
        # The devices whose counts this poll changed: those offline (their
        # offline time grew) or back online. At 500 Echos, waking every
        # count at every poll costs more than the rest of the poll.
        changed: set[str] = set()
        for key, device in snapshot.devices.items():
            if device.online is None:
                self._devices.pop(key, None)
                continue
            today = self._devices.setdefault(key, _Today())
            if device.online:
                if today.offline_since is not None:
                    today.offline += now - today.offline_since
                    today.offline_since = None
                today.seen_online_at = now
            elif today.offline_since is None:
                today.offline_since = now
                if today.online and today.seen_online_at:
                    # Amazon knows when it lost the device, but it was
                    # online when we last looked, and today's count starts
                    # at midnight.
                    lost = min(device.last_seen_online or now, now)
                    today.offline_since = max(
                        lost, today.seen_online_at, _midnight_before(now)
                    )
                    today.drop_offs += 1
                # Seen offline first (at setup): what happened before is
                # unknown, so only what we see from now on is counted.
            if not device.online or today.online is False:
                changed.add(key)
            today.online = device.online
        for key in self._devices.keys() - snapshot.devices.keys():
            del self._devices[key]
        self._listeners.notify(None if new_day else changed)

    def drop_offs(self, device_key: str) -> int:
        """How often the device dropped off today."""
        today = self._devices.get(device_key)
        return today.drop_offs if today else 0

    def offline_minutes(self, device_key: str) -> float:
        """How long the device was offline today, as of the last poll or midnight."""
        today = self._devices.get(device_key)
        if today is None:
            return 0.0
        offline = today.offline
        if today.offline_since is not None:
            offline += self._as_of - today.offline_since
        return round(offline.total_seconds() / 60, 1)

    def restore(self, device_key: str, count: str, value: float | None) -> None:
        """Add what was counted today before Home Assistant restarted.

        Called whenever a count's entity is added, with its last state from
        today if there is one; only the first call of each count restores.
        """
        if (device_key, count) in self._restored:
            return
        self._restored.add((device_key, count))
        # A stored state is outside input: nothing below zero, nothing more
        # than today has room for (a drop-off takes at least a second).
        if value is None or not math.isfinite(value) or value <= 0:
            return
        now = dt_util.utcnow()
        today_so_far = now - _midnight_before(now)
        today = self._devices.setdefault(device_key, _Today())
        if count == DROP_OFFS:
            today.drop_offs += int(min(value, today_so_far.total_seconds()))
        else:
            today.offline += min(timedelta(minutes=min(value, 24 * 60)), today_so_far)

    @callback
    def async_add_listener(
        self, device_key: str, update: CALLBACK_TYPE
    ) -> CALLBACK_TYPE:
        """Call `update` whenever the device's counts may have changed.

        Returns the remover.
        """
        return self._listeners.add(device_key, update)

    @callback
    def async_track_midnight(self, hass: HomeAssistant) -> CALLBACK_TYPE:
        """Close the day a second before local midnight, start a new one at it.

        Returns the remover of both timers.
        """

        @callback
        def day_ends(now: datetime) -> None:
            # The day's final offline time, stamped within the day, so that
            # the daily statistics count it on the day it grew.
            self._as_of = now
            self._listeners.notify()

        @callback
        def new_day(now: datetime) -> None:
            self._advance(now)
            self._listeners.notify()

        removers = (
            async_track_time_change(hass, day_ends, hour=23, minute=59, second=59),
            async_track_time_change(hass, new_day, hour=0, minute=0, second=0),
        )

        @callback
        def remove() -> None:
            for remover in removers:
                remover()

        return remove

    def _advance(self, now: datetime) -> bool:
        """Move to `now`; whether a new day began, which zeroes every count."""
        new_day = (day := _local_day(now)) != self._day
        if new_day:
            midnight = _midnight_before(now)
            for today in self._devices.values():
                today.drop_offs = 0
                today.offline = timedelta(0)
                if today.offline_since is not None:
                    today.offline_since = midnight
            self._day = day
        self._as_of = now
        return new_day


def _local_day(moment: datetime) -> date:
    return dt_util.as_local(moment).date()


def _midnight_before(moment: datetime) -> datetime:
    # start_of_local_day takes a UTC moment's date as it is, not the local one.
    return dt_util.start_of_local_day(_local_day(moment))
