"""Raises and withdraws the repair issues of devices that go offline.

A device offline longer than the grace period gets an issue that suggests a
soft reset; one that dropped off three times within a day gets a second
issue. Both go away by themselves once the device is back (or gone). Devices
that drop with most of the household are left to the outage's one issue
(outage.py) until the others are back, and their drop does not count toward
the second issue, even when it reached us before the outage was recognised
(pushed drops come one at a time): it is taken back then.

Which devices are offline since when, and their drops, are kept across a
restart of Home Assistant (health_store.py), so that a restart neither
starts a grace period again nor counts a device still offline as a new drop.
At the first poll after it, a device that Amazon says dropped when or after
Home Assistant last looked came back and dropped again meanwhile: a new
outage.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from homeassistant.core import HomeAssistant

from ..amazon.models import AccountSnapshot, Device
from ..const import DROPS_FOR_ISSUE, DROPS_WINDOW
from ..util.local_time import local_moment
from ..util.markdown import escape_markdown
from ..util.record import Record
from ..util.storage import restored_moment, stored_moment
from .issues import IssueKind, IssueRef, async_raise, async_withdraw, entry_issue_ids
from .outage import HouseholdOutage

# The shapes of what is kept on disk, for the type checker only: a
# TypedDict class keeps about 5 KiB once imported (docs/benchmarks.md).
if TYPE_CHECKING:

    class StoredOutages(TypedDict):
        """A device's outage and recent drops, as kept on disk."""

        offline_since: str | None
        grace_from: str | None
        drops: list[str]
        dropped: str | None


class _Outages(Record, frozen=False):
    offline_since: datetime | None = None
    # When its grace period started, if not when it dropped: left offline
    # by a household outage, it is judged from the others' return.
    grace_from: datetime | None = None
    drops: list[datetime] = field(default_factory=list)
    # The drop of the outage under way, while it counts: the household's
    # outage may claim it after it was counted.
    dropped: datetime | None = None
    # When an update last showed it online (not kept across a restart).
    seen_online_at: datetime | None = None


def _dropped_while_away(device: Device, away_since: datetime | None) -> bool:
    """Whether a device first seen offline dropped in our sight.

    Only if Amazon lost it while Home Assistant was away (restarting): one
    offline before Alexa Care ever watched it, or added to the account
    offline, did not drop off, as the daily counts have it (health.py).
    """
    return (
        away_since is not None
        and device.last_seen_online is not None
        and device.last_seen_online >= away_since
    )


class AvailabilityIssues:
    """Follows each device's outages and keeps its repair issues in step."""

    def __init__(self, hass: HomeAssistant, entry_id: str, grace: timedelta) -> None:
        """Start knowing of no outage."""
        self._hass = hass
        self._entry_id = entry_id
        self._grace = grace
        self._outages: dict[str, _Outages] = {}
        self._household = HouseholdOutage(hass, entry_id, grace)
        # The ids of the issues that are open, so that a poll withdraws only
        # those, not two per device. Issues outlive a reload of the entry,
        # and the registry keeps those of the last run (without their data).
        self._open = set(entry_issue_ids(hass, entry_id))
        # Until the first poll after a restart: when Home Assistant last
        # looked before it.
        self._away_since: datetime | None = None

    @property
    def household(self) -> HouseholdOutage:
        """The household's outage: which devices are offline with most of the others."""
        return self._household

    def offline_since(self, device_key: str) -> datetime | None:
        """Since when the device has been offline, if it is."""
        outages = self._outages.get(device_key)
        return outages.offline_since if outages else None

    def stored(self) -> dict[str, StoredOutages]:
        """The devices offline or with recent drops, to keep across a restart."""
        return {
            key: {
                "offline_since": stored_moment(outages.offline_since),
                "grace_from": stored_moment(outages.grace_from),
                "drops": [when.isoformat() for when in outages.drops],
                "dropped": stored_moment(outages.dropped),
            }
            for key, outages in self._outages.items()
            if outages.offline_since or outages.drops
        }

    def restore(self, stored: dict[str, StoredOutages], as_of: datetime) -> None:
        """Take up what was known at `as_of`, before Home Assistant restarted."""
        self._outages = {
            key: _Outages(
                offline_since=restored_moment(record["offline_since"]),
                grace_from=restored_moment(record["grace_from"]),
                drops=[datetime.fromisoformat(text) for text in record["drops"]],
                dropped=restored_moment(record["dropped"]),
            )
            for key, record in stored.items()
        }
        self._away_since = as_of

    def update(self, snapshot: AccountSnapshot, now: datetime) -> bool:
        """Take in an update: raise or withdraw issues.

        Returns whether a household outage just ended and left devices
        offline: Amazon pushes the Echos' return, not a plug's, so the
        update may be stale for them.
        """
        if (away_since := self._away_since) is not None:
            self._away_since = None
            self._came_back_meanwhile(snapshot, away_since)
        left_offline = self._household.update(
            snapshot,
            {
                # Amazon's moment for a device it just lost, ours for one we
                # know offline: pushed drops arrive one at a time, and still
                # must be seen as dropping together.
                key: self.offline_since(key) or device.last_seen_online
                for key, device in snapshot.devices.items()
                if device.online is False and key not in self._household
            },
            now,
        )
        for key, device in snapshot.devices.items():
            if device.online is None:
                # Its reachability unknown for now: no news either way, and
                # an issue the user ignored stays ignored.
                continue
            first_sight = key not in self._outages
            outages = self._outages.setdefault(key, _Outages())
            if device.online:
                outages.offline_since = outages.grace_from = outages.dropped = None
                outages.seen_online_at = now
                self._delete(IssueKind.DEVICE_UNAVAILABLE, key)
            else:
                self._offline(
                    device,
                    outages,
                    now,
                    left_offline=key in left_offline,
                    dropped=not first_sight or _dropped_while_away(device, away_since),
                )
            outages.drops = [t for t in outages.drops if now - t < DROPS_WINDOW]
            if len(outages.drops) >= DROPS_FOR_ISSUE:
                self._raise(
                    IssueKind.DEVICE_KEEPS_DROPPING,
                    device,
                    drops=str(len(outages.drops)),
                )
            else:
                self._delete(IssueKind.DEVICE_KEEPS_DROPPING, key)
        # A device missing from this answer keeps its record and issues:
        # Amazon's lists flicker. It is forgotten once the device registry
        # lets it go (registry_sync.py), or when it is deregistered.
        return bool(left_offline)

    def waiting(self, now: datetime) -> bool:
        """Whether a device's offline issue, or the household's, waits on its grace."""
        return self._household.waiting(now) or any(
            outages.offline_since is not None
            and key not in self._household
            and now - (outages.grace_from or outages.offline_since) < self._grace
            for key, outages in self._outages.items()
        )

    def _offline(
        self,
        device: Device,
        outages: _Outages,
        now: datetime,
        *,
        left_offline: bool,
        dropped: bool,
    ) -> None:
        """Raise the device's offline issue once its grace period is over."""
        key = device.key
        if outages.offline_since is None:
            # Amazon knows when it lost the device; we only know when we
            # first saw it offline. Not before we last saw it online: a
            # stamp from before is Amazon's clock, behind ours.
            since = min(device.last_seen_online or now, now)
            if outages.seen_online_at is not None:
                since = max(since, outages.seen_online_at)
            outages.offline_since = since
            if dropped and key not in self._household:
                outages.dropped = now
                outages.drops.append(now)
        if left_offline:
            outages.grace_from = now
        if key in self._household:
            # Dropping with the whole house says nothing of the device, even
            # if its drop was counted before the outage was recognised.
            if outages.dropped in outages.drops:
                outages.drops.remove(outages.dropped)
            outages.dropped = None
            # An issue from before a restart, now part of the outage.
            self._delete(IssueKind.DEVICE_UNAVAILABLE, key)
        elif now - (outages.grace_from or outages.offline_since) >= self._grace:
            self._raise(
                IssueKind.DEVICE_UNAVAILABLE,
                device,
                model=escape_markdown(device.model or "-"),
                since=local_moment(self._hass, outages.offline_since),
            )

    def _came_back_meanwhile(
        self, snapshot: AccountSnapshot, away_since: datetime
    ) -> None:
        """Forget the outages that Amazon says ended while Home Assistant was away.

        A device that dropped (by Amazon's stamp) when or after Home
        Assistant last looked, which then knew it offline since before,
        came back and dropped again.
        """
        for key, outages in self._outages.items():
            device = snapshot.devices.get(key)
            if (
                outages.offline_since is not None
                and device is not None
                and device.online is False
                and device.last_seen_online is not None
                and device.last_seen_online >= away_since
            ):
                outages.offline_since = outages.grace_from = outages.dropped = None

    def forget(self, device_key: str) -> None:
        """Withdraw every issue of a device."""
        self._outages.pop(device_key, None)
        self._household.forget(device_key)
        self._delete(IssueKind.DEVICE_UNAVAILABLE, device_key)
        self._delete(IssueKind.DEVICE_KEEPS_DROPPING, device_key)

    def _issue(self, kind: IssueKind, device_key: str) -> IssueRef:
        return IssueRef(kind=kind, entry_id=self._entry_id, device_key=device_key)

    def _raise(self, kind: IssueKind, device: Device, **placeholders: str) -> None:
        issue = self._issue(kind, device.key)
        self._open.add(issue.issue_id)
        async_raise(
            self._hass,
            issue,
            placeholders={"device": escape_markdown(device.name), **placeholders},
        )

    def _delete(self, kind: IssueKind, device_key: str) -> None:
        # Called twice per device and poll: most polls have no issue open.
        if (
            self._open
            and (issue := self._issue(kind, device_key)).issue_id in self._open
        ):
            self._open.discard(issue.issue_id)
            async_withdraw(self._hass, issue)
