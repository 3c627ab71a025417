"""Tests that a log line above DEBUG shows once an hour, its repeats at DEBUG."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.util.log_repeats import REPEAT_FILTER
from homeassistant.core import HomeAssistant

LIBRARY = logging.getLogger("aioamazondevices")
OURS = logging.getLogger("custom_components.alexa_care")
RECONNECT = (
    "HTTP2 connection error (Missing multipart boundary), reconnecting in 600 seconds"
)


@pytest.fixture
def filtering() -> Generator[None]:
    """The filter on both loggers, as while an entry is loaded."""
    REPEAT_FILTER.attach("test")
    yield
    REPEAT_FILTER.release("test")


def _shown(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(record.levelname, record.getMessage()) for record in caplog.records]


@pytest.mark.usefixtures("filtering")
@pytest.mark.parametrize("logger", [LIBRARY, OURS], ids=["library", "ours"])
def test_a_repeat_within_the_hour_is_dropped(
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
    logger: logging.Logger,
) -> None:
    """Without debug logging, a line again within the hour is not logged."""
    caplog.set_level(logging.INFO, logger=logger.name)
    logger.warning(RECONNECT)
    freezer.tick(timedelta(minutes=10))
    logger.warning(RECONNECT)
    freezer.tick(timedelta(minutes=49))
    logger.warning(RECONNECT)
    assert _shown(caplog) == [("WARNING", RECONNECT)]

    # An hour after it was shown, it is shown again.
    freezer.tick(timedelta(minutes=2))
    logger.warning(RECONNECT)
    assert _shown(caplog) == [("WARNING", RECONNECT)] * 2


@pytest.mark.usefixtures("filtering")
def test_a_clock_set_back_does_not_hide_a_line_for_long(
    caplog: pytest.LogCaptureFixture, freezer: FrozenDateTimeFactory
) -> None:
    """Set back a day, the clock would hide the line for 25 hours: it is shown."""
    caplog.set_level(logging.INFO, logger=OURS.name)
    OURS.warning(RECONNECT)
    freezer.tick(timedelta(days=-1, hours=2))
    OURS.warning(RECONNECT)
    assert _shown(caplog) == [("WARNING", RECONNECT)] * 2


@pytest.mark.usefixtures("filtering")
def test_with_debug_logging_a_repeat_shows_at_debug(
    caplog: pytest.LogCaptureFixture, freezer: FrozenDateTimeFactory
) -> None:
    """Debug logging shows every repeat, as a DEBUG line."""
    caplog.set_level(logging.DEBUG, logger=LIBRARY.name)
    LIBRARY.info("Sleeping for 2 seconds before retrying API call")
    freezer.tick(timedelta(minutes=10))
    LIBRARY.info("Sleeping for 2 seconds before retrying API call")
    LIBRARY.debug("Ping -> 204")
    LIBRARY.debug("Ping -> 204")
    assert _shown(caplog) == [
        ("INFO", "Sleeping for 2 seconds before retrying API call"),
        ("DEBUG", "Sleeping for 2 seconds before retrying API call"),
        ("DEBUG", "Ping -> 204"),
        ("DEBUG", "Ping -> 204"),
    ]


@pytest.mark.usefixtures("filtering")
def test_lines_differ_by_text_level_and_logger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Only the very same line of the same logger is a repeat."""
    caplog.set_level(logging.INFO)
    LIBRARY.warning("Connection error to %s: TimeoutError()", "/api/dnd")
    LIBRARY.warning("Connection error to %s: TimeoutError()", "/nexus/v1/graphql")
    LIBRARY.error("Connection error to %s: TimeoutError()", "/api/dnd")
    OURS.warning("Connection error to %s: TimeoutError()", "/api/dnd")
    assert len(caplog.records) == 4


async def test_the_filter_sits_on_the_loggers_while_an_entry_is_loaded(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Set up with the entry, gone with it."""
    assert REPEAT_FILTER in LIBRARY.filters
    assert REPEAT_FILTER in OURS.filters
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert REPEAT_FILTER not in LIBRARY.filters
    assert REPEAT_FILTER not in OURS.filters
