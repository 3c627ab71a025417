"""One gate for every request to an Amazon account while Amazon throttles it.

Amazon throttles whole accounts (HTTP 429, or its GraphQL error inside an
HTTP 200). Once it does, nothing of ours may ask again before the gate
reopens: not a poll, a voice history or Wi-Fi read, a token refresh (the
library asks for one before many calls) nor a push reconnect. The library's
own retries of a 429 (after 2 and 5 seconds) are held too, so a throttled
request costs one request, not three. The gate stays closed for what
Amazon's Retry-After asks, and at least for a back-off that doubles from
FIRST_BACKOFF up to MAX_BACKOFF; a request that gets through without being
throttled ends it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any

from aiohttp import ClientResponse, ClientSession

from .library import amazon_errors
from .models import AmazonResponseError, AmazonThrottledError

FIRST_BACKOFF = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)
# A Retry-After longer than this is Amazon's mistake, or a hostile answer:
# the account would stay silent for days.
MAX_RETRY_AFTER = timedelta(hours=6)


def _now() -> datetime:
    return datetime.now(UTC)


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Amazon's Retry-After header (seconds, or an HTTP date), if it has one."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        # Bounded before it becomes a timedelta, which holds no more than
        # a billion days (str.isdigit alone also takes "²", which int refuses).
        wait = timedelta(seconds=min(int(value), MAX_RETRY_AFTER.total_seconds()))
    else:
        try:
            wait = parsedate_to_datetime(value) - now
        except TypeError, ValueError:
            return None
    return min(max(wait, timedelta(0)), MAX_RETRY_AFTER)


class ThrottleGate:
    """Closed while Amazon throttles the account; the back-off's only owner."""

    def __init__(self) -> None:
        """Open: Amazon has not throttled the account yet."""
        self._backoff: timedelta | None = None
        self._closed_until: datetime | None = None

    @property
    def throttled(self) -> bool:
        """Whether Amazon throttled the account since the last request it answered."""
        return self._backoff is not None

    @property
    def closed_for(self) -> timedelta:
        """How long the gate stays closed from now (zero: open)."""
        if self._closed_until is None:
            return timedelta(0)
        return max(self._closed_until - _now(), timedelta(0))

    def check(self) -> None:
        """Raise AmazonThrottledError while the gate is closed: nothing is sent."""
        if (wait := self.closed_for) > timedelta(0):
            minutes = max(1, round(wait.total_seconds() / 60))
            raise AmazonThrottledError(
                f"Too Many Requests: Amazon throttles the account, "
                f"next request in {minutes} min"
            )

    def close(self, wait: timedelta | None = None) -> None:
        """Amazon throttled a request: close for the next back-off, or `wait`."""
        now = _now()
        if self._closed_until is None or now >= self._closed_until:
            # Requests in flight when the gate closed may be throttled too:
            # one throttling, one step of the back-off.
            self._backoff = (
                FIRST_BACKOFF
                if self._backoff is None
                else min(self._backoff * 2, MAX_BACKOFF)
            )
            self._closed_until = now + self._backoff
        if wait is not None:
            self._closed_until = max(self._closed_until, now + wait)

    def clear(self) -> None:
        """Amazon answered without throttling: the storm is over."""
        self._backoff = None
        self._closed_until = None

    async def wait_open(self) -> None:
        """Wait until the gate opens (for what waits anyway: push reconnects)."""
        # A loop: a request in flight may close the gate again meanwhile.
        while (wait := self.closed_for) > timedelta(0):  # noqa: ASYNC110
            await asyncio.sleep(wait.total_seconds())

    @asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        """Around one of the account's calls: refused while closed, bookkept.

        Translates the library's errors as amazon_errors does.
        """
        self.check()
        try:
            async with amazon_errors():
                yield
        except AmazonThrottledError:
            self.close()
            raise
        except AmazonResponseError:
            # Amazon answered, and not with throttling: the storm is over.
            self.clear()
            raise
        self.clear()


class GatedSession:
    """The library's HTTP session, every request of which passes the gate.

    The library calls only `request` and the cookie jar; the rest is the
    session's own.
    """

    def __init__(self, session: ClientSession, gate: ThrottleGate) -> None:
        """Wrap the session the library is given."""
        self._session = session
        self._gate = gate

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401
        """Everything but `request` is the session's own (its cookie jar)."""
        return getattr(self._session, name)

    async def request(
        self,
        method: str,
        url: Any,  # noqa: ANN401
        **kwargs: Any,  # noqa: ANN401
    ) -> ClientResponse:
        """Send the request unless the gate is closed (then raise, sending nothing)."""
        self._gate.check()
        response = await self._session.request(method, url, **kwargs)
        if response.status == HTTPStatus.TOO_MANY_REQUESTS:
            self._gate.close(retry_after(response.headers.get("Retry-After"), _now()))
        return response
