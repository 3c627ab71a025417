"""The Amazon emulator, driven by the real aioamazondevices and our amazon package.

The emulator and the client sessions are conftest's. The suite runs with
both library versions (script/test).
"""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
import socket
import time
from typing import Any

from aioamazondevices.api import AmazonEchoApi
from aioamazondevices.implementation import history as library_history
from aioamazondevices.structures import AmazonSaveDataConfig
from aiohttp import ClientSession, ClientTimeout
from aiohttp.abc import AbstractResolver, ResolveResult
import pytest

from custom_components.alexa_care.amazon.client import AmazonAccount
from custom_components.alexa_care.amazon.endpoint_queries import (
    LIBRARY_FALLBACK,
    STATE_READS_PLUG_POWER,
)
from custom_components.alexa_care.amazon.models import (
    AccountSnapshot,
    AlexaCareError,
    AmazonAuthError,
    AmazonConnectionError,
    AmazonResponseError,
    AmazonThrottledError,
    LoginResult,
)
from devtools.amazon_emulator import payloads
from devtools.amazon_emulator.account import Account
from devtools.amazon_emulator.catalog import SPEAKER_GROUP_TYPE, speaker_group_serial
from devtools.amazon_emulator.certificates import TlsFiles
from devtools.amazon_emulator.credentials import DEMO_CODE, DEMO_EMAIL, DEMO_PASSWORD
from devtools.amazon_emulator.routing import EmulatorResolver
from devtools.amazon_emulator.server import AmazonEmulator
from devtools.amazon_emulator.voice_history import VoiceHistory
from devtools.hass_with_emulator import route_amazon
from homeassistant.core import HomeAssistant
from homeassistant.helpers import aiohttp_client
from tests_live.conftest import BOOT_SECONDS, Control, emulator_session, login_with

# The emulator and its clients use real sockets, on 127.0.0.1 only.
pytestmark = pytest.mark.usefixtures("socket_enabled")


async def _snapshot(account: AmazonAccount) -> AccountSnapshot:
    return await account.async_get_snapshot(refresh_device_list=False)


def _by_name(snapshot: AccountSnapshot, name: str) -> Any:  # noqa: ANN401
    return next(d for d in snapshot.devices.values() if d.name == name)


async def test_interactive_login_and_snapshot(
    emulator: AmazonEmulator, login: LoginResult, account: AmazonAccount
) -> None:
    """The library signs in with the one-time code; the account shows up."""
    assert login.customer_id == emulator.state.credentials.user_id
    assert login.site == "https://www.amazon.com"
    # The library registered itself as an app, the way Amazon names it.
    assert list(emulator.state.apps.values()) == ["Demo's AioAmazonDevices"]

    snapshot = await account.async_get_snapshot(refresh_device_list=True)

    assert [echo.name for echo in snapshot.echos.values()] == [
        "Kitchen Echo",
        "Bedroom Echo Show",
        "Living Room Echo",
    ]
    assert all(echo.online for echo in snapshot.echos.values())
    assert _by_name(snapshot, "Kitchen Echo").can_restart
    assert not _by_name(snapshot, "Bedroom Echo Show").can_restart
    plug = _by_name(snapshot, "Kitchen Plug")
    assert (plug.power_on, plug.online, plug.model) == (True, True, "Amazon Smart Plug")


async def test_wifi_details(emulator: AmazonEmulator, account: AmazonAccount) -> None:
    """Each Echo's network and MAC address; a 400 (no Wi-Fi) is no error."""
    kitchen = _by_name(await _snapshot(account), "Kitchen Echo")
    identity = emulator.state.account.echos[kitchen.key].identity

    wifi = await account.async_get_wifi_details(kitchen)

    assert wifi is not None
    assert wifi.mac_address == identity.mac_address
    assert wifi.ssid
    # Amazon has none for what never joined a Wi-Fi network: the speaker group.
    group = copy.replace(
        kitchen, key=speaker_group_serial(), device_type=SPEAKER_GROUP_TYPE
    )
    assert await account.async_get_wifi_details(group) is None


@pytest.mark.parametrize(
    ("password", "code"),
    [("wrong password", DEMO_CODE), (DEMO_PASSWORD, "654321")],
    ids=["wrong-password", "wrong-code"],
)
async def test_wrong_password_or_code_is_refused(
    session: ClientSession, tmp_path: Path, password: str, code: str
) -> None:
    """Amazon shows the page again with its error; the library gives up."""
    with pytest.raises(AmazonAuthError):
        await login_with(session, tmp_path, password=password, code=code)


async def test_reboot_takes_the_echo_offline_for_a_while(
    account: AmazonAccount,
) -> None:
    """A rebooted Echo is unreachable, then back."""
    kitchen = _by_name(await _snapshot(account), "Kitchen Echo")

    await account.async_restart(kitchen)

    assert not (await _snapshot(account)).echos[kitchen.key].online
    await asyncio.sleep(BOOT_SECONDS)
    assert (await _snapshot(account)).echos[kitchen.key].online


async def test_a_reboot_cures_a_hung_echo(
    account: AmazonAccount, control: Control
) -> None:
    """Taken offline without more ado, an Echo comes back after a reboot."""
    kitchen = _by_name(await _snapshot(account), "Kitchen Echo")
    await control("POST", "/devices/Kitchen Echo/offline")
    assert not (await _snapshot(account)).echos[kitchen.key].online

    await account.async_restart(kitchen)

    assert not (await _snapshot(account)).echos[kitchen.key].online  # rebooting
    await asyncio.sleep(BOOT_SECONDS)
    assert (await _snapshot(account)).echos[kitchen.key].online


async def test_the_home_internet_goes_down_and_comes_back(
    account: AmazonAccount, control: Control
) -> None:
    """Every device drops at once, at the time asked for, and all come back."""
    before = time.time()
    answer = await control("POST", "/devices/offline", {"seconds_ago": 120})
    assert not any(d["online"] for d in answer["echos"] + answer["plugs"])
    snapshot = await _snapshot(account)
    assert [d.online for d in snapshot.devices.values()] == [False] * 4
    # Amazon's last-seen times say when it lost them: 2 minutes ago, together.
    seen = {
        d.last_seen_online.timestamp()
        for d in snapshot.devices.values()
        if d.last_seen_online
    }
    assert len(seen) == 1
    assert before - 121 <= seen.pop() <= time.time() - 119

    await control("POST", "/devices/online")
    assert all(d.online for d in (await _snapshot(account)).devices.values())


async def test_plug_off_takes_its_echo_offline(
    account: AmazonAccount, control: Control
) -> None:
    """The plug feeds the Kitchen Echo; a power cycle cures a dropped Echo."""
    snapshot = await _snapshot(account)
    plug = _by_name(snapshot, "Kitchen Plug")
    kitchen = _by_name(snapshot, "Kitchen Echo")
    # It dropped off the network: Amazon cannot reach it to reboot it.
    await control("POST", "/devices/Kitchen Echo/offline", {"unreachable": True})
    await account.async_restart(kitchen)
    assert not (await _snapshot(account)).echos[kitchen.key].online

    await account.async_set_plug_power(plug, turn_on=False)
    snapshot = await _snapshot(account)
    assert (snapshot.plugs[plug.key].power_on, snapshot.echos[kitchen.key].online) == (
        False,
        False,
    )
    assert _by_name(snapshot, "Bedroom Echo Show").online

    await account.async_set_plug_power(plug, turn_on=True)
    assert not (await _snapshot(account)).echos[kitchen.key].online  # booting
    await asyncio.sleep(BOOT_SECONDS)
    assert (await _snapshot(account)).echos[kitchen.key].online


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        # A 429 closes the account's throttle gate: the library's retries
        # are held. It tries a 500 three times before it gives up.
        ({"kind": "throttled"}, AmazonThrottledError),
        ({"kind": "graphql_throttled"}, AmazonThrottledError),
        ({"kind": "server_error", "count": 3}, AmazonResponseError),
        ({"kind": "close"}, AmazonConnectionError),
        ({"kind": "malformed"}, AmazonResponseError),
        ({"kind": "expired_login"}, AmazonAuthError),
        ({"kind": "server_error", "path": "devices-v2"}, None),
    ],
    ids=lambda value: value.get("kind") if isinstance(value, dict) else None,
)
async def test_fail_next(
    account: AmazonAccount,
    control: Control,
    rule: dict[str, Any],
    error: type[AlexaCareError] | None,
) -> None:
    """Queued failures reach the client as Amazon's failures would."""
    await control("DELETE", "/requests")
    await control("POST", "/fail-next", rule)

    if error is None:
        # Only devices-v2 fails once; the library's retry succeeds.
        await account.async_get_snapshot(refresh_device_list=True)
        counts = await control("GET", "/requests")
        assert counts["by_path"]["alexa.amazon.com/api/devices-v2/device"] == 2
        assert counts["by_path"]["alexa.amazon.com/nexus/v1/graphql"] == 1
        return
    with pytest.raises(error):
        await _snapshot(account)
    if error is AmazonThrottledError:
        # Nothing reaches Amazon until the gate opens again.
        asked = await control("GET", "/requests")
        with pytest.raises(AmazonThrottledError):
            await _snapshot(account)
        assert await control("GET", "/requests") == asked
        return
    # The failures are used up: the next poll works.
    await _snapshot(account)


async def test_timeout_hangs_longer_than_the_client_waits(
    emulator: AmazonEmulator,
    tls: TlsFiles,
    login: LoginResult,
    tmp_path: Path,
    control: Control,
) -> None:
    """A hanging request ends with the client's timeout."""
    await control("POST", "/fail-next", {"kind": "timeout", "seconds": 30})
    async with emulator_session(
        emulator, tls, timeout=ClientTimeout(total=0.2)
    ) as session:
        account = AmazonAccount(
            session, tmp_path, email=DEMO_EMAIL, login_data=login.login_data
        )
        with pytest.raises(AmazonConnectionError):
            await _snapshot(account)


async def test_refused_query_falls_back_to_the_library_queries(
    account: AmazonAccount, control: Control
) -> None:
    """Amazon refusing our query: the library's own queries read the account."""
    await control("PUT", "/graphql-validation", {"reject_unknown_queries": True})
    await control("DELETE", "/requests")

    snapshot = await account.async_get_snapshot(refresh_device_list=True)

    assert account.endpoint_queries.in_use == LIBRARY_FALLBACK
    assert account.endpoint_queries.refusal == "Validation error: unknown operation"
    counts = await control("GET", "/requests")
    # Ours (refused), then the library's device query and state query.
    assert counts["by_path"]["alexa.amazon.com/nexus/v1/graphql"] == 3
    assert [echo.name for echo in snapshot.echos.values()] == [
        "Kitchen Echo",
        "Bedroom Echo Show",
        "Living Room Echo",
    ]
    assert all(echo.online for echo in snapshot.echos.values())
    plug = _by_name(snapshot, "Kitchen Plug")
    assert (plug.online, plug.power_on) == (
        True,
        True if STATE_READS_PLUG_POWER else None,
    )

    # Only the first poll asks for ours.
    await control("DELETE", "/requests")
    await _snapshot(account)
    counts = await control("GET", "/requests")
    assert counts["by_path"]["alexa.amazon.com/nexus/v1/graphql"] == 2


@pytest.mark.parametrize("echo_count", [500])
async def test_500_echos(account: AmazonAccount, control: Control) -> None:
    """A big account answers, and a poll's requests can be counted."""
    snapshot = await account.async_get_snapshot(refresh_device_list=True)
    assert len(snapshot.echos) == 500
    assert _by_name(snapshot, "Echo 500").online

    await control("DELETE", "/requests")
    await _snapshot(account)
    assert (await control("GET", "/requests"))["total"] == 2


class _FixedResolver(AbstractResolver):
    """Stands for the system's resolver: every host is at 192.0.2.1."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host="192.0.2.1",
                port=port,
                family=family,
                proto=0,
                flags=0,
            )
        ]

    async def close(self) -> None:
        """Nothing to release."""


async def test_only_amazon_is_routed_to_the_emulator() -> None:
    """Amazon's hosts resolve to the emulator; other hosts as before."""
    resolver = EmulatorResolver(8124, fallback=_FixedResolver())
    for host in ("www.amazon.com", "alexa.amazon.com", "api.amazonalexa.com"):
        [address] = await resolver.resolve(host, 443)
        assert (address["host"], address["port"]) == ("127.0.0.1", 8124)
    for host in ("github.com", "amazon.com.example.org", "notamazon.com"):
        [address] = await resolver.resolve(host, 443)
        assert (address["host"], address["port"]) == ("192.0.2.1", 443)


@pytest.mark.usefixtures("mock_async_zeroconf")
async def test_home_assistant_connectors_reach_the_emulator(
    hass: HomeAssistant, emulator: AmazonEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The launcher's routing, on the connector behind our client sessions."""
    # Put back whatever resolver factory the test harness had, afterwards.
    monkeypatch.setattr(
        aiohttp_client, "_async_make_resolver", aiohttp_client._async_make_resolver
    )
    route_amazon(emulator.port)
    # The launcher also makes Home Assistant trust the emulator's CA, which
    # this process's SSL contexts do not: this check skips verification.
    session = aiohttp_client.async_create_clientsession(hass, verify_ssl=False)

    async with session.get("https://alexa.amazon.com/api/users/me") as response:
        assert response.status == 401  # the emulator, asked without a session
    assert emulator.faults.by_path["alexa.amazon.com/api/users/me"] == 1


async def _send_text_command(
    session: ClientSession, emulator: AmazonEmulator, name: str, text: str
) -> None:
    """POST api/behaviors/preview with the library's TextCommand sequence."""
    echo = next(
        e for e in emulator.state.account.echos.values() if e.identity.name == name
    )
    node = {
        "@type": "com.amazon.alexa.behaviors.model.OpaquePayloadOperationNode",
        "type": "Alexa.TextCommand",
        "operationPayload": {
            "deviceType": echo.identity.model.device_type,
            "deviceSerialNumber": echo.identity.serial,
            "locale": "en-US",
            "customerId": emulator.state.credentials.customer_id,
            "skillId": "amzn1.ask.1p.tellalexa",
            "text": text,
        },
    }
    sequence = {
        "@type": "com.amazon.alexa.behaviors.model.Sequence",
        "startNode": {
            "@type": "com.amazon.alexa.behaviors.model.SerialNode",
            "nodesToExecute": [node],
        },
    }
    body = {
        "behaviorId": "PREVIEW",
        "sequenceJson": json.dumps(sequence),
        "status": "ENABLED",
    }
    # The session's cookie jar holds the signed-in cookies the library set.
    async with session.post(
        "https://alexa.amazon.com/api/behaviors/preview", json=body
    ) as response:
        assert response.status == 200


async def test_voice_history_and_deletion_by_voice(
    emulator: AmazonEmulator,
    session: ClientSession,
    tmp_path: Path,
    login: LoginResult,
    control: Control,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The library reads the history; the documented utterances delete it."""
    monkeypatch.setattr(library_history, "BACKEND_REFRESH_WAIT_SECONDS", 0)
    client = AmazonEchoApi(
        session,
        DEMO_EMAIL,
        "",
        save_data=AmazonSaveDataConfig(path=tmp_path),
        login_data=login.login_data,
    )
    kitchen = next(iter(emulator.state.account.echos))
    assert len(await control("GET", "/voice-records")) == 12  # 4 per Echo

    await control(
        "POST",
        "/voice-records",
        {"device": "Kitchen Echo", "heard": "turn on the lights", "answer": "OK"},
    )
    assert (await client.sync_history_state())[kitchen].title == "turn on the lights"

    await _send_text_command(
        session, emulator, "Kitchen Echo", "delete what I just said"
    )
    assert (await client.sync_history_state())[kitchen].title != "turn on the lights"
    assert len(await control("GET", "/voice-records")) == 12

    await control("PUT", "/voice-deletion", {"enabled": False})
    await _send_text_command(
        session, emulator, "Kitchen Echo", "Alexa, delete everything I said"
    )
    assert len(await control("GET", "/voice-records")) == 12

    await control("PUT", "/voice-deletion", {"enabled": True})
    await _send_text_command(
        session, emulator, "Kitchen Echo", "delete everything I said today"
    )
    assert len(await control("GET", "/voice-records")) == 6  # the earlier days
    await _send_text_command(
        session, emulator, "Kitchen Echo", "delete everything I said"
    )
    assert await control("GET", "/voice-records") == []


def _keys(value: Any) -> Any:  # noqa: ANN401
    """The keys of a JSON value, nested; a list by its first item."""
    if isinstance(value, dict):
        return {key: _keys(item) for key, item in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [_keys(value[0])]
    return None


def test_payloads_have_the_fixtures_keys() -> None:
    """The emulator (and so the unit tests' fake) answers as the fixtures show."""
    account = Account.with_devices(2, 1, reboot_seconds=10, boot_seconds=5)
    now = time.time()
    devices = payloads.devices_v2(account, "A1", {"0A1B": "Alexa App"}, now)
    endpoints = payloads.endpoints(account, now)
    history = VoiceHistory(customer_id="A1")
    history.seed(next(iter(account.echos.values())))
    fixtures = Path(__file__).parents[1] / "tests" / "fixtures"
    reference = {
        name: json.loads((fixtures / f"{name}.json").read_text())
        for name in ("devices_v2", "endpoints", "dnd", "voice_history")
    }
    fixture_endpoints = reference["endpoints"]["data"]["listEndpoints"]["endpoints"]
    # Two Echos, the speaker group, the app; an Echo and a plug endpoint.
    for ours, theirs in (
        *zip(devices["devices"], reference["devices_v2"]["devices"], strict=True),
        (endpoints[0], fixture_endpoints[0]),
        (endpoints[2], fixture_endpoints[2]),
        (payloads.dnd_list(account), reference["dnd"]),
        (history.records[0], reference["voice_history"]["alexaHistoryRecords"][0]),
    ):
        assert _keys(ours) == _keys(theirs)
