"""Home Assistant's local time: its days, and dates in repair texts.

The daily counts (health.py, household_health.py) start at midnight in Home
Assistant's time zone.

A repair issue's placeholders are filled in here, on the server, once; the
frontend puts them into the user's translation as they are. The server knows
Home Assistant's system language, not a user's profile (language, date and
time format live in the browser), so the system language decides.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

# The common short date and time of each language we translate (CLDR's
# conventions, with the full year); any other language gets ISO 8601, which
# nobody misreads.
_FORMATS: Final = {
    "en": "{month}/{day}/{year}, {hour12}:{minute:02} {am_pm}",
    "en-GB": "{day:02}/{month:02}/{year}, {hour:02}:{minute:02}",
    "de": "{day:02}.{month:02}.{year}, {hour:02}:{minute:02}",
    "es": "{day}/{month}/{year}, {hour}:{minute:02}",
    "fr": "{day:02}/{month:02}/{year} {hour:02}:{minute:02}",
}
_ISO: Final = "{year}-{month:02}-{day:02} {hour:02}:{minute:02}"
_NOON: Final = 12


def _format_of(language: str) -> str:
    if language in _FORMATS:
        return _FORMATS[language]
    # de-CH writes as de does; English outside the US mostly as en-GB.
    primary = language.split("-", 1)[0]
    if primary == "en" and language != "en-US":
        return _FORMATS["en-GB"]
    return _FORMATS.get(primary, _ISO)


def local_moment(hass: HomeAssistant, moment: datetime) -> str:
    """A moment in Home Assistant's time zone, to the minute, for a text."""
    local = dt_util.as_local(moment)
    return _format_of(hass.config.language).format(
        year=local.year,
        month=local.month,
        day=local.day,
        hour=local.hour,
        hour12=local.hour % _NOON or _NOON,
        minute=local.minute,
        am_pm="AM" if local.hour < _NOON else "PM",
    )


def local_day(moment: datetime) -> date:
    """The day a moment falls on in Home Assistant's time zone."""
    return dt_util.as_local(moment).date()


def local_midnight(day: date) -> datetime:
    """The moment, in UTC, a day begins in Home Assistant's time zone.

    In UTC because Python subtracts two moments of one time zone by their
    wall clocks: a day of a daylight-saving change would last 24 hours.
    """
    return dt_util.as_utc(dt_util.start_of_local_day(day))


def midnight_before(moment: datetime) -> datetime:
    """The local midnight that began the moment's day, in UTC."""
    # start_of_local_day takes a UTC moment's date as it is, not the local one.
    return local_midnight(local_day(moment))
