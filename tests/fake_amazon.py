"""A fake Amazon account behind Home Assistant's HTTP client mock.

It answers the requests aioamazondevices and our amazon package send to
alexa.amazon.com and www.amazon.com (the voice history). The account is the
reference payloads in tests/fixtures, which tests change in place; what
Amazon answers, how it fails and what the voice deletion sentences delete
come from the development emulator's modules that open no socket
(devtools/amazon_emulator: payloads, failures, voice_history), so that the
fake and the emulator cannot tell different stories about Amazon.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import replace
from datetime import datetime
import json
from pathlib import Path
import re
import time
from typing import Any

from aiohttp import ServerDisconnectedError
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from yarl import URL

from devtools.amazon_emulator import payloads
from devtools.amazon_emulator.account import Echo, Plug
from devtools.amazon_emulator.catalog import ECHO_DOT, echo_identity, plug_identity
from devtools.amazon_emulator.failures import Fault, failure_answer
from devtools.amazon_emulator.payloads import Json
from devtools.amazon_emulator.voice_history import VoiceHistory, text_commands
from homeassistant.util import dt as dt_util

FIXTURES = Path(__file__).parent / "fixtures"
CUSTOMER_ID = "A1FAKECUSTOMER"  # the owner in the fixtures
HISTORY_CSRF_TOKEN = "gFAKE-CSRF-A2Z-TOKEN"
REBOOT = re.compile(r"^/v1/alexa/device/reboot/(?P<type>[^/]+)/(?P<serial>[^/]+)$")
DEREGISTER = re.compile(r"^/api/devices/device/(?P<serial>[^/]+)$")
WIFI_DETAILS = "/api/device-wifi-details"
APPLIANCE = re.compile(r"^/api/phoenix/appliance/(?P<appliance_id>.+)$")
# Echo Dots Amazon does not let go remotely (no DEREGISTER_DEVICE).
ADDED_ECHO_MODEL = replace(ECHO_DOT, capabilities=("ALEXA_DEVICE_REBOOT", "MICROPHONE"))

# Failure kinds for FakeAmazon.fail_next
THROTTLED = Fault.THROTTLED
GRAPHQL_THROTTLED = Fault.GRAPHQL_THROTTLED
SERVER_ERROR = Fault.SERVER_ERROR
TIMEOUT = Fault.TIMEOUT
MALFORMED = Fault.MALFORMED
EXPIRED_LOGIN = Fault.EXPIRED_LOGIN
HTML_PAGE = Fault.HTML_PAGE
GRAPHQL_ERROR = Fault.GRAPHQL_ERROR
GRAPHQL_PARTIAL = Fault.GRAPHQL_PARTIAL


def _load(name: str) -> Any:  # noqa: ANN401
    return json.loads((FIXTURES / name).read_text())


def _property(endpoint: Json, name: str) -> Json:
    for feature in endpoint["features"]:
        for prop in feature["properties"]:
            if prop["name"] == name:
                return dict(prop)
    raise KeyError(name)


def _serial(endpoint: Json) -> str | None:
    return ((endpoint.get("serialNumber") or {}).get("value") or {}).get("text")


class FakeAmazon:
    """The state of one Amazon account, as its web API shows it."""

    def __init__(self) -> None:
        """The account of the fixtures."""
        self.devices: list[Json] = _load("devices_v2.json")["devices"]
        self.endpoints: list[Json] = _load("endpoints.json")["data"]["listEndpoints"][
            "endpoints"
        ]
        self.dnd: list[Json] = _load("dnd.json")["doNotDisturbDeviceStatusList"]
        self.voice_history = VoiceHistory(
            customer_id=CUSTOMER_ID,
            records=_load("voice_history.json")["alexaHistoryRecords"],
        )
        self.history_page_size = payloads.HISTORY_PAGE_SIZE
        self.country_of_residence: str | None = "US"
        self.text_commands: list[tuple[str, str]] = []
        self.requests: list[tuple[str, str, Any]] = []
        # Token refreshes and the app's capabilities (api.amazon.com and
        # api.amazonalexa.com), apart: most tests count the Alexa requests.
        self.auth_requests: list[tuple[str, str]] = []
        # Amazon throttles the account: HTTP 429 to every request, on every
        # host, with this Retry-After header if set.
        self.throttling = False
        self.retry_after: str | None = None
        # Each Wi-Fi details request: when (on the test's clock), for which serial.
        self.wifi_asked: list[tuple[datetime, str]] = []
        # Serial → JSON Amazon answers for its Wi-Fi details instead (an odd
        # answer: a string, a number, true).
        self.odd_wifi_answers: dict[str, Any] = {}
        # Amazon accepts deletions but keeps listing the device (to test checks).
        self.keeps_deleted_devices = False
        # Requests whose path contains this fail with TIMEOUT (one device failing).
        self.failing_path: str | None = None
        # Plug operations ("turnOn", "turnOff") to fail, with how many times.
        self.failing_operations: dict[str, int] = {}
        # Plug operations Amazon never answers (the request hangs), how many times.
        self.hanging_operations: dict[str, int] = {}
        # Amazon answers GraphQL operations the library does not send (ours)
        # with a validation error.
        self.rejects_unknown_queries = False
        # Failure kinds queued, each with the path it is for (None: any).
        # Failure kinds queued, each with the path and the GraphQL operation it
        # is for (None: any).
        self._failures: deque[tuple[Fault, str | None, str | None]] = deque()

    @property
    def history(self) -> list[Json]:
        """The voice history records, as Amazon lists them."""
        return self.voice_history.records

    @property
    def voice_deletion_enabled(self) -> bool:
        """Whether the Alexa Privacy settings enable deletion by voice."""
        return self.voice_history.deletion_by_voice

    @voice_deletion_enabled.setter
    def voice_deletion_enabled(self, enabled: bool) -> None:
        self.voice_history.deletion_by_voice = enabled

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
            "https://api.amazon.com/auth/token", side_effect=self._auth_answer
        )
        aioclient_mock.put(
            "https://api.amazonalexa.com/v1/devices/@self/capabilities",
            side_effect=self._auth_answer,
        )

    async def _auth_answer(
        self,
        method: str,
        url: URL,
        data: Any,  # noqa: ANN401
    ) -> AiohttpClientMockResponse:
        """A new access token, or the capabilities taken (204), unless throttled."""
        self.auth_requests.append((method.upper(), url.path))
        if self.throttling:
            return self._throttled(method, url)
        if url.path == "/auth/token":
            token = payloads.access_token("Atna|FAKE-REFRESHED-ACCESS-TOKEN", 3600)
            return AiohttpClientMockResponse(method, url, json=token)
        return AiohttpClientMockResponse(method, url, status=204)

    def _throttled(self, method: str, url: URL) -> AiohttpClientMockResponse:
        answer = failure_answer(THROTTLED)
        assert answer is not None
        headers = {"Content-Type": answer.content_type}
        if self.retry_after is not None:
            headers["Retry-After"] = self.retry_after
        return AiohttpClientMockResponse(
            method, url, status=answer.status, text=answer.text, headers=headers
        )

    def fail_next(
        self,
        kind: Fault,
        count: int = 1,
        path: str | None = None,
        operation: str | None = None,
    ) -> None:
        """Make the next `count` requests (to `path`, of `operation`) fail as `kind`."""
        self._failures.extend([(kind, path, operation)] * count)

    def stop_failing(self) -> None:
        """Answer again: the failures still to come do not."""
        self._failures.clear()

    def _fails_next(self, url: URL, body: Any) -> bool:  # noqa: ANN401
        if not self._failures:
            return False
        _, path, operation = self._failures[0]
        # A batched GraphQL request is named after its (first) operation.
        first = body[0] if isinstance(body, list) and body else body
        sent = first.get("operationName") if isinstance(first, dict) else None
        return path in (None, url.path) and operation in (None, sent)

    # Changing the account, as a test (or a user in the Alexa app) would.

    def endpoint(self, name: str) -> Json:
        """The GraphQL endpoint of a device, by its name."""
        return next(
            e
            for e in self.endpoints
            if e["friendlyNameObject"]["value"]["text"] == name
        )

    def set_online(self, name: str, *, online: bool, at: str) -> None:
        """Make a device reachable or not, as of the ISO time `at`."""
        old = _property(self.endpoint(name), "reachability")
        changed = (old["reachabilityStatusValue"] == "OK") != online
        new = payloads.reachability(
            online=online,
            sampled=at,
            last_change=at if changed else old["timeOfLastChange"],
        )
        self._replace_property(self.endpoint(name), new)

    def set_power(self, name: str, *, on: bool, at: str | None = None) -> None:
        """A plug is switched, by voice, in the Alexa app, or by a power cycle.

        Sampled at the ISO time `at`, or when it was sampled last.
        """
        endpoint = self.endpoint(name)
        sampled = at or _property(endpoint, "powerState")["timeOfSample"]
        self._replace_property(endpoint, payloads.power_state(on=on, sampled=sampled))

    def set_all_online(self, *, online: bool, at: str) -> None:
        """The home's internet goes down (every device drops at once), or is back."""
        for endpoint in self.endpoints:
            try:
                _property(endpoint, "reachability")
            except KeyError:  # Amazon reports no reachability for it
                continue
            self.set_online(
                endpoint["friendlyNameObject"]["value"]["text"], online=online, at=at
            )

    def set_do_not_disturb(self, serial: str, *, enabled: bool) -> None:
        """Switch an Echo's do not disturb, as in the Alexa app."""
        self._set_dnd({"deviceSerialNumber": serial, "enabled": enabled})

    def _replace_property(self, endpoint: Json, new: Json) -> None:
        for feature in endpoint["features"]:
            feature["properties"] = [
                new if prop["name"] == new["name"] else prop
                for prop in feature["properties"]
            ]

    def remove(self, name: str) -> None:
        """Remove a device from the account (devices-v2 and endpoints)."""
        serial = _serial(self.endpoint(name))
        self.endpoints.remove(self.endpoint(name))
        self.devices = [d for d in self.devices if d["serialNumber"] != serial]

    def add_echos(self, count: int, start: int = 0) -> None:
        """Add `count` Echo Dots called "Echo 0", … with serials G0FAKE0000000000, …."""
        now = time.time()
        for number in range(start, start + count):
            identity = replace(
                echo_identity(number, f"Echo {number}"),
                model=ADDED_ECHO_MODEL,
                serial=f"G0FAKE{number:010d}",
            )
            echo = Echo(identity=identity)
            self.devices.append(payloads.echo_record(echo, CUSTOMER_ID, [], now))
            self.endpoints.append(payloads.echo_endpoint(echo, now))
            self.dnd.append(
                payloads.dnd_status(
                    identity.serial, ADDED_ECHO_MODEL.device_type, enabled=False
                )
            )

    def add_plugs(self, count: int) -> None:
        """Add `count` Amazon Smart Plugs called "Plug 0", …, feeding no Echo."""
        now = time.time()
        for number in range(count):
            plug = Plug(identity=plug_identity(number, f"Plug {number}"))
            self.endpoints.append(payloads.plug_endpoint(plug, now))

    def wifi_reads(self) -> list[str]:
        """The serial numbers whose Wi-Fi details were asked for, in order."""
        return [serial for _, serial in self.wifi_asked]

    def add_voice_record(self, name: str, heard: str, at: str) -> None:
        """Someone says `heard` to the Echo called `name` at the ISO time `at`."""
        device = next(d for d in self.devices if d["accountName"] == name)
        record = payloads.history_record(
            customer_id=CUSTOMER_ID,
            timestamp_ms=int(datetime.fromisoformat(at).timestamp() * 1000),
            serial=device["serialNumber"],
            device_type=device["deviceType"],
            device_name=name,
            heard=heard,
            answer="It's noon.",
            intent="GetTimeIntent",
        )
        self.history.append(record)

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
        if url.path == WIFI_DETAILS:
            serial = url.query.get("deviceSerialNumber", "")
            self.wifi_asked.append((dt_util.utcnow(), serial))
        if self.throttling:
            return self._throttled(method, url)
        if self._fails_next(url, body):
            return self._failure(method, url, self._failures.popleft()[0])
        if self.failing_path and self.failing_path in url.path:
            return self._failure(method, url, TIMEOUT)
        if self._fails_operation(body):
            return self._failure(method, url, TIMEOUT)
        if self._hangs_operation(body):
            await asyncio.Event().wait()
        if method.upper() == "DELETE":
            status = self._delete(url)
            return AiohttpClientMockResponse(method, url, status=status, text="")
        if url.path == "/alexa-privacy/apd/rvh":
            page = payloads.history_review_page(HISTORY_CSRF_TOKEN)
            return AiohttpClientMockResponse(method, url, text=page)
        if url.path == "/api/behaviors/preview":
            self._run_sequence(json.loads(body["sequenceJson"]))
            return AiohttpClientMockResponse(method, url, text="")
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

    def _hangs_operation(self, body: Any) -> bool:  # noqa: ANN401
        if not isinstance(body, dict) or body.get("operationName") != (
            "setEndpointFeatures"
        ):
            return False
        operation = body["variables"]["setEndpointFeaturesInput"][
            "featureControlRequests"
        ][0]["featureOperationName"]
        if self.hanging_operations.get(operation, 0) > 0:
            self.hanging_operations[operation] -= 1
            return True
        return False

    def _failure(self, method: str, url: URL, kind: Fault) -> AiohttpClientMockResponse:
        answer = failure_answer(kind)
        if answer is None:  # Amazon never answers
            error = TimeoutError() if kind is TIMEOUT else ServerDisconnectedError()
            return AiohttpClientMockResponse(method, url, exc=error)
        return AiohttpClientMockResponse(
            method,
            url,
            status=answer.status,
            text=answer.text,
            headers={"Content-Type": answer.content_type},
        )

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
                self.endpoints = [e for e in self.endpoints if _serial(e) != serial]
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

    def _answer(self, method: str, url: URL, body: Any) -> tuple[int, Any]:  # noqa: ANN401
        path = url.path
        if (method, path) == (
            "POST",
            "/alexa-privacy/apd/rah/alexa-history-records-v2",
        ):
            start, end = int(url.query["startTime"]), int(url.query["endTime"])
            records = self.voice_history.between(start, end)
            token = body["previousRequestToken"]
            return 200, payloads.history_page(records, token, self.history_page_size)
        if (method, path) == ("GET", "/api/devices-v2/device"):
            return 200, {"devices": self.devices}
        if (method, path) == ("GET", WIFI_DETAILS):
            return self._wifi_details(url)
        if (method, path) == ("GET", "/api/welcome"):
            return 200, {"alexaHostName": "alexa.amazon.com"}
        if (method, path) == ("GET", "/api/users/me"):
            return 200, payloads.users_me(CUSTOMER_ID, self.country_of_residence)
        if (method, path) == ("GET", "/api/dnd/device-status-list"):
            return 200, {"doNotDisturbDeviceStatusList": self.dnd}
        if (method, path) == ("PUT", "/api/dnd/status"):
            return self._set_dnd(body)
        if (method, path) == ("POST", "/nexus/v1/graphql"):
            return 200, self._graphql(body)
        if method == "POST" and (match := REBOOT.match(path)):
            return self._reboot(match["serial"])
        return 404, {"message": f"No fake for {method} {path}"}

    def _wifi_details(self, url: URL) -> tuple[int, Any]:
        if (serial := url.query.get("deviceSerialNumber")) in self.odd_wifi_answers:
            return 200, self.odd_wifi_answers[serial]
        wanted = (url.query.get("deviceSerialNumber"), url.query.get("deviceType"))
        record = next(
            (d for d in self.devices if (d["serialNumber"], d["deviceType"]) == wanted),
            None,
        )
        if record is None or (details := payloads.wifi_details(record)) is None:
            return 400, {"message": "Bad Request"}
        return 200, details

    def _set_dnd(self, body: Json) -> tuple[int, Any]:
        for status in self.dnd:
            if status["deviceSerialNumber"] == body["deviceSerialNumber"]:
                status["enabled"] = body["enabled"]
                return 200, status
        return 400, {"message": "Unknown device"}

    def _reboot(self, serial: str) -> tuple[int, Any]:
        if any(d["serialNumber"] == serial for d in self.devices):
            return 200, {}
        return 404, {"message": "Device not found"}

    def _graphql(self, body: Json | list[Json]) -> Json | list[Json]:
        # Operations batched in a list get a list of answers back.
        if isinstance(body, list):
            return [self._operation(operation) for operation in body]
        return self._operation(body)

    def _operation(self, body: Json) -> Json:
        if self.rejects_unknown_queries and not payloads.is_library_operation(body):
            return payloads.UNKNOWN_OPERATION
        if "listEndpoints(" in body["query"]:
            return payloads.endpoints_answer(body, self.endpoints)
        if body["operationName"] == "setEndpointFeatures":
            requests = body["variables"]["setEndpointFeaturesInput"][
                "featureControlRequests"
            ]
            return payloads.set_endpoint_features(
                [
                    payloads.feature_outcome(
                        request,
                        None
                        if self._set_power(request)
                        else payloads.ENDPOINT_NOT_FOUND,
                    )
                    for request in requests
                ]
            )
        return payloads.UNKNOWN_OPERATION

    def _set_power(self, request: Json) -> bool:
        endpoint = next(
            (e for e in self.endpoints if e["endpointId"] == request["endpointId"]),
            None,
        )
        if endpoint is None:
            return False
        sampled = _property(endpoint, "powerState")["timeOfSample"]
        on = request["featureOperationName"] == "turnOn"
        self._replace_property(endpoint, payloads.power_state(on=on, sampled=sampled))
        return True

    def _run_sequence(self, sequence: Json) -> None:
        for serial, text in text_commands(sequence):
            self.text_commands.append((serial, text))
            # "Today" is the day in Home Assistant's time zone.
            time_zone = dt_util.get_default_time_zone()
            self.voice_history.text_command(serial, text, time_zone)
