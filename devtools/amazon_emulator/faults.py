"""Counting Amazon requests, and failing them the ways Amazon fails.

A request is counted under "host/path" (alexa.amazon.com/nexus/v1/graphql)
before anything else, so a benchmark sees every request a poll costs,
retries included. Failures are queued rules: the next `count` requests
whose "host/path" contains `path` (any request without one) fail as `kind`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import contextlib
from dataclasses import dataclass, field
from enum import StrEnum

from aiohttp import web
from aiohttp.typedefs import Handler

# Longer than aiohttp's default total timeout (300 s), which Home Assistant's
# sessions keep: the client gives up first.
DEFAULT_HANG_SECONDS = 330.0


class Fault(StrEnum):
    """How a request fails."""

    THROTTLED = "throttled"  # HTTP 429
    GRAPHQL_THROTTLED = "graphql_throttled"  # HTTP 200 with Amazon's GraphQL error
    SERVER_ERROR = "server_error"  # HTTP 500
    TIMEOUT = "timeout"  # no answer for `seconds`, then the connection closes
    CLOSE = "close"  # the connection closes at once, without an answer
    MALFORMED = "malformed"  # HTTP 200, JSON cut short
    EXPIRED_LOGIN = "expired_login"  # HTTP 401


@dataclass(kw_only=True)
class FaultRule:
    """The next `remaining` matching requests fail as `kind`."""

    kind: Fault
    remaining: int = 1
    path: str | None = None
    seconds: float = DEFAULT_HANG_SECONDS

    def as_json(self) -> dict[str, object]:
        """The rule as the control API shows it."""
        return {
            "kind": self.kind.value,
            "remaining": self.remaining,
            "path": self.path,
            "seconds": self.seconds,
        }


_GRAPHQL_THROTTLED = {
    "errors": [
        {
            "message": "Too many requests",
            "extensions": {
                "errorCode": "UNOFFICIAL_CLIENT_TOO_MANY_REQUESTS",
                "isRetryable": False,
                "classification": "DataFetchingException",
            },
        }
    ],
    "data": None,
}


@dataclass(kw_only=True)
class Faults:
    """The request counters and the queued failures."""

    rules: list[FaultRule] = field(default_factory=list)
    total: int = 0
    by_path: Counter[str] = field(default_factory=Counter)
    # Set when the emulator stops, so that hanging requests end.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def reset_counters(self) -> None:
        """Start counting from zero."""
        self.total = 0
        self.by_path.clear()

    def _take(self, key: str) -> FaultRule | None:
        for rule in self.rules:
            if rule.path is None or rule.path in key:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.rules.remove(rule)
                return rule
        return None

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Count the request, then fail it or let it through."""
        key = f"{request.host}{request.path}"
        self.total += 1
        self.by_path[key] += 1
        if (rule := self._take(key)) is None:
            return await handler(request)
        return await self._fail(request, rule)

    async def _fail(self, request: web.Request, rule: FaultRule) -> web.StreamResponse:
        match rule.kind:
            case Fault.THROTTLED:
                return web.json_response({"message": "Rate exceeded"}, status=429)
            case Fault.SERVER_ERROR:
                return web.json_response({"message": "Internal error"}, status=500)
            case Fault.EXPIRED_LOGIN:
                return web.json_response({"message": "Unauthorized"}, status=401)
            case Fault.GRAPHQL_THROTTLED:
                return web.json_response(_GRAPHQL_THROTTLED)
            case Fault.MALFORMED:
                return web.Response(
                    text='{"data": {"listEndpoints": {"endp',
                    content_type="application/json",
                )
            case Fault.TIMEOUT:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), rule.seconds)
        # TIMEOUT after its wait, and CLOSE: drop the connection unanswered.
        if request.transport is not None:
            request.transport.abort()
        raise web.HTTPServiceUnavailable  # never reaches the client
