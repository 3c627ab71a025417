"""Tests of the dates in repair texts: the system language's way of writing them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.alexa_care.util.local_time import local_moment
from homeassistant.core import HomeAssistant

# 08:37 and 13:05 in US/Pacific, the tests' time zone.
MORNING = datetime(2026, 12, 3, 16, 37, tzinfo=UTC)
AFTERNOON = datetime(2026, 12, 3, 21, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "morning", "afternoon"),
    [
        ("en", "12/3/2026, 8:37 AM", "12/3/2026, 1:05 PM"),
        ("en-US", "12/3/2026, 8:37 AM", "12/3/2026, 1:05 PM"),
        ("en-GB", "03/12/2026, 08:37", "03/12/2026, 13:05"),
        ("de", "03.12.2026, 08:37", "03.12.2026, 13:05"),
        ("de-CH", "03.12.2026, 08:37", "03.12.2026, 13:05"),
        ("es", "3/12/2026, 8:37", "3/12/2026, 13:05"),
        ("fr", "03/12/2026 08:37", "03/12/2026 13:05"),
        # A language we have no texts in: ISO 8601, which nobody misreads.
        ("nl", "2026-12-03 08:37", "2026-12-03 13:05"),
    ],
)
async def test_dates_follow_the_system_language(
    hass: HomeAssistant, language: str, morning: str, afternoon: str
) -> None:
    """Each language's common short date and time, in Home Assistant's zone."""
    hass.config.language = language
    assert local_moment(hass, MORNING) == morning
    assert local_moment(hass, AFTERNOON) == afternoon


async def test_midnight_and_noon_in_english(hass: HomeAssistant) -> None:
    """The 12-hour clock has no hour 0."""
    hass.config.language = "en"
    midnight = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    noon = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    assert local_moment(hass, midnight) == "12/3/2026, 12:00 AM"
    assert local_moment(hass, noon) == "12/3/2026, 12:00 PM"
