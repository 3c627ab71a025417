"""Reads Amazon's last-seen stamps on Home Assistant's clock.

Amazon stamps the moment it lost a device by its own clock, which may be
minutes off ours: read as is, a stamp three minutes early starts a grace
period three minutes early, and a plug whose drop no push announces looks
three minutes older than the Echos pushed offline with it (so not part of
their household outage). The offset is learnt where both clocks saw the same
moment: a device's drop pushed to us (our clock), then stamped in the next
poll (Amazon's). It is the median of the last few such pairs, so one late
push does not move it; until there is one, stamps are read as they are.

The poll reads each stamp with the offset already taken off (graphql.py), so
a pair compares the stamp as Amazon sent it: the offset the poll was read
with added back. Compared as read, each pair would measure what is left of
the offset, and the median would fall back towards none.

What it learns is "Amazon's stamp, as our clock read the news": a drop
Amazon notices, stamps, and pushes a moment later is dated when we would
have heard. That is on the safe side for a grace period.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from .models import (
    AccountSnapshot,
    Device,
    EchoConnectionPushed,
    PlugPushed,
    PushedChange,
)

# A pushed drop and a stamp further apart than this are not the same moment
# (the device came back and dropped again between push and poll).
SAME_MOMENT = timedelta(minutes=15)
# How many pairs the offset is the median of.
PAIRS_KEPT = 9


class AmazonClock:
    """The offset of Amazon's clock from ours, learnt from pushed drops."""

    def __init__(self) -> None:
        """Start trusting Amazon's clock."""
        self._pushed_drops: dict[str, datetime] = {}
        self._offsets: deque[timedelta] = deque(maxlen=PAIRS_KEPT)
        # How far Amazon's clock runs ahead of ours (negative: behind).
        self.offset = timedelta(0)

    def pushed(
        self, change: PushedChange, before: AccountSnapshot, now: datetime
    ) -> None:
        """Note the drop a push brings, if it does, dated by our clock.

        Only the device it names is looked at, in the snapshot it changes.
        """
        match change:
            case EchoConnectionPushed(serial_number=key, online=False):
                device: Device | None = before.echos.get(key)
            case PlugPushed(endpoint_id=key, online=False):
                device = before.plugs.get(key)
            case _:
                return
        if device is not None and device.online:
            self._pushed_drops[key] = now

    def polled(self, snapshot: AccountSnapshot, read_with: timedelta) -> None:
        """Learn from a poll whose stamps were read with the offset `read_with`."""
        for key, heard in self._pushed_drops.items():
            device = snapshot.devices.get(key)
            if device is None or device.online or device.last_seen_online is None:
                continue
            # The stamp as Amazon sent it.
            stamped = device.last_seen_online + read_with
            if abs(stamped - heard) <= SAME_MOMENT:
                self._offsets.append(stamped - heard)
        self._pushed_drops.clear()
        if self._offsets:
            self.offset = sorted(self._offsets)[len(self._offsets) // 2]
