"""Amazon's interactive sign-in, as aioamazondevices walks through it.

1. GET www.amazon.com/ap/signin with OpenID/OAuth2 parameters (PKCE): an HTML
   form named "signIn" with hidden inputs, the email and the password. The
   form is the one in aioamazondevices' tests/fixtures/ap_signin.html (from
   a real response). 16.x posts email and password at once; 17.x posts the
   email, then the password on the page that asks for it.
2. The page with the one-time code field (id "auth-mfa-otpcode").
3. The right code: a redirect to openid.return_to (/ap/maplanding) with the
   authorization code in the query; maplanding itself answers 404, which
   the library expects. A wrong email, password or code: the page again,
   with Amazon's error box ("auth-error-message-box"), as 17.x reads it.

The code is then exchanged for tokens (tokens.py), with the PKCE verifier.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
import hashlib
from html import escape
import secrets
from urllib.parse import urlencode

from aiohttp import web

from .state import AmazonState, Hosts

_ERROR_BOX = """
<div id="auth-error-message-box" class="a-box a-alert a-alert-error">
  <h4 class="a-alert-heading">There was a problem</h4>
  <div class="a-alert-content">{message}</div>
</div>"""
_PAGE = """<!doctype html>
<html lang="en-us"><head><meta charset="utf-8"><title>{title}</title></head>
<body>{error}
<form name="signIn" method="post" action="{action}" novalidate
  class="auth-validate-form auth-clearable-form">
{hidden}
{fields}
<input id="continue" class="a-button-input" type="submit">
</form>
</body></html>
"""
# The fields of each step: "claim" (email and password on one page, as in
# the fixture), "password" (after an email alone), "code" (the one-time code).
_FIELDS = {
    "claim": """
<input type="email" id="ap_email_login" name="email" maxlength="128"
  autocomplete="username" aria-label="Enter mobile number or email">
<input type="password" id="ap-credential-autofill-hint" name="password"
  maxlength="1024" autocomplete="current-password">""",
    "password": """
<input type="password" id="ap_password" name="password" maxlength="1024"
  autocomplete="current-password">""",
    "code": """
<input type="tel" id="auth-mfa-otpcode" name="otpCode" maxlength="20"
  autocomplete="off" placeholder="Enter OTP">
<input type="checkbox" id="auth-mfa-remember-device" name="rememberDevice">
<input type="submit" id="auth-signin-button" name="mfaSubmit">""",
}
_TITLES = {
    "claim": "Amazon Sign-In",
    "password": "Amazon Sign-In",
    "code": "Two-Step Verification",
}
_NOT_FOUND_PAGE = "<!doctype html><html><body>Page Not Found</body></html>"


@dataclass(kw_only=True)
class _SignIn:
    """One sign-in in progress (Amazon keeps it under an id in the form URL)."""

    client_id: str
    code_challenge: str
    return_to: str
    email: str | None = None
    password_ok: bool = False


@dataclass(frozen=True, kw_only=True)
class _Grant:
    client_id: str
    code_challenge: str


class SignIn:
    """The sign-in pages, device registration and tokens."""

    def __init__(self, state: AmazonState) -> None:
        """Serve sign-ins for the account in `state`."""
        self._state = state
        self._sign_ins: dict[str, _SignIn] = {}
        self._grants: dict[str, _Grant] = {}

    def register(self, hosts: Hosts) -> None:
        """Add the routes to their hosts."""
        hosts.www.router.add_get("/ap/signin", self._start)
        hosts.www.router.add_post("/ap/signin/{sign_in}", self._submit)
        hosts.www.router.add_get("/ap/maplanding", self._landing)

    def redeem(self, code: str, verifier: str, client_id: str) -> bool:
        """Accept an authorization code once, from the client that got it."""
        grant = self._grants.pop(code, None)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        return (
            grant is not None
            and challenge.rstrip(b"=").decode() == grant.code_challenge
            and client_id == grant.client_id
        )

    def _page(
        self, request: web.Request, sign_in_id: str, step: str, error: str = ""
    ) -> web.Response:
        """The page of a sign-in step, with Amazon's error box if `error`."""
        sign_in = self._sign_ins[sign_in_id]
        return_to = base64.b64encode(sign_in.return_to.encode()).decode()
        hidden = {
            "appActionToken": secrets.token_urlsafe(16),
            "appAction": "SIGNIN_PWD_COLLECT",
            "openid.return_to": f"ape:{return_to}",
            "prevRID": "ape:" + base64.b64encode(secrets.token_bytes(8)).decode(),
            "workflowState": secrets.token_urlsafe(24),
            "anti-csrftoken-a2z": secrets.token_urlsafe(24),
            "subPageType": "SignInClaimCollect",
        }
        if step == "password" and sign_in.email:
            hidden["email"] = sign_in.email
        html = _PAGE.format(
            title=_TITLES[step],
            error=_ERROR_BOX.format(message=escape(error)) if error else "",
            action=f"https://{request.host}/ap/signin/{sign_in_id}",
            hidden="\n".join(
                f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
                for name, value in hidden.items()
            ),
            fields=_FIELDS[step],
        )
        return web.Response(text=html, content_type="text/html")

    async def _start(self, request: web.Request) -> web.Response:
        query = request.query
        client_id = query.get("openid.oa2.client_id", "")
        if (
            not client_id.startswith("device:")
            or query.get("openid.oa2.code_challenge_method") != "S256"
            or not query.get("openid.oa2.code_challenge")
            or not query.get("openid.return_to")
        ):
            return web.Response(status=400, text="Bad Request")
        sign_in_id = "-".join(str(secrets.randbelow(10**n)).zfill(n) for n in (3, 7, 7))
        self._sign_ins[sign_in_id] = _SignIn(
            client_id=client_id.removeprefix("device:"),
            code_challenge=query["openid.oa2.code_challenge"],
            return_to=query["openid.return_to"],
        )
        return self._page(request, sign_in_id, "claim")

    async def _submit(self, request: web.Request) -> web.StreamResponse:
        sign_in_id = request.match_info["sign_in"]
        if (sign_in := self._sign_ins.get(sign_in_id)) is None:
            return web.Response(
                status=404, text=_NOT_FOUND_PAGE, content_type="text/html"
            )
        form = await request.post()
        if "otpCode" in form:
            return self._check_code(request, sign_in_id, str(form["otpCode"]))
        credentials = self._state.credentials
        email = str(form.get("email") or sign_in.email or "")
        if email.casefold() != credentials.email.casefold():
            return self._page(
                request,
                sign_in_id,
                "claim",
                "We cannot find an account with that email address",
            )
        sign_in.email = email
        if not (password := str(form.get("password") or "")):
            return self._page(request, sign_in_id, "password")
        if password != credentials.password:
            return self._page(
                request, sign_in_id, "password", "Your password is incorrect"
            )
        sign_in.password_ok = True
        return self._page(request, sign_in_id, "code")

    def _check_code(
        self, request: web.Request, sign_in_id: str, code: str
    ) -> web.StreamResponse:
        sign_in = self._sign_ins[sign_in_id]
        if not sign_in.password_ok or code.strip() != self._state.credentials.code:
            return self._page(
                request,
                sign_in_id,
                "code",
                "The code you entered is not valid. "
                "Please check the code and try again.",
            )
        del self._sign_ins[sign_in_id]
        code = "AN" + secrets.token_urlsafe(15)
        self._grants[code] = _Grant(
            client_id=sign_in.client_id, code_challenge=sign_in.code_challenge
        )
        query = {
            "openid.assoc_handle": "amzn_dp_project_dee_ios",
            "openid.mode": "id_res",
            "openid.ns": "http://specs.openid.net/auth/2.0",
            "openid.oa2.authorization_code": code,
            "openid.oa2.scope": "device_auth_access",
            "openid.return_to": sign_in.return_to,
        }
        raise web.HTTPFound(f"{sign_in.return_to}?{urlencode(query)}")

    async def _landing(self, request: web.Request) -> web.Response:
        # Amazon has no page here: the app reads the code from the address.
        return web.Response(status=404, text=_NOT_FOUND_PAGE, content_type="text/html")
