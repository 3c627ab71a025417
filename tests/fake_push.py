"""Amazon's push hosts behind httpx: the directive stream and its two calls.

The integration opens the push channel with an httpx client of its own; the
tests give it this transport instead of the network. The stream sends what
the emulator's push server sends (devtools/amazon_emulator/push_payloads).
Until a test lets it serve, the stream's request waits for ever, as on a
network that never answers: the channel stays closed and the account polls.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import override

import httpx

from devtools.amazon_emulator import push_payloads
from devtools.amazon_emulator.payloads import Json


class _Stream(httpx.AsyncByteStream):
    def __init__(
        self,
        chunks: asyncio.Queue[bytes | None],
        streams: list[asyncio.Queue[bytes | None]],
    ) -> None:
        self._chunks = chunks
        self._streams = streams

    @override
    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := await self._chunks.get()) is not None:
            yield chunk

    @override
    async def aclose(self) -> None:
        # The client closed it: no longer open, nothing pushed reaches it.
        if self._chunks in self._streams:
            self._streams.remove(self._chunks)


class FakePush(httpx.AsyncBaseTransport):
    """Amazon's push channel for one account."""

    def __init__(self) -> None:
        """Serve nothing yet."""
        self.serving = False
        self.access_token: str | None = None
        self.requests: Counter[str] = Counter()
        # Amazon throttles the account: HTTP 429 to every request.
        self.throttling = False
        # The stream's request answered 503, as the emulator's `push-refuse`.
        self.refusing = False
        # Two sites that each name the other when the stream checks its site.
        self.moving_sites: tuple[str, str] | None = None
        # What the next site checks are answered with, one each, as they come.
        self.site_answers: list[Json] = []
        # The streams stay open and answer pings, but carry nothing (Amazon's
        # stream gone silent without closing).
        self.silent = False
        self._streams: list[asyncio.Queue[bytes | None]] = []
        self._never = asyncio.Event()

    @property
    def open_streams(self) -> int:
        """How many directive streams are open."""
        return len(self._streams)

    @override
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.requests[path] += 1
        if not self.serving:
            await self._never.wait()
        if self.throttling:
            return httpx.Response(429, json={"message": "Rate exceeded"})
        if self.access_token and (
            request.headers.get("Authorization") != f"Bearer {self.access_token}"
        ):
            return httpx.Response(401)
        if path == push_payloads.DIRECTIVES_PATH and self.refusing:
            return httpx.Response(503, text="Service Unavailable")
        if path == push_payloads.DIRECTIVES_PATH:
            chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
            chunks.put_nowait(push_payloads.stream_opening())
            self._streams.append(chunks)
            return httpx.Response(
                200,
                headers={"content-type": push_payloads.CONTENT_TYPE},
                stream=_Stream(chunks, self._streams),
            )
        if path == push_payloads.EVENTS_PATH and self.site_answers:
            return httpx.Response(
                200,
                headers={"content-type": push_payloads.CONTENT_TYPE},
                content=push_payloads.part(self.site_answers.pop(0)),
            )
        if path == push_payloads.EVENTS_PATH and self.moving_sites:
            return self._set_endpoint(request.url.host)
        if path in (push_payloads.EVENTS_PATH, push_payloads.PING_PATH):
            return httpx.Response(204)
        return httpx.Response(404)

    def _set_endpoint(self, host: str) -> httpx.Response:
        """AVS's answer naming another site for the stream (the other one here)."""
        site = next(site for site in self.moving_sites if host not in site)
        directive = {
            "directive": {
                "header": {"namespace": "System", "name": "SetEndpoint"},
                "payload": {"endpoint": site},
            }
        }
        return httpx.Response(
            200,
            headers={"content-type": push_payloads.CONTENT_TYPE},
            content=push_payloads.part(directive),
        )

    def push(self, directive: Json) -> None:
        """Send a directive on every open stream (none while silent)."""
        if self.silent:
            return
        for chunks in self._streams:
            chunks.put_nowait(push_payloads.part(directive))

    def push_raw(self, data: bytes) -> None:
        """Send bytes as they are (a part that is not what Amazon sends)."""
        for chunks in self._streams:
            chunks.put_nowait(data)

    def drop(self) -> None:
        """End every open stream, as Amazon does now and then."""
        for chunks in self._streams:
            chunks.put_nowait(None)
        self._streams.clear()
