"""The emulator's HTTP/2 push channel, read by the real aioamazondevices.

The library's push client runs as Home Assistant runs it: an httpx client
with HTTP/2, its Amazon connections sent to the emulator by the launcher's
`route_httpx`, trusting the emulator's CA. Only the library's dispatcher of
push events is replaced by a recorder, to see each event as the library's
`on_push_event` hands it on. Both library versions run these (script/test).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
import logging
import ssl
import time
from typing import Any

from aioamazondevices.api import AmazonEchoApi
from aioamazondevices.implementation import http2 as library_http2
from aioamazondevices.structures import AmazonPushMessage
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import DataReceived, Event, ResponseReceived, StreamReset
from h2.settings import SettingCodes
from httpcore._backends.auto import AutoBackend
import httpx
import pytest

from custom_components.alexa_care.amazon.client import AmazonAccount
from devtools.amazon_emulator import push_payloads
from devtools.amazon_emulator.certificates import TlsFiles
from devtools.amazon_emulator.routing import route_httpx, trusting_context
from devtools.amazon_emulator.server import AmazonEmulator
from tests_live.conftest import BOOT_SECONDS, Control

pytestmark = pytest.mark.usefixtures("socket_enabled")

PUSH_HOST = "bob-dispatch-prod-na.amazon.com"
DIRECTIVES = f"https://{PUSH_HOST}/v20160207/directives"
# 17.x hands smart-home changes on as FDAL_UPDATE; 16.3.2 drops them.
SMART_HOME_PUSHED = hasattr(AmazonPushMessage, "SmartHome")
EVENT_SECONDS = 5.0
type PushEvent = tuple[str, dict[str, Any]]


async def _until(check: Callable[[], Awaitable[bool]], seconds: float = 5.0) -> None:
    """Wait until `check()` holds; fail after `seconds`."""
    async with asyncio.timeout(seconds):
        # Another process's view (the control API) has no event to wait on.
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def _directive_gets(control: Control) -> int:
    counts: dict[str, int] = (await control("GET", "/requests"))["by_path"]
    return counts.get(f"{PUSH_HOST}/v20160207/directives", 0)


async def _open_streams(control: Control) -> int:
    return int((await control("GET", "/push"))["open_streams"])


@pytest.fixture
def routed_httpx(emulator: AmazonEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Amazon connections of httpx go to the emulator, as under the launcher."""
    # Put httpcore's own connect back afterwards.
    monkeypatch.setattr(AutoBackend, "connect_tcp", AutoBackend.connect_tcp)
    route_httpx(emulator.port, emulator.push_port)


@pytest.fixture
async def httpx_client(
    routed_httpx: None, tls: TlsFiles
) -> AsyncGenerator[httpx.AsyncClient]:
    """An HTTP/2 client as Home Assistant's, trusting the emulator's CA."""
    async with httpx.AsyncClient(
        http2=True,
        verify=trusting_context(str(tls.ca_certificate)),
        timeout=httpx.Timeout(10),
    ) as client:
        yield client


@dataclass
class PushClient:
    """The library's push channel, and what it handed on."""

    api: AmazonEchoApi
    client: httpx.AsyncClient
    events: asyncio.Queue[PushEvent] = field(default_factory=asyncio.Queue)
    reauth: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open the channel as Home Assistant core does."""

        async def reauth_required() -> None:
            self.reauth.set()

        self.task = await self.api.start_http2_processing(
            self.client, on_reauth_required=reauth_required
        )

    async def next_event(self) -> PushEvent:
        """The next event the library handed on."""
        async with asyncio.timeout(EVENT_SECONDS):
            return await self.events.get()


@pytest.fixture
async def push_client(
    account: AmazonAccount,
    httpx_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncGenerator[PushClient]:
    """The signed-in library's push channel, not open yet; stopped at the end."""
    push = PushClient(api=account._client, client=httpx_client)

    async def record(
        api: AmazonEchoApi, event_type: str, payload: dict[str, Any]
    ) -> None:
        push.events.put_nowait((event_type, payload))

    # The library subscribes this method to its client's on_push_event.
    monkeypatch.setattr(AmazonEchoApi, "_http2_push_event_handler", record)
    yield push
    await push.api.stop_http2_processing()


@pytest.fixture
async def open_push_client(push_client: PushClient, control: Control) -> PushClient:
    """The library's push channel, open."""
    await push_client.start()
    await _until(lambda: _open_streams_is(control, 1))
    return push_client


async def _open_streams_is(control: Control, count: int) -> bool:
    return await _open_streams(control) == count


async def test_the_channel_speaks_http2_and_checks_the_token(
    emulator: AmazonEmulator, httpx_client: httpx.AsyncClient, control: Control
) -> None:
    """The three paths over HTTP/2; a bad token 401, others 404 and 405."""
    token = emulator.state.credentials.issue_access_token()
    good = {"Authorization": f"Bearer {token}"}
    bad = {"Authorization": "Bearer Atna|not-a-token"}
    url = f"https://{PUSH_HOST}"

    async with httpx_client.stream("GET", DIRECTIVES, headers=good) as stream:
        assert (stream.http_version, stream.status_code) == ("HTTP/2", 200)
        assert stream.headers["content-type"] == push_payloads.CONTENT_TYPE
        chunks = stream.aiter_bytes()
        assert await anext(chunks) == b"--" + push_payloads.BOUNDARY.encode()
        assert await _open_streams(control) == 1
        site_check = await httpx_client.post(
            f"{url}/v20160207/events", headers=good, files={"metadata": b"{}"}
        )
        assert (site_check.http_version, site_check.status_code) == ("HTTP/2", 204)
        ping = await httpx_client.post(f"{url}/ping", headers=good)
        assert (ping.status_code, ping.content) == (204, b"")

    for method, path in (
        ("GET", "/v20160207/directives"),
        ("POST", "/v20160207/events"),
        ("POST", "/ping"),
    ):
        refused = await httpx_client.request(method, url + path, headers=bad)
        assert refused.status_code == 401, path
        assert refused.json() == {"message": "Unauthorized"}
    assert (await httpx_client.get(f"{url}/v1/unknown", headers=good)).status_code == (
        404
    )
    assert (await httpx_client.get(f"{url}/ping", headers=good)).status_code == 405

    counts = (await control("GET", "/requests"))["by_path"]
    assert counts[f"{PUSH_HOST}/v20160207/directives"] == 2
    assert counts[f"{PUSH_HOST}/ping"] == 3
    # The routing sends the other Amazon hosts to the HTTPS port (HTTP/1.1),
    # and leaves every other host alone (the control API is on 127.0.0.1).
    other = await httpx_client.get("https://alexa.amazon.com/api/users/me")
    assert (other.http_version, other.status_code) == ("HTTP/1.1", 401)
    status = await httpx_client.get(f"http://127.0.0.1:{emulator.control_port}/push")
    # httpcore sends no RST_STREAM for a response closed early: the stream
    # lasts as long as its connection.
    assert status.json() == {"open_streams": 1, "refuse": False, "silent": False}


class _RawClient:
    """An HTTP/2 client that grants the server a 16-byte window per stream."""

    WINDOW = 16

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.h2 = H2Connection(H2Configuration(client_side=True))

    async def connect(self) -> None:
        self.h2.initiate_connection()
        self.h2.update_settings({SettingCodes.INITIAL_WINDOW_SIZE: self.WINDOW})
        await self.flush()

    async def flush(self) -> None:
        self.writer.write(self.h2.data_to_send())
        await self.writer.drain()

    async def events(self, seconds: float) -> list[Event]:
        """The events of what arrives within `seconds` (none: an empty list)."""
        try:
            async with asyncio.timeout(seconds):
                data = await self.reader.read(65536)
        except TimeoutError:
            return []
        events = self.h2.receive_data(data)
        await self.flush()
        return events


async def test_flow_control_windows_are_honoured(
    emulator: AmazonEmulator, tls: TlsFiles
) -> None:
    """A part larger than the client's window waits for its WINDOW_UPDATEs."""
    context = trusting_context(str(tls.ca_certificate))
    context.set_alpn_protocols(["h2"])
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", emulator.push_port, ssl=context, server_hostname=PUSH_HOST
    )
    ssl_object = writer.get_extra_info("ssl_object")
    assert isinstance(ssl_object, ssl.SSLObject)
    assert ssl_object.selected_alpn_protocol() == "h2"
    client = _RawClient(reader, writer)
    try:
        await client.connect()
        token = emulator.state.credentials.issue_access_token()
        client.h2.send_headers(
            1,
            [
                (":method", "GET"),
                (":scheme", "https"),
                (":authority", PUSH_HOST),
                (":path", push_payloads.DIRECTIVES_PATH),
                ("authorization", f"Bearer {token}"),
            ],
            end_stream=True,
        )
        await client.flush()
        received = b""
        async with asyncio.timeout(EVENT_SECONDS):
            while len(received) < client.WINDOW:
                for event in await client.events(EVENT_SECONDS):
                    assert not isinstance(event, StreamReset)
                    if isinstance(event, ResponseReceived):
                        assert (b":status", b"200") in event.headers
                    if isinstance(event, DataReceived):
                        received += event.data
        # The opening boundary fills the window exactly.
        assert received == push_payloads.stream_opening()
        kitchen = next(iter(emulator.state.account.echos.values()))
        emulator.state.set_do_not_disturb(kitchen, enabled=True)
        assert not [e for e in await client.events(0.3) if isinstance(e, DataReceived)]

        part = b""
        # Each 16 bytes read and acknowledged let the next 16 come.
        async with asyncio.timeout(EVENT_SECONDS):
            while not part.endswith(push_payloads.BOUNDARY.encode()):
                client.h2.acknowledge_received_data(client.WINDOW, 1)
                await client.flush()
                for event in await client.events(EVENT_SECONDS):
                    if isinstance(event, DataReceived):
                        assert len(event.data) <= client.WINDOW
                        part += event.data
        assert len(part) > 10 * client.WINDOW
        assert b'"resourceId": "PUSH_DND_STATE_CHANGE"' in part

        client.h2.reset_stream(1)
        await client.flush()
        await _until(lambda: _no_streams(emulator))
    finally:
        writer.close()
        await writer.wait_closed()


async def _no_streams(emulator: AmazonEmulator) -> bool:
    assert emulator._push is not None
    return emulator._push.open_streams == 0


def _doppler(emulator: AmazonEmulator, name: str) -> dict[str, Any]:
    echo = next(
        e for e in emulator.state.account.echos.values() if e.identity.name == name
    )
    return {
        "destinationUserId": emulator.state.credentials.customer_id,
        "dopplerId": {
            "deviceSerialNumber": echo.identity.serial,
            "deviceType": echo.identity.model.device_type,
        },
    }


def _power(event: PushEvent) -> tuple[str, str, str]:
    """A smart-home event's type, endpoint and power state."""
    event_type, payload = event
    [feature] = payload["data"]["features"]
    [power] = feature["properties"]
    return event_type, payload["entity"]["id"], power["powerStateValue"]


async def test_control_commands_push_their_events(
    emulator: AmazonEmulator,
    open_push_client: PushClient,
    control: Control,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each command's event reaches the library's on_push_event."""
    push = open_push_client
    kitchen = _doppler(emulator, "Kitchen Echo")
    plug = next(iter(emulator.state.account.plugs.values())).identity.endpoint_id

    await control("POST", "/devices/Kitchen Echo/offline")
    assert await push.next_event() == (
        "PUSH_DOPPLER_CONNECTION_CHANGE",
        kitchen | {"dopplerConnectionState": "OFFLINE"},
    )
    await control("POST", "/devices/Kitchen Echo/online")
    assert await push.next_event() == (
        "PUSH_DOPPLER_CONNECTION_CHANGE",
        kitchen | {"dopplerConnectionState": "ONLINE"},
    )
    answer = await control(
        "PUT", "/devices/Kitchen Echo/do-not-disturb", {"enabled": True}
    )
    assert answer["do_not_disturb"]
    assert await push.next_event() == (
        "PUSH_DND_STATE_CHANGE",
        kitchen | {"enabled": True},
    )
    answer = await control(
        "PUT", "/devices/Kitchen Echo/microphone", {"enabled": False}
    )
    assert not answer["microphone_on"]
    assert await push.next_event() == (
        "PUSH_MICROPHONE_STATE",
        kitchen | {"microphoneEnabled": False},
    )
    await control(
        "POST", "/voice-records", {"device": "Kitchen Echo", "heard": "what time is it"}
    )
    assert await push.next_event() == (
        "PUSH_EQUALIZER_STATE_CHANGE",
        kitchen | {"bass": 0, "midrange": 0, "treble": 0},
    )
    assert (await control("GET", "/voice-records"))[0]["title"] == "what time is it"

    with caplog.at_level(logging.WARNING, "aioamazondevices"):
        await control("PUT", "/devices/Kitchen Plug/power", {"on": False})
        if SMART_HOME_PUSHED:
            assert _power(await push.next_event()) == ("FDAL_UPDATE", plug, "OFF")
        # The plug feeds the Kitchen Echo, which goes down with it.
        assert await push.next_event() == (
            "PUSH_DOPPLER_CONNECTION_CHANGE",
            kitchen | {"dopplerConnectionState": "OFFLINE"},
        )
    dropped = "Unknown HTTP2 push message" in caplog.text and "FDAL_UPDATE" in (
        caplog.text
    )
    assert dropped is not SMART_HOME_PUSHED
    assert push.events.empty()
    # Unchanged states push nothing.
    await control("PUT", "/devices/Kitchen Echo/do-not-disturb", {"enabled": True})
    await control("PUT", "/devices/Kitchen Echo/microphone", {"enabled": False})
    await asyncio.sleep(0.5)
    assert push.events.empty()


async def test_amazon_api_changes_push_their_events(
    emulator: AmazonEmulator, account: AmazonAccount, open_push_client: PushClient
) -> None:
    """A reboot, do not disturb and a plug switched through Amazon's APIs."""
    push = open_push_client
    snapshot = await account.async_get_snapshot(refresh_device_list=True)
    kitchen = next(e for e in snapshot.echos.values() if e.name == "Kitchen Echo")
    plug = next(iter(snapshot.plugs.values()))
    doppler = _doppler(emulator, "Kitchen Echo")
    offline = (
        "PUSH_DOPPLER_CONNECTION_CHANGE",
        doppler | {"dopplerConnectionState": "OFFLINE"},
    )
    online = (
        "PUSH_DOPPLER_CONNECTION_CHANGE",
        doppler | {"dopplerConnectionState": "ONLINE"},
    )

    await account.async_restart(kitchen)
    assert await push.next_event() == offline
    started = time.monotonic()
    assert await push.next_event() == online
    # Pushed when the reboot ended, by the watcher.
    assert time.monotonic() - started < BOOT_SECONDS + 0.5

    await account.async_set_do_not_disturb(kitchen, enable=True)
    assert await push.next_event() == (
        "PUSH_DND_STATE_CHANGE",
        doppler | {"enabled": True},
    )

    await account.async_set_plug_power(plug, turn_on=False)
    if SMART_HOME_PUSHED:
        assert _power(await push.next_event()) == ("FDAL_UPDATE", plug.key, "OFF")
    assert await push.next_event() == offline
    await account.async_set_plug_power(plug, turn_on=True)
    if SMART_HOME_PUSHED:
        assert _power(await push.next_event()) == ("FDAL_UPDATE", plug.key, "ON")
    assert await push.next_event() == online  # booted


async def test_a_revoked_token_makes_the_library_ask_for_a_login(
    emulator: AmazonEmulator,
    push_client: PushClient,
    control: Control,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Pings pass with a good token; with a revoked one, 401 and the reauth."""
    # The library pings every 280 s; here every 0.1 s.
    monkeypatch.setattr(library_http2, "_PING_INTERVAL", 0.1)
    await push_client.start()

    async def pinged() -> bool:
        counts = (await control("GET", "/requests"))["by_path"]
        return counts.get(f"{PUSH_HOST}/ping", 0) >= 2

    await _until(pinged)
    assert not push_client.reauth.is_set()

    emulator.state.credentials.revoke_access_tokens()

    async with asyncio.timeout(EVENT_SECONDS):
        await push_client.reauth.wait()
    assert push_client.task is not None
    await asyncio.wait_for(push_client.task, EVENT_SECONDS)  # the channel gave up
    assert "Ping returned 401" in caplog.text


async def test_push_drop_makes_the_library_reconnect(
    emulator: AmazonEmulator,
    push_client: PushClient,
    control: Control,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The streams close; the library opens a new one, which carries events."""
    # The library's first wait before reconnecting is 5 s; here 0.1 s.
    monkeypatch.setattr(library_http2, "HTTP2_RECONNECT_DELAY", 0.1)
    await push_client.start()
    await _until(lambda: _open_streams_is(control, 1))
    assert await _directive_gets(control) == 1

    answer = await control("POST", "/push/drop")

    assert answer == {
        "dropped": 1,
        "open_streams": 0,
        "refuse": False,
        "silent": False,
    }

    async def reconnected() -> bool:
        return await _directive_gets(control) == 2 and await _open_streams(control) == 1

    await _until(reconnected)
    await control("PUT", "/devices/Kitchen Echo/do-not-disturb", {"enabled": True})
    event_type, payload = await push_client.next_event()
    assert (event_type, payload["enabled"]) == ("PUSH_DND_STATE_CHANGE", True)
    counts = (await control("GET", "/requests"))["by_path"]
    # Each new stream's opening makes the library check its site.
    assert counts[f"{PUSH_HOST}/v20160207/events"] == 2


async def test_a_refusing_channel_makes_the_library_back_off(
    push_client: PushClient, control: Control
) -> None:
    """Refused (503), the library waits 5 s, then 10 s: two tries in 7 s."""
    assert await control("PUT", "/push/refuse", {"refuse": True}) == {
        "open_streams": 0,
        "refuse": True,
        "silent": False,
    }
    started = time.monotonic()
    await push_client.start()

    await _until(lambda: _directive_gets_are(control, 1))
    await asyncio.sleep(7 - (time.monotonic() - started))

    assert await _directive_gets(control) == 2
    assert await _open_streams(control) == 0
    assert not push_client.reauth.is_set()


async def _directive_gets_are(control: Control, count: int) -> bool:
    return await _directive_gets(control) == count


async def test_a_silent_channel_stays_open_and_answers_pings(
    push_client: PushClient, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Silenced: open, pinged, no event; then events again, but not the lost ones."""
    # The library pings every 280 s; here every 0.1 s.
    monkeypatch.setattr(library_http2, "_PING_INTERVAL", 0.1)
    await push_client.start()
    await _until(lambda: _open_streams_is(control, 1))
    assert (await control("PUT", "/push/silence", {"silence": True}))["silent"]

    async def pings() -> int:
        counts = (await control("GET", "/requests"))["by_path"]
        return int(counts.get(f"{PUSH_HOST}/ping", 0))

    pinged = await pings()
    await control("PUT", "/devices/Kitchen Echo/do-not-disturb", {"enabled": True})
    await control("POST", "/devices/Kitchen Echo/offline")
    await asyncio.sleep(1)

    assert push_client.events.empty()
    assert await pings() > pinged
    assert await _open_streams(control) == 1
    assert await _directive_gets(control) == 1
    assert not push_client.reauth.is_set()

    await control("PUT", "/push/silence", {"silence": False})
    await control("PUT", "/devices/Kitchen Echo/do-not-disturb", {"enabled": False})
    event_type, payload = await push_client.next_event()
    assert (event_type, payload["enabled"]) == ("PUSH_DND_STATE_CHANGE", False)
    assert push_client.events.empty()
