"""The control API: plain HTTP and JSON on its own port, for tests and people.

    GET    /devices                   Echos and plugs, with their state
    POST   /devices/{id}/offline      drop a device off the network
    POST   /devices/{id}/online       bring it back at once
    POST   /devices/offline {"seconds_ago"?}   the home's internet goes down:
                                      every device drops at once (that long ago)
    POST   /devices/online            the internet is back: every device with it
    PUT    /devices/{id}/do-not-disturb {"enabled"}   switched in the Alexa app
    PUT    /devices/{id}/microphone {"enabled"}   an Echo's microphone button
    PUT    /devices/{id}/power {"on"}   a plug switched in the Alexa app
    POST   /echos      {"name"?}      set up a new Echo
    POST   /plugs      {"name"?, "feeds"?}   a new plug, maybe powering an Echo
    DELETE /devices/{id}              take a device off the account
    GET    /voice-records             the voice history, newest first
    POST   /voice-records {"device", "heard", "answer"?, "intent"?}
                                      someone speaks to an Echo: a record,
                                      and the push channel's voice request
    PUT    /voice-deletion {"enabled"}   allow deletion by voice, or not
    GET    /push                      the push channel: open directive streams
                                      and whether it refuses them
    POST   /push/drop                 close every open directive stream now
    PUT    /push/refuse {"refuse"}    answer directive requests with 503, or not
    PUT    /push/silence {"silence"}  keep the streams open and answer pings,
                                      but send no event (or send them again)
    POST   /fail-next  {"kind", "count"?, "path"?, "seconds"?}
    DELETE /fail-next                 forget the queued failures
    GET    /requests                  Amazon requests: total and per host/path
    DELETE /requests                  count from zero again

{id} is a device's name, serial number, endpoint id or appliance id. Every
change Amazon announces on its push channel is pushed to the open directive
streams, whatever made it (these commands, or the web API).
"""

from __future__ import annotations

import json
import time
from typing import Any

from aiohttp import web

from .account import Device, Echo, Plug, UnknownDeviceError
from .failures import Fault
from .faults import DEFAULT_HANG_SECONDS, FaultRule, Faults
from .push_server import PushServer
from .state import AmazonState, bad_request, json_error, read_json


class ControlApi:
    """Reads and changes the emulated account."""

    def __init__(self, state: AmazonState, faults: Faults, push: PushServer) -> None:
        """Control the account in `state`, the request faults, the push channel."""
        self._state = state
        self._faults = faults
        self._push = push

    def application(self) -> web.Application:
        """The control API's aiohttp application."""
        app = web.Application()
        router = app.router
        router.add_get("/devices", self._devices)
        router.add_post("/devices/offline", self._household_offline)
        router.add_post("/devices/online", self._household_online)
        router.add_post("/devices/{id}/offline", self._offline)
        router.add_post("/devices/{id}/online", self._online)
        router.add_put("/devices/{id}/do-not-disturb", self._do_not_disturb)
        router.add_put("/devices/{id}/microphone", self._microphone)
        router.add_put("/devices/{id}/power", self._power)
        router.add_delete("/devices/{id}", self._remove)
        router.add_post("/echos", self._add_echo)
        router.add_post("/plugs", self._add_plug)
        router.add_get("/voice-records", self._voice_records)
        router.add_post("/voice-records", self._add_voice_record)
        router.add_put("/voice-deletion", self._voice_deletion)
        router.add_put("/graphql-validation", self._graphql_validation)
        router.add_post("/fail-next", self._fail_next)
        router.add_delete("/fail-next", self._clear_failures)
        router.add_get("/requests", self._requests)
        router.add_delete("/requests", self._reset_requests)
        router.add_get("/push", self._push_status)
        router.add_post("/push/drop", self._push_drop)
        router.add_put("/push/refuse", self._push_refuse)
        router.add_put("/push/silence", self._push_silence)
        return app

    def _find(self, key: str) -> Device:
        try:
            return self._state.account.find(key)
        except UnknownDeviceError:
            raise web.HTTPNotFound(
                text=json.dumps({"message": f"no device {key!r}"}),
                content_type="application/json",
            ) from None

    def _device_json(self, device: Device) -> dict[str, Any]:
        now = time.time()
        identity = device.identity
        common = {
            "name": identity.name,
            "serial": identity.serial,
            "endpoint_id": identity.endpoint_id,
            "online": device.online(now),
        }
        if isinstance(device, Echo):
            return common | {
                "kind": "echo",
                "model": device.identity.model.name,
                "device_type": device.identity.model.device_type,
                # What a router's tracker of the Echo would show.
                "mac_address": device.identity.mac_address,
                "can_reboot": device.can_reboot,
                "do_not_disturb": device.do_not_disturb,
                "microphone_on": device.microphone_on,
                "powered_by": device.plug.identity.name if device.plug else None,
            }
        fed = self._state.account.fed_by(device)
        return common | {
            "kind": "plug",
            "appliance_id": device.identity.appliance_id,
            "power_on": device.power_on,
            "feeds": fed.identity.name if fed else None,
        }

    async def _devices(self, request: web.Request) -> web.Response:
        account = self._state.account
        return web.json_response(
            {
                "echos": [self._device_json(echo) for echo in account.echos.values()],
                "plugs": [self._device_json(plug) for plug in account.plugs.values()],
                "voice_deletion": self._state.history.deletion_by_voice,
            }
        )

    async def _offline(self, request: web.Request) -> web.Response:
        device = self._find(request.match_info["id"])
        # {"unreachable": true}: a reboot request cannot reach it either.
        unreachable = bool((await self._body(request)).get("unreachable"))
        self._state.account.set_dropped(
            device, dropped=True, reboot_cures=not unreachable
        )
        return web.json_response(self._device_json(device))

    async def _online(self, request: web.Request) -> web.Response:
        device = self._find(request.match_info["id"])
        self._state.account.set_dropped(device, dropped=False)
        return web.json_response(self._device_json(device))

    async def _household_offline(self, request: web.Request) -> web.Response:
        # {"seconds_ago": s}: Amazon lost the devices s seconds ago, as when
        # the internet went down before Home Assistant started.
        seconds_ago = float((await self._body(request)).get("seconds_ago", 0))
        self._state.account.set_household_dropped(
            dropped=True, at=time.time() - seconds_ago
        )
        return await self._devices(request)

    async def _household_online(self, request: web.Request) -> web.Response:
        self._state.account.set_household_dropped(dropped=False)
        return await self._devices(request)

    def _find_echo(self, key: str) -> Echo:
        device = self._find(key)
        if not isinstance(device, Echo):
            raise bad_request(f"{key!r} is no Echo")
        return device

    async def _switch(self, request: web.Request, field: str) -> bool:
        """The body's `field`, which must be true or false."""
        value = (await self._body(request)).get(field)
        if not isinstance(value, bool):
            raise bad_request(f'"{field}": true or false is needed')
        return value

    async def _do_not_disturb(self, request: web.Request) -> web.Response:
        echo = self._find_echo(request.match_info["id"])
        enabled = await self._switch(request, "enabled")
        self._state.set_do_not_disturb(echo, enabled=enabled)
        return web.json_response(self._device_json(echo))

    async def _microphone(self, request: web.Request) -> web.Response:
        echo = self._find_echo(request.match_info["id"])
        self._state.set_microphone(echo, on=await self._switch(request, "enabled"))
        return web.json_response(self._device_json(echo))

    async def _power(self, request: web.Request) -> web.Response:
        # Switched in the Alexa app: Amazon has to reach the plug, as for
        # the GraphQL mutation.
        plug = self._find(request.match_info["id"])
        if not isinstance(plug, Plug):
            raise bad_request(f"{request.match_info['id']!r} is no plug")
        on = await self._switch(request, "on")
        if not plug.online(time.time()):
            return json_error(409, f"{plug.identity.name} is offline")
        self._state.set_plug_power(plug, on=on)
        return web.json_response(self._device_json(plug))

    async def _remove(self, request: web.Request) -> web.Response:
        device = self._find(request.match_info["id"])
        self._state.account.remove(device)
        return web.json_response(self._device_json(device))

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        body = await read_json(request)
        if not isinstance(body, dict):
            raise bad_request("a JSON object is expected")
        return body

    async def _add_echo(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        echo = self._state.account.add_echo(body.get("name"))
        self._state.history.seed(echo)
        return web.json_response(self._device_json(echo), status=201)

    async def _add_plug(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        feeds = self._find(body["feeds"]) if body.get("feeds") else None
        if feeds is not None and not isinstance(feeds, Echo):
            raise bad_request("a plug feeds an Echo")
        plug = self._state.account.add_plug(body.get("name"), feeds)
        return web.json_response(self._device_json(plug), status=201)

    async def _voice_records(self, request: web.Request) -> web.Response:
        records = self._state.history.between(0, int(time.time() * 1000) + 1)
        return web.json_response(records)

    async def _add_voice_record(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        echo = self._find(str(body.get("device")))
        if not isinstance(echo, Echo) or not body.get("heard"):
            raise bad_request("an Echo (device) and what it heard are needed")
        record = self._state.voice_request(
            echo,
            heard=str(body["heard"]),
            answer=str(body.get("answer", "")),
            intent=str(body.get("intent", "Unknown")),
        )
        return web.json_response(record, status=201)

    async def _voice_deletion(self, request: web.Request) -> web.Response:
        enabled = await self._switch(request, "enabled")
        self._state.history.deletion_by_voice = enabled
        return web.json_response({"enabled": enabled})

    async def _graphql_validation(self, request: web.Request) -> web.Response:
        reject = await self._switch(request, "reject_unknown_queries")
        self._state.reject_unknown_queries = reject
        return web.json_response(
            {"reject_unknown_queries": self._state.reject_unknown_queries}
        )

    async def _fail_next(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        try:
            rule = FaultRule(
                kind=Fault(body.get("kind")),
                remaining=int(body.get("count", 1)),
                path=body.get("path") or None,
                seconds=float(body.get("seconds", DEFAULT_HANG_SECONDS)),
            )
        except ValueError:
            return json_error(400, f"kind is one of {', '.join(Fault)}")
        self._faults.rules.append(rule)
        return web.json_response(
            [queued.as_json() for queued in self._faults.rules], status=201
        )

    async def _clear_failures(self, request: web.Request) -> web.Response:
        self._faults.rules.clear()
        return web.json_response([])

    async def _requests(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"total": self._faults.total, "by_path": dict(self._faults.by_path)}
        )

    async def _reset_requests(self, request: web.Request) -> web.Response:
        self._faults.reset_counters()
        return web.json_response({"total": 0, "by_path": {}})

    def _push_json(self) -> dict[str, Any]:
        return {
            "open_streams": self._push.open_streams,
            "refuse": self._push.refusing,
            "silent": self._push.silent,
        }

    async def _push_status(self, request: web.Request) -> web.Response:
        return web.json_response(self._push_json())

    async def _push_drop(self, request: web.Request) -> web.Response:
        dropped = self._push.drop()
        return web.json_response({"dropped": dropped} | self._push_json())

    async def _push_refuse(self, request: web.Request) -> web.Response:
        self._push.refusing = await self._switch(request, "refuse")
        return web.json_response(self._push_json())

    async def _push_silence(self, request: web.Request) -> web.Response:
        self._push.silent = await self._switch(request, "silence")
        return web.json_response(self._push_json())
