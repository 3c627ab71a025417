"""The one module that talks to Amazon.

Everything above it sees our own frozen dataclasses and our own exceptions;
nothing else imports aioamazondevices.

A poll costs a constant number of requests, whatever the number of devices:
one GraphQL `listEndpoints` request carries every endpoint's name, model,
reachability and power state; one request reads every Echo's do-not-disturb
state; and devices-v2 (the Echo list with capabilities) is read only when the
coordinator asks for it or when an endpoint shows a device it does not know.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
import copy
import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPMethod, HTTPStatus
import json
from pathlib import Path
import time
import types
from typing import Any, get_origin
from urllib.parse import quote

from aioamazondevices.api import AmazonEchoApi
from aioamazondevices.const.devices import DEVICE_TYPES_TO_IGNORE, SPEAKER_GROUP_FAMILY
from aioamazondevices.const.http import (
    CSRF_A2Z,
    REFRESH_ACCESS_TOKEN,
    REQUEST_AGENT,
    URI_BEHAVIORS_PREVIEW,
    URI_HISTORY_DATA,
    URI_HISTORY_FRONTEND,
)
from aioamazondevices.exceptions import (
    AmazonError,
    CannotAuthenticate,
    CannotConnect,
    WrongMethod,
)
from aioamazondevices.structures import (
    AmazonDevice,
    AmazonSaveDataConfig,
    AmazonSequenceType,
)
from aiohttp import ClientError, ClientSession
from bs4 import Tag
from yarl import URL

URI_DEVICES = "api/devices-v2/device"
URI_GRAPHQL = "nexus/v1/graphql"
# Not in aioamazondevices; the requests Apollon77/alexa-remote sends
# (deleteDevice, deleteSmarthomeDevice).
URI_DEREGISTER = "api/devices/device/{serial}"
URI_APPLIANCE = "api/phoenix/appliance/{appliance_id}"

# listEndpoints with the fields of the library's own device and state queries
# (const/queries.py), reachability and power included, for all endpoints at once.
QUERY_ENDPOINTS = """
query alexaCareEndpoints {
  listEndpoints(
    listEndpointsInput: { latencyTolerance: LOW, includeHouseholdDevices: true }
  ) {
    endpoints {
      endpointId: id
      friendlyNameObject { value { text } }
      manufacturer { value { text } }
      model { value { text } }
      serialNumber { value { text } }
      softwareVersion { value { text } }
      displayCategories { primary { value } }
      legacyIdentifiers { dmsIdentifier { deviceType { value { text } } } }
      legacyAppliance { applianceId }
      features {
        name
        properties {
          name
          __typename
          ... on Reachability {
            reachabilityStatusValue
            timeOfSample
            timeOfLastChange
          }
          ... on Power { powerStateValue timeOfSample }
        }
      }
    }
  }
}
"""

# The smart-home feature mutation the library's call_feature_operation sends.
MUTATION_SET_FEATURES = """
mutation setEndpointFeatures(
  $setEndpointFeaturesInput: SetEndpointFeaturesInput!
) {
  setEndpointFeatures(setEndpointFeaturesInput: $setEndpointFeaturesInput) {
    featureControlResponses { endpointId featureName featureOperationName code }
    errors { endpointId featureName featureOperationName code message }
  }
}
"""

# The voice history is read page by page; this many pages at most per read.
MAX_HISTORY_PAGES = 5
HISTORY_TOKEN_LIFETIME = 12 * 3600  # seconds
# Records that are no request: only the wake word, nothing understood, or a
# request another Echo answered (the library skips the same kinds).
NOT_A_REQUEST = frozenset(
    {"ASR_TIMEOUT", "DEVICE_ARBITRATION", "NO_EXPRESSED_INTENT", "WAKE_WORD_ONLY"}
)

GRAPHQL_THROTTLED = "UNOFFICIAL_CLIENT_TOO_MANY_REQUESTS"
CATEGORY_SMART_PLUG = "SMARTPLUG"
CAPABILITY_REBOOT = "ALEXA_DEVICE_REBOOT"
CAPABILITY_DEREGISTER = "DEREGISTER_DEVICE"


class AlexaCareError(Exception):
    """Base of the errors this module raises."""


class AmazonAuthError(AlexaCareError):
    """Amazon refused the login or the stored tokens."""


class AmazonConnectionError(AlexaCareError):
    """Amazon could not be reached."""


class AmazonResponseError(AlexaCareError):
    """Amazon answered, but not with anything we can use."""


class AmazonThrottledError(AlexaCareError):
    """Amazon throttles the account (HTTP 429 or its GraphQL equivalent)."""


@dataclass(frozen=True, kw_only=True)
class Device:
    """What every device on the account has."""

    key: str
    name: str
    model: str | None
    manufacturer: str | None
    serial_number: str | None
    software_version: str | None
    # None when Amazon reports no reachability for the device.
    online: bool | None
    last_seen_online: datetime | None


@dataclass(frozen=True, kw_only=True)
class Echo(Device):
    """An Echo, or another Alexa device with microphones. Its key is its serial."""

    device_type: str
    capabilities: frozenset[str]
    do_not_disturb: bool | None

    @property
    def can_restart(self) -> bool:
        """Whether Amazon can reboot it."""
        return CAPABILITY_REBOOT in self.capabilities

    @property
    def can_deregister(self) -> bool:
        """Whether Amazon lets it be deregistered remotely."""
        return CAPABILITY_DEREGISTER in self.capabilities


@dataclass(frozen=True, kw_only=True)
class SmartPlug(Device):
    """A smart plug Alexa controls. Its key is its endpoint id."""

    appliance_id: str | None
    power_on: bool | None


@dataclass(frozen=True, kw_only=True)
class AccountSnapshot:
    """What one poll learned about the account."""

    echos: Mapping[str, Echo]
    plugs: Mapping[str, SmartPlug]

    @property
    def devices(self) -> Mapping[str, Device]:
        """Every device, Echos and plugs, by key."""
        return {**self.echos, **self.plugs}


@dataclass(frozen=True, kw_only=True)
class VoiceRecord:
    """One entry of the account's voice history: what was heard, and by whom."""

    time: datetime
    # The Echo that heard it; None for requests made in the Alexa app.
    serial_number: str | None
    kind: str
    intent: str | None
    heard: str | None
    answer: str | None

    @property
    def is_request(self) -> bool:
        """Whether someone asked this Echo something (not only its wake word)."""
        return self.serial_number is not None and self.kind not in NOT_A_REQUEST


@dataclass(frozen=True, kw_only=True)
class LoginResult:
    """The outcome of an interactive login."""

    customer_id: str
    site: str
    login_data: dict[str, Any]


def _is_throttling(err: BaseException | None) -> bool:
    # The library retries a 429 twice, then raises with the status phrase,
    # sometimes wrapped in an error of its own (a failed reboot).
    while err is not None:
        if HTTPStatus.TOO_MANY_REQUESTS.phrase in str(err):
            return True
        err = err.__cause__
    return False


@asynccontextmanager
async def _amazon_errors() -> AsyncIterator[None]:
    """Translate the library's (and aiohttp's) errors into ours."""
    try:
        yield
    except CannotAuthenticate as err:
        raise AmazonAuthError(str(err)) from err
    except (CannotConnect, ClientError, TimeoutError) as err:
        raise AmazonConnectionError(str(err) or type(err).__name__) from err
    except AmazonError as err:
        if _is_throttling(err):
            raise AmazonThrottledError(str(err)) from err
        raise AmazonResponseError(str(err) or type(err).__name__) from err
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        # What the library and our parsing raise when an answer lacks a field
        # or is not JSON.
        raise AmazonResponseError(f"{type(err).__name__}: {err}") from err


def _new_library_client(
    session: ClientSession,
    email: str,
    password: str,
    storage_dir: Path,
    login_data: dict[str, Any] | None = None,
) -> AmazonEchoApi:
    return AmazonEchoApi(
        session,
        email,
        password,
        save_data=AmazonSaveDataConfig(path=storage_dir),
        login_data=login_data or None,
    )


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
    client = _new_library_client(session, email, password, storage_dir)
    async with _amazon_errors():
        login_data = await client.login.login_mode_interactive(one_time_code)
        customer_id = str(login_data["customer_info"]["user_id"])
        site = str(login_data["site"])
    return LoginResult(customer_id=customer_id, site=site, login_data=login_data)


def _text(container: Mapping[str, Any] | None, key: str) -> str | None:
    """Read GraphQL's `{key: {value: {text: …}}}`."""
    value = ((container or {}).get(key) or {}).get("value") or {}
    text = value.get("text")
    return str(text) if text is not None else None


def _time(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def _property(endpoint: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    for feature in endpoint.get("features") or ():
        for prop in feature.get("properties") or ():
            if prop.get("name") == name:
                return dict(prop)
    return None


@dataclass(frozen=True, kw_only=True)
class _Reachability:
    online: bool
    last_seen_online: datetime | None


def _reachability(endpoint: Mapping[str, Any]) -> _Reachability | None:
    if not (prop := _property(endpoint, "reachability")):
        return None
    online = prop.get("reachabilityStatusValue") == "OK"
    # Online: seen at the last sample. Offline: last seen when that changed.
    seen = prop.get("timeOfSample") if online else prop.get("timeOfLastChange")
    return _Reachability(online=online, last_seen_online=_time(seen))


def _raise_for_graphql_errors(answer: Mapping[str, Any]) -> None:
    errors = answer.get("errors") or []
    codes = {(error.get("extensions") or {}).get("errorCode") for error in errors}
    if GRAPHQL_THROTTLED in codes:
        raise AmazonThrottledError("Too many requests")
    if errors and not answer.get("data"):
        raise AmazonResponseError(str(errors[0].get("message", "GraphQL error")))


def _empty_value(annotation: Any) -> Any:  # noqa: ANN401
    """An empty value of a field's type: {}, [], None, False or ""."""
    origin = get_origin(annotation) or annotation
    if isinstance(annotation, types.UnionType) and type(None) in annotation.__args__:
        return None
    return {dict: {}, list: [], bool: False, str: ""}.get(origin)


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
        # No password: the stored tokens are all the library needs from here on.
        self._client = _new_library_client(
            session, email, "", storage_dir, self._login_data
        )
        # devices-v2 records of the Echos, and the endpoints' serial numbers
        # when devices-v2 was last read.
        self._echo_records: dict[str, dict[str, Any]] | None = None
        self._serials_at_last_read: set[str] = set()
        self._dnd_states: dict[str, bool] = {}
        self._history_token: str | None = None
        self._history_token_read_at = 0.0
        self._client.on_dnd_event.append(self._on_dnd_states)
        self._client.on_dnd_event.freeze()

    @property
    def domain(self) -> str:
        """The marketplace's domain, "com" or "de" for instance."""
        return self._client.domain

    async def _on_dnd_states(self, states: dict[str, bool]) -> None:
        self._dnd_states = dict(states)

    async def async_login(self) -> None:
        """Check the stored tokens by logging in with them."""
        async with _amazon_errors():
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

    def _url(
        self,
        path: str,
        query: Mapping[str, str | int] | None = None,
        host: str = "alexa",
    ) -> URL:
        """An Amazon address on the account's marketplace.

        `host` is `alexa` (the Alexa web API) or `www` (the retail site, where
        the voice history lives); `path` is already percent-encoded.
        """
        return URL(
            f"https://{host}.amazon.{self._client.domain}/{path}", encoded=True
        ).with_query(query)

    async def _request(
        self,
        method: HTTPMethod,
        url: URL,
        payload: object = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Send one request the library has no public call for.

        The library's HTTP wrapper adds the cookies, CSRF token and headers
        Amazon expects and retries 5xx/429 the way all its own calls do.
        """
        wrapper = self._client._http_wrapper  # noqa: SLF001
        if url.path == f"/{URI_GRAPHQL}":
            # Like the library: the app's user agent for GraphQL only.
            headers = {"User-Agent": REQUEST_AGENT["Amazon"]}
        _, response = await wrapper.session_request(
            method=method,
            url=url,
            input_data=payload,  # type: ignore[arg-type]
            json_data=payload is not None,
            extended_headers=headers,
        )
        if not await response.read():
            return {}  # DELETE answers with no body
        # An empty description keeps the library from logging the answer,
        # which for the voice history holds what people said.
        return await wrapper.response_to_json(response, "")

    async def _refresh_echo_records(self) -> None:
        answer = await self._request(HTTPMethod.GET, self._url(URI_DEVICES))
        self._echo_records = {
            device["serialNumber"]: device
            for device in answer["devices"]
            if device
            # Speaker groups and stereo pairs have nothing to reset; devices
            # without microphones (an air quality monitor) are not Echos.
            if device.get("deviceFamily") != SPEAKER_GROUP_FAMILY
            and device.get("deviceType") not in DEVICE_TYPES_TO_IGNORE
            and "MICROPHONE" in (device.get("capabilities") or ())
        }

    async def _read_endpoints(self) -> list[dict[str, Any]]:
        answer = await self._request(
            HTTPMethod.POST,
            self._url(URI_GRAPHQL),
            {"operationName": "alexaCareEndpoints", "query": QUERY_ENDPOINTS},
        )
        _raise_for_graphql_errors(answer)
        endpoints: list[dict[str, Any]] = answer["data"]["listEndpoints"]["endpoints"]
        return endpoints

    async def async_get_snapshot(self, *, refresh_device_list: bool) -> AccountSnapshot:
        """Read every device and its state, in at most three requests."""
        async with _amazon_errors():
            endpoints = await self._read_endpoints()
            by_serial = {
                serial: endpoint
                for endpoint in endpoints
                if (serial := _text(endpoint, "serialNumber"))
            }
            # A device added to or removed from the account shows up here
            # first: read the Echo list at once, not at the next refresh.
            if (
                refresh_device_list
                or self._echo_records is None
                or by_serial.keys() != self._serials_at_last_read
            ):
                await self._refresh_echo_records()
                self._serials_at_last_read = set(by_serial)
            await self._client.sync_dnd_state()
            return AccountSnapshot(
                echos={
                    serial: self._echo(record, by_serial.get(serial))
                    for serial, record in (self._echo_records or {}).items()
                },
                plugs={
                    plug.key: plug
                    for endpoint in endpoints
                    if (plug := _smart_plug(endpoint)) is not None
                },
            )

    def _echo(
        self, record: Mapping[str, Any], endpoint: Mapping[str, Any] | None
    ) -> Echo:
        serial = str(record["serialNumber"])
        reachability = _reachability(endpoint) if endpoint else None
        return Echo(
            key=serial,
            name=_text(endpoint, "friendlyNameObject") or record["accountName"],
            model=_text(endpoint, "model") or record.get("deviceTypeFriendlyName"),
            manufacturer=_text(endpoint, "manufacturer") or "Amazon",
            serial_number=serial,
            software_version=_text(endpoint, "softwareVersion")
            or record.get("softwareVersion"),
            # Without an endpoint, devices-v2's own flag is all there is.
            online=reachability.online if reachability else bool(record["online"]),
            last_seen_online=reachability.last_seen_online if reachability else None,
            device_type=str(record["deviceType"]),
            capabilities=frozenset(record.get("capabilities") or ()),
            do_not_disturb=self._dnd_states.get(serial),
        )

    def _library_device(self, echo: Echo) -> AmazonDevice:
        """The library's device object for its per-device calls.

        Those calls (reboot, do not disturb) read only the serial number, the
        device type and the name; the library builds these objects only in
        get_devices_data, which costs a request per device. So we fill the
        fields we know and leave the others empty, whatever the library's
        version adds.
        """
        known: dict[str, Any] = {
            "account_name": echo.name,
            "serial_number": echo.key,
            "device_type": echo.device_type,
            "capabilities": sorted(echo.capabilities),
            "device_cluster_members": {echo.key: echo.device_type},
            "online": echo.online,
            "model": echo.model,
            "manufacturer": echo.manufacturer,
            "software_version": echo.software_version,
        }
        return AmazonDevice(
            **{
                field.name: known.get(field.name, _empty_value(field.type))
                for field in dataclasses.fields(AmazonDevice)
            }
        )

    async def async_restart(self, echo: Echo) -> None:
        """Reboot an Echo (Amazon's soft reset)."""
        async with _amazon_errors():
            # The reboot carries the access token, which expires after an
            # hour; the library renews it only for its own history and push
            # calls. One request more, only when a reboot is asked for.
            wrapper = self._client._http_wrapper  # noqa: SLF001
            await wrapper.refresh_data(REFRESH_ACCESS_TOKEN)
            await self._client.restart_device(self._library_device(echo))

    async def async_set_do_not_disturb(self, echo: Echo, *, enable: bool) -> None:
        """Turn an Echo's do not disturb on or off."""
        async with _amazon_errors():
            await self._client.set_do_not_disturb(self._library_device(echo), enable)

    async def async_deregister_echo(self, echo: Echo) -> None:
        """Ask Amazon to deregister an Echo from the account."""
        async with _amazon_errors():
            await self._request(
                HTTPMethod.DELETE,
                self._url(
                    URI_DEREGISTER.format(serial=quote(echo.key, safe="")),
                    {"deviceType": echo.device_type},
                ),
                {"deviceType": echo.device_type},
            )

    async def async_delete_plug(self, plug: SmartPlug) -> None:
        """Ask Amazon to delete a smart plug from the account."""
        if plug.appliance_id is None:
            raise AmazonResponseError("Amazon gave this plug no appliance id")
        async with _amazon_errors():
            await self._request(
                HTTPMethod.DELETE,
                self._url(
                    URI_APPLIANCE.format(appliance_id=quote(plug.appliance_id, safe=""))
                ),
            )

    async def async_is_listed(self, device: Device) -> bool:
        """Read the account again: does Amazon still list the device?"""
        async with _amazon_errors():
            if isinstance(device, Echo):
                await self._refresh_echo_records()
                return device.key in (self._echo_records or {})
            endpoints = await self._read_endpoints()
            return any(endpoint["endpointId"] == device.key for endpoint in endpoints)

    async def _history_csrf_token(self) -> str:
        """The token the voice history page hands its own scripts."""
        # The library keeps the token for 12 hours; so do we.
        if self._history_token is None or (
            time.monotonic() - self._history_token_read_at > HISTORY_TOKEN_LIFETIME
        ):
            wrapper = self._client._http_wrapper  # noqa: SLF001
            page, _ = await wrapper.session_request(
                method=HTTPMethod.GET,
                url=self._url(URI_HISTORY_FRONTEND, host="www"),
            )
            # find, not a CSS selector: compiling one blocks the event loop.
            meta = page.find("meta", attrs={"name": "csrf-token"})
            token = meta.get("content") if isinstance(meta, Tag) else None
            if not token:
                raise AmazonResponseError("no token on the voice history page")
            self._history_token = str(token)
            self._history_token_read_at = time.monotonic()
        return self._history_token

    async def async_get_voice_history(
        self, start: datetime, end: datetime
    ) -> list[VoiceRecord]:
        """Read the voice history between two times, newest first.

        The same requests the library's history sync sends, but every page
        and every record, and without the library's debug log of the answer.
        """
        async with _amazon_errors():
            wrapper = self._client._http_wrapper  # noqa: SLF001
            await wrapper.refresh_data(REFRESH_ACCESS_TOKEN)
            headers = {
                "Authorization": f"Bearer {self._login_data[REFRESH_ACCESS_TOKEN]}",
                CSRF_A2Z: await self._history_csrf_token(),
            }
            query = {
                "startTime": int(start.timestamp() * 1000),
                "endTime": int(end.timestamp() * 1000),
            }
            # Amazon's pages overlap: a record is kept once, by its key.
            records: dict[object, VoiceRecord] = {}
            page_token: str | None = None
            for _ in range(MAX_HISTORY_PAGES):
                answer = await self._request(
                    HTTPMethod.POST,
                    self._url(URI_HISTORY_DATA, query, host="www"),
                    {"previousRequestToken": page_token},
                    headers,
                )
                for raw in answer["alexaHistoryRecords"]:
                    record = _voice_record(raw)
                    key = raw.get("recordKey") or (record.time, record.serial_number)
                    records.setdefault(key, record)
                if not (page_token := answer.get("paginationToken")):
                    break
        return sorted(records.values(), key=lambda record: record.time, reverse=True)

    async def async_send_text_command(self, echo: Echo, text: str) -> None:
        """Have an Echo act on `text` as if someone had said it to it."""
        async with _amazon_errors():
            # The library's own node: locale and customer id as it sends them.
            node = self._client._sequence_handler._build_operation_node(  # noqa: SLF001
                self._library_device(echo), AmazonSequenceType.TextCommand, text
            )
            sequence = {
                "@type": "com.amazon.alexa.behaviors.model.Sequence",
                "startNode": {
                    "@type": "com.amazon.alexa.behaviors.model.SerialNode",
                    "nodesToExecute": [node],
                },
            }
            await self._request(
                HTTPMethod.POST,
                self._url(URI_BEHAVIORS_PREVIEW),
                {
                    "behaviorId": "PREVIEW",
                    "sequenceJson": json.dumps(sequence),
                    "status": "ENABLED",
                },
            )

    async def async_set_plug_power(self, plug: SmartPlug, *, turn_on: bool) -> None:
        """Switch a smart plug on or off through its power feature."""
        request = {
            "endpointId": plug.key,
            "featureName": "power",
            "featureOperationName": "turnOn" if turn_on else "turnOff",
        }
        async with _amazon_errors():
            answer = await self._request(
                HTTPMethod.POST,
                self._url(URI_GRAPHQL),
                {
                    "operationName": "setEndpointFeatures",
                    "variables": {
                        "setEndpointFeaturesInput": {
                            "featureControlRequests": [request]
                        }
                    },
                    "query": MUTATION_SET_FEATURES,
                },
            )
            _raise_for_graphql_errors(answer)
            result = answer["data"]["setEndpointFeatures"]
            if failures := result.get("errors"):
                raise AmazonResponseError(
                    str(failures[0].get("message") or failures[0].get("code"))
                )


def _smart_plug(endpoint: Mapping[str, Any]) -> SmartPlug | None:
    """A plug is an endpoint of the smart-plug category with a power feature."""
    category = ((endpoint.get("displayCategories") or {}).get("primary") or {}).get(
        "value"
    )
    power = _property(endpoint, "powerState")
    if category != CATEGORY_SMART_PLUG or power is None:
        return None
    reachability = _reachability(endpoint)
    power_value = power.get("powerStateValue")
    return SmartPlug(
        key=str(endpoint["endpointId"]),
        name=_text(endpoint, "friendlyNameObject") or "Smart plug",
        model=_text(endpoint, "model"),
        manufacturer=_text(endpoint, "manufacturer"),
        serial_number=_text(endpoint, "serialNumber"),
        software_version=_text(endpoint, "softwareVersion"),
        online=reachability.online if reachability else None,
        last_seen_online=reachability.last_seen_online if reachability else None,
        appliance_id=(endpoint.get("legacyAppliance") or {}).get("applianceId"),
        power_on=None if power_value is None else power_value == "ON",
    )


def _voice_record(raw: Mapping[str, Any]) -> VoiceRecord:
    # deviceInfo is an object, or a list of them for some record types.
    device_info = raw.get("deviceInfo")
    if isinstance(device_info, list):
        device_info = device_info[0] if device_info else None
    serial = (device_info or {}).get("deviceSerialNumber")
    return VoiceRecord(
        time=datetime.fromtimestamp(raw["timestamp"] / 1000, UTC),
        serial_number=str(serial) if serial else None,
        kind=str(raw.get("utteranceType") or raw.get("recordType") or "UNKNOWN"),
        intent=raw.get("intent"),
        heard=raw.get("title"),
        answer=raw.get("subTitle"),
    )
