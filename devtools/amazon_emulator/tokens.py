"""Device registration and tokens, after the sign-in pages.

4. POST api.amazon.com/auth/register with the authorization code and the
   PKCE verifier: tokens, cookies, device and customer info. The library
   is registered as an app, which devices-v2 then lists.
5. POST api.amazon.com/auth/token: a new access token from the refresh token
   (or the cookies of another marketplace); PUT api.amazonalexa.com
   v1/devices/@self/capabilities with the access token, answered 204.
"""

from __future__ import annotations

from collections.abc import Callable
import secrets
from typing import Any

from aiohttp import web

from . import payloads
from .credentials import ACCESS_TOKEN_SECONDS
from .state import AmazonState, Hosts, json_error, read_json


def _ordinal(number: int) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{'th' if 11 <= number % 100 <= 13 else suffix}"  # noqa: PLR2004


class Tokens:
    """The registration of the app, and the tokens it gets."""

    def __init__(
        self, state: AmazonState, redeem: Callable[[str, str, str], bool]
    ) -> None:
        """Register apps whose authorization code `redeem` accepts."""
        self._state = state
        self._redeem = redeem

    def register(self, hosts: Hosts) -> None:
        """Add the routes to their hosts."""
        hosts.api.router.add_post("/auth/register", self._register_device)
        hosts.api.router.add_post("/auth/token", self._token)
        hosts.alexa_api.router.add_put(
            "/v1/devices/@self/capabilities", self._capabilities
        )

    def _app_name(self, serial: str, template: str) -> str:
        """The name Amazon gives the app: "Demo's AioAmazonDevices", then 2nd…."""
        if serial in self._state.apps:
            return self._state.apps[serial]
        number = len(self._state.apps) + 1
        return template.replace(
            "%FIRST_NAME%", self._state.credentials.given_name
        ).replace(
            "%DUPE_STRATEGY_1ST%", " " if number == 1 else f" {_ordinal(number)} "
        )

    async def _register_device(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = await read_json(request)
        auth = body.get("auth_data") or {}
        if not self._redeem(
            str(auth.get("authorization_code")),
            str(auth.get("code_verifier")),
            str(auth.get("client_id")),
        ):
            return web.json_response(
                {
                    "response": {
                        "error": {
                            "code": "InvalidValue",
                            "message": "The authorization code is not valid",
                        }
                    },
                    "request_id": secrets.token_hex(16),
                },
                status=400,
            )
        registration = body.get("registration_data") or {}
        serial = str(registration.get("device_serial"))
        name = self._app_name(serial, str(registration.get("device_name", "")))
        self._state.apps[serial] = name
        credentials = self._state.credentials
        cookies = [
            {
                "Name": cookie,
                "Value": value,
                "Path": "/",
                "Domain": ".amazon.com",
                "Expires": "Thu, 01 Jan 2037 00:00:01 GMT",
                "Secure": "true",
                "HttpOnly": "true",
            }
            for cookie, value in credentials.website_cookies().items()
        ]
        tokens = {
            "website_cookies": cookies,
            "store_authentication_cookie": {"cookie": credentials.session_token},
            "mac_dms": {
                "device_private_key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKc-EMULATOR",
                "adp_token": "{enc:EMULATOR}{key:EMULATOR}{iv:EMULATOR}",
            },
            "bearer": {
                "access_token": credentials.issue_access_token(),
                "refresh_token": credentials.refresh_token,
                "expires_in": str(ACCESS_TOKEN_SECONDS),
            },
        }
        extensions = {
            "device_info": {
                "device_name": name,
                "device_serial_number": serial,
                "device_type": registration.get("device_type"),
            },
            "customer_info": {
                "account_pool": "Amazon",
                "home_region": "NA",
                "name": credentials.name,
                "given_name": credentials.given_name,
                "user_id": credentials.user_id,
            },
        }
        return web.json_response(
            {
                "response": {
                    "success": {
                        "tokens": tokens,
                        "extensions": extensions,
                        "customer_id": credentials.user_id,
                    }
                },
                "request_id": secrets.token_hex(16),
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        credentials = self._state.credentials
        if form.get("source_token") != credentials.refresh_token:
            return web.json_response(
                {
                    "error": "invalid_grant",
                    "error_description": "The request has an invalid grant parameter",
                },
                status=400,
            )
        if form.get("requested_token_type") == "auth_cookies":
            domain = "." + str(form.get("domain", "www.amazon.com")).removeprefix(
                "www."
            )
            cookies = [
                {"Name": name, "Value": value}
                for name, value in {
                    **credentials.website_cookies(),
                    "session-token": credentials.session_token,
                }.items()
            ]
            return web.json_response(
                {"response": {"tokens": {"cookies": {domain: cookies}}}}
            )
        return web.json_response(
            payloads.access_token(
                credentials.issue_access_token(), ACCESS_TOKEN_SECONDS
            )
        )

    async def _capabilities(self, request: web.Request) -> web.Response:
        if not self._state.credentials.has_bearer(request):
            return json_error(401, "Unauthorized")
        await request.read()
        return web.Response(status=204)
