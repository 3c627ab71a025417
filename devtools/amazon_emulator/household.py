"""What else aioamazondevices reads for Home Assistant core's alexa_devices.

Alexa Care does not use these; core's integration reads them through the
library at setup and on every poll, so the side-by-side benchmark needs them.
The shapes are the ones the library parses (implementation/media.py,
sequence.py, todo.py, notification.py, communication.py). The account has
one music provider, no routines, empty shopping and to-do lists, no alarms
or reminders, and every Echo allows calls and messages.
"""

from __future__ import annotations

from aiohttp import web

from .state import AmazonState, Hosts

# The library reads these two as a bare JSON array sent as a byte stream.
STREAM = "application/octet-stream"
MUSIC_PROVIDERS = [
    {
        "id": "AMAZON_MUSIC",
        "displayName": "Amazon Music",
        "availability": "AVAILABLE",
        "providerData": {"isDefaultMusicProvider": "true"},
        "supportedProperties": ["Alexa.Music.PlaySearchPhrase"],
    }
]
LIST_TYPES = ("SHOP", "TODO")
COMMUNICATION_PREFERENCES = ("CALLING", "MESSAGING", "DROP_IN")


class Household:
    """Music providers, routines, lists, alarms, volumes, call settings."""

    def __init__(self, state: AmazonState) -> None:
        """Serve the account in `state`."""
        self._state = state

    def register(self, hosts: Hosts) -> None:
        """Add the routes to alexa.amazon.com, www.amazon.com and the comms host."""
        alexa = hosts.alexa.router
        alexa.add_get("/api/behaviors/entities", self._music_providers)
        alexa.add_get("/api/behaviors/v2/automations", self._routines)
        alexa.add_get("/api/notifications", self._notifications)
        alexa.add_get(
            "/api/devices/deviceType/dsn/audio/v1/allDeviceVolumes", self._volumes
        )
        hosts.www.router.add_post("/alexashoppinglists/api/v2/lists/fetch", self._lists)
        hosts.www.router.add_post(
            "/alexashoppinglists/api/v2/lists/{list_id}/items/fetch", self._items
        )
        hosts.comms.router.add_get(
            "/devicesTypes/{device_type}/deviceId/{serial}/preferences",
            self._preferences,
        )

    async def _music_providers(self, request: web.Request) -> web.Response:
        return web.json_response(MUSIC_PROVIDERS, content_type=STREAM)

    async def _routines(self, request: web.Request) -> web.Response:
        return web.json_response([], content_type=STREAM)

    async def _notifications(self, request: web.Request) -> web.Response:
        return web.json_response({"notifications": []})

    async def _volumes(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "volumes": [
                    {
                        "dsn": serial,
                        "deviceType": echo.identity.model.device_type,
                        "speakerVolume": 40,
                        "speakerMuted": False,
                    }
                    for serial, echo in self._state.account.echos.items()
                ]
            }
        )

    async def _lists(self, request: web.Request) -> web.Response:
        customer = self._state.credentials.customer_id
        return web.json_response(
            {
                "listInfoList": [
                    {"listId": f"{customer}-{kind}", "listType": kind}
                    for kind in LIST_TYPES
                ]
            }
        )

    async def _items(self, request: web.Request) -> web.Response:
        return web.json_response({"itemInfoList": []})

    async def _preferences(self, request: web.Request) -> web.Response:
        if request.match_info["serial"] not in self._state.account.echos:
            return web.json_response({"message": "Not found"}, status=404)
        return web.json_response(
            {
                "devicePermissionsPreferences": [
                    {"devicePreference": preference, "state": "ON", "allowed": True}
                    for preference in COMMUNICATION_PREFERENCES
                ]
            }
        )
