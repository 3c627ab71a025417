"""Tells a household outage from devices dropping off one by one.

When the home's internet or Amazon is down, every device drops at once: one
repair issue per device, each suggesting a reset, would be noise. When most
of the devices that were online drop within the same minute (at least
OUTAGE_MIN_DEVICES, and more than half of the outage's baseline: the devices
still online and those dropping), one issue covers them all, after the same
grace period as a single device. Devices offline since before (an Echo
unplugged for weeks) are not in the baseline: else a home with a few of them
would take a nightly flap of the others for drops one by one.

"Within the same minute", with polls minutes apart or drops pushed one at
a time: among the devices offline and in no outage, those whose offline
moments lie within OUTAGE_SAME_MINUTE of each other. Amazon stamps the
moment it lost each device, so a device that dropped hours before the others
(and which we first see offline in the same poll, after a restart) is not
mistaken for one of them; a device we already knew offline counts from when
we first saw it so. A device Amazon gives no such time for counts with the
update in which we first saw it offline.

The outage lasts while its devices still offline are more than half of its
baseline (and at least OUTAGE_MIN_DEVICES); then it is over, and those still
offline are left to the per-device issues. A device whose drop Amazon does
not push (a plug, seen offline at the next poll) joins it if it dropped
within a minute of its last one. An outage under way, with its baseline, is
kept across a restart of Home Assistant (health_store.py): its one issue
still comes a grace period after it began, not after the restart.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from homeassistant.core import HomeAssistant

from ..amazon.models import AccountSnapshot
from ..const import OUTAGE_MIN_DEVICES, OUTAGE_SAME_MINUTE
from ..util.local_time import local_moment
from ..util.record import Record
from .issues import IssueKind, IssueRef, async_raise, async_withdraw

# The README's Repairs section explains what to check.
LEARN_MORE_URL = "https://github.com/alexa-care/alexa_care#repairs"


def _is_most(offline: int, baseline: int) -> bool:
    return offline >= OUTAGE_MIN_DEVICES and offline * 2 > baseline


def _same_minute(
    dropped: Mapping[str, datetime | None], now: datetime
) -> tuple[set[str], datetime, datetime]:
    """The largest group of devices that dropped within one minute.

    Returns its devices, its first drop and its last.
    """
    timed = sorted((seen, key) for key, seen in dropped.items() if seen is not None)
    times = [seen for seen, _ in timed]
    best: list[tuple[datetime, str]] = []
    for first, start in enumerate(times):
        end = bisect_right(times, start + OUTAGE_SAME_MINUTE)
        if end - first > len(best):
            best = timed[first:end]
    untimed = {key for key, seen in dropped.items() if seen is None}
    since = min((best[0][0] if best else now), now)
    latest = now if untimed or not best else best[-1][0]
    return {key for _, key in best} | untimed, since, latest


# The shapes of what is kept on disk, for the type checker only: a
# TypedDict class keeps about 5 KiB once imported (docs/benchmarks.md).
if TYPE_CHECKING:

    class StoredOutage(TypedDict):
        """An outage under way, as kept on disk."""

        since: str
        latest: str
        devices: list[str]
        # The devices online when it began (or dropping with it). A file of
        # the previous version has none: health_store.py makes one up.
        baseline: list[str]


class _Outage(Record, frozen=False):
    since: datetime
    # When its last device dropped: one dropping within a minute of that joins.
    latest: datetime
    devices: set[str]
    # The devices online when it began, or in it: "most" is judged
    # against them, not against devices offline since before.
    baseline: set[str]


class HouseholdOutage:
    """Whether most devices dropped at once, and its one repair issue."""

    def __init__(self, hass: HomeAssistant, entry_id: str, grace: timedelta) -> None:
        """Start knowing of no outage."""
        self._hass = hass
        self._issue = IssueRef(kind=IssueKind.MOST_DEVICES_OFFLINE, entry_id=entry_id)
        self._grace = grace
        self._outage: _Outage | None = None

    def __contains__(self, device_key: str) -> bool:
        """Whether the device is offline as part of the outage."""
        return self._outage is not None and device_key in self._outage.devices

    @property
    def since(self) -> datetime | None:
        """When the outage under way began, if one is."""
        return self._outage.since if self._outage else None

    def waiting(self, now: datetime) -> bool:
        """Whether an outage is under way and its grace period not yet over."""
        return self._outage is not None and now - self._outage.since < self._grace

    def stored(self) -> StoredOutage | None:
        """The outage under way, to keep across a restart."""
        if (outage := self._outage) is None:
            return None
        return {
            "since": outage.since.isoformat(),
            "latest": outage.latest.isoformat(),
            "devices": sorted(outage.devices),
            "baseline": sorted(outage.baseline),
        }

    def forget(self, device_key: str) -> None:
        """The device, gone from the account, left the device registry."""
        if (outage := self._outage) is not None:
            outage.devices.discard(device_key)
            outage.baseline.discard(device_key)

    def restore(self, stored: StoredOutage | None) -> None:
        """Take up the outage that was under way before the restart."""
        if stored is None:
            self._outage = None
            return
        # Read by health_store.py already: these are valid moments.
        self._outage = _Outage(
            since=datetime.fromisoformat(stored["since"]),
            latest=datetime.fromisoformat(stored["latest"]),
            devices=set(stored["devices"]),
            baseline=set(stored["baseline"]) | set(stored["devices"]),
        )

    def update(
        self,
        snapshot: AccountSnapshot,
        dropped: Mapping[str, datetime | None],
        now: datetime,
    ) -> set[str]:
        """Take in a poll; return the devices an outage that just ended left offline.

        `dropped` holds the devices offline and in no outage, with the
        moment each went offline (None: unknown, offline since this update).
        """
        if self._outage is None:
            devices, since, latest = _same_minute(dropped, now)
            online = {key for key, device in snapshot.devices.items() if device.online}
            if not _is_most(len(devices), len(online | devices)):
                async_withdraw(self._hass, self._issue)
                return set()
            self._outage = _Outage(
                since=since, latest=latest, devices=devices, baseline=online | devices
            )
        outage = self._outage
        for key, seen in dropped.items():
            # Pushed drops come one at a time: the stragglers of the minute.
            if abs((seen or now) - outage.latest) <= OUTAGE_SAME_MINUTE:
                outage.devices.add(key)
                outage.baseline.add(key)
                outage.latest = max(outage.latest, seen or now)
        # A device missing from one answer stays (Amazon's lists flicker);
        # one gone from the account leaves with the registry (forget).
        outage.devices = {
            key
            for key in outage.devices
            if (device := snapshot.devices.get(key)) is None or device.online is False
        }
        # A device whose reachability is unknown is in neither.
        outage.baseline -= {
            key for key, device in snapshot.devices.items() if device.online is None
        }
        outage.devices &= outage.baseline
        if not _is_most(len(outage.devices), len(outage.baseline)):
            self._outage = None
            async_withdraw(self._hass, self._issue)
            return outage.devices
        if now - outage.since >= self._grace:
            async_raise(
                self._hass,
                self._issue,
                learn_more_url=LEARN_MORE_URL,
                placeholders={
                    "count": str(len(outage.devices)),
                    # Of the devices it is judged against: "most" shows.
                    "total": str(len(outage.baseline)),
                    "since": local_moment(self._hass, outage.since),
                },
            )
        return set()
