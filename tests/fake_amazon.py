"""A fake Amazon account behind Home Assistant's HTTP client mock.

It answers the requests aioamazondevices and our api.py send to
alexa.amazon.com with the JSON shapes Amazon sends (devices-v2, GraphQL
listEndpoints and setEndpointFeatures, do-not-disturb, reboot, text commands)
and to www.amazon.com (the voice history), keeps state (a plug switched off
stays off; the voice deletion sentences delete records when deletion by voice
is enabled), and can be told to fail the next requests
the ways Amazon fails: HTTP 429, 5xx, timeouts, malformed JSON, GraphQL
throttling inside an HTTP 200, and expired logins.
"""

from __future__ import annotations

from collections import deque
import copy
from dataclasses import dataclass, field
from datetime import datetime
import json
from pathlib import Path
import re
from typing import Any

from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from yarl import URL

from homeassistant.util import dt as dt_util

FIXTURES = Path(__file__).parent / "fixtures"
ALEXA = "https://alexa.amazon.com"
HISTORY_CSRF_TOKEN = "gFAKE-CSRF-A2Z-TOKEN"
HISTORY_PAGE = (
    '<html><head><meta name="csrf-token" content="'
    + HISTORY_CSRF_TOKEN
    + '"></head><body></body></html>'
)
REBOOT = re.compile(r"^/v1/alexa/device/reboot/(?P<type>[^/]+)/(?P<serial>[^/]+)$")
DEREGISTER = re.compile(r"^/api/devices/device/(?P<serial>[^/]+)$")
APPLIANCE = re.compile(r"^/api/phoenix/appliance/(?P<appliance_id>.+)$")

# Failure kinds for FakeAmazon.fail_next
THROTTLED = "throttled"  # HTTP 429
GRAPHQL_THROTTLED = "graphql_throttled"  # HTTP 200 with Amazon's GraphQL error
SERVER_ERROR = "server_error"  # HTTP 500
TIMEOUT = "timeout"
MALFORMED = "malformed"  # HTTP 200, not JSON
EXPIRED_LOGIN = "expired_login"  # HTTP 401
GRAPHQL_ERROR = "graphql_error"  # HTTP 200 with a GraphQL error and no data


def _load(name: str) -> Any:  # noqa: ANN401
    return json.loads((FIXTURES / name).read_text())


def _text(value: str | None) -> dict[str, Any] | None:
    return None if value is None else {"value": {"text": value}}


def _property(endpoint: dict[str, Any], name: str) -> dict[str, Any]:
    for feature in endpoint["features"]:
        for prop in feature["properties"]:
            if prop["name"] == name:
                return dict(prop)
    raise KeyError(name)


@dataclass
class FakeAmazon:
    """The state of one Amazon account, as its web API shows it."""

    devices: list[dict[str, Any]] = field(
        default_factory=lambda: _load("devices_v2.json")["devices"]
    )
    endpoints: list[dict[str, Any]] = field(
        default_factory=lambda: _load("endpoints.json")["data"]["listEndpoints"][
            "endpoints"
        ]
    )
    dnd: list[dict[str, Any]] = field(
        default_factory=lambda: _load("dnd.json")["doNotDisturbDeviceStatusList"]
    )
    history: list[dict[str, Any]] = field(
        default_factory=lambda: _load("voice_history.json")["alexaHistoryRecords"]
    )
    # "Enable deletion by voice" in the Alexa Privacy settings.
    voice_deletion_enabled: bool = True
    history_page_size: int = 50
    text_commands: list[tuple[str, str]] = field(default_factory=list)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    # Amazon accepts deletions but keeps listing the device (to test checks).
    keeps_deleted_devices: bool = False
    # Requests whose path contains this fail with TIMEOUT (one device failing).
    failing_path: str | None = None
    # Plug operations ("turnOn", "turnOff") to fail, with how many times.
    failing_operations: dict[str, int] = field(default_factory=dict)
    # Failure kinds queued, each with the path it is for (None: any).
    _failures: deque[tuple[str, str | None]] = field(default_factory=deque)

    def register(self, aioclient_mock: AiohttpClientMocker) -> None:
        """Answer every request to alexa.amazon.com."""
        for method in ("get", "post", "put", "delete"):
            aioclient_mock.request(
                method, re.compile(r"^https://alexa\.amazon\.com/"), side_effect=self
            )
        for method in ("get", "post"):
            aioclient_mock.request(
                method,
                re.compile(r"^https://www\.amazon\.com/alexa-privacy/"),
                side_effect=self,
            )
        # Token refresh and the app's capabilities, which aioamazondevices 17
        # sends at every stored-data login.
        aioclient_mock.post(
            "https://api.amazon.com/auth/token",
            json={
                "access_token": "Atna|FAKE-REFRESHED-ACCESS-TOKEN",
                "token_type": "bearer",
                "expires_in": 3600,
            },
        )
        aioclient_mock.put(
            "https://api.amazonalexa.com/v1/devices/@self/capabilities", status=204
        )

    def fail_next(self, kind: str, count: int = 1, path: str | None = None) -> None:
        """Make the next `count` requests (to `path`) fail the way `kind` says."""
        self._failures.extend([(kind, path)] * count)

    # Changing the account, as a test (or a user in the Alexa app) would.

    def endpoint(self, name: str) -> dict[str, Any]:
        """The GraphQL endpoint of a device, by its name."""
        return next(
            e
            for e in self.endpoints
            if e["friendlyNameObject"]["value"]["text"] == name
        )

    def set_online(self, name: str, *, online: bool, at: str) -> None:
        """Make a device reachable or not, as of the ISO time `at`."""
        reachability = _property(self.endpoint(name), "reachability")
        if (reachability["reachabilityStatusValue"] == "OK") != online:
            reachability["timeOfLastChange"] = at
        reachability["reachabilityStatusValue"] = "OK" if online else "UNREACHABLE"
        reachability["timeOfSample"] = at
        self._replace_property(name, reachability)

    def _replace_property(self, name: str, new: dict[str, Any]) -> None:
        for feature in self.endpoint(name)["features"]:
            feature["properties"] = [
                new if prop["name"] == new["name"] else prop
                for prop in feature["properties"]
            ]

    def remove(self, name: str) -> None:
        """Remove a device from the account (devices-v2 and endpoints)."""
        serial = (self.endpoint(name).get("serialNumber") or {}).get("value", {})
        serial_text = serial.get("text") if serial else None
        self.endpoints.remove(self.endpoint(name))
        self.devices = [d for d in self.devices if d["serialNumber"] != serial_text]

    def add_echos(self, count: int, start: int = 0) -> None:
        """Add `count` Echo Dots, as Amazon lists them."""
        for number in range(start, start + count):
            serial = f"G0FAKE{number:010d}"
            name = f"Echo {number}"
            self.devices.append(
                {
                    "accountName": name,
                    "capabilities": ["ALEXA_DEVICE_REBOOT", "MICROPHONE"],
                    "clusterMembers": [],
                    "deviceAccountId": f"AFAKEACCOUNT{number:08d}",
                    "deviceFamily": "ECHO",
                    "deviceOwnerCustomerId": "A1FAKECUSTOMER",
                    "deviceType": "A4ZXE0RM7LQ7A",
                    "deviceTypeFriendlyName": None,
                    "online": True,
                    "parentClusters": [],
                    "serialNumber": serial,
                    "softwareVersion": "8960323972",
                }
            )
            self.endpoints.append(
                {
                    "endpointId": f"amzn1.alexa.endpoint.fake{number:010d}",
                    "friendlyNameObject": _text(name),
                    "manufacturer": _text("Amazon"),
                    "model": _text("Echo Dot"),
                    "serialNumber": _text(serial),
                    "softwareVersion": _text("8960323972"),
                    "displayCategories": {"primary": {"value": "ALEXA_VOICE_ENABLED"}},
                    "legacyIdentifiers": {
                        "dmsIdentifier": {"deviceType": _text("A4ZXE0RM7LQ7A")}
                    },
                    "legacyAppliance": {"applianceId": f"AAA_SonarCloud_{serial}"},
                    "features": [
                        {
                            "name": "connectivity",
                            "properties": [
                                {
                                    "name": "reachability",
                                    "__typename": "Reachability",
                                    "reachabilityStatusValue": "OK",
                                    "timeOfSample": "2026-11-22T02:40:00Z",
                                    "timeOfLastChange": "2026-11-20T08:00:00Z",
                                }
                            ],
                        }
                    ],
                }
            )
            self.dnd.append(
                {
                    "deviceSerialNumber": serial,
                    "deviceType": "A4ZXE0RM7LQ7A",
                    "enabled": False,
                }
            )

    # Answering requests.

    async def __call__(
        self,
        method: str,
        url: URL,
        data: Any,  # noqa: ANN401
    ) -> AiohttpClientMockResponse:
        """Answer one request, or fail it if a failure is queued."""
        body = json.loads(data) if isinstance(data, bytes) else data
        self.requests.append((method.upper(), url.path, body))
        if self._failures and self._failures[0][1] in (None, url.path):
            return self._failure(method, url, self._failures.popleft()[0])
        if self.failing_path and self.failing_path in url.path:
            return self._failure(method, url, TIMEOUT)
        if self._fails_operation(body):
            return self._failure(method, url, TIMEOUT)
        if method.upper() == "DELETE":
            status = self._delete(url)
            return AiohttpClientMockResponse(method, url, status=status, text="")
        if url.path == "/alexa-privacy/apd/rvh":
            return AiohttpClientMockResponse(method, url, text=HISTORY_PAGE)
        if url.path == "/api/behaviors/preview":
            status = self._run_sequence(json.loads(body["sequenceJson"]))
            return AiohttpClientMockResponse(method, url, status=status, text="")
        status, answer = self._answer(method.upper(), url, body)
        return AiohttpClientMockResponse(method, url, status=status, json=answer)

    def _fails_operation(self, body: Any) -> bool:  # noqa: ANN401
        if not isinstance(body, dict) or body.get("operationName") != (
            "setEndpointFeatures"
        ):
            return False
        requests = body["variables"]["setEndpointFeaturesInput"][
            "featureControlRequests"
        ]
        operation = requests[0]["featureOperationName"]
        if self.failing_operations.get(operation, 0) > 0:
            self.failing_operations[operation] -= 1
            return True
        return False

    def _delete(self, url: URL) -> int:
        """Deregister an Echo or delete an appliance; Amazon answers no body."""
        if match := DEREGISTER.match(url.path):
            serial = match["serial"]
            device = next(
                (d for d in self.devices if d["serialNumber"] == serial), None
            )
            if device is None or device["deviceType"] != url.query.get("deviceType"):
                return 404
            if not self.keeps_deleted_devices:
                self.devices.remove(device)
                self.endpoints = [
                    e
                    for e in self.endpoints
                    if (e.get("serialNumber") or {}).get("value", {}).get("text")
                    != serial
                ]
            return 200
        if match := APPLIANCE.match(url.path):
            appliance_id = match["appliance_id"]
            endpoint = next(
                (
                    e
                    for e in self.endpoints
                    if (e.get("legacyAppliance") or {}).get("applianceId")
                    == appliance_id
                ),
                None,
            )
            if endpoint is None:
                return 404
            if not self.keeps_deleted_devices:
                self.endpoints.remove(endpoint)
            return 200
        return 404

    def _failure(self, method: str, url: URL, kind: str) -> AiohttpClientMockResponse:
        if kind == TIMEOUT:
            return AiohttpClientMockResponse(method, url, exc=TimeoutError())
        if kind == MALFORMED:
            return AiohttpClientMockResponse(method, url, text="<html>Oops</html>")
        if kind == GRAPHQL_ERROR:
            return AiohttpClientMockResponse(
                method,
                url,
                json={
                    "errors": [
                        {"message": "Internal error", "path": ["listEndpoints"]}
                    ],
                    "data": None,
                },
            )
        if kind == GRAPHQL_THROTTLED:
            return AiohttpClientMockResponse(
                method,
                url,
                json={
                    "errors": [
                        {
                            "message": "Too many requests",
                            "path": ["listEndpoints"],
                            "extensions": {
                                "errorCode": "UNOFFICIAL_CLIENT_TOO_MANY_REQUESTS",
                                "isRetryable": False,
                                "classification": "DataFetchingException",
                            },
                        }
                    ],
                    "data": None,
                    "extensions": {"requestID": "FAKE0REQUEST0ID", "duration": 12},
                },
            )
        status = {THROTTLED: 429, SERVER_ERROR: 500, EXPIRED_LOGIN: 401}[kind]
        return AiohttpClientMockResponse(method, url, status=status, json={})

    def _answer(self, method: str, url: URL, body: Any) -> tuple[int, Any]:  # noqa: ANN401
        path = url.path
        if (method, path) == (
            "POST",
            "/alexa-privacy/apd/rah/alexa-history-records-v2",
        ):
            return self._history_page(url, body)
        if (method, path) == ("GET", "/api/devices-v2/device"):
            return 200, {"devices": copy.deepcopy(self.devices)}
        if (method, path) == ("GET", "/api/users/me"):
            return 200, {
                "id": "A1FAKECUSTOMER",
                "countryOfResidence": "US",
                "marketPlaceDomainName": "amazon.com",
                "marketPlaceId": "ATVPDKIKX0DER",
                "marketPlaceLocale": "en-US",
            }
        if (method, path) == ("GET", "/api/dnd/device-status-list"):
            return 200, {"doNotDisturbDeviceStatusList": copy.deepcopy(self.dnd)}
        if (method, path) == ("PUT", "/api/dnd/status"):
            return self._set_dnd(body)
        if (method, path) == ("POST", "/nexus/v1/graphql"):
            return self._graphql(body)
        if method == "POST" and (match := REBOOT.match(path)):
            return self._reboot(match["serial"])
        return 404, {"message": f"No fake for {method} {path}"}

    def _set_dnd(self, body: dict[str, Any]) -> tuple[int, Any]:
        for status in self.dnd:
            if status["deviceSerialNumber"] == body["deviceSerialNumber"]:
                status["enabled"] = body["enabled"]
                return 200, status
        return 400, {"message": "Unknown device"}

    def _reboot(self, serial: str) -> tuple[int, Any]:
        if any(d["serialNumber"] == serial for d in self.devices):
            return 200, {}
        return 404, {"message": "Device not found"}

    def _graphql(self, body: dict[str, Any]) -> tuple[int, Any]:
        if body["operationName"] == "alexaCareEndpoints":
            endpoints = copy.deepcopy(self.endpoints)
            return 200, {"data": {"listEndpoints": {"endpoints": endpoints}}}
        if body["operationName"] == "setEndpointFeatures":
            requests = body["variables"]["setEndpointFeaturesInput"][
                "featureControlRequests"
            ]
            done, errors = [], []
            for request in requests:
                outcome = {
                    key: request[key]
                    for key in ("endpointId", "featureName", "featureOperationName")
                }
                if self._set_feature(request):
                    done.append(outcome | {"code": "SUCCESS"})
                else:
                    errors.append(
                        outcome
                        | {"code": "ENDPOINT_NOT_FOUND", "message": "No such endpoint"}
                    )
            return 200, {
                "data": {
                    "setEndpointFeatures": {
                        "featureControlResponses": done,
                        "errors": errors,
                    }
                }
            }
        return 400, {"errors": [{"message": "Unknown operation"}]}

    def _set_feature(self, request: dict[str, Any]) -> bool:
        endpoint = next(
            (e for e in self.endpoints if e["endpointId"] == request["endpointId"]),
            None,
        )
        if endpoint is None:
            return False
        power = _property(endpoint, "powerState")
        power["powerStateValue"] = (
            "ON" if request["featureOperationName"] == "turnOn" else "OFF"
        )
        self._replace_property(endpoint["friendlyNameObject"]["value"]["text"], power)
        return True

    # The voice history.

    def add_voice_record(self, name: str, heard: str, at: str) -> None:
        """Someone says `heard` to the Echo called `name` at the ISO time `at`."""
        device = next(d for d in self.devices if d["accountName"] == name)
        timestamp = int(datetime.fromisoformat(at).timestamp() * 1000)
        self.history.append(
            {
                "recordKey": f"A1FAKECUSTOMER#{timestamp}#{device['deviceType']}#"
                f"{device['serialNumber']}",
                "recordType": "VOICE_HISTORY",
                "timestamp": timestamp,
                "utteranceType": "GENERAL",
                "intent": "GetTimeIntent",
                "title": heard,
                "subTitle": "It's noon.",
                "deviceInfo": {
                    "deviceSerialNumber": device["serialNumber"],
                    "deviceType": device["deviceType"],
                    "deviceName": name,
                },
                "personsInfo": [],
            }
        )

    def _history_page(self, url: URL, body: dict[str, Any]) -> tuple[int, Any]:
        start, end = int(url.query["startTime"]), int(url.query["endTime"])
        records = sorted(
            (r for r in self.history if start <= r["timestamp"] <= end),
            key=lambda r: r["timestamp"],
            reverse=True,
        )
        offset = int(body["previousRequestToken"] or 0)
        next_offset = offset + self.history_page_size
        # Amazon's pages overlap by a record.
        start_at = max(offset - 1, 0)
        return 200, {
            "alexaHistoryRecords": copy.deepcopy(records[start_at:next_offset]),
            "paginationToken": str(next_offset) if next_offset < len(records) else None,
        }

    def _run_sequence(self, sequence: dict[str, Any]) -> int:
        for node in sequence["startNode"]["nodesToExecute"]:
            if node["type"] != "Alexa.TextCommand":
                return 400
            payload = node["operationPayload"]
            serial, text = payload["deviceSerialNumber"], payload["text"]
            self.text_commands.append((serial, text))
            if self.voice_deletion_enabled:
                self._delete_by_voice(serial, text)
        return 200

    def _delete_by_voice(self, serial: str, text: str) -> None:
        if text == "delete what I just said":
            own = [
                r
                for r in self.history
                if (r["deviceInfo"] or {}).get("deviceSerialNumber") == serial
            ]
            if own:
                self.history.remove(max(own, key=lambda r: r["timestamp"]))
        elif text == "delete everything I said today":
            midnight = dt_util.start_of_local_day().timestamp() * 1000
            self.history = [r for r in self.history if r["timestamp"] < midnight]
        elif text == "delete everything I said":
            self.history = []
