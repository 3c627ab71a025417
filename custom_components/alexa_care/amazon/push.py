"""Amazon's push channel: the library's HTTP/2 stream, read for our events.

aioamazondevices opens the stream, refreshes its token, checks its site,
keeps it alive with pings and reconnects with a growing delay (5 s doubling
to 10 minutes, reset by a healthy ping). But it hands on only the events its
own entities use (an Echo's connection and the microphone button reach
nobody, and 16.3.2 drops smart-home changes), an odd payload raises out of
its part handler and reconnects the stream, and a site change reconnects at
once, without any delay, to whatever Amazon named. So its stream client is
subclassed here, the one place that knows those private parts (CLIENT_PARTS
and the STREAM_ ones below, checked when a channel is made;
docs/architecture.md lists them): we read the parts ourselves, take only a
site that is one, space the reconnects, and hold them and the keep-alive
pings behind the account's throttle gate.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, override
from urllib.parse import urlsplit

import aioamazondevices
from aioamazondevices.api import AmazonEchoApi
from aioamazondevices.exceptions import CannotConnect, UpdatedAVSSite
from aioamazondevices.implementation.http2 import AmazonHTTP2Client
import httpx

from .models import AmazonThrottledError, LibraryMismatchError, PushedChange
from .push_parts import UNREADABLE, read_part
from .throttle import ThrottleGate

# The library's private parts the channel relies on (docs/architecture.md lists them).
CLIENT_PARTS = ("_http_wrapper", "_session_state_data")
STREAM_METHODS = (
    "_check_avs_site",
    "_get_avs_directives",
    "_handle_part",
    "_ping",
    "_stream_and_process",
    "start_processing",
    "stop_processing",
)
STREAM_ATTRIBUTES = ("_avs_directive_site", "_connected_event")
# Our spacing of the stream's reconnects (ReconnectBackoff), in seconds.
RECONNECT_FIRST_DELAY = 5.0
RECONNECT_MAX = 600.0
STEADY_STREAM = 60.0
# What the listener counts an answer to the site check we cannot use as.
UNREADABLE_SITE = "stream site"


def _is_site(site: object) -> bool:
    """Whether Amazon named a site the stream can be opened at."""
    if not isinstance(site, str):
        return False
    try:
        address = urlsplit(site)
    except ValueError:
        return False
    return address.scheme == "https" and bool(address.hostname)


class PushListener(Protocol):
    """Who the channel tells what Amazon pushed, and how the channel fares."""

    def pushed(self, change: PushedChange) -> None:
        """Amazon pushed a change we read."""

    def connection_changed(self, *, connected: bool) -> None:
        """The stream opened, or closed (the library then reconnects)."""

    def unreadable(self, event: str) -> None:
        """Amazon pushed an event of a kind we read, in a shape we cannot."""

    async def async_login_refused(self) -> None:
        """Amazon refused the stream's token: the library has given up."""


class ReconnectBackoff:
    """Spaces the stream's reconnects, whatever the library decides.

    The library reconnects at once when Amazon names another site for the
    stream; Amazon naming sites in a loop would have it open streams as fast
    as they are answered. The first reconnect of a series goes at once, the
    next after 5 s, doubling to 10 minutes, counted from the attempt before;
    a stream that stayed open for STEADY_STREAM ends the series.
    """

    def __init__(self) -> None:
        """No attempt yet."""
        self._attempts = 0
        self._last_attempt: float | None = None

    def delay(self, now: float) -> float:
        """How long to wait before the next attempt, from `now` (loop time)."""
        if self._attempts < 2 or self._last_attempt is None:  # noqa: PLR2004
            return 0.0
        doublings = min(self._attempts - 2, 16)
        wait = min(RECONNECT_FIRST_DELAY * 2.0**doublings, RECONNECT_MAX)
        return max(0.0, self._last_attempt + wait - now)

    def attempted(self, now: float) -> None:
        """An attempt starts now."""
        self._attempts += 1
        self._last_attempt = now

    def stream_lasted(self, seconds: float) -> None:
        """A stream closed after being open for `seconds`."""
        if seconds >= STEADY_STREAM:
            self._attempts = 1


class PushChannel(AmazonHTTP2Client):
    """Amazon's push channel for one account: opened, read, and closed.

    The library's stream client itself, handing on the events we read.
    """

    def __init__(
        self,
        client: AmazonEchoApi,
        httpx_client: httpx.AsyncClient,
        listener: PushListener,
        gate: ThrottleGate,
    ) -> None:
        """Prepare the channel; nothing is sent until it starts.

        Raises LibraryMismatchError if the library lacks a part it needs.
        """
        version = aioamazondevices.__version__
        if missing := [
            *(part for part in CLIENT_PARTS if not hasattr(client, part)),
            *(
                f"AmazonHTTP2Client.{part}"
                for part in STREAM_METHODS
                if not hasattr(AmazonHTTP2Client, part)
            ),
        ]:
            raise LibraryMismatchError(version, missing)
        try:
            super().__init__(
                http_wrapper=client._http_wrapper,  # noqa: SLF001
                session_state_data=client._session_state_data,  # noqa: SLF001
                httpx_client=httpx_client,
                on_reauth_required=listener.async_login_refused,
            )
        except TypeError as err:
            raise LibraryMismatchError(version, ["AmazonHTTP2Client()"]) from err
        if missing := [
            f"AmazonHTTP2Client.{part}"
            for part in STREAM_ATTRIBUTES
            if not hasattr(self, part)
        ]:
            raise LibraryMismatchError(version, missing)
        self._listener = listener
        self._gate = gate
        self._reconnects = ReconnectBackoff()

    async def async_start(self) -> None:
        """Open the channel; it reconnects by itself until stopped."""
        await self.start_processing()

    async def async_stop(self) -> None:
        """Close the channel and wait until it is closed."""
        await self.stop_processing()

    @override
    async def _get_avs_directives(self) -> None:
        # Each attempt starts here, with a token refresh: held while our own
        # spacing or Amazon's throttling asks for it.
        loop = asyncio.get_running_loop()
        if (delay := self._reconnects.delay(loop.time())) > 0:
            await asyncio.sleep(delay)
        await self._gate.wait_open()
        self._reconnects.attempted(loop.time())
        try:
            await super()._get_avs_directives()
        except AmazonThrottledError as err:
            # What the library takes for a failed token refresh: it tries
            # again after its own delay, and the gate holds that try.
            raise CannotConnect(str(err)) from err

    @override
    async def _ping(self) -> None:
        # The library pings every 280 s whatever Amazon answers: while Amazon
        # throttles the account, the keep-alive waits like every request.
        if self._gate.throttled:
            return
        await super()._ping()

    @override
    async def _stream_and_process(self) -> None:
        # The library sets its event once Amazon answered the stream's request.
        opened = asyncio.ensure_future(self._connected_event.wait())
        opened.add_done_callback(self._opened)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            await super()._stream_and_process()
        finally:
            if opened.done() and not opened.cancelled():
                self._reconnects.stream_lasted(loop.time() - started)
            opened.cancel()
            self._listener.connection_changed(connected=False)

    def _opened(self, wait: asyncio.Future[Any]) -> None:
        if not wait.cancelled():
            self._listener.connection_changed(connected=True)

    @override
    async def _check_avs_site(self) -> None:
        # Amazon may name another site for the stream, and the library moves
        # there at once; only a site check on the stream can move it back.
        # So a site that is no https address is not taken, and an answer of
        # another shape is unreadable rather than a dropped stream.
        site = self._avs_directive_site
        try:
            await super()._check_avs_site()
        except UpdatedAVSSite:
            if _is_site(self._avs_directive_site):
                raise
            self._avs_directive_site = site
            self._listener.unreadable(UNREADABLE_SITE)
        except UNREADABLE:
            self._listener.unreadable(UNREADABLE_SITE)

    @override
    async def _handle_part(self, part: bytes) -> None:
        if not part:
            # The library checks the stream's site (and may move it).
            await super()._handle_part(part)
            return
        # The rest we read ourselves, update by update: the library hands
        # its events to no one else here, and one odd update must neither
        # raise out of the stream (which would reconnect it) nor cost the
        # updates beside it.
        changes, unreadable = read_part(part)
        for change in changes:
            self._listener.pushed(change)
        for kind in unreadable:
            self._listener.unreadable(kind)
