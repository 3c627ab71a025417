"""The entry's options: read from the entry in one place, as durations.

The form counts the poll interval in seconds and the other options in
minutes; nothing past this module sees those numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
import math
from typing import Any, Final, Self

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_SCAN_INTERVAL

from .const import (
    CONF_COOLDOWN,
    CONF_GRACE,
    DEFAULT_COOLDOWN,
    DEFAULT_GRACE,
    DEFAULT_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
)
from .util.record import Record


class OptionField(Record):
    """One option as the form shows it: a number of `unit`, within a range."""

    key: str
    unit: timedelta
    unit_label: str
    default: timedelta
    low: timedelta
    high: timedelta

    def read(self, options: Mapping[str, Any]) -> timedelta:
        """The option's duration, within its range; its default if never chosen.

        The form checks the range, but the entry is a file like any other: a
        hand edit may hold a text, or a poll interval of 0 s.
        """
        chosen = options.get(self.key)
        if (
            isinstance(chosen, bool)
            or not isinstance(chosen, int | float)
            or not math.isfinite(chosen)
        ):
            return self.default
        return self.unit * min(max(chosen, self.low / self.unit), self.high / self.unit)


_SECOND: Final = timedelta(seconds=1)
_MINUTE: Final = timedelta(minutes=1)
_POLL_INTERVAL: Final = OptionField(
    key=CONF_SCAN_INTERVAL,
    unit=_SECOND,
    unit_label="s",
    default=DEFAULT_SCAN_INTERVAL,
    low=MIN_SCAN_INTERVAL,
    high=timedelta(hours=1),
)
_GRACE: Final = OptionField(
    key=CONF_GRACE,
    unit=_MINUTE,
    unit_label="min",
    default=DEFAULT_GRACE,
    low=timedelta(minutes=1),
    high=timedelta(days=1),
)
_COOLDOWN: Final = OptionField(
    key=CONF_COOLDOWN,
    unit=_MINUTE,
    unit_label="min",
    default=DEFAULT_COOLDOWN,
    low=timedelta(0),
    high=timedelta(days=1),
)
# In the order the form shows them.
OPTION_FIELDS: Final = (_POLL_INTERVAL, _GRACE, _COOLDOWN)


class AlexaCareOptions(Record):
    """What the user chose in the options flow; the entry reloads on a change."""

    # How often the account is polled while Amazon's push channel is closed.
    poll_interval: timedelta
    # How long a device stays offline before its repair issue suggests a reset.
    grace: timedelta
    # How long a reset of a device refuses the next one.
    cooldown: timedelta

    @classmethod
    def of(cls, entry: ConfigEntry) -> Self:
        """Read the entry's options, defaults for those never chosen."""
        return cls(
            poll_interval=_POLL_INTERVAL.read(entry.options),
            grace=_GRACE.read(entry.options),
            cooldown=_COOLDOWN.read(entry.options),
        )
