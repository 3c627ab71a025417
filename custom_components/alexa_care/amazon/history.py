"""The voice history, read as Amazon's Alexa Privacy page reads it.

The same requests the library's history sync sends, but every page and every
record, and without the library's debug log of the answer (it holds what
people said).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import partial
from http import HTTPMethod
import time
from typing import Any

from aioamazondevices.const import http as library_http
from bs4 import Tag

from .graphql import field, text_or_none
from .library import LibraryRequests, read_or_leave_out, reading_answer
from .models import LOGGER, AmazonResponseError, VoiceRecord, placeable

# The history is read page by page; this many pages at most per read.
MAX_HISTORY_PAGES = 5
# The library keeps the page's token for 12 hours; so do we.
HISTORY_TOKEN_LIFETIME = 12 * 3600  # seconds


class VoiceHistoryPage:
    """The account's voice history page and the token it hands its scripts."""

    def __init__(self, requests: LibraryRequests) -> None:
        """Nothing is read until the first call."""
        self._requests = requests
        self._token: str | None = None
        self._token_read_at = 0.0

    async def _csrf_token(self) -> str:
        if self._token is None or (
            time.monotonic() - self._token_read_at > HISTORY_TOKEN_LIFETIME
        ):
            page = await self._requests.page(
                self._requests.url(library_http.URI_HISTORY_FRONTEND, host="www")
            )
            # find, not a CSS selector: compiling one blocks the event loop.
            meta = page.find("meta", attrs={"name": "csrf-token"})
            token = meta.get("content") if isinstance(meta, Tag) else None
            if not token:
                raise AmazonResponseError("no token on the voice history page")
            self._token = str(token)
            self._token_read_at = time.monotonic()
        return self._token

    async def async_read(self, start: datetime, end: datetime) -> list[VoiceRecord]:
        """Every record between two times, newest first."""
        headers = {
            "Authorization": f"Bearer {await self._requests.refresh_access_token()}",
            library_http.CSRF_A2Z: await self._csrf_token(),
        }
        query = {
            "startTime": int(start.timestamp() * 1000),
            "endTime": int(end.timestamp() * 1000),
        }
        # Amazon's pages overlap: a record is kept once, by its key.
        records: dict[object, VoiceRecord] = {}
        page_token: str | None = None
        for _ in range(MAX_HISTORY_PAGES):
            answer = await self._requests.json(
                HTTPMethod.POST,
                self._requests.url(library_http.URI_HISTORY_DATA, query, host="www"),
                {"previousRequestToken": page_token},
                headers,
            )
            with reading_answer():
                raws = list(answer["alexaHistoryRecords"])
                page_token = answer.get("paginationToken")
            for raw in raws:
                # One record of another shape costs that record alone.
                record = read_or_leave_out(partial(voice_record, raw), "a voice record")
                if record is None:
                    continue
                if not placeable(record.time):
                    # Nobody spoke then: it would pass for the last request.
                    LOGGER.warning("Amazon listed a voice record of no placeable time")
                    continue
                key = text_or_none(raw.get("recordKey")) or (
                    record.time,
                    record.serial_number,
                )
                records.setdefault(key, record)
            if not page_token:
                break
        return sorted(records.values(), key=lambda record: record.time, reverse=True)


def voice_record(raw: Mapping[str, Any]) -> VoiceRecord:
    """One record of Amazon's `alexaHistoryRecords`."""
    # deviceInfo is an object, or a list of them for some record types.
    device_info = raw.get("deviceInfo")
    if isinstance(device_info, list):
        device_info = device_info[0] if device_info else None
    serial = field(device_info, "deviceSerialNumber")
    stamp = raw["timestamp"]
    if not isinstance(stamp, int | float) or isinstance(stamp, bool):
        raise TypeError(f"a timestamp of type {type(stamp).__name__}")
    return VoiceRecord(
        time=datetime.fromtimestamp(stamp / 1000, UTC),
        serial_number=str(serial) if serial else None,
        device_name=text_or_none(field(device_info, "deviceName")),
        kind=str(raw.get("utteranceType") or raw.get("recordType") or "UNKNOWN"),
        intent=text_or_none(raw.get("intent")),
        heard=text_or_none(raw.get("title")),
        answer=text_or_none(raw.get("subTitle")),
    )
