"""Each log line once an hour: Amazon's failures come back at every poll.

A poll Amazon fails, a push channel it refuses, an account it throttles:
the same line comes back every few minutes for as long as that lasts (the
library logs its retries and reconnects too), and a log full of one warning
hides everything else. While an entry is loaded, a filter on our logger and
the library's turns a line above DEBUG that was already logged within the
hour into a DEBUG line: shown when debug logging is on, dropped otherwise.
"""

from __future__ import annotations

import logging
import re
from typing import override

from .log_privacy import PROTECTED_LOGGERS

REPEAT_WINDOW_SECONDS = 3600.0
# Lines remembered at most; older ones are forgotten first. A few dozen
# different lines an hour is a bad hour already.
_MAX_REMEMBERED = 512
# A URL's query (the voice history's moving time window) makes no new line.
_URL_QUERY = re.compile(r"(https?://[^\s?]+)\?\S*")


class RepeatFilter(logging.Filter):
    """Logs a line above DEBUG once an hour; its repeats at DEBUG."""

    def __init__(self) -> None:
        """Remember no line yet."""
        super().__init__()
        self._owners: set[str] = set()
        # (logger, level, message) → when it was last shown (record time).
        self._shown: dict[tuple[str, int, str], float] = {}

    def attach(self, owner: str) -> None:
        """An entry is loaded: filter both loggers while any entry is."""
        if not self._owners:
            for name in PROTECTED_LOGGERS:
                logging.getLogger(name).addFilter(self)
        self._owners.add(owner)

    def release(self, owner: str) -> None:
        """An entry unloaded: detach when it was the last one."""
        self._owners.discard(owner)
        if not self._owners:
            for name in PROTECTED_LOGGERS:
                logging.getLogger(name).removeFilter(self)
            self._shown.clear()

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG:
            return True
        try:
            message = record.getMessage()
        except TypeError, ValueError:  # a broken format string: as it is
            message = str(record.msg)
        key = (record.name, record.levelno, _URL_QUERY.sub(r"\1", message))
        last = self._shown.get(key)
        # A time before the last one: the clock was set back, shown again.
        if last is not None and 0 <= record.created - last < REPEAT_WINDOW_SECONDS:
            record.levelno = logging.DEBUG
            record.levelname = logging.getLevelName(logging.DEBUG)
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        self._shown.pop(key, None)
        self._shown[key] = record.created
        if len(self._shown) > _MAX_REMEMBERED:
            # Insertion order is the order shown: the oldest goes first.
            del self._shown[next(iter(self._shown))]
        return True


REPEAT_FILTER = RepeatFilter()
