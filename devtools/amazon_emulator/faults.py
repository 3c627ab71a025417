"""Counting Amazon requests, and failing them the ways Amazon fails.

A request is counted under "host/path" (alexa.amazon.com/nexus/v1/graphql)
before anything else, so a benchmark sees every request a poll costs,
retries included. Failures are queued rules: the next `count` requests
whose "host/path" contains `path` (any request without one) fail as `kind`.
The push server counts its requests here too, but takes no rule: a channel
that stays open would use up rules meant for the requests of a poll (the
control API fails the push channel its own ways).
"""

from __future__ import annotations

import asyncio
from collections import Counter
import contextlib
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Handler

from .failures import Fault, failure_answer

# Longer than aiohttp's default total timeout (300 s), which Home Assistant's
# sessions keep: the client gives up first.
DEFAULT_HANG_SECONDS = 330.0


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

    def count(self, key: str) -> None:
        """Count one request to "host/path"."""
        self.total += 1
        self.by_path[key] += 1

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
        self.count(key)
        if (rule := self._take(key)) is None:
            return await handler(request)
        return await self._fail(request, rule)

    async def _fail(self, request: web.Request, rule: FaultRule) -> web.StreamResponse:
        if (answer := failure_answer(rule.kind)) is not None:
            return web.Response(
                status=answer.status,
                text=answer.text,
                content_type=answer.content_type,
            )
        if rule.kind is Fault.TIMEOUT:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), rule.seconds)
        # TIMEOUT after its wait, and CLOSE: drop the connection unanswered.
        if request.transport is not None:
            request.transport.abort()
        raise web.HTTPServiceUnavailable  # never reaches the client
