"""The lines Alexa Care and the library log above DEBUG, and their repeats.

Alexa Care promises each such line at most once an hour (util/log_repeats.py):
the long tests keep every line, at Home Assistant's time, and look for one
shown again within the hour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
import logging
from typing import override

from homeassistant.util import dt as dt_util

LOGGERS = ("custom_components.alexa_care", "aioamazondevices")


class LinesAboveDebug(logging.Handler):
    """Each line above DEBUG, with its moment, as "LEVEL logger: message"."""

    def __init__(self) -> None:
        """Keep nothing yet."""
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[datetime, str]] = []

    @override
    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno > logging.DEBUG:
            line = f"{record.levelname} {record.name}: {record.getMessage()}"
            self.lines.append((dt_util.utcnow(), line))


@contextmanager
def lines_above_debug() -> Iterator[LinesAboveDebug]:
    """The lines logged meanwhile by Alexa Care and the library."""
    handler = LinesAboveDebug()
    for name in LOGGERS:
        logging.getLogger(name).addHandler(handler)
    try:
        yield handler
    finally:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(handler)


def repeated_within_an_hour(
    lines: list[tuple[datetime, str]], same: Callable[[str], str] = str
) -> list[str]:
    """The lines shown again less than an hour after the `same` line was."""
    last: dict[str, datetime] = {}
    repeats = []
    for at, line in lines:
        key = same(line)
        if key in last and at - last[key] < timedelta(hours=1):
            repeats.append(f"{at:%Y-%m-%d %H:%M} {line[:160]}")
        last[key] = at
    return repeats
