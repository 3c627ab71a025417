"""Reads Amazon's last-seen stamps on Home Assistant's clock.

Amazon stamps the moment it lost a device by its own clock, which may be
minutes off ours: read as is, a stamp three minutes early starts a grace
period three minutes early, and a plug whose drop no push announces looks
three minutes older than the Echos pushed offline with it (so not part of
their household outage). The offset is learnt where both clocks saw the same
moment: an Echo's drop pushed to us (our clock), then stamped in the next
poll (Amazon's). It is the median of the last few such pairs, so one late
push does not move it; until there is one, stamps are read as they are.

What it learns is "Amazon's stamp, as our clock read the news": a drop
Amazon notices, stamps, and pushes a moment later is dated when we would
have heard. That is on the safe side for a grace period.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from datetime import datetime, timedelta

from .models import AccountSnapshot, Echo, SmartPlug

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
        self.offset = timedelta(0)

    def pushed(
        self, before: AccountSnapshot | None, after: AccountSnapshot, now: datetime
    ) -> None:
        """Note the drops a push brought, dated by our clock."""
        if before is None:
            return
        for key, device in after.devices.items():
            old = before.devices.get(key)
            if device.online is False and old is not None and old.online:
                self._pushed_drops[key] = now

    def polled(self, snapshot: AccountSnapshot) -> AccountSnapshot:
        """The poll's snapshot with its stamps on our clock; learn from it first."""
        for key, heard in self._pushed_drops.items():
            device = snapshot.devices.get(key)
            if device is None or device.online or device.last_seen_online is None:
                continue
            if abs(device.last_seen_online - heard) <= SAME_MOMENT:
                self._offsets.append(device.last_seen_online - heard)
        self._pushed_drops.clear()
        if self._offsets:
            self.offset = sorted(self._offsets)[len(self._offsets) // 2]
        if not self.offset:
            return snapshot
        return AccountSnapshot(
            echos={
                key: self._on_our_clock(echo) for key, echo in snapshot.echos.items()
            },
            plugs={
                key: self._on_our_clock(plug) for key, plug in snapshot.plugs.items()
            },
        )

    def _on_our_clock[D: (Echo, SmartPlug)](self, device: D) -> D:
        if device.last_seen_online is None:
            return device
        return replace(device, last_seen_online=device.last_seen_online - self.offset)
