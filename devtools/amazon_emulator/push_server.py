"""Amazon's push channel: the AVS directive stream, served over HTTP/2.

aioamazondevices (implementation/http2.py) keeps a GET open on
bob-dispatch-prod-{region}.amazon.com with httpx over HTTP/2; aiohttp's
server speaks HTTP/1.1 only, so the channel has a TLS port of its own (ALPN
"h2"), served by h2's state machine on an asyncio protocol:

- GET  /v20160207/directives: 200, multipart/related, kept open; the opening
  boundary, then one part per push event (push_payloads). A client that
  leaves it, a GOAWAY (`drop`) or the server's end closes it.
- POST /v20160207/events: 204, the library's SynchronizeState site check.
- POST /ping: 204, the library's keepalive.

Each checks the access token as Amazon's other APIs do (401 otherwise, which
makes the library ask for a new login); other hosts and paths answer 404;
while `refusing`, the directive GET answers 503; while `silent`, the streams
stay open and pings are answered, but no event is sent (what Amazon's
stream was seen to do: silent without closing). Requests are counted with
the others' (Faults) and logged in the aiohttp server's access-log format.

What is pushed comes from AmazonState.push (do not disturb, the microphone,
a plug, a voice request) and from a watcher of each Echo's online state,
which changes with time too (a reboot ends by itself): it compares every
WATCH_SECONDS with what it last saw and pushes the changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import time
from typing import cast, override

from aiohttp.log import access_logger
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.errors import ErrorCodes
from h2.events import (
    ConnectionTerminated,
    DataReceived,
    Event,
    RemoteSettingsChanged,
    RequestReceived,
    StreamEnded,
    StreamReset,
    WindowUpdated,
)
from h2.exceptions import ProtocolError, StreamClosedError

from . import push_payloads
from .faults import Faults
from .push_payloads import Json
from .state import AmazonState

ALPN_PROTOCOL = "h2"
WATCH_SECONDS = 0.25
# How long connections get to close after the GOAWAY when the server stops.
CLOSE_SECONDS = 2.0
# The paths the channel serves, with their method.
_ROUTES = {
    push_payloads.DIRECTIVES_PATH: "GET",
    push_payloads.EVENTS_PATH: "POST",
    push_payloads.PING_PATH: "POST",
}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class _Request:
    """A request's headers, and what the server needs of them."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.method = headers.get(":method", "")
        self.target = headers.get(":path", "")
        self.path = self.target.partition("?")[0]
        self.host = headers.get(":authority") or headers.get("host", "")
        self.authorization = headers.get("authorization", "")


class _Connection(asyncio.Protocol):
    """One client's HTTP/2 connection."""

    def __init__(self, server: PushServer) -> None:
        self._server = server
        self._h2 = H2Connection(H2Configuration(client_side=False))
        self._transport: asyncio.Transport | None = None
        self._requests: dict[int, _Request] = {}
        # Data the client's flow-control window has no room for yet.
        self._unsent: dict[int, bytearray] = {}
        self._ending: set[int] = set()
        self.directive_streams: set[int] = set()

    @override
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast("asyncio.Transport", transport)
        self._server.connections.add(self)
        self._h2.initiate_connection()
        self._flush()

    @override
    def connection_lost(self, exc: Exception | None) -> None:
        self._server.connections.discard(self)
        self._transport = None
        self.directive_streams.clear()

    @override
    def data_received(self, data: bytes) -> None:
        try:
            events = self._h2.receive_data(data)
        except ProtocolError:
            # h2 has queued its GOAWAY for the client's mistake.
            self._flush()
            self._close()
            return
        for event in events:
            self._handle(event)
        self._flush()

    def _handle(self, event: Event) -> None:
        if isinstance(event, RequestReceived):
            self._received(event)
        elif isinstance(event, DataReceived):
            # Bodies (the site check's) are not read: give the window back.
            self._h2.acknowledge_received_data(
                event.flow_controlled_length, event.stream_id
            )
        elif isinstance(event, StreamEnded):
            if (request := self._requests.pop(event.stream_id, None)) is not None:
                self._answer(event.stream_id, request)
        elif isinstance(event, WindowUpdated | RemoteSettingsChanged):
            # A stream's window, or the connection's (stream 0), or a larger
            # initial window for every stream.
            opened = event.stream_id if isinstance(event, WindowUpdated) else 0
            for stream_id in [opened] if opened else list(self._unsent):
                self._send_unsent(stream_id)
        elif isinstance(event, StreamReset):
            self._forget(event.stream_id)
        elif isinstance(event, ConnectionTerminated):
            self._close()

    def _received(self, event: RequestReceived) -> None:
        request = _Request({_text(name): _text(value) for name, value in event.headers})
        self._requests[event.stream_id] = request
        self._server.faults.count(f"{request.host}{request.path}")

    def _answer(self, stream_id: int, request: _Request) -> None:
        server = self._server
        method = _ROUTES.get(request.path)
        if method is None or not push_payloads.is_push_host(request.host):
            self._respond(stream_id, request, 404, "Not Found")
        elif request.method != method:
            self._respond(stream_id, request, 405, "Method Not Allowed")
        elif not server.state.credentials.is_valid_bearer(request.authorization):
            self._respond(stream_id, request, 401, "Unauthorized")
        elif request.path != push_payloads.DIRECTIVES_PATH:
            self._respond(stream_id, request, 204)
        elif server.refusing:
            self._respond(stream_id, request, 503, "Service Unavailable")
        else:
            self._h2.send_headers(
                stream_id,
                [(":status", "200"), ("content-type", push_payloads.CONTENT_TYPE)],
            )
            server.log(request, 200)
            self.directive_streams.add(stream_id)
            self.send(stream_id, push_payloads.stream_opening())

    def _respond(
        self, stream_id: int, request: _Request, status: int, message: str = ""
    ) -> None:
        body = json.dumps({"message": message}).encode() if message else b""
        headers = [(":status", str(status))]
        if body:
            headers += [
                ("content-type", "application/json"),
                ("content-length", str(len(body))),
            ]
        self._h2.send_headers(stream_id, headers, end_stream=not body)
        self._server.log(request, status)
        if body:
            self.send(stream_id, body, end_stream=True)

    def send(self, stream_id: int, data: bytes, *, end_stream: bool = False) -> None:
        """Send data on a stream as the client's windows allow; the rest later."""
        self._unsent.setdefault(stream_id, bytearray()).extend(data)
        if end_stream:
            self._ending.add(stream_id)
        self._send_unsent(stream_id)
        self._flush()

    def _send_unsent(self, stream_id: int) -> None:
        buffer = self._unsent.get(stream_id)
        if buffer is None:
            return
        try:
            while buffer:
                room = min(
                    len(buffer),
                    self._h2.local_flow_control_window(stream_id),
                    self._h2.max_outbound_frame_size,
                )
                if room <= 0:
                    return  # until the client's WINDOW_UPDATE
                self._h2.send_data(stream_id, bytes(buffer[:room]))
                del buffer[:room]
            if stream_id in self._ending:
                self._h2.end_stream(stream_id)
                self._forget(stream_id)
        except StreamClosedError:
            self._forget(stream_id)

    def _forget(self, stream_id: int) -> None:
        self._requests.pop(stream_id, None)
        self._unsent.pop(stream_id, None)
        self._ending.discard(stream_id)
        self.directive_streams.discard(stream_id)

    def push(self, data: bytes) -> None:
        """Send a part to each of this connection's directive streams."""
        for stream_id in list(self.directive_streams):
            self.send(stream_id, data)

    def go_away(self) -> None:
        """Send GOAWAY (no error: "connect again"), then close."""
        if self._transport is None or self._transport.is_closing():
            return
        self._h2.close_connection(error_code=ErrorCodes.NO_ERROR)
        self._flush()
        self._close()

    def _flush(self) -> None:
        data = self._h2.data_to_send()
        if data and self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)

    def _close(self) -> None:
        self.directive_streams.clear()
        if self._transport is not None:
            self._transport.close()


class PushServer:
    """The push channel of one emulated account."""

    def __init__(
        self, state: AmazonState, faults: Faults, *, access_log: bool = False
    ) -> None:
        """Serve the channel of `state`; count requests in `faults`."""
        self.state = state
        self.faults = faults
        self.refusing = False
        # Events made meanwhile are lost, as on Amazon's side.
        self.silent = False
        self.connections: set[_Connection] = set()
        self._access_log = access_log
        self._server: asyncio.Server | None = None
        self._watcher: asyncio.Task[None] | None = None

    @property
    def open_streams(self) -> int:
        """How many directive streams are open now."""
        return sum(len(c.directive_streams) for c in self.connections)

    async def start(self, sock: socket.socket, ssl_context: ssl.SSLContext) -> int:
        """Serve on the bound `sock` (its context offers ALPN "h2"); the port."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Connection(self), sock=sock, ssl=ssl_context
        )
        self.state.push_listeners.append(self.push)
        self._watcher = asyncio.create_task(self._watch_connections())
        port: int = sock.getsockname()[1]
        return port

    async def stop(self) -> None:
        """Send every client GOAWAY, close, and stop listening."""
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        with contextlib.suppress(ValueError):
            self.state.push_listeners.remove(self.push)
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
        for connection in list(self.connections):
            connection.go_away()
        try:
            await asyncio.wait_for(server.wait_closed(), CLOSE_SECONDS)
        except TimeoutError:
            # A client that does not answer the TLS close: cut it off.
            server.abort_clients()
            await server.wait_closed()

    def push(self, directive: Json) -> None:
        """Send a directive to every open directive stream (none while silent)."""
        if self.silent:
            return
        data = push_payloads.part(directive)
        for connection in list(self.connections):
            connection.push(data)

    def drop(self) -> int:
        """Close every connection with a directive stream, as Amazon now and then does.

        How many streams were open.
        """
        dropped = self.open_streams
        for connection in list(self.connections):
            if connection.directive_streams:
                connection.go_away()
        return dropped

    def log(self, request: _Request, status: int) -> None:
        """One access-log line, as the aiohttp server writes them."""
        if self._access_log:
            access_logger.info(
                '%s "%s %s HTTP/2" %s',
                request.host,
                request.method,
                request.target,
                status,
            )

    def _online_echos(self) -> dict[str, bool]:
        now = time.time()
        return {
            serial: echo.online(now)
            for serial, echo in self.state.account.echos.items()
        }

    async def _watch_connections(self) -> None:
        seen = self._online_echos()
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            now = self._online_echos()
            for serial, online in now.items():
                # A new Echo's first state is no change.
                if seen.get(serial, online) != online:
                    echo = self.state.account.echos[serial]
                    self.state.connection_changed(echo, online=online)
            seen = now
