"""Amazon's interactive sign-in behind Home Assistant's HTTP client mock.

The pages aioamazondevices walks through (16.x posts email and password at
once, 17.x the email first), the one-time code page, the redirect to
maplanding that carries the authorization code, and the device
registration answer with Amazon's tokens and website cookies in their real
shapes: a list of {"Name", "Value", …} pairs, `x-main` and `sess-at-main`
quoted inside their value as Amazon sends them. The rest of the sign-in
(welcome, token, capabilities, users/me) is the fake account's.
"""

from __future__ import annotations

from html import escape
import re
from types import SimpleNamespace
from typing import Any

from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from yarl import URL

from devtools.amazon_emulator.payloads import Json

AUTHORIZATION_CODE = "ANcMcTvWqLfgSxBwYtnhQzKd"
# Amazon's website cookies after a sign-in on amazon.com, values shaped as
# Amazon hands them out.
WEBSITE_COOKIES = {
    "session-id": "131-4927563-8392615",
    "session-id-time": "2082787201l",
    "ubid-main": "133-8129470-2265318",
    "x-main": '"Lk8?gq@5QFf2xgSb9TnQ0Oc1BHAtVPsGOzGQ6yqF1KDZzfNpvcXqXqWZ2Ri1D4Ak"',
    "at-main": "Atza|IwEBIKx9vT3sQm8Hj2Lp5Wc0nRb7Yd1Fg4Ue6Za9Xt3Vq2Ks8Oj5Mh1Pr7Ny0",
    "sess-at-main": '"n2xWz0gF7o3Rk9Lb4Tq6Hs1Jd8Pc5Vm2Ya7Ue0Ni3Zk="',
    "session-token": (
        "Xz6Hn1Ka8Rq3Vb5Tm0Ly2Wc7Pd4Gs9Jf6Eu1Oi8Nh3Zk5Ab0Cd7Ef2Gh9Ij4Kl6Mn1Op3Qr8"
    ),
}
STORE_AUTHENTICATION_COOKIE = (
    "Rb7Yd1Fg4Ue6Za9Xt3Vq2Ks8Oj5Mh1Pr7Ny0Lk8gq5QFf2xgSb9TnQ0Oc1BHAtVPsGOz"
)
ACCESS_TOKEN = "Atna|EwICIJq3Vb5Tm0Ly2Wc7Pd4Gs9Jf6Eu1Oi8Nh3Zk5Ab0Cd7"
REFRESH_TOKEN = "Atnr|EwICIMx9vT3sQm8Hj2Lp5Wc0nRb7Yd1Fg4Ue6Za9Xt3Vq2K"
ADP_TOKEN = (
    "{enc:Tm0Ly2Wc7Pd4Gs9}{key:Jf6Eu1Oi8Nh3}{iv:Zk5Ab0Cd7}{name:QURQ}{serial:Mg==}"
)
PRIVATE_KEY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCx9vT3sQm8Hj2Lp5W"
# The account of the tests' config entry.
USER_ID = "amzn1.account.AFAKECUSTOMERID0000000000000"
SECRETS = {
    *(value for name, value in WEBSITE_COOKIES.items() if name != "session-id-time"),
    *(
        value.strip('"')
        for name, value in WEBSITE_COOKIES.items()
        if name != "session-id-time"
    ),
    STORE_AUTHENTICATION_COOKIE,
    ACCESS_TOKEN,
    REFRESH_TOKEN,
    ADP_TOKEN,
    PRIVATE_KEY,
    USER_ID,
    AUTHORIZATION_CODE,
}

_SIGN_IN = "https://www.amazon.com/ap/signin"
_FORM = """<!doctype html><html><head><title>{title}</title></head><body>
<form name="signIn" method="post" action="{action}">
<input type="hidden" name="appActionToken" value="pmWZ5sEj2FQJOuAk8bQnTg">
<input type="hidden" name="workflowState" value="eyJ6aXAiOiJERUYiLCJlbmMiOiJB">
{fields}
</form></body></html>"""
_CREDENTIALS = """<input type="email" name="email" id="ap_email">
<input type="password" name="password" id="ap_password">"""
_CODE = """<input type="tel" name="otpCode" id="auth-mfa-otpcode">
<input type="checkbox" name="rememberDevice">"""


def _page(title: str, fields: str) -> str:
    return _FORM.format(
        title=escape(title), action=f"{_SIGN_IN}/131-4927563", fields=fields
    )


def register_answer() -> Json:
    """POST api.amazon.com/auth/register: the tokens, cookies and extensions."""
    return {
        "response": {
            "success": {
                "tokens": {
                    "website_cookies": [
                        {
                            "Name": name,
                            "Value": value,
                            "Path": "/",
                            "Domain": ".amazon.com",
                            "Expires": "Fri, 02 Dec 2039 09:12:27 GMT",
                            "Secure": "true",
                            "HttpOnly": "true" if "at-main" in name else "false",
                        }
                        for name, value in WEBSITE_COOKIES.items()
                    ],
                    "store_authentication_cookie": {
                        "cookie": STORE_AUTHENTICATION_COOKIE
                    },
                    "mac_dms": {
                        "device_private_key": PRIVATE_KEY,
                        "adp_token": ADP_TOKEN,
                    },
                    "bearer": {
                        "access_token": ACCESS_TOKEN,
                        "refresh_token": REFRESH_TOKEN,
                        "expires_in": "3600",
                    },
                },
                "extensions": {
                    "device_info": {
                        "device_name": "Olivia's 2nd AioAmazonDevices",
                        "device_serial_number": "3B8F0E2D5C7A49E1B6D4F0A2C8E5B7D9",
                        "device_type": "A2IVLV5VM2W81",
                    },
                    "customer_info": {
                        "account_pool": "Amazon",
                        "home_region": "NA",
                        "name": "Olivia Carter",
                        "given_name": "Olivia",
                        "user_id": USER_ID,
                    },
                },
                "customer_id": USER_ID,
            }
        },
        "request_id": "4e1a7c9b2f3d4e5a8b6c0d1e2f3a4b5c",
    }


class FakeSignIn:
    """Amazon's sign-in pages and device registration."""

    def register(self, aioclient_mock: AiohttpClientMocker) -> None:
        """Answer the sign-in pages and the registration."""
        for method in ("get", "post"):
            aioclient_mock.request(
                method,
                re.compile(r"^https://www\.amazon\.com/ap/signin"),
                side_effect=self._sign_in,
            )
        aioclient_mock.post(
            "https://api.amazon.com/auth/register",
            json=register_answer(),
        )

    async def _sign_in(
        self,
        method: str,
        url: URL,
        data: Any,  # noqa: ANN401
    ) -> AiohttpClientMockResponse:
        if method.upper() == "GET":
            return self._html(method, url, _page("Amazon Sign-In", _CREDENTIALS))
        if "otpCode" not in (data or {}):
            return self._html(method, url, _page("Two-Step Verification", _CODE))
        # A redirect to maplanding, which has no page (404): the app reads
        # the code from the address, which also names the account.
        account = f"https://www.amazon.com/ap/id/{USER_ID}"
        landing = URL("https://www.amazon.com/ap/maplanding").with_query(
            {
                "openid.claimed_id": account,
                "openid.identity": account,
                "openid.oa2.authorization_code": AUTHORIZATION_CODE,
            }
        )
        redirect = SimpleNamespace(request_info=SimpleNamespace(url=url))
        return AiohttpClientMockResponse(
            method, landing, status=404, text="", history=(redirect,)
        )

    def _html(self, method: str, url: URL, page: str) -> AiohttpClientMockResponse:
        return AiohttpClientMockResponse(
            method, url, text=page, headers={"Content-Type": "text/html"}
        )
