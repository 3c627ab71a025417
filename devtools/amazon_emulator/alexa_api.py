"""alexa.amazon.com: the Alexa web API the library and Alexa Care call.

Paths, methods and bodies are the ones aioamazondevices (16.3.2 and 17.2.3)
and custom_components/alexa_care/amazon send; deregistration and appliance
deletion are the requests Apollon77/alexa-remote sends.
"""

from __future__ import annotations

import json
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from . import payloads
from .account import Echo
from .payloads import Json
from .state import AmazonState, Hosts, json_error, read_json
from .voice_history import text_commands


class AlexaApi:
    """The Alexa web API of one account."""

    def __init__(self, state: AmazonState) -> None:
        """Serve the account in `state`."""
        self._state = state

    def register(self, hosts: Hosts) -> None:
        """Add the routes (and the session check) to alexa.amazon.com."""
        app = hosts.alexa
        app.middlewares.append(self._require_session)
        router = app.router
        router.add_get("/api/welcome", self._welcome)
        router.add_get("/api/users/me", self._users_me)
        router.add_get("/api/devices-v2/device", self._devices)
        router.add_get("/api/device-wifi-details", self._wifi_details)
        router.add_post("/nexus/v1/graphql", self._graphql)
        router.add_post("/v1/alexa/device/reboot/{device_type}/{serial}", self._reboot)
        router.add_get("/api/dnd/device-status-list", self._dnd_list)
        router.add_put("/api/dnd/status", self._set_dnd)
        router.add_delete("/api/devices/device/{serial}", self._deregister)
        router.add_delete("/api/phoenix/appliance/{appliance_id:.+}", self._delete_plug)
        router.add_post("/api/behaviors/preview", self._behaviors_preview)

    @web.middleware
    async def _require_session(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        # Without the signed-in session's cookies Amazon answers 401.
        if not self._state.credentials.has_session(request):
            return json_error(401, "Unauthorized")
        return await handler(request)

    async def _welcome(self, request: web.Request) -> web.Response:
        # The library derives the account's marketplace from this host name.
        return web.json_response({"alexaHostName": request.host})

    async def _users_me(self, request: web.Request) -> web.Response:
        return web.json_response(payloads.users_me(self._state.credentials.customer_id))

    def _devices_v2(self) -> Json:
        state = self._state
        return payloads.devices_v2(
            state.account, state.credentials.customer_id, state.apps, time.time()
        )

    async def _devices(self, request: web.Request) -> web.Response:
        return web.json_response(self._devices_v2())

    async def _wifi_details(self, request: web.Request) -> web.Response:
        serial = request.query.get("deviceSerialNumber")
        device_type = request.query.get("deviceType")
        record = next(
            (
                device
                for device in self._devices_v2()["devices"]
                if (device["serialNumber"], device["deviceType"])
                == (serial, device_type)
            ),
            None,
        )
        details = payloads.wifi_details(record) if record else None
        if details is None:
            # Groups, apps, unknown devices: Amazon has no Wi-Fi details.
            return json_error(400, "Bad Request")
        return web.json_response(details)

    async def _graphql(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        # 17.x sends some operations batched in a list, and gets a list back.
        if isinstance(body, list):
            return web.json_response([self._operation(item) for item in body])
        return web.json_response(self._operation(body))

    def _operation(self, operation: Json) -> Json:
        query = str(operation.get("query", ""))
        variables = operation.get("variables") or {}
        if self._state.reject_unknown_queries and not payloads.is_library_operation(
            operation
        ):
            return payloads.UNKNOWN_OPERATION
        if "setEndpointFeatures(" in query:
            requests = variables["setEndpointFeaturesInput"]["featureControlRequests"]
            return self._set_features(requests)
        if "listEndpoints(" in query:
            # Our listEndpoints, the library's device query and its feature
            # and sensor queries (for the endpoints it names) all read these.
            endpoints = payloads.endpoints(self._state.account, time.time())
            return payloads.endpoints_answer(operation, endpoints)
        return payloads.UNKNOWN_OPERATION

    def _set_features(self, requests: list[Json]) -> Json:
        account = self._state.account
        outcomes: list[Json] = []
        for request in requests:
            plug = account.plugs.get(request.get("endpointId", ""))
            operation = request.get("featureOperationName")
            if (
                plug is None
                or request.get("featureName") != "power"
                or operation not in {"turnOn", "turnOff"}
            ):
                outcomes.append(
                    payloads.feature_outcome(request, payloads.ENDPOINT_NOT_FOUND)
                )
            elif not plug.online(time.time()):
                outcomes.append(
                    payloads.feature_outcome(request, payloads.ENDPOINT_UNREACHABLE)
                )
            else:
                self._state.set_plug_power(plug, on=operation == "turnOn")
                outcomes.append(payloads.feature_outcome(request))
        return payloads.set_endpoint_features(outcomes)

    def _echo(self, serial: str, device_type: str | None) -> Echo | None:
        echo = self._state.account.echos.get(serial)
        if echo is None or echo.identity.model.device_type != device_type:
            return None
        return echo

    async def _reboot(self, request: web.Request) -> web.Response:
        if not self._state.credentials.has_bearer(request):
            return json_error(401, "Unauthorized")
        echo = self._echo(
            request.match_info["serial"], request.match_info["device_type"]
        )
        if echo is None:
            return json_error(404, "Device not found")
        if not echo.can_reboot:
            # What Amazon answers here is not known; the library reads only
            # that the status is not 200 (CannotRestartDevice).
            return json_error(400, "Device does not support reboot")
        self._state.account.reboot(echo)
        return web.json_response({})

    async def _dnd_list(self, request: web.Request) -> web.Response:
        return web.json_response(payloads.dnd_list(self._state.account))

    async def _set_dnd(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        echo = self._echo(str(body.get("deviceSerialNumber")), body.get("deviceType"))
        if echo is None or not isinstance(body.get("enabled"), bool):
            return json_error(400, "Unknown device")
        self._state.set_do_not_disturb(echo, enabled=body["enabled"])
        return web.json_response(
            payloads.dnd_status(
                echo.identity.serial,
                echo.identity.model.device_type,
                enabled=echo.do_not_disturb,
            )
        )

    async def _deregister(self, request: web.Request) -> web.Response:
        echo = self._echo(request.match_info["serial"], request.query.get("deviceType"))
        if echo is None:
            return json_error(404, "Device not found")
        self._state.account.remove(echo)
        return web.Response()  # Amazon answers with no body

    async def _delete_plug(self, request: web.Request) -> web.Response:
        appliance_id = request.match_info["appliance_id"]
        plugs = self._state.account.plugs.values()
        plug = next((p for p in plugs if p.identity.appliance_id == appliance_id), None)
        if plug is None:
            return json_error(404, "Appliance not found")
        self._state.account.remove(plug)
        return web.Response()

    async def _behaviors_preview(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        try:
            sequence = json.loads(body["sequenceJson"])
        except KeyError, TypeError, ValueError:
            return json_error(400, "Invalid sequence")
        now = time.time()
        for serial, text in text_commands(sequence):
            echo = self._state.account.echos.get(serial)
            # Only an Echo that is up hears the command; others are ignored.
            if echo is not None and echo.online(now):
                self._state.history.text_command(serial, text)
        return web.Response()
