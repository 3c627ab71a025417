"""The account's voice history: read rarely, kept briefly, shared by all users.

Amazon throttles its voice history page, so one coordinator reads it (every
VOICE_HISTORY_INTERVAL, and only while the "last voice request" sensors
listen) and the actions reuse a read that is recent enough.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from ..amazon.models import AlexaCareError, VoiceRecord
from ..const import DOMAIN, HISTORY_WINDOW, LOGGER, VOICE_HISTORY_INTERVAL
from ..coordinator import AlexaCareCoordinator
from ..util.errors import amazon_failure
from ..util.record import Record


class VoiceHistory(Record):
    """The voice history of the last HISTORY_WINDOW, newest record first."""

    records: Sequence[VoiceRecord]
    read_at: datetime

    @cached_property
    def _last_requests(self) -> dict[str, datetime]:
        # Once per read, not once per Echo: every Echo's sensor asks.
        last: dict[str, datetime] = {}
        for record in self.records:  # newest first
            if record.is_request and record.serial_number:
                last.setdefault(record.serial_number, record.time)
        return last

    def last_request(self, serial_number: str) -> datetime | None:
        """When someone last asked this Echo something, within the window."""
        return self._last_requests.get(serial_number)


class VoiceHistoryCoordinator(DataUpdateCoordinator[VoiceHistory]):
    """Reads the voice history of one Amazon account."""

    config_entry: ConfigEntry

    def __init__(self, account_coordinator: AlexaCareCoordinator) -> None:
        """Read the history of the account another coordinator polls; not yet."""
        super().__init__(
            account_coordinator.hass,
            LOGGER,
            config_entry=account_coordinator.config_entry,
            name=f"{DOMAIN} voice history",
            update_interval=VOICE_HISTORY_INTERVAL,
        )
        self.account = account_coordinator.account
        # One read at a time: two actions at once share the same read.
        self._read_lock = asyncio.Lock()
        # One deletion at a time: each counts what the one before left.
        self.deletion_lock = asyncio.Lock()

    @callback
    def set_push_connected(self, *, connected: bool) -> None:
        """No reading on a timer while Amazon announces each voice request."""
        # The timer starts again after the next read.
        self.update_interval = None if connected else VOICE_HISTORY_INTERVAL

    async def _async_read(self) -> VoiceHistory:
        now = dt_util.utcnow()
        records = await self.account.async_get_voice_history(now - HISTORY_WINDOW, now)
        return VoiceHistory(records=tuple(records), read_at=now)

    @override
    async def _async_update_data(self) -> VoiceHistory:
        try:
            return await self._async_read()
        except AlexaCareError as err:
            # The entities show the last good read; the account's own poll
            # starts a reauthentication if the login has expired.
            raise amazon_failure(err, "history", UpdateFailed) from err

    async def async_read(self, max_age: timedelta | None = None) -> VoiceHistory:
        """A read no older than `max_age` (None: a new one), from Amazon if need be.

        Raises a translated HomeAssistantError when Amazon cannot be read.
        """
        async with self._read_lock:
            if (
                max_age is not None
                and self.data
                and dt_util.utcnow() - self.data.read_at <= max_age
            ):
                return self.data
            try:
                history = await self._async_read()
            except AlexaCareError as err:
                raise amazon_failure(err, "history", HomeAssistantError) from err
            self.async_set_updated_data(history)
            return history
