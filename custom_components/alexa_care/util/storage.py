"""Home Assistant's storage, read as the outside input it is.

A stored file can hold anything: a hand edit, a record a bug half wrote, the
format of a newer Alexa Care after a downgrade. Reading one must never fail
the setup: a plug a crash left off has to be switched on. Each store parses
its own data and keeps what fits; the rest is left out with one warning that
names the file, and the file is written again without it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
import sys
from typing import Any, override

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..amazon.models import placeable
from ..const import LOGGER

# What a store's parser gives back: the data it kept, and what it left out.
type Parsed[T] = tuple[T, list[str]]
# Migrates data of (major, minor) version to the current format, as far as it
# can; whatever it returns is parsed after.
type Migrate = Callable[[int, int, Any], Any]


def keep_as_is(major: int, minor: int, data: Any) -> Any:  # noqa: ANN401
    """No change of format to make: the parser keeps what it understands."""
    return data


class LenientStore[T: Mapping[str, Any]](Store[T]):
    """A store whose file is read leniently, whatever its version or shape."""

    def __init__(
        self,
        hass: HomeAssistant,
        key: str,
        *,
        version: int,
        minor_version: int,
        migrate: Migrate = keep_as_is,
    ) -> None:
        """Prepare the store; `migrate` takes older (or newer) formats to ours."""
        # A newer major version too: after a downgrade, its plugs still have
        # to be switched on, so it goes through `migrate` and the parser.
        super().__init__(
            hass,
            version,
            key,
            minor_version=minor_version,
            max_readable_version=sys.maxsize,
        )
        self._migrate = migrate

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> Any:
        return self._migrate(old_major_version, old_minor_version, old_data)

    async def async_load_leniently(self, parse: Callable[[Any], Parsed[T]]) -> T:
        """Read the file: what `parse` keeps, after one warning about the rest."""
        try:
            loaded = await self.async_load()
            data, left_out = parse(loaded)
        except (
            HomeAssistantError,
            AttributeError,
            KeyError,
            TypeError,
            ValueError,
            ArithmeticError,
        ) as err:
            # No version or data where Home Assistant expects them, or a
            # shape `parse` did not foresee: no reason for a setup to fail.
            LOGGER.warning(
                "The stored file %s could not be read (%s); Alexa Care goes on "
                "without it",
                self.key,
                type(err).__name__,
            )
            empty = parse(None)[0]
            # Once: the next start finds a file it can read.
            await self.async_save(empty)
            return empty
        if left_out:
            LOGGER.warning(
                "The stored file %s had parts Alexa Care could not read; "
                "they were left out: %s",
                self.key,
                "; ".join(left_out),
            )
            await self.async_save(data)
        return data


def mapping(
    value: object, what: str, left_out: list[str], *, required: bool = False
) -> dict[str, Any]:
    """An object of the file, or an empty one if it is not (noted in `left_out`)."""
    if isinstance(value, dict):
        return value
    if value is not None:
        left_out.append(f"{what} is not an object")
    elif required:
        left_out.append(f"{what} is missing")
    return {}


def moment(value: object, *, latest: datetime | None = None) -> datetime | None:
    """A stored time with its time zone, or None if it is not one.

    Nor is a moment no device can have lived (amazon/models.py, placeable):
    year 1 would overflow in local time, year 9999 in a cooldown. With
    `latest`, a later moment is read as `latest` rather than left out.
    """
    if not isinstance(value, str):
        return None
    try:
        parsed = dt_util.parse_datetime(value)
    except ValueError, OverflowError:
        return None
    # A time without a zone cannot be compared with any of ours.
    if parsed is None or parsed.tzinfo is None:
        return None
    if latest is not None:
        parsed = min(parsed, latest)
    return parsed if placeable(parsed) else None


def stored_moment(when: datetime | None) -> str | None:
    """A moment as a store writes it (ISO 8601), or None."""
    return when.isoformat() if when else None


def restored_moment(text: str | None) -> datetime | None:
    """A moment a store's parser kept, read back.

    The parser let only a valid moment (see moment()) or None through.
    """
    return datetime.fromisoformat(text) if text else None
