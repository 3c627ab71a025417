"""Counts each device's drop-offs and offline time since local midnight.

Fed after every update (a poll, a pushed change, the recheck while polls
rest): a device seen online and now offline dropped off, however briefly
(the repair issues wait for a grace period; these counts do not). Every
count starts from zero at local midnight; offline time is split there.

Drops with most of the household (outage.py) are the household's: counted
once on the account (household_health.py), not per device. Pushed drops
arrive one at a time, before the outage is known: so a drop is held back
until OUTAGE_SAME_MINUTE after it, then decided at the next update: the
household's if an outage claimed it, else the device's, its offline time
counted from the drop. A drop a poll finds older than that is decided at
once; one whose device is back first is the device's. A device still
offline a minute after the household's outage ended (or first seen offline,
at setup) counts its own offline time from then, with no drop-off. A drop
counts on the day it happened: one decided after that day (Home Assistant
was down at midnight, or it was still held back) is not counted.

Kept across restarts (health_store.py). At the first update after one, the
time away is reconciled as far as Amazon's stamps tell: a device back
online was offline until Home Assistant last looked; one Amazon says
dropped meanwhile dropped then.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from ..amazon.models import AccountSnapshot, Device
from ..const import OUTAGE_SAME_MINUTE
from ..util.device_listeners import DeviceListeners
from ..util.local_time import local_day, midnight_before
from ..util.record import Record
from ..util.storage import restored_moment, stored_moment
from .household_health import HouseholdHealth
from .outage import HouseholdOutage

DROP_OFFS = "drop_offs"
OFFLINE_MINUTES = "offline_minutes"
# The household's counts have listeners too; no device has an empty key.
_HOUSEHOLD = ""


# The shapes of what is kept on disk, for the type checker only: a
# TypedDict class keeps about 5 KiB once imported (docs/benchmarks.md).
if TYPE_CHECKING:

    class StoredDevice(TypedDict):
        """A device's day, as kept on disk."""

        online: bool | None
        offline_since: str | None
        held: str | None
        left: str | None
        drop_offs: int
        offline_seconds: float


class _Today(Record, frozen=False):
    drop_offs: int = 0
    # Outages that ended today; the one still going is counted from
    # offline_since.
    offline: timedelta = timedelta(0)
    # Since when its own offline time counts: None while online, while its
    # drop is held back, and while it is offline with the household.
    offline_since: datetime | None = None
    online: bool | None = None
    seen_online_at: datetime | None = field(default=None, compare=False)
    # When it dropped, while that drop is held back; when the household's
    # outage ended without it, while that is.
    held: datetime | None = None
    left: datetime | None = None


# A device online with nothing counted today: kept by its key alone. Not
# compared by when it was last seen online, which every update moves.
_ONLINE = _Today(online=True)


class DeviceHealth:
    """Today's drop-offs and offline time of every device with reachability."""

    def __init__(self, outage: HouseholdOutage) -> None:
        """Start with nothing counted; `outage` (availability's) takes updates first."""
        self._outage = outage
        self._devices: dict[str, _Today] = {}
        # As of the last update (or midnight), and the local day counted.
        self.as_of = dt_util.utcnow()
        self.day = local_day(self.as_of)
        self.household = HouseholdHealth()
        self._listeners = DeviceListeners()
        self._update_listeners: list[CALLBACK_TYPE] = []
        # Until the first update after a restart: when it last looked.
        self._away_since: datetime | None = None

    def update(self, snapshot: AccountSnapshot, now: datetime) -> bool:
        """Take in an update, once the household's outage has (asks no new read)."""
        household = self._outage
        if (away_since := self._away_since) is not None:
            self._away_since = None
            self._advance(away_since)
            self._came_back_meanwhile(snapshot, away_since)
            if household.since != self.household.since:
                # Over while Home Assistant was away; when exactly is unknown.
                self.household.end(away_since)
        if now < self.as_of:
            self._set_back(now)
        new_day = self._advance(now)
        # The devices whose counts this update changed: those offline (their
        # offline time grew) or back online. At 500 Echos, waking every
        # count at every poll costs more than the rest of the poll.
        changed: set[str] = set()
        midnight = midnight_before(now)
        # A device this answer leaves out, or whose reachability it does not
        # tell, keeps its counts: Amazon's lists flicker. They go when the
        # device registry lets the device go, or it is deregistered (forget).
        for key, device in snapshot.devices.items():
            if device.online is None:
                continue
            today = self._devices.setdefault(key, _Today())
            if not device.online or today.online is False:
                changed.add(key)
            self._take_in(today, device, now, midnight, in_outage=key in household)
        if self.household.update(household.since, now):
            changed.add(_HOUSEHOLD)
        self._notify(None if new_day else changed)
        return False

    def _set_back(self, now: datetime) -> None:
        """The clock was set back (NTP): count on from now, keeping what was counted.

        Otherwise offline time would count backwards until the clock caught
        up (a meter's reset, to the statistics), and a drop held back would
        wait as long.
        """
        for today in self._devices.values():
            if today.offline_since is not None:
                today.offline += max(self.as_of - today.offline_since, timedelta(0))
                today.offline_since = now
            if today.held is not None:
                today.held = min(today.held, now)
            if today.left is not None:
                today.left = min(today.left, now)
        self.household.set_back(now)

    def _notify(self, changed: set[str] | None) -> None:
        """Wake the entities of `changed` (None: all), then the update listeners."""
        self._listeners.notify(changed)
        for update in list(self._update_listeners):
            update()

    def _take_in(
        self,
        today: _Today,
        device: Device,
        now: datetime,
        midnight: datetime,
        *,
        in_outage: bool,
    ) -> None:
        if device.online:
            if today.held is not None:
                # Back before an outage of the household claimed it.
                self._decide(today, midnight)
            # Back within the minute after the others: the household's.
            today.left = None
            if today.offline_since is not None:
                today.offline += now - today.offline_since
                today.offline_since = None
            today.seen_online_at = now
            today.online = True
            return
        if today.online and today.seen_online_at is not None:
            # Amazon knows when it lost the device, but it was online when
            # we last looked.
            lost = min(device.last_seen_online or now, now)
            today.held = max(lost, today.seen_online_at)
        today.online = False
        if in_outage:
            today.held = today.left = None
            if today.offline_since is not None:
                # From now on its time offline is the household's.
                today.offline += now - today.offline_since
                today.offline_since = None
        elif today.held is not None or today.left is not None:
            if now - (today.held or today.left or now) >= OUTAGE_SAME_MINUTE:
                self._decide(today, midnight)
        elif today.offline_since is None:
            # Left offline by the household's outage (the others back), or
            # seen offline first (at setup): its own from now on, once it
            # is still offline a minute later.
            today.left = now

    @staticmethod
    def _decide(today: _Today, midnight: datetime) -> None:
        """Count what was held back as the device's own: a drop on its day."""
        if today.held is not None and today.held >= midnight:
            today.drop_offs += 1
        since = today.held or today.left or midnight
        today.offline_since = max(since, midnight)
        today.held = today.left = None

    def _came_back_meanwhile(
        self, snapshot: AccountSnapshot, away_since: datetime
    ) -> None:
        """Close the outages that ended while Home Assistant was away."""
        midnight = midnight_before(away_since)
        for key, today in self._devices.items():
            device = snapshot.devices.get(key)
            if device is None or device.online is None or today.online is not False:
                continue
            dropped_again = (
                not device.online
                and device.last_seen_online is not None
                and device.last_seen_online >= away_since
            )
            if not device.online and not dropped_again:
                continue  # the same outage: it goes on
            if today.held is not None or today.left is not None:
                self._decide(today, midnight)
            if today.offline_since is not None:
                today.offline += max(away_since - today.offline_since, timedelta(0))
                today.offline_since = None
            # Online from when Home Assistant last looked, for all we know:
            # a drop since is taken in as any other, from Amazon's stamp.
            today.online, today.seen_online_at = True, away_since

    def drop_offs(self, device_key: str) -> int:
        """How often the device dropped off today."""
        today = self._devices.get(device_key)
        return today.drop_offs if today else 0

    def offline_minutes(self, device_key: str) -> float:
        """How long the device was offline today, as of the last update or midnight."""
        today = self._devices.get(device_key)
        if today is None:
            return 0.0
        offline = today.offline
        if today.offline_since is not None:
            offline += max(self.as_of - today.offline_since, timedelta(0))
        return round(offline.total_seconds() / 60, 1)

    def stored(self) -> tuple[dict[str, StoredDevice], list[str]]:
        """Each device's day, to keep across a restart.

        Returns the devices with something to keep, and the others (online,
        nothing counted today) by key only.
        """
        devices: dict[str, StoredDevice] = {}
        online: list[str] = []
        for key, today in self._devices.items():
            if today == _ONLINE:
                online.append(key)
                continue
            devices[key] = {
                "online": today.online,
                "offline_since": stored_moment(today.offline_since),
                "held": stored_moment(today.held),
                "left": stored_moment(today.left),
                "drop_offs": today.drop_offs,
                "offline_seconds": today.offline.total_seconds(),
            }
        return devices, online

    def restore(
        self,
        day: date,
        as_of: datetime,
        devices: dict[str, StoredDevice],
        online: list[str],
    ) -> None:
        """Take up the day as it was at `as_of`, before Home Assistant restarted."""
        self.day, self.as_of, self._away_since = day, as_of, as_of
        self._devices = {key: _Today(online=True) for key in online}
        self._devices.update(
            (
                key,
                _Today(
                    drop_offs=stored["drop_offs"],
                    offline=timedelta(seconds=stored["offline_seconds"]),
                    offline_since=restored_moment(stored["offline_since"]),
                    online=stored["online"],
                    held=restored_moment(stored["held"]),
                    left=restored_moment(stored["left"]),
                ),
            )
            for key, stored in devices.items()
        )
        for today in self._devices.values():
            if today.online:
                # Online when Home Assistant last looked.
                today.seen_online_at = as_of

    def waiting(self, now: datetime) -> bool:  # the listeners' signature
        """Whether a drop waits a minute to tell the device's from the household's."""
        return any(
            today.held is not None or today.left is not None
            for today in self._devices.values()
        )

    def forget(self, device_key: str) -> None:
        """Forget a device removed from the registry (gone from the account)."""
        self._devices.pop(device_key, None)

    @callback
    def async_add_listener(
        self, device_key: str, update: CALLBACK_TYPE
    ) -> CALLBACK_TYPE:
        """Call `update` whenever the device's counts may have changed; the remover."""
        return self._listeners.add(device_key, update)

    @callback
    def async_add_household_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` whenever the household's counts may have changed."""
        return self._listeners.add(_HOUSEHOLD, update)

    @callback
    def async_add_update_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` after every update and every new day; returns the remover."""
        self._update_listeners.append(update)
        return lambda: self._update_listeners.remove(update)

    @callback
    def async_track_midnight(self, hass: HomeAssistant) -> CALLBACK_TYPE:
        """Close the day a second before midnight, start one at it; the remover."""

        # Home Assistant calls both with local time; moments here are in UTC
        # (local_time.local_midnight says why).
        @callback
        def day_ends(now: datetime) -> None:
            # The day's final offline time, stamped within the day, so that
            # the daily statistics count it on the day it grew.
            self.as_of = self.household.as_of = dt_util.as_utc(now)
            self._listeners.notify()

        @callback
        def new_day(now: datetime) -> None:
            self._advance(dt_util.as_utc(now))
            self._notify(None)

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
        """Move to `now`; whether a new day began, which zeroes every count.

        Only a later day is a new one. A day that went back (the clock set
        back over midnight, the time zone moved west) keeps its counts:
        starting it anew would count the device offline since its midnight.
        The next midnight then starts the day after it as usual.
        """
        new_day = (day := local_day(now)) > self.day
        if new_day:
            midnight = midnight_before(now)
            for today in self._devices.values():
                today.drop_offs = 0
                today.offline = timedelta(0)
                if today.offline_since is not None:
                    today.offline_since = midnight
            self.household.new_day(midnight)
        self.day = day
        self.as_of = self.household.as_of = now
        return new_day
