"""Counts the household's outages and their minutes since local midnight.

A household outage (outage.py: most devices offline at once) counts once,
on the day it began, however short: a nightly flap of a few minutes too
(its repair issue waits for the grace period; this count does not). Its
minutes run from when it began to when it ended, and are split at midnight
in Home Assistant's time zone, as a device's offline time is. Fed by
health.py, which keeps the day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from homeassistant.util import dt as dt_util

from ..util.local_time import midnight_before

# The shapes of what is kept on disk, for the type checker only: a
# TypedDict class keeps about 5 KiB once imported (docs/benchmarks.md).
if TYPE_CHECKING:

    class StoredHousehold(TypedDict):
        """The household's day, as kept on disk."""

        outages: int
        outage_seconds: float
        # The outage under way when it was written, as outage.py dates it.
        since: str | None


class HouseholdHealth:
    """Today's household outages, and how long they lasted."""

    def __init__(self) -> None:
        """Start with nothing counted, as of now."""
        self._outages = 0
        # Outages that ended today; the one under way counts from
        # _counted_from (when it began, or midnight).
        self._ended = timedelta(0)
        self._since: datetime | None = None
        self._counted_from: datetime | None = None
        # Moved on by health.py with the devices' counts.
        self.as_of = dt_util.utcnow()

    @property
    def outages_today(self) -> int:
        """How many household outages began today."""
        return self._outages

    @property
    def outage_minutes_today(self) -> float:
        """How long the household was in an outage today, as of the last update."""
        total = self._ended
        if self._counted_from is not None:
            total += max(self.as_of - self._counted_from, timedelta(0))
        return round(total.total_seconds() / 60, 1)

    @property
    def since(self) -> datetime | None:
        """When the outage being counted began, if one is."""
        return self._since

    def update(self, since: datetime | None, now: datetime) -> bool:
        """Follow the household's outage, begun at `since`; whether a count changed."""
        changed = since is not None or self._since is not None
        if since != self._since:
            if self._since is not None:
                self.end(now)
            if since is not None:
                midnight = midnight_before(now)
                if since >= midnight:
                    self._outages += 1
                self._since, self._counted_from = since, max(since, midnight)
        self.as_of = now
        return changed

    def end(self, at: datetime) -> None:
        """The outage being counted ended at `at`."""
        if self._counted_from is not None:
            self._ended += max(at - self._counted_from, timedelta(0))
        self._since = self._counted_from = None

    def set_back(self, now: datetime) -> None:
        """The clock was set back: an outage under way counts on from `now`."""
        if self._counted_from is not None:
            self._ended += max(self.as_of - self._counted_from, timedelta(0))
            self._counted_from = now

    def new_day(self, midnight: datetime) -> None:
        """Start the day from zero; an outage under way counts from midnight."""
        self._outages = 0
        self._ended = timedelta(0)
        if self._since is not None:
            self._counted_from = midnight
        self.as_of = midnight

    def stored(self) -> StoredHousehold:
        """The day so far, to keep across a restart."""
        return {
            "outages": self._outages,
            "outage_seconds": self._ended.total_seconds(),
            "since": self._since.isoformat() if self._since else None,
        }

    def restore(self, stored: StoredHousehold, as_of: datetime) -> None:
        """Take up the day as it was at `as_of`, before Home Assistant restarted."""
        self._outages = stored["outages"]
        self._ended = timedelta(seconds=stored["outage_seconds"])
        self._since = (
            datetime.fromisoformat(stored["since"]) if stored["since"] else None
        )
        self._counted_from = (
            max(self._since, midnight_before(as_of)) if self._since else None
        )
        self.as_of = as_of
