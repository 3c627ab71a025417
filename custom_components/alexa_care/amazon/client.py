"""The Amazon account: signing in, the poll's reads, and the commands.

A poll costs a constant number of requests, whatever the number of devices:
one GraphQL `listEndpoints` request (two when Amazon refused ours and the
library's queries stand in), one request for every Echo's do-not-disturb
state, and devices-v2 when the device list is due (device_list.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import copy
from datetime import datetime, timedelta
from http import HTTPMethod, HTTPStatus
import json
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from aioamazondevices.const import http as library_http
from aioamazondevices.exceptions import CannotRetrieveData, WrongMethod
from aioamazondevices.structures import AmazonSequenceType
from aiohttp import ClientSession
import httpx

from . import graphql
from .clock_offset import AmazonClock
from .device_list import DeviceList
from .endpoint_queries import Endpoint, EndpointQueries
from .history import VoiceHistoryPage
from .library import (
    URI_GRAPHQL,
    LibraryRequests,
    amazon_errors,
    library_device,
    new_library_client,
    reading_answer,
)
from .models import (
    AccountSnapshot,
    AmazonAuthError,
    AmazonResponseError,
    Device,
    Echo,
    LoginResult,
    MicrophonesPushed,
    SmartPlug,
    VoiceRecord,
    WifiDetails,
)
from .push import PushChannel, PushListener
from .throttle import GatedSession, ThrottleGate
from .touchpoints import check_library

# Not in aioamazondevices; the requests Apollon77/alexa-remote sends
# (deleteDevice, deleteSmarthomeDevice).
URI_DEREGISTER = "api/devices/device/{serial}"
URI_APPLIANCE = "api/phoenix/appliance/{appliance_id}"
# Not in aioamazondevices; alexapy's get_wifi_details.
URI_WIFI_DETAILS = "api/device-wifi-details"
# aioamazondevices' restart_device, which cannot say what Amazon answered.
URI_REBOOT = "v1/alexa/device/reboot/{device_type}/{serial}"

# Each plug request is bounded on its own: one Amazon never answers must not
# keep a plug off for the library's whole timeout, three tries in a row.
PLUG_REQUEST_TIMEOUT = timedelta(seconds=30)


async def async_login(
    session: ClientSession,
    storage_dir: Path,
    *,
    email: str,
    password: str,
    one_time_code: str,
) -> LoginResult:
    """Log in with email, password and the authenticator app's code.

    The password is used for this login only: the library refreshes the
    tokens it returns without it.
    """
    client = new_library_client(session, email, password, storage_dir)
    check_library(client)
    async with amazon_errors():
        login_data = await client.login.login_mode_interactive(one_time_code)
    with reading_answer():
        customer_id = str(login_data["customer_info"]["user_id"])
        site = str(login_data["site"])
    return LoginResult(customer_id=customer_id, site=site, login_data=login_data)


class AmazonAccount:
    """An Amazon account reached with the tokens of an earlier login."""

    def __init__(
        self,
        session: ClientSession,
        storage_dir: Path,
        *,
        email: str,
        login_data: dict[str, Any],
    ) -> None:
        """Prepare the client; nothing is sent to Amazon yet."""
        # The library refreshes tokens inside this very dict: a copy of the
        # entry's, which Home Assistant alone changes, and ours to read back.
        self._login_data = copy.deepcopy(login_data)
        self.throttle = ThrottleGate()
        # No password: the stored tokens are all the library needs from here on.
        self._client = new_library_client(
            cast("ClientSession", GatedSession(session, self.throttle)),
            email,
            "",
            storage_dir,
            self._login_data,
        )
        self._requests = LibraryRequests(self._client, self._login_data)
        self._endpoint_queries = EndpointQueries(self._requests)
        self._device_list = DeviceList(self._requests, self._endpoint_queries)
        self._history = VoiceHistoryPage(self._requests)
        self._dnd_states: dict[str, bool] = {}
        # Only the push channel tells: kept for the snapshots of later polls.
        self._microphones_on: dict[str, bool] = {}
        # Amazon's last-seen stamps are read on our clock, by what it learns.
        self.clock = AmazonClock()
        self._client.on_dnd_event.append(self._on_dnd_states)
        self._client.on_dnd_event.freeze()

    def check_library(self) -> None:
        """Raise LibraryMismatchError if the library lacks a part we rely on."""
        check_library(self._client)

    @property
    def domain(self) -> str:
        """The marketplace's domain, "com" or "de" for instance."""
        return self._client.domain

    async def _on_dnd_states(self, states: dict[str, bool]) -> None:
        self._dnd_states = dict(states)

    def push_channel(
        self, httpx_client: httpx.AsyncClient, listener: PushListener
    ) -> PushChannel:
        """The account's push channel, not yet open."""
        return PushChannel(self._client, httpx_client, listener, self.throttle)

    def remember_microphones(self, change: MicrophonesPushed) -> None:
        """Keep what only the push channel tells, for later polls' snapshots."""
        self._microphones_on[change.serial_number] = change.on

    async def async_login(self) -> None:
        """Check the stored tokens by logging in with them."""
        async with self.throttle.guard():
            try:
                await self._client.login.login_mode_stored_data()
            except WrongMethod as err:
                raise AmazonAuthError("no stored login") from err

    def login_data(self) -> dict[str, Any]:
        """The login data as it stands now, refreshed tokens included.

        Read from the dict the library updates, not through its stored-data
        login, which (from aioamazondevices 17) sends requests every call.
        """
        return copy.deepcopy(self._login_data)

    @property
    def endpoint_queries(self) -> EndpointQueries:
        """Which GraphQL queries read the endpoints, and why."""
        return self._endpoint_queries

    async def async_get_snapshot(
        self, *, refresh_device_list: bool = False
    ) -> AccountSnapshot:
        """Read every device and its state (see the module's docstring)."""
        async with self.throttle.guard():
            states = await self._device_list.async_read_states(
                force=refresh_device_list
            )
            await self._client.sync_dnd_state()
        ahead = self.clock.offset
        snapshot = self._snapshot(states, ahead)
        self.clock.polled(snapshot, read_with=ahead)
        if self.clock.offset != ahead:
            # What this poll taught reads its own stamps too (rarely: once
            # learnt, the offset stays unless Amazon's clock moves).
            snapshot = self._snapshot(states, self.clock.offset)
        return snapshot

    def _snapshot(
        self, states: Mapping[str, Endpoint], amazon_ahead: timedelta
    ) -> AccountSnapshot:
        with reading_answer():
            return self._device_list.snapshot(
                states,
                do_not_disturb=self._dnd_states,
                microphones_on=self._microphones_on,
                amazon_ahead=amazon_ahead,
            )

    async def async_restart(self, echo: Echo) -> None:
        """Reboot an Echo (Amazon's soft reset)."""
        async with self.throttle.guard():
            # The reboot carries the access token, which expires after an
            # hour; the library renews it only for its own history and push
            # calls. One request more, only when a reboot is asked for.
            token = await self._requests.refresh_access_token()
            # Sent as the library sends it, but its answer read as JSON: the
            # library discards it, and a web page with status 200 (a sign-in
            # or error page) is no reboot.
            await self._requests.json(
                HTTPMethod.POST,
                self._requests.url(
                    URI_REBOOT.format(
                        device_type=quote(echo.device_type, safe=""),
                        serial=quote(echo.key, safe=""),
                    )
                ),
                {"deviceSerialNumber": echo.key, "deviceType": echo.device_type},
                {
                    "Authorization": f"Bearer {token}",
                    "User-Agent": library_http.REQUEST_AGENT["Amazon"],
                },
            )

    async def async_set_do_not_disturb(self, echo: Echo, *, enable: bool) -> None:
        """Turn an Echo's do not disturb on or off."""
        async with self.throttle.guard():
            await self._client.set_do_not_disturb(library_device(echo), enable)

    async def async_set_plug_power(self, plug: SmartPlug, *, turn_on: bool) -> None:
        """Switch a smart plug on or off through its power feature."""
        async with (
            self.throttle.guard(),
            asyncio.timeout(PLUG_REQUEST_TIMEOUT.total_seconds()),
        ):
            answer = await self._requests.json(
                HTTPMethod.POST,
                self._requests.url(URI_GRAPHQL),
                graphql.set_power_request(plug, turn_on=turn_on),
            )
            # Inside the gate: Amazon may say it throttles in the answer.
            with reading_answer():
                graphql.raise_for_feature_errors(answer)

    async def async_deregister_echo(self, echo: Echo) -> None:
        """Ask Amazon to deregister an Echo from the account."""
        async with self.throttle.guard():
            await self._requests.json(
                HTTPMethod.DELETE,
                self._requests.url(
                    URI_DEREGISTER.format(serial=quote(echo.key, safe="")),
                    {"deviceType": echo.device_type},
                ),
                {"deviceType": echo.device_type},
            )

    async def async_delete_plug(self, plug: SmartPlug) -> None:
        """Ask Amazon to delete a smart plug from the account."""
        if plug.appliance_id is None:
            raise AmazonResponseError("Amazon gave this plug no appliance id")
        async with self.throttle.guard():
            await self._requests.json(
                HTTPMethod.DELETE,
                self._requests.url(
                    URI_APPLIANCE.format(appliance_id=quote(plug.appliance_id, safe=""))
                ),
            )

    async def async_is_listed(self, device: Device) -> bool:
        """Read the account again: does Amazon still list the device?"""
        async with self.throttle.guard():
            if isinstance(device, Echo):
                await self._device_list.async_read_records()
                return device.key in self._device_list.records
            endpoints = await self._endpoint_queries.async_read_states()
        with reading_answer():
            return any(endpoint["endpointId"] == device.key for endpoint in endpoints)

    async def async_get_wifi_details(self, echo: Echo) -> WifiDetails | None:
        """The Wi-Fi network an Echo joined and its MAC address, in one request.

        None when Amazon has none for it (it answers 400 for a wired device
        or a group): a result, not an error.
        """
        async with self.throttle.guard():
            try:
                answer = await self._requests.json(
                    HTTPMethod.GET,
                    self._requests.url(
                        URI_WIFI_DETAILS,
                        {
                            "deviceSerialNumber": echo.key,
                            "deviceType": echo.device_type,
                        },
                    ),
                )
            except CannotRetrieveData as err:
                # The library keeps only the status: "Request failed: Bad Request".
                if str(err).endswith(HTTPStatus.BAD_REQUEST.phrase):
                    return None
                raise
        with reading_answer():
            return WifiDetails(
                ssid=graphql.text_or_none(answer.get("essid")),
                mac_address=graphql.text_or_none(answer.get("macAddress")),
            )

    async def async_get_voice_history(
        self, start: datetime, end: datetime
    ) -> list[VoiceRecord]:
        """Read the voice history between two times, newest first."""
        async with self.throttle.guard():
            return await self._history.async_read(start, end)

    async def async_send_text_command(self, echo: Echo, text: str) -> None:
        """Have an Echo act on `text` as if someone had said it to it."""
        async with self.throttle.guard():
            # The library's own node: locale and customer id as it sends them.
            node = self._client._sequence_handler._build_operation_node(  # noqa: SLF001
                library_device(echo), AmazonSequenceType.TextCommand, text
            )
            sequence = {
                "@type": "com.amazon.alexa.behaviors.model.Sequence",
                "startNode": {
                    "@type": "com.amazon.alexa.behaviors.model.SerialNode",
                    "nodesToExecute": [node],
                },
            }
            await self._requests.json(
                HTTPMethod.POST,
                self._requests.url(library_http.URI_BEHAVIORS_PREVIEW),
                {
                    "behaviorId": "PREVIEW",
                    "sequenceJson": json.dumps(sequence),
                    "status": "ENABLED",
                },
            )
